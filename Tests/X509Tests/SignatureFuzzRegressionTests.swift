// SPDX-License-Identifier: Apache-2.0

import VKDER
import Foundation
import VKHash
import VKRSA
import TestSupport
import Testing
import VKX509

/// Inputs that once trapped signature verification (issue 12: an RSASSA-PSS saltLength of 2^63 − 1 made
/// `hLen + sLen + 2` overflow), replayed through the calls of their fuzz target (Fuzz/FuzzSignature,
/// whose first byte picks the mode): each now ends in a refusal or an invalid verdict.
@Suite("Fuzz regressions: signature verification")
struct SignatureFuzzRegressionTests {
    static let directory = Repository.root.appendingPathComponent("Tests/FuzzRegressions/FuzzSignature")
    static let key = MutationTests.key

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// A self-signed RSASSA-PSS certificate and a valid PSS signature over a fixed message.
    static let template: (certificate: [UInt8], message: [UInt8], signature: [UInt8]) = {
        var builder = CertificateBuilder(subject: .kubeletNode("fuzz"), publicKey: CertificatePublicKey(rsa: key.publicKey),
                                         notBefore: DERTime(secondsSinceEpoch: 1_800_000_000), notAfter: DERTime(secondsSinceEpoch: 1_800_086_400))
        builder.signatureAlgorithm = .rsaPSS(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(32)))
        let message = Array("fuzz message".utf8)
        return (try! builder.selfSign(with: key).der, message, try! key.signature(for: message, scheme: .pss(.sha256)))
    }()

    @Test("replayed without a trap", arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let payload = Array(bytes.dropFirst())
        let rsaKey = CertificatePublicKey(rsa: Self.key.publicKey)
        switch bytes[0] & 3 {
        case 0, 1:
            let algorithm = bytes[0] & 3 == 0 ? payload : AlgorithmIdentifier(algorithm: OID.Signature.rsassaPSS, parameters: payload).derEncoded
            let der = try SignedObjectSurgery.replacingSignatureAlgorithm(in: Self.template.certificate, with: algorithm, isCertificate: true)
            if let cert = try? Certificate(derEncoded: der) {
                #expect(!cert.isSignature(validFor: rsaKey), "\(name): a spliced algorithm cannot verify the template's signature")
            }
        case 2:
            if let parameters = try? PSSParameters(derEncoded: payload[...]) {
                #expect(!Self.key.publicKey.isValidSignature(Self.template.signature, for: Self.template.message, scheme: .pss(parameters)))
                #expect(throws: RSAError.self) { try Self.key.signature(for: Self.template.message, scheme: .pss(parameters)) }
            }
            // The values the file encodes, given straight to the API (no parser bound in front).
            var r = DERReader(payload)
            let salt = try r.nested { s -> Int in
                _ = try s.readElement(); _ = try s.readElement()
                return try s.nested(.contextConstructed(2)) { try $0.readInt() }
            }
            let scheme = RSASignatureScheme.pss(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(salt)))
            #expect(!Self.key.publicKey.isValidSignature(Self.template.signature, for: Self.template.message, scheme: scheme))
        default:
            let spki = SubjectPublicKeyInfo(algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.rsassaPSS, parameters: payload),
                                            publicKey: BitString(bytes: Self.key.publicKey.pkcs1DERRepresentation[...]))
            #expect(throws: (any Error).self, "\(name): the key's parameters are refused") { try CertificatePublicKey(spki: spki) }
        }
    }

    @Test func catalogueIsNotEmptyAndTheTemplateVerifies() throws {
        #expect(Self.inputs.count >= 5, "Tests/FuzzRegressions/FuzzSignature is missing")
        #expect(try Certificate(derEncoded: Self.template.certificate).isSelfSigned)
    }
}
