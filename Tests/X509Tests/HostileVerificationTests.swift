// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import Foundation
import VKHash
import VKRSA
import TestSupport
import Testing
import VKX509

/// Issue 12: input that reaches signature verification and path building must neither trap nor make
/// unbounded work, and constraints must hold. Where OpenSSL has a verdict (name constraints, trust
/// anchors), the same certificates go through `openssl verify` and the verdicts must agree.
@Suite("Hostile verification input")
struct HostileVerificationTests {
    static let key = MutationTests.key

    // MARK: - RSASSA-PSS parameters

    /// `RSASSA-PSS-params` with SHA-256 / MGF1-SHA-256 and the given raw saltLength and trailer INTEGER
    /// contents.
    static func pssParameters(salt: [UInt8]?, trailer: [UInt8]? = nil, hashSHA1Explicit: Bool = false) -> [UInt8] {
        let hash = hashSHA1Explicit ? HashAlgorithm.sha1 : .sha256
        return DERWriter.build { w in
            w.appendConstructed { s in
                s.appendConstructed(.contextConstructed(0)) { AlgorithmIdentifier.withNullParameters(hash.oid).write(to: &$0) }
                s.appendConstructed(.contextConstructed(1)) { m in
                    AlgorithmIdentifier(algorithm: OID.Signature.mgf1, parameters: AlgorithmIdentifier.withNullParameters(OID.Hash.sha256).derEncoded)
                        .write(to: &m)
                }
                if let salt { s.appendConstructed(.contextConstructed(2)) { $0.append(.integer, content: salt) } }
                if let trailer { s.appendConstructed(.contextConstructed(3)) { $0.append(.integer, content: trailer) } }
            }
        }
    }

    static func pssAlgorithm(_ parameters: [UInt8]) -> [UInt8] {
        AlgorithmIdentifier(algorithm: OID.Signature.rsassaPSS, parameters: parameters).derEncoded
    }

    /// The review's crash: saltLength 2^63 − 1 made `hLen + salt + 2` overflow in every verifier.
    @Test("hostile PSS parameters are refused without trapping", arguments: [
        ("saltLength 2^63-1", pssParameters(salt: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "exceeds 1024"),
        ("saltLength 2^64 (9 octets)", pssParameters(salt: [0x01, 0, 0, 0, 0, 0, 0, 0, 0]), "too large"),
        ("saltLength -1", pssParameters(salt: [0xFF]), "negative"),
        ("saltLength 100000000000", pssParameters(salt: [0x17, 0x48, 0x76, 0xE8, 0x00]), "exceeds 1024"),
        ("explicit DEFAULT saltLength 20", pssParameters(salt: [20]), "DEFAULT"),
        ("explicit DEFAULT trailerField 1", pssParameters(salt: [32], trailer: [1]), "DEFAULT"),
        ("trailerField 2", pssParameters(salt: [32], trailer: [2]), "not 1"),
        ("trailerField 2^63-1", pssParameters(salt: [32], trailer: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "not 1"),
        ("explicit DEFAULT hash sha1", pssParameters(salt: [32], hashSHA1Explicit: true), "DEFAULT"),
    ])
    func hostilePSSParameters(name: String, parameters: [UInt8], expected: String) throws {
        #expect {
            _ = try PSSParameters(derEncoded: parameters[...])
        } throws: { "\($0)".contains(expected) }
        // In a certificate (both algorithm fields, so only the parameters are wrong): a parse error, no trap.
        var parts = MutationTests.Parts()
        parts.signature = Self.pssAlgorithm(parameters)
        let der = try parts.certificate()
        #expect(throws: (any Error).self, "\(name)") { try Certificate(derEncoded: der) }
    }

    /// A salt that parses (≤ 1024) but cannot fit the key: verification says no, without arithmetic on it.
    @Test func saltLargerThanTheKeyIsInvalidNotATrap() throws {
        let parameters = Self.pssParameters(salt: [0x03, 0xE8])  // 1000 bytes: parses, fits no 2048-bit key
        var parts = MutationTests.Parts()
        parts.signature = Self.pssAlgorithm(parameters)
        let cert = try Certificate(derEncoded: parts.certificate())
        #expect(!cert.isSignature(validFor: CertificatePublicKey(rsa: Self.key.publicKey)))
        // The public API with any Int, including the extremes, never traps.
        let message = Array("message".utf8)
        for salt in [Int.max, Int.max - 1, Int.max - 40, 1 << 62, 223, 1_000_000] {
            let scheme = RSASignatureScheme.pss(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(salt)))
            #expect(!Self.key.publicKey.isValidSignature([UInt8](repeating: 1, count: 256), for: message, scheme: scheme))
            // Signing refuses before drawing (and allocating) the salt.
            #expect(throws: RSAError.self) { try Self.key.signature(for: message, scheme: scheme) }
        }
        #expect(Self.key.publicKey.maximumPSSSaltLength(hash: .sha256) == 222)
        let fits = try Self.key.signature(for: message, scheme: .pss(.sha256, saltLength: 222))
        #expect(Self.key.publicKey.isValidSignature(fits, for: message, scheme: .pss(.sha256, saltLength: 222)))
    }

