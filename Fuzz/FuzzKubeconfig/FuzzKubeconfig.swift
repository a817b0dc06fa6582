// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: kubeconfig documents (clusters, users, contexts, embedded base64 data, exec
// stanzas), merged and resolved as `vkcert serve` and the client resolve them. Referenced files resolve
// against a directory that does not exist, so the target never reads the machine's files.

import VKKubeAPI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKubeconfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = "/nonexistent-vkcert-fuzz/kubeconfig"
    _ = try? ClientConfiguration.resolve(documents: [(file, text)])
    // Two documents: the merge rules (first one wins per name) over the same input split in half.
    if let newline = text.firstIndex(of: "\n") {
        let first = String(text[..<newline]), second = String(text[newline...])
        _ = try? ClientConfiguration.resolve(documents: [(file, second), (file, first)], context: "fuzz")
    }
    return 0
}
