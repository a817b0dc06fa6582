// SPDX-License-Identifier: Apache-2.0

import DER
import Foundation
import Hash
import RSA
import TestSupport
import Testing
import X509

/// Certificates assembled field by field and re-signed, each with exactly one defect (vectors.md §4's
/// mutation list), so the only reason to reject one is the named defect.
@Suite("Single-defect mutations of a good leaf")
struct MutationTests {
    static let key: RSAPrivateKey = try! RSAPrivateKey.load(Repository.vectorBytes("openssl/keys/rsa2048-a.pkcs8.pem")).key

    /// The parts of a TBSCertificate as raw encodings, so a test can replace any one.
    struct Parts {
        var version: [UInt8]? = DERWriter.build { w in w.appendConstructed(.contextConstructed(0)) { $0.appendInteger(2) } }
        var serial: [UInt8] = DERWriter.build { $0.appendInteger(twosComplement: [0x01, 0x23, 0x45]) }
        var signature: [UInt8] = SignatureAlgorithm.sha256WithRSA.identifier.derEncoded
        var issuer: [UInt8] = Array(DistinguishedName(encoding: [(OID.Attribute.commonName, "issuer")]).der)
        var validity: [UInt8] = DERWriter.build { w in
            w.appendConstructed { v in
                v.append(.utcTime, content: Array("250101000000Z".utf8))
                v.append(.utcTime, content: Array("350101000000Z".utf8))
            }
        }
        var subject: [UInt8] = Array(DistinguishedName(encoding: [(OID.Attribute.commonName, "leaf")]).der)
        var spki: [UInt8] = MutationTests.key.publicKey.spkiDERRepresentation
        var extensions: [[UInt8]] = [
            extensionDER(OID.Extension.basicConstraints, critical: true, value: [0x30, 0x00]),
            extensionDER(OID.Extension.subjectAltName, critical: false, value: DERWriter.build { w in
                w.appendConstructed { $0.append(.contextPrimitive(2), content: Array("leaf.example".utf8)) }
            }),
        ]
        var outerAlgorithm: [UInt8]? = nil
        var trailing: [UInt8] = []

        static func extensionDER(_ oid: OID, critical: Bool, value: [UInt8], criticalEncoding: [UInt8]? = nil) -> [UInt8] {
            DERWriter.build { w in
                w.appendConstructed { e in
                    e.appendOID(oid)
                    if let criticalEncoding { e.appendEncoded(criticalEncoding) } else if critical { e.appendBoolean(true) }
                    e.appendOctetString(value)
                }
            }
        }

        func tbs() -> [UInt8] {
            DERWriter.build { w in
                w.appendConstructed { t in
                    if let version { t.appendEncoded(version) }
                    for part in [serial, signature, issuer, validity, subject, spki] { t.appendEncoded(part) }
                    if !extensions.isEmpty || version != nil {
                        t.appendConstructed(.contextConstructed(3)) { x in x.appendConstructed { for e in extensions { $0.appendEncoded(e) } } }
                    }
                }
            }
        }

        func certificate() throws -> [UInt8] {
            let tbs = tbs()
            let sig = try MutationTests.key.signature(for: tbs)
            return DERWriter.build { w in
                w.appendConstructed { c in
                    c.appendEncoded(tbs)
                    c.appendEncoded(outerAlgorithm ?? signature)
                    c.appendBitString(sig)
                }
            } + trailing
        }
    }

    @Test func baselineParsesAndVerifies() throws {
        let cert = try Certificate(derEncoded: Parts().certificate())
        #expect(cert.isSignature(validFor: CertificatePublicKey(rsa: Self.key.publicKey)))
        #expect(cert.serialHex == "12345")
        // OpenSSL agrees it is a well-formed certificate.
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("c.der", cert.der)
        #expect(try Run.openssl(["x509", "-inform", "DER", "-in", file, "-noout"]).status == 0)
    }

