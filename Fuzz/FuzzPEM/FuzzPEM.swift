// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: PEM armour (several blocks, text between, CRLF) and canonical base64.

import VKDER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPEM(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = PEM.looksLikePEM(bytes)
    if let blocks = try? PEM.decodeAll(bytes) {
        for block in blocks {
            // What we decode must re-encode to something we decode to the same bytes.
            let again = PEM.encode(label: block.label, der: block.der)
            guard let back = try? PEM.decode(Array(again.utf8), labels: [block.label]), back.der == block.der else {
                fatalError("PEM round trip changed a block labelled \(block.label)")
            }
        }
    }
    _ = try? PEM.decode(bytes, labels: ["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY"])
    if case .success(let decoded) = Base64.decode(bytes) {
        guard Base64.encode(decoded) == String(decoding: bytes, as: UTF8.self) else {
            fatalError("base64 accepted a non-canonical encoding")
        }
    }
    return 0
}
