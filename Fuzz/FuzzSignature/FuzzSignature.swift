// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: past parsing into signature verification. The first input byte picks what the
// rest is; everything ends in a verification against fixed keys (an RSA key and an id-RSASSA-PSS key
// built from it, with a valid PSS signature over a fixed certificate and CSR):
//   0  a signature AlgorithmIdentifier, spliced into the certificate (TBS and outer) and the CSR
//   1  RSASSA-PSS-params, wrapped as an rsassaPSS AlgorithmIdentifier and spliced the same way
//   2  RSASSA-PSS-params fed straight to the RSA verifier (digest path), with the valid signature
//   3  RSASSA-PSS-params as the *key's* restriction (id-RSASSA-PSS SPKI), verifying the fixed certificate
// Invariant: a verdict, never a trap; and the untouched template always verifies (a harness check).

import VKDER
import VKHash
import VKRSA
import TestSupport
import VKX509

private struct Template {
    let key: RSAPrivateKey
    let certificate: [UInt8]
    let csr: [UInt8]
    let message: [UInt8]
    let pssSignature: [UInt8]

    init() {
        key = try! RSAPrivateKey.generate(bits: 2048)
        let publicKey = CertificatePublicKey(rsa: key.publicKey)
        let now = DERTime(secondsSinceEpoch: 1_800_000_000)
        var builder = CertificateBuilder(subject: .kubeletNode("fuzz"), publicKey: publicKey, notBefore: now, notAfter: now.adding(seconds: 86_400))
        builder.signatureAlgorithm = .rsaPSS(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(32)))
        CertificateProfile.kubeletServing.apply(to: &builder, authorityKeyIdentifier: nil)
        certificate = Array(try! builder.selfSign(with: key).der)
        csr = Array(try! CSRBuilder.kubeletServing(node: "fuzz", ipAddresses: [[10, 0, 0, 1]], dnsNames: []).sign(with: key).der)
        message = Array("fuzz message".utf8)
        pssSignature = try! key.signature(for: message, scheme: .pss(.sha256))
    }
}

private let template = Template()

/// `der` (certificate or CSR) with `algorithm` as its signature AlgorithmIdentifier (the same surgery the
/// regression tests use, from TestSupport).
private func splice(_ der: [UInt8], _ algorithm: [UInt8], certificate: Bool) -> [UInt8]? {
    try? SignedObjectSurgery.replacingSignatureAlgorithm(in: der, with: algorithm, isCertificate: certificate)
}

private func verifySpliced(_ algorithm: [UInt8]) {
    let key = CertificatePublicKey(rsa: template.key.publicKey)
    if let der = splice(template.certificate, algorithm, certificate: true), let cert = try? Certificate(derEncoded: der) {
        _ = cert.isSignature(validFor: key)
        _ = cert.isSelfSigned
        _ = ChainVerifier(trustAnchors: [cert]).verify(cert, policy: .init(time: DERTime(secondsSinceEpoch: 1_800_000_100)))
    }
    if let der = splice(template.csr, algorithm, certificate: false), let csr = try? CertificateSigningRequest(derEncoded: der) {
        _ = csr.isSignatureValid
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignature(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else {
        // Harness check: the untouched template verifies, so a "never valid" run means a broken harness.
        guard let cert = try? Certificate(derEncoded: template.certificate), cert.isSelfSigned else { fatalError("template does not verify") }
        return 0
    }
    let payload = Array(bytes.dropFirst())
    switch mode & 3 {
    case 0:
        verifySpliced(payload)
    case 1:
        verifySpliced(AlgorithmIdentifier(algorithm: OID.Signature.rsassaPSS, parameters: payload).derEncoded)
    case 2:
        guard let parameters = try? PSSParameters(derEncoded: payload[...]) else { return 0 }
        let scheme = RSASignatureScheme.pss(parameters)
        _ = template.key.publicKey.isValidSignature(template.pssSignature, for: template.message, scheme: scheme)
        _ = template.key.publicKey.isValidSignature(payload, for: template.message, scheme: scheme)
        _ = try? template.key.signature(for: template.message, scheme: scheme)
    default:
        let spki = SubjectPublicKeyInfo(
            algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.rsassaPSS, parameters: payload),
            publicKey: BitString(bytes: template.key.publicKey.pkcs1DERRepresentation[...])
        )
        guard let key = try? CertificatePublicKey(spki: spki), let cert = try? Certificate(derEncoded: template.certificate) else { return 0 }
        _ = cert.isSignature(validFor: key)
        _ = try? RSAKeyRestriction(spki: spki).refusal(of: .pss(.sha256))
    }
    return 0
}