    /// id-RSASSA-PSS keys: PSS only, their hashes, at least their salt (RFC 4055 §3.3).
    @Test func pssRestrictedKeysBind() throws {
        let restriction = RSAKeyRestriction.pssOnly(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(32)))
        #expect(restriction.refusal(of: .pkcs1v15(.sha256))?.contains("RSASSA-PSS signatures only") == true)
        #expect(restriction.refusal(of: .pss(.sha384))?.contains("SHA-256") == true)
        #expect(restriction.refusal(of: .pss(.sha256, mgfHash: .sha1))?.contains("MGF1") == true)
        #expect(restriction.refusal(of: .pss(.sha256, saltLength: 20))?.contains("at least 32") == true)
        #expect(restriction.permits(.pss(.sha256, saltLength: 32)))
        #expect(restriction.permits(.pss(.sha256, saltLength: 64)))
        #expect(RSAKeyRestriction.pssOnly(nil).permits(.pss(.sha512)))
        #expect(!RSAKeyRestriction.pssOnly(nil).permits(.pkcs1v15()))
        #expect(RSAKeyRestriction.none.permits(.pkcs1v15()))

        // In a certificate: a leaf signed with salt 20 by a CA whose key demands ≥ 32 does not verify.
        let spki = SubjectPublicKeyInfo(
            algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.rsassaPSS, parameters: Self.pssParameters(salt: [32])),
            publicKey: BitString(bytes: Self.key.publicKey.pkcs1DERRepresentation[...])
        )
        let pssKey = try CertificatePublicKey(spki: spki)
        var parts = MutationTests.Parts()
        for (salt, valid) in [(20, false), (32, true), (48, true)] {
            let scheme = RSASignatureScheme.pss(.sha256, saltLength: salt)
            parts.signature = SignatureAlgorithm.rsaPSS(scheme.pssParameters!).identifier.derEncoded
            let tbs = parts.tbs()
            let signature = try Self.key.signature(for: tbs, scheme: scheme)
            let der = DERWriter.build { w in
                w.appendConstructed { c in
                    c.appendEncoded(tbs)
                    c.appendEncoded(parts.signature)
                    c.appendBitString(signature)
                }
            }
            let cert = try Certificate(derEncoded: der)
            #expect(cert.isSignature(validFor: pssKey) == valid, "salt \(salt)")
            #expect(cert.isSignature(validFor: CertificatePublicKey(rsa: Self.key.publicKey)), "an rsaEncryption key accepts salt \(salt)")
        }
    }

    // MARK: - Multi-valued RDN order

    /// Item 11's decision: a multi-valued RDN whose attributes are not in DER SET OF order is tolerated by
    /// the parser (compared by content, kept byte for byte) and reported by lint as `name-rdn-order`.
    @Test func unsortedMultiValuedRDNIsToleratedAndLinted() throws {
        func attribute(_ oid: OID, _ value: String) -> [UInt8] {
            DERWriter.build { w in w.appendConstructed { $0.appendOID(oid); $0.append(.printableString, content: Array(value.utf8)) } }
        }
        let cn = attribute(OID.Attribute.commonName, "system:node:n1"), o = attribute(OID.Attribute.organizationName, "system:nodes")
        let (first, second) = cn.lexicographicallyPrecedes(o) ? (cn, o) : (o, cn)
        func name(_ members: [[UInt8]]) -> [UInt8] {
            DERWriter.build { w in w.appendConstructed { seq in seq.appendConstructed(.set) { for m in members { $0.appendEncoded(m) } } } }
        }
        let lint = KubeletLint(node: "n1", now: DERTime(year: 2030, month: 1, day: 1)!)
        for (members, sorted) in [([first, second], true), ([second, first], false)] {
            var parts = MutationTests.Parts()
            parts.subject = name(members)
            let cert = try Certificate(derEncoded: parts.certificate())
            #expect(cert.subject.rdns.count == 1 && cert.subject.rdns[0].isInDEROrder == sorted)
            #expect(cert.reencoded() == cert.der, "kept byte for byte")
            let rule = lint.lint(cert).first { $0.rule == "name-rdn-order" }
            #expect((rule != nil) == !sorted && rule?.severity != .error)
        }
    }

    // MARK: - Public exponent

    @Test func publicExponentIsBounded() throws {
        let n = Self.key.publicKey.modulus
        let e33 = BigInt(Int((1 << 33) - 1))
        #expect(try RSAPublicKey(modulus: n, publicExponent: e33).publicExponent == e33)
        for bits in [34, 64, 1024, 2047] {
            let e = (BigInt(1) << (bits - 1)) + BigInt(1)
            #expect(throws: RSAError.self, "e of \(bits) bits") { try RSAPublicKey(modulus: n, publicExponent: e) }
        }
    }

    // MARK: - OIDs

    @Test func oidArcsBeyond64BitsAreRefused() throws {
        // 2^64 − 1 in ten groups starts 0x81; 2^64 starts 0x82 and would print as 0 after truncation.
        let max64: [UInt8] = [0x2A, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(try OID(derContent: max64[...]).dotted == "1.2.18446744073709551615")
        let over: [UInt8] = [0x2A, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
        #expect(throws: DERError.self) { try OID(derContent: over[...]) }
        let zero: [UInt8] = [0x2A, 0x00]
        #expect(try OID(derContent: zero[...]).dotted == "1.2.0")
        // Dotted text: the first sub-identifier (40 × first + second) must fit too.
        #expect(OID(dotted: "2.18446744073709551615") == nil)
        #expect(OID(dotted: "2.18446744073709551535")?.dotted == "2.18446744073709551535")
        #expect(OID(dotted: "1.2.18446744073709551616") == nil)
        #expect(throws: X509Error.self) { try DistinguishedName(parsing: "2.18446744073709551615=x") }
    }

    // MARK: - Path building

    struct Issued {
        let cert: Certificate
        let key: RSAPrivateKey
    }

    static let now = DERTime.now()

    static func make(
        _ subject: String, issuer: (name: DistinguishedName, key: RSAPrivateKey)? = nil, key: RSAPrivateKey? = nil, isCA: Bool,
        extensions: [Extension] = [], sans: [GeneralName] = [], subjectName: DistinguishedName? = nil
    ) throws -> Issued {
        let key = try key ?? RSAPrivateKey.generate()
        let name = try subjectName ?? DistinguishedName(parsing: subject)
        let publicKey = CertificatePublicKey(rsa: key.publicKey)
        var b = CertificateBuilder(subject: name, publicKey: publicKey, notBefore: now.adding(seconds: -3600), notAfter: now.adding(seconds: 86_400))
        let issuerKey = issuer?.key ?? key
        let aki = CertificateBuilder.keyIdentifier(CertificatePublicKey(rsa: issuerKey.publicKey))
        (isCA ? CertificateProfile.ca : .kubeletServing).apply(to: &b, authorityKeyIdentifier: aki)
        if !sans.isEmpty { b.addSubjectAltNames(sans) }
        for e in extensions { b.add(e) }
        return Issued(cert: try b.sign(issuer: issuer?.name ?? name, issuerKey: issuerKey), key: key)
    }

    /// N intermediates sharing one name and one key can each sign every other: the candidate paths
    /// grow as N!/(N−k)!. The work must stop at the signature-check bound with a clear error.
    @Test func sameNameIntermediatesHitThePathBuildingLimit() throws {
        let root = try Self.make("CN=Root", isCA: true)
        let shared = try RSAPrivateKey.generate()
        let intName = try DistinguishedName(parsing: "CN=Same Name Intermediate")
        var intermediates: [Certificate] = []
        for _ in 0..<12 {
            intermediates.append(try Self.make("", issuer: (intName, shared), key: shared, isCA: true, subjectName: intName).cert)
        }
        let leaf = try Self.make("CN=leaf", issuer: (intName, shared), isCA: false, sans: [.dns("leaf.example")]).cert
        let verifier = ChainVerifier(trustAnchors: [root.cert], intermediates: intermediates)
        let policy = ChainVerifier.Policy(time: Self.now)
        let outcome = verifier.verify(leaf, policy: policy)
        #expect(!outcome.isValid)
        #expect(outcome.hitLimit)
        #expect(outcome.signatureChecks <= policy.maximumSignatureChecks)
        #expect(outcome.failure?.contains("path building limit reached (100 signature checks)") == true, "\(outcome.failure ?? "")")

        // What the bound prevents: without it the same search makes far more checks even for 4.
        var unbounded = policy
        unbounded.maximumSignatureChecks = .max
        let four = ChainVerifier(trustAnchors: [root.cert], intermediates: Array(intermediates.prefix(4))).verify(leaf, policy: unbounded)
        #expect(!four.isValid && !four.hitLimit)
        let five = ChainVerifier(trustAnchors: [root.cert], intermediates: Array(intermediates.prefix(5))).verify(leaf, policy: unbounded)
        print("same-name intermediates, unbounded search: 4 → \(four.signatureChecks) signature checks, 5 → \(five.signatureChecks)")
        #expect(five.signatureChecks > 4 * four.signatureChecks)

        // A good path is still found among decoys.
        let realInt = try Self.make("", issuer: (root.cert.subject, root.key), key: shared, isCA: true, subjectName: intName).cert
        let found = ChainVerifier(trustAnchors: [root.cert], intermediates: intermediates + [realInt]).verify(leaf, policy: policy)
        #expect(found.isValid || found.hitLimit, "\(found.failure ?? "")")
        let direct = ChainVerifier(trustAnchors: [root.cert], intermediates: [realInt] + intermediates).verify(leaf, policy: policy)
        #expect(direct.isValid, "\(direct.failure ?? "")")
        #expect(direct.signatureChecks <= 3)
    }

    // MARK: - Name constraints, judged by OpenSSL

    static func nameConstraints(permitted: [[UInt8]] = [], excluded: [[UInt8]] = []) -> Extension {
        let value = DERWriter.build { w in
            w.appendConstructed { nc in
                for (tag, list) in [(0, permitted), (1, excluded)] where !list.isEmpty {
                    nc.appendConstructed(.contextConstructed(UInt8(tag))) { subtrees in
                        for base in list { subtrees.appendConstructed { $0.appendEncoded(base) } }
                    }
                }
            }
        }
        return Extension(oid: OID.Extension.nameConstraints, critical: true, value: value)
    }

    static func dnsBase(_ name: String) -> [UInt8] { DERWriter.build { $0.append(.contextPrimitive(2), content: Array(name.utf8)) } }

    static func directoryBase(_ name: String) throws -> [UInt8] {
        let dn = try DistinguishedName(parsing: name)
        return DERWriter.build { $0.appendConstructed(.contextConstructed(4)) { $0.appendEncoded(Array(dn.der)) } }
    }

    /// Our verdict and `openssl verify`'s for root → intermediate → leaf.
    static func verdicts(root: Certificate, intermediate: Certificate?, leaf: Certificate) async throws -> (ours: ChainVerifier.Outcome, openssl: ProcessResult) {
        let dir = try TemporaryDirectory("nc")
        defer { dir.cleanup() }
        let rootFile = try dir.write("root.pem", Array(root.pemRepresentation.utf8))
        let leafFile = try dir.write("leaf.pem", Array(leaf.pemRepresentation.utf8))
        var arguments = ["verify", "-CAfile", rootFile]
        if let intermediate {
            arguments += ["-untrusted", try dir.write("int.pem", Array(intermediate.pemRepresentation.utf8))]
        }
        let openssl = try await Run.openssl(arguments + [leafFile])
        let ours = ChainVerifier(trustAnchors: [root], intermediates: intermediate.map { [$0] } ?? []).verify(leaf, policy: .init(time: now))
        return (ours, openssl)
    }

    @Test func directoryNameConstraintsApplyToTheSubject() async throws {
        let root = try Self.make("CN=DN Root,O=Example", isCA: true, extensions: [Self.nameConstraints(permitted: [Self.directoryBase("O=Allowed")])])
        let rootRef = (root.cert.subject, root.key)
        // Subjects are printed most specific first, so "CN=x,O=Allowed" is the RDN sequence O=Allowed / CN=x.
        let inside = try Self.make("CN=inside,O=Allowed", issuer: rootRef, isCA: false, sans: [.dns("inside.example")]).cert
        let outside = try Self.make("CN=outside,O=Other", issuer: rootRef, isCA: false, sans: [.dns("outside.example")]).cert
        let good = try await Self.verdicts(root: root.cert, intermediate: nil, leaf: inside)
        #expect(good.ours.isValid, "\(good.ours.failure ?? "")")
        #expect(good.openssl.status == 0, "\(good.openssl.stdoutText)\(good.openssl.stderrText)")
        let bad = try await Self.verdicts(root: root.cert, intermediate: nil, leaf: outside)
        #expect(!bad.ours.isValid && bad.ours.failure?.contains("permitted subtree violation") == true, "\(bad.ours.failure ?? "valid")")
        #expect(bad.openssl.status != 0 && (bad.openssl.stdoutText + bad.openssl.stderrText).contains("permitted subtree violation"))

        // Excluded subtrees, and a directoryName SAN under a permitted subtree.
        let excluding = try Self.make("CN=DN Root 2", isCA: true, extensions: [Self.nameConstraints(excluded: [Self.directoryBase("O=Banned")])])
        let banned = try Self.make("CN=x,O=Banned", issuer: (excluding.cert.subject, excluding.key), isCA: false, sans: [.dns("x.example")]).cert
        let excluded = try await Self.verdicts(root: excluding.cert, intermediate: nil, leaf: banned)
        #expect(!excluded.ours.isValid && excluded.ours.failure?.contains("excluded subtree violation") == true, "\(excluded.ours.failure ?? "valid")")
        #expect(excluded.openssl.status != 0 && (excluded.openssl.stdoutText + excluded.openssl.stderrText).contains("excluded subtree violation"))
        let sanOutside = try Self.make(
            "CN=san,O=Allowed", issuer: rootRef, isCA: false, sans: [.directoryName(try DistinguishedName(parsing: "CN=elsewhere,O=Other"))]
        ).cert
        let san = try await Self.verdicts(root: root.cert, intermediate: nil, leaf: sanOutside)
        #expect(!san.ours.isValid, "a directoryName SAN outside the subtree")
        #expect(san.openssl.status != 0, "\(san.openssl.stdoutText)")
    }

    @Test func leadingPeriodDNSConstraintMeansSubdomains() async throws {
        let root = try Self.make("CN=Cluster Root", isCA: true, extensions: [Self.nameConstraints(permitted: [Self.dnsBase(".cluster.local")])])
        let ref = (root.cert.subject, root.key)
        for (name, valid) in [("node.cluster.local", true), ("a.b.cluster.local", true), ("node.example.com", false), ("cluster.local", false)] {
            let leaf = try Self.make("CN=\(name)", issuer: ref, isCA: false, sans: [.dns(name)]).cert
            let v = try await Self.verdicts(root: root.cert, intermediate: nil, leaf: leaf)
            #expect(v.ours.isValid == valid, "\(name): \(v.ours.failure ?? "valid")")
            #expect((v.openssl.status == 0) == valid, "openssl on \(name): \(v.openssl.stdoutText)\(v.openssl.stderrText)")
        }
    }

    /// Go's maxConstraintComparisons: 2,000 SANs × 200 subtrees is 400,000 comparisons, over the bound.
    @Test func constraintComparisonsAreBounded() throws {
        let subtrees = (0..<200).map { Self.dnsBase("allowed\($0).example") }
        let root = try Self.make("CN=Many Subtrees", isCA: true, extensions: [Self.nameConstraints(permitted: subtrees)])
        let sans: [GeneralName] = (0..<2000).map { .dns("host\($0).allowed0.example") }
        let leaf = try Self.make("CN=many", issuer: (root.cert.subject, root.key), isCA: false, sans: sans).cert
        let outcome = ChainVerifier(trustAnchors: [root.cert]).verify(leaf, policy: .init(time: Self.now))
        #expect(outcome.failure?.contains("name constraint checking limit reached") == true, "\(outcome.failure ?? "valid")")
        // Under the bound the same shape verifies.
        let few = try Self.make("CN=few", issuer: (root.cert.subject, root.key), isCA: false, sans: Array(sans.prefix(100))).cert
        #expect(ChainVerifier(trustAnchors: [root.cert]).verify(few, policy: .init(time: Self.now)).isValid)
    }
}
