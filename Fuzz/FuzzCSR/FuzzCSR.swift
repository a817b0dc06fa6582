// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: PKCS#10 requests (DER or PEM): strict parse, self-signature over the received
// bytes, JSON rendering, the kubelet-serving lint the emulator's signer and `vkcert lint` apply, and the rfc5280 profile.

import VKDER
import VKX509

private let lint = KubeletLint(node: "fuzz", expectedIPs: [[10, 0, 0, 1]], now: DERTime(secondsSinceEpoch: 1_800_000_000))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let request: CertificateSigningRequest
    if PEM.looksLikePEM(bytes) {
        guard let parsed = try? CertificateSigningRequest(pemEncoded: bytes) else { return 0 }
        request = parsed
    } else {
        guard let parsed = try? CertificateSigningRequest(derEncoded: bytes) else { return 0 }
        request = parsed
    }
    _ = request.isSignatureValid
    _ = request.json(file: "fuzz.csr", index: 0).serialized()
    _ = request.subject.rfc2253
    _ = lint.lint(request)
    _ = RFC5280Lint().lint(request)
    return 0
}