    static let mutations: [(String, @Sendable (inout Parts) -> Void)] = [
        ("trailing byte after the certificate", { $0.trailing = [0] }),
        ("outer algorithm differs from the TBS one", { $0.outerAlgorithm = AlgorithmIdentifier(algorithm: OID.Signature.sha256WithRSAEncryption, parameters: nil).derEncoded }),
        ("serial not minimal", { $0.serial = [0x02, 0x02, 0x00, 0x01] }),
        ("explicit v1 version", { $0.version = DERWriter.build { w in w.appendConstructed(.contextConstructed(0)) { $0.appendInteger(0) } }; $0.extensions = [] }),
        ("version value 3 (v4)", { $0.version = DERWriter.build { w in w.appendConstructed(.contextConstructed(0)) { $0.appendInteger(3) } } }),
        ("extensions in a v1 certificate", { $0.version = nil }),
        ("UTCTime without seconds", { p in p.validity = DERWriter.build { w in w.appendConstructed { v in
            v.append(.utcTime, content: Array("2501010000Z".utf8)); v.append(.utcTime, content: Array("350101000000Z".utf8)) } } }),
        ("UTCTime with +hhmm", { p in p.validity = DERWriter.build { w in w.appendConstructed { v in
            v.append(.utcTime, content: Array("250101000000+0100".utf8)); v.append(.utcTime, content: Array("350101000000Z".utf8)) } } }),
        ("GeneralizedTime with a fraction", { p in p.validity = DERWriter.build { w in w.appendConstructed { v in
            v.append(.utcTime, content: Array("250101000000Z".utf8)); v.append(.generalizedTime, content: Array("20500101000000.5Z".utf8)) } } }),
        ("critical BOOLEAN encoded 01", { $0.extensions[0] = Parts.extensionDER(OID.Extension.basicConstraints, critical: true, value: [0x30, 0x00], criticalEncoding: [0x01, 0x01, 0x01]) }),
        ("critical FALSE encoded", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: DERWriter.build { w in
            w.appendConstructed { $0.append(.contextPrimitive(2), content: Array("x".utf8)) } }, criticalEncoding: [0x01, 0x01, 0x00]) }),
        ("duplicate extension", { $0.extensions.append($0.extensions[0]) }),
        ("empty extensions SEQUENCE", { $0.extensions = [] }),
        ("rsaEncryption SPKI without NULL", { p in p.spki = SubjectPublicKeyInfo(
            algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.rsaEncryption, parameters: nil),
            publicKey: BitString(bytes: MutationTests.key.publicKey.pkcs1DERRepresentation[...])).derEncoded }),
        ("empty issuer", { $0.issuer = [0x30, 0x00] }),
        ("empty subject with a non-critical SAN", { $0.subject = [0x30, 0x00] }),
        ("critical authorityKeyIdentifier", { $0.extensions.append(Parts.extensionDER(OID.Extension.authorityKeyIdentifier, critical: true, value: [0x30, 0x03, 0x80, 0x01, 0x01])) }),
        ("SAN iPAddress of 5 octets", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x07, 0x87, 0x05, 1, 2, 3, 4, 5]) }),
        ("SAN dNSName not ASCII", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x04, 0x82, 0x02, 0xC3, 0xA9]) }),
        ("empty SAN", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x00]) }),
        ("pathLen 256", { $0.extensions[0] = Parts.extensionDER(OID.Extension.basicConstraints, critical: true, value: [0x30, 0x07, 0x01, 0x01, 0xFF, 0x02, 0x02, 0x01, 0x00]) }),
        ("keyUsage with no bit", { $0.extensions.append(Parts.extensionDER(OID.Extension.keyUsage, critical: true, value: [0x03, 0x01, 0x00])) }),
        ("PrintableString with '*'", { $0.subject = DERWriter.build { w in w.appendConstructed { s in s.appendConstructed(.set) { r in r.appendConstructed { a in
            a.appendOID(OID.Attribute.commonName); a.append(.printableString, content: Array("*.x".utf8)) } } } } }),
    ]

    @Test("each single defect is rejected", arguments: mutations.map(\.0))
    func rejected(name: String) throws {
        var parts = Parts()
        Self.mutations.first { $0.0 == name }!.1(&parts)
        let der = try parts.certificate()
        #expect(throws: (any Error).self, "accepted: \(name)") { try Certificate(derEncoded: der) }
    }

    /// Defects RFC 5280 asks relying parties to tolerate: parsed, reported by lint.
    @Test func toleratedDefectsParse() throws {
        var negative = Parts()
        negative.serial = [0x02, 0x01, 0xFF]
        #expect(try Certificate(derEncoded: negative.certificate()).serialHex == "-1")
        var zero = Parts()
        zero.serial = [0x02, 0x01, 0x00]
        #expect(try Certificate(derEncoded: zero.certificate()).serialHex == "0")
        var long = Parts()
        long.serial = [0x02, 21] + [0x7F] + [UInt8](repeating: 1, count: 20)
        #expect(try Certificate(derEncoded: long.certificate()).serialNumber.count == 21)
        var unknownCritical = Parts()
        unknownCritical.extensions.append(Parts.extensionDER(OID(1, 3, 6, 1, 4, 1, 99999, 1), critical: true, value: [0x05, 0x00]))
        let cert = try Certificate(derEncoded: unknownCritical.certificate())
        #expect(cert.extensions.unhandledCritical == [OID(1, 3, 6, 1, 4, 1, 99999, 1)])
        var generalized = Parts()
        generalized.validity = DERWriter.build { w in w.appendConstructed { v in
            v.append(.generalizedTime, content: Array("20250101000000Z".utf8)); v.append(.utcTime, content: Array("350101000000Z".utf8)) } }
        #expect(try !Certificate(derEncoded: generalized.certificate()).validityEncodingIsCanonical)
    }

    @Test func signatureBitFlipParsesButDoesNotVerify() throws {
        var der = try Parts().certificate()
        der[der.count - 5] ^= 0x01
        let cert = try Certificate(derEncoded: der)
        #expect(!cert.isSignature(validFor: CertificatePublicKey(rsa: Self.key.publicKey)))
    }

    /// Every strict prefix of a valid certificate fails cleanly (no trap, an error).
    @Test func everyPrefixOfARealCertificateFails() throws {
        let text = try String(contentsOfFile: SystemBundleTests.files.first!, encoding: .utf8)
        let der = try PEM.decode(Array(text.utf8), labels: ["CERTIFICATE"]).der
        _ = try Certificate(derEncoded: der)
        for length in 0..<der.count {
            #expect(throws: (any Error).self) { try Certificate(derEncoded: Array(der.prefix(length))) }
        }
    }
}
