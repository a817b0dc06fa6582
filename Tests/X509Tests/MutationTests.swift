// SPDX-License-Identifier: Apache-2.0

import VKConformance
import VKDER
import Foundation
import VKHash
import VKRSA
import TestSupport
import Testing
import VKX509

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

    @Test func baselineParsesAndVerifies() async throws {
        let cert = try Certificate(derEncoded: Parts().certificate())
        #expect(cert.isSignature(validFor: CertificatePublicKey(rsa: Self.key.publicKey)))
        #expect(cert.serialHex == "12345")
        // OpenSSL agrees it is a well-formed certificate.
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("c.der", cert.der)
        #expect(try await Run.openssl(["x509", "-inform", "DER", "-in", file, "-noout"]).status == 0)
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
        ("SAN iPAddress of 5 octets", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x07, 0x87, 0x05, 1, 2, 3, 4, 5]) }),
        ("SAN dNSName not ASCII", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x04, 0x82, 0x02, 0xC3, 0xA9]) }),
        ("empty SAN", { $0.extensions[1] = Parts.extensionDER(OID.Extension.subjectAltName, critical: false, value: [0x30, 0x00]) }),
        ("pathLen 256", { $0.extensions[0] = Parts.extensionDER(OID.Extension.basicConstraints, critical: true, value: [0x30, 0x07, 0x01, 0x01, 0xFF, 0x02, 0x02, 0x01, 0x00]) }),
        ("PrintableString with '@'", { $0.subject = DERWriter.build { w in w.appendConstructed { s in s.appendConstructed(.set) { r in r.appendConstructed { a in
            a.appendOID(OID.Attribute.commonName); a.append(.printableString, content: Array("a@x".utf8)) } } } } }),
        ("policyConstraints with EXPLICIT tags", { $0.extensions.append(Parts.extensionDER(OID.Extension.policyConstraints, critical: true, value: [0x30, 0x05, 0xA0, 0x03, 0x02, 0x01, 0x01])) }),
        ("empty issuerAltName", { $0.extensions.append(Parts.extensionDER(OID.Extension.issuerAltName, critical: false, value: [0x30, 0x00])) }),
        ("empty freshestCRL", { $0.extensions.append(Parts.extensionDER(OID.Extension.freshestCRL, critical: false, value: [0x30, 0x00])) }),
    ]

    static func nameDER(_ attributes: [(OID, ASN1Tag, String)], emptySets: Int = 0) -> [UInt8] {
        DERWriter.build { w in w.appendConstructed { s in
            for (oid, tag, value) in attributes { s.appendConstructed(.set) { r in r.appendConstructed { a in a.appendOID(oid); a.append(tag, content: Array(value.utf8)) } } }
            for _ in 0..<emptySets { s.appendConstructed(.set) { _ in } }
        } }
    }

    /// Issuer obligations RFC 5280 puts on the CA (issue 17): each certificate parses, carries exactly the
    /// named defect, `lint --profile rfc5280` reports it under its zlint rule, and chain verification refuses
    /// the ones that matter to a relying party. The family names are those of the issue.
    static let tolerated: [(String, ToleratedDefect.Kind, @Sendable (inout Parts) -> Void)] = [
        ("ECDSA signature algorithm with NULL parameters", .ecdsaSignatureParameters, {
            $0.signature = AlgorithmIdentifier.withNullParameters(OID.Signature.ecdsaWithSHA256).derEncoded }),
        ("empty issuer", .issuerEmpty, { $0.issuer = [0x30, 0x00] }),
        ("empty subject with a non-critical SAN", .sanNotCriticalWithoutSubject, { $0.subject = [0x30, 0x00] }),
        ("empty subject without a SAN", .subjectEmptyWithoutSAN, { $0.subject = [0x30, 0x00]; $0.extensions.remove(at: 1) }),
        ("empty RDN SET", .emptyRDN, { $0.subject = MutationTests.nameDER([(OID.Attribute.commonName, .utf8String, "leaf")], emptySets: 1) }),
        ("critical authorityKeyIdentifier", .akiCritical, { $0.extensions.append(Parts.extensionDER(OID.Extension.authorityKeyIdentifier, critical: true, value: [0x30, 0x03, 0x80, 0x01, 0x01])) }),
        ("critical subjectKeyIdentifier", .skiCritical, { $0.extensions.append(Parts.extensionDER(OID.Extension.subjectKeyIdentifier, critical: true, value: [0x04, 0x01, 0x01])) }),
        ("critical authorityInfoAccess", .aiaCritical, { $0.extensions.append(Parts.extensionDER(OID.Extension.authorityInfoAccess, critical: true, value: DERWriter.build { w in
            w.appendConstructed { s in s.appendConstructed { a in a.appendOID(OID.AccessMethod.ocsp); a.append(.contextPrimitive(6), content: Array("http://o".utf8)) } } })) }),
        ("CRL distribution point with only reasons", .distributionPointIncomplete, { $0.extensions.append(Parts.extensionDER(OID.Extension.crlDistributionPoints, critical: false,
            value: [0x30, 0x06, 0x30, 0x04, 0x81, 0x02, 0x07, 0x80])) }),
        ("explicit cA FALSE", .basicConstraintsDefaultEncoded, { $0.extensions[0] = Parts.extensionDER(OID.Extension.basicConstraints, critical: true, value: [0x30, 0x03, 0x01, 0x01, 0x00]) }),
        ("PrintableString with '*'", .printableStringAsterisk, { $0.subject = MutationTests.nameDER([(OID.Attribute.commonName, .printableString, "*.x")]) }),
        ("keyUsage with no bit", .keyUsageWithoutBits, { $0.extensions.append(Parts.extensionDER(OID.Extension.keyUsage, critical: true, value: [0x03, 0x01, 0x00])) }),
        ("keyUsage bits past decipherOnly", .keyUsageBitsBeyondDecipherOnly, { $0.extensions.append(Parts.extensionDER(OID.Extension.keyUsage, critical: true, value: [0x03, 0x03, 0x06, 0x80, 0x40])) }),
        ("keyUsage with trailing zero bits", .keyUsageTrailingZeroBits, { $0.extensions.append(Parts.extensionDER(OID.Extension.keyUsage, critical: true, value: [0x03, 0x02, 0x00, 0x80])) }),
        ("duplicate policy OIDs", .duplicatePolicy, { $0.extensions.append(Parts.extensionDER(OID.Extension.certificatePolicies, critical: false, value: DERWriter.build { w in
            w.appendConstructed { s in for _ in 0..<2 { s.appendConstructed { $0.appendOID(OID(2, 23, 140, 1, 2, 1)) } } } })) }),
        ("signature BIT STRING with unused bits", .signatureUnusedBits, { _ in }),
        ("name-constraint subtree with maximum", .nameConstraintMaximum, { $0.extensions.append(Parts.extensionDER(OID.Extension.nameConstraints, critical: true,
            value: [0x30, 0x0C, 0xA0, 0x0A, 0x30, 0x08, 0x82, 0x03, 0x61, 0x2E, 0x62, 0x81, 0x01, 0x05])) }),
        ("name-constraint subtree of an unknown form", .nameConstraintUnknownForm, { $0.extensions.append(Parts.extensionDER(OID.Extension.nameConstraints, critical: true,
            value: [0x30, 0x06, 0xA0, 0x04, 0x30, 0x02, 0x89, 0x00])) }),
        ("empty policyConstraints", .policyConstraintsEmpty, { $0.extensions.append(Parts.extensionDER(OID.Extension.policyConstraints, critical: false, value: [0x30, 0x00])) }),
        ("authorityKeyIdentifier issuer without serial", .akiIssuerSerialMismatch, { $0.extensions.append(Parts.extensionDER(OID.Extension.authorityKeyIdentifier, critical: false,
            value: DERWriter.build { w in w.appendConstructed { s in s.appendConstructed(.contextConstructed(1)) { g in
                g.appendConstructed(.contextConstructed(4)) { $0.appendEncoded(MutationTests.nameDER([(OID.Attribute.commonName, .utf8String, "ca")])) } } } })) }),
    ]

    /// GeneralizedTime in year 0000 (BoringSSL's chain tests use such signers, Go parses them): a date like
    /// any other (and correctly encoded: UTCTime cannot hold it); OpenSSL agrees on the date.
    @Test func yearZeroGeneralizedTimeParses() async throws {
        var parts = Parts()
        parts.validity = DERWriter.build { w in w.appendConstructed { v in
            v.append(.generalizedTime, content: Array("00000101000000Z".utf8)); v.append(.utcTime, content: Array("350101000000Z".utf8)) } }
        let cert = try Certificate(derEncoded: parts.certificate())
        #expect(cert.notBefore.rfc3339 == "0000-01-01T00:00:00Z")
        #expect(cert.defects.isEmpty, "\(cert.defects)")
        // Years outside 1950–2049 belong in GeneralizedTime (RFC 5280 §4.1.2.5): nothing to lint.
        let findings = RFC5280Lint().lint(cert)
        #expect(cert.validityEncodingIsCanonical && !findings.contains { $0.rule == "e_wrong_time_format_pre2050" })
        #expect(findings.contains { $0.rule == "n_validity_before_1950" && $0.severity == .notice && $0.field == "validity.notBefore" }, "\(findings)")
        #expect(cert.reencoded() == cert.der)
        #expect(cert.isValid(at: DERTime(year: 2030, month: 1, day: 1)!))
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("c.der", cert.der)
        let openssl = try await Run.openssl(["x509", "-inform", "DER", "-in", file, "-noout", "-startdate", "-dateopt", "iso_8601"])
        #expect(openssl.status == 0 && OpenSSLFacts.isoDate(String(openssl.stdoutText.dropFirst("notBefore=".count)).trimmingCharacters(in: .whitespacesAndNewlines)) == "0000-01-01T00:00:00Z",
            "openssl: \(openssl.stdoutText)")
    }

    /// A keyUsage without bits now parses, so the value can reach a builder: it encodes as the empty BIT
    /// STRING (it used to index 0...-1 and trap), and the result is linted, not crashed on.
    @Test func emptyKeyUsageBuildsAndIsLinted() throws {
        var builder = CertificateBuilder(subject: DistinguishedName(encoding: [(OID.Attribute.commonName, "x")]),
            publicKey: CertificatePublicKey(rsa: Self.key.publicKey), notBefore: DERTime(year: 2025, month: 1, day: 1)!, notAfter: DERTime(year: 2026, month: 1, day: 1)!)
        builder.addKeyUsage([])
        let cert = try builder.selfSign(with: Self.key)
        #expect(cert.extensions[OID.Extension.keyUsage]?.value == [0x03, 0x01, 0x00])
        #expect(cert.defects.map(\.kind) == [.keyUsageWithoutBits])
    }

    @Test("each CA-side obligation parses, is linted and, where it matters, refused by verify", arguments: tolerated.map(\.0))
    func toleratedObligation(name: String) throws {
        let (_, kind, mutate) = Self.tolerated.first { $0.0 == name }!
        var parts = Parts()
        mutate(&parts)
        var der = try parts.certificate()
        if kind == .signatureUnusedBits {
            // The signature BIT STRING is the last element: mark one bit unused.
            let cert = try Certificate(derEncoded: der)
            der[der.count - cert.signature.count - 1] = 1
        }
        let cert = try Certificate(derEncoded: der)
        let expected = kind
        #expect(cert.defects.map(\.kind) == [expected], "\(name): defects \(cert.defects)")
        let findings = RFC5280Lint().lint(cert)
        #expect(findings.contains { $0.rule == expected.rawValue && $0.field == cert.defects.first?.field }, "\(name): lint said \(findings.map(\.rule))")
        #expect(cert.reencoded() == cert.der)
        // Self-signed view: the certificate as its own anchor, so only the defect (or the signature) can fail it.
        let outcome = ChainVerifier(trustAnchors: [cert]).verify(cert, policy: .init(time: DERTime(year: 2030, month: 1, day: 1)!))
        if expected.refusedByVerifier {
            #expect(!outcome.isValid, "\(name): verification accepted it")
            if expected != .signatureUnusedBits { #expect(outcome.failure?.contains(expected.rawValue) == true, "\(name): \(outcome.failure ?? "")") }
        }
    }

    @Test("each single defect is rejected", arguments: mutations.map(\.0))
    func rejected(name: String) throws {
        var parts = Parts()
        Self.mutations.first { $0.0 == name }!.1(&parts)
        let der = try parts.certificate()
        #expect(throws: (any Error).self, "accepted: \(name)") { try Certificate(derEncoded: der) }
    }

    /// Defects relying parties tolerate: parsed, reported by lint.
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
