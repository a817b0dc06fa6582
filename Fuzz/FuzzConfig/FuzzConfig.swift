// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the Virtual Kubelet YAML configuration (InterLink keys plus vkcert's own),
// composed with bounds, parsed field by field and validated, as `vkcert serve --config` does.

import VKCertManager

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let configuration = try? VKConfiguration.parse(text, file: "fuzz.yaml") else { return 0 }
    _ = configuration.mode
    _ = try? configuration.validate()
    return 0
}
