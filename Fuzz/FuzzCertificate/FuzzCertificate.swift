// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: X.509 certificates (DER or PEM) through everything an audit does with one:
// strict parse, re-encoding from the parsed fields, text and JSON rendering, both lint profiles, signature check and
// path validation with the certificate as its own anchor.

import VKDER
import VKX509

private let rfc5280 = RFC5280Lint()
private let lint = KubeletLint(node: "fuzz", expectedIPs: [[10, 0, 0, 1]], now: DERTime(secondsSinceEpoch: 1_800_000_000))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCertificate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let certificate: Certificate
    if PEM.looksLikePEM(bytes) {
        guard let parsed = try? Certificate(pemEncoded: bytes) else { return 0 }
        certificate = parsed
    } else {
        guard let parsed = try? Certificate(derEncoded: bytes) else { return 0 }
        certificate = parsed
    }
    // Invariant: whatever the strict parser accepts, the model re-encodes byte for byte.
    guard certificate.reencoded() == certificate.der else {
        fatalError("accepted certificate does not re-encode to its input")
    }
    _ = certificate.text
    _ = certificate.json(file: "fuzz.pem", index: 0).serialized()
    _ = certificate.subject.rfc2253
    _ = certificate.issuer.rfc2253
    _ = lint.lint(certificate)
    _ = rfc5280.lint(certificate)
    // Invariant: a defect the verifier must refuse never leaves a certificate that verifies as its own anchor.
    let refused = certificate.defects.contains { $0.kind.refusedByVerifier }
    _ = certificate.isSignature(validFor: certificate.publicKey)
    var policy = ChainVerifier.Policy(time: DERTime(secondsSinceEpoch: 1_800_000_000))
    policy.peerName = .dns("node.example")
    let outcome = ChainVerifier(trustAnchors: [certificate]).verify(certificate, policy: policy)
    if refused && outcome.isValid { fatalError("a certificate with a refused defect verified: \(certificate.defects)") }
    return 0
}
