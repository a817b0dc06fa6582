// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKFileIO
import FoundationEssentials
import VKX509

/// x509-limbo testcase (limbo-schema.json), the fields vkcert uses.
struct LimboFile: Decodable {
    let testcases: [LimboCase]
}

struct LimboCase: Decodable {
    let id: String
    let features: [String]
    let validation_kind: String
    let trusted_certs: [String]
    let untrusted_intermediates: [String]
    let peer_certificate: String
    let validation_time: String?
    let key_usage: [String]
    let extended_key_usage: [String]
    let expected_result: String
    let expected_peer_name: PeerName?
    let max_chain_depth: Int?

    struct PeerName: Decodable {
        let kind: String
        let value: String
    }
}

/// One limbo verdict.
public struct LimboVerdict: Sendable, Hashable {
    public let id: String
    public let features: [String]
    public let expected: String
    /// SUCCESS, FAILURE or SKIPPED.
    public let actual: String
    public let reason: String
}

extension ConformanceRunner {
    /// Features the harness contract allows a verifier to skip, and vkcert does not implement.
    static let limboSkippedFeatures: [String: String] = [
        "has-crl": "revocation (CRLs) is not implemented",
        "has-policy-constraints": "certificate policy processing is not implemented",
        "max-chain-depth": "limbo's max_chain_depth knob is not mapped",
        "rfc5280-incompatible-with-webpki": "vkcert follows the Web PKI where the two disagree",
    ]

    /// Runs every x509-limbo testcase and returns the individual verdicts.
    public func limboVerdicts(file: String = "limbo/limbo-rsa-nobettertls.json") throws -> [LimboVerdict] {
        let bytes = try FileSystem.read(path(file), limit: 64 << 20)
        let suite = try JSONDecoder().decode(LimboFile.self, from: Data(bytes))
        return suite.testcases.map(limboVerdict)
    }

    func limboVerdict(_ testcase: LimboCase) -> LimboVerdict {
        func verdict(_ actual: String, _ reason: String) -> LimboVerdict {
            LimboVerdict(id: testcase.id, features: testcase.features, expected: testcase.expected_result, actual: actual, reason: reason)
        }
        if let skip = testcase.features.first(where: { Self.limboSkippedFeatures[$0] != nil || $0.hasPrefix("pedantic-") }) {
            return verdict("SKIPPED", Self.limboSkippedFeatures[skip] ?? "pedantic check (\(skip)) not scored")
        }
        func parse(_ pem: String) throws -> Certificate { try Certificate(pemEncoded: Array(pem.utf8)) }
        let leaf: Certificate
        do {
            leaf = try parse(testcase.peer_certificate)
        } catch {
            return verdict("FAILURE", "leaf does not parse: \(error)")
        }
        let anchors = testcase.trusted_certs.compactMap { try? parse($0) }
        let intermediates = testcase.untrusted_intermediates.compactMap { try? parse($0) }
        let time: DERTime
        if let text = testcase.validation_time {
            guard let parsed = DERTime(rfc3339: text) else { return verdict("FAILURE", "bad validation_time \(text)") }
            time = parsed
        } else {
            time = .now()
        }
        var policy = ChainVerifier.Policy(time: time)
        // The Web PKI (CA/B Forum) profile applies to the webpki:: namespace; rfc5280:: and the others test
        // RFC 5280 alone, and some of them (ca-as-leaf, CN outside SAN) conflict with it on purpose.
        policy.webPKI = testcase.id.hasPrefix("webpki::")
        if let eku = testcase.extended_key_usage.first {
            policy.requiredPurpose = eku == "clientAuth" ? OID.KeyPurpose.clientAuth : OID.KeyPurpose.serverAuth
        } else {
            policy.requiredPurpose = testcase.validation_kind == "CLIENT" ? OID.KeyPurpose.clientAuth : OID.KeyPurpose.serverAuth
        }
        if let peer = testcase.expected_peer_name {
            switch peer.kind {
            case "DNS": policy.peerName = .dns(peer.value)
            case "IP":
                guard let bytes = IPAddressText.parse(peer.value) else { return verdict("FAILURE", "bad IP \(peer.value)") }
                policy.peerName = .ip(bytes)
            case "RFC822": policy.peerName = .email(peer.value)
            default: break
            }
        }
        let outcome = ChainVerifier(trustAnchors: anchors, intermediates: intermediates).verify(leaf, policy: policy)
        guard outcome.isValid else { return verdict("FAILURE", outcome.failure ?? "invalid") }
        for usage in testcase.key_usage {
            guard let index = KeyUsage.names.firstIndex(of: usage), let ku = leaf.extensions.keyUsage,
                ku.contains(KeyUsage(rawValue: 1 << UInt16(index)))
            else { return verdict("FAILURE", "leaf keyUsage lacks \(usage)") }
        }
        return verdict("SUCCESS", "chain of \(outcome.chain.count)")
    }

    /// The limbo suite for the report: conformance = actual equals expected; SKIPPED counts as skipped.
    func limboSuite() -> SuiteResult {
        var result = SuiteResult(name: "x509-limbo (RSA, path validation)")
        do {
            var mismatched = Set<String>()
            defer {
                for stale in Set(Self.limboKnownNonconformance.keys).subtracting(mismatched).sorted() {
                    result.fail("\(stale) is listed as a known nonconformance but now conforms: remove it from the list")
                }
            }
            for v in try limboVerdicts() {
                if v.actual != "SKIPPED" && v.actual != v.expected { mismatched.insert(v.id) }
                if v.actual == "SKIPPED" {
                    result.skip(v.reason)
                } else if v.actual == v.expected {
                    result.pass()
                } else if let known = Self.limboKnownNonconformance[v.id] {
                    result.pass(decision: "known nonconformance: \(known)")
                } else {
                    result.fail("\(v.id): expected \(v.expected), got \(v.actual) (\(v.reason))")
                }
            }
        } catch {
            result.fail("cannot run limbo: \(error)")
        }
        return result
    }

    /// Limbo cases where vkcert's verdict differs from the expected one, each with the reason. The test
    /// suite asserts this list is exactly the set of mismatches, so it can neither hide regressions nor go stale.
    public static let limboKnownNonconformance: [String: String] = {
        let cnRule = "leaf CN example.com is not a character-for-character copy of a SAN entry, which CABF BR 7.1.4.3 "
            + "requires and webpki::cn::* enforces; this older expectation contradicts it"
        return [
            "rfc5280::nc::invalid-dnsname-leading-period": "deliberate: a dNSName constraint with a leading period "
                + "(\".example.com\" = subdomains only) is accepted, as Go, OpenSSL and BoringSSL accept it and CAs "
                + "issue it, although RFC 5280 §4.2.1.10 gives that syntax to URI constraints only",
            "webpki::nc::nc-permits-dns-san-pattern": cnRule,
            "webpki::san::exact-localhost-ip-san": cnRule,
            "webpki::san::leftmost-wildcard-san": cnRule,
        ]
    }()

    /// The 139-ish system roots: each parses, is self-issued and verifies its own signature.
    func systemRootsSuite() -> SuiteResult {
        var result = SuiteResult(name: "x509/system-roots (/etc/ssl/certs parse + self-signature)")
        let dir = "/etc/ssl/certs"
        guard let names = try? Self.listDirectory(dir) else {
            result.skip("no system CA bundle at \(dir)")
            return result
        }
        for name in names where name.hasSuffix(".pem") {
            do {
                let cert = try Certificate(pemEncoded: FileSystem.read("\(dir)/\(name)"))
                result.check(cert.isSelfIssued && cert.isSelfSigned, "\(name): self-signature does not verify")
            } catch {
                result.fail("\(name): \(error)")
            }
        }
        return result
    }

    /// BoringSSL's single-defect certificates: parse verdicts against EXPECTATIONS, with vkcert's
    /// documented stricter/looser decisions.
    func boringSSLSuite() -> SuiteResult {
        var result = SuiteResult(name: "x509/boringssl-parse (single-defect certificates)")
        guard let rows = tsv("boringssl-parse/MAPPING.tsv", into: &result) else { return result }
        var differing = Set<String>()
        defer {
            for stale in Set(Self.boringSSLDecisions.keys).subtracting(differing).sorted() {
                result.fail("\(stale) has a documented decision but now matches upstream: remove it")
            }
        }
        for row in rows {
            guard let file = row["der_file"], let expect = row["expect"] else { continue }
            let parsed: Bool
            var reason = ""
            do {
                _ = try Certificate(derEncoded: FileSystem.read(path("boringssl-parse/\(file)")))
                parsed = true
            } catch {
                parsed = false
                reason = "\(error)"
            }
            let expectedParse = expect != "ERROR"
            if parsed != expectedParse { differing.insert(file) }
            if parsed == expectedParse {
                result.pass()
            } else if let decision = Self.boringSSLDecisions[file] {
                result.pass(decision: decision)
            } else {
                result.fail("\(file): expected \(expect), vkcert \(parsed ? "parsed it" : "rejected it: \(reason)")")
            }
        }
        return result
    }

    /// Files where vkcert deliberately differs from BoringSSL's parse verdict.
    public static let boringSSLDecisions: [String: String] = [
        // Looser at parse (the obligation is the issuer's, reported by `lint --profile rfc5280` as zlint does);
        // chain verification still refuses the last two.
        "bad_key_usage.der": "looser: a keyUsage BIT STRING with no bit is parsed and linted (e_ext_key_usage_without_bits), as Go parses it",
        "policy_constraints_empty.der": "looser: an empty policyConstraints is parsed and linted (e_ext_policy_constraints_empty); verification refuses it",
        "subject_blank_subjectaltname_not_critical.der": "looser: an empty subject with a non-critical SAN is parsed and linted (e_ext_san_not_critical_without_subject); verification refuses it",
        "cert_skeleton.der": "stricter: upstream parses only the outer Certificate SEQUENCE here; vkcert parses the (empty) TBSCertificate too",
        "signature_algorithm_null.der": "stricter: upstream does not parse the TBSCertificate in this test; its signature field is NULL, not an AlgorithmIdentifier",
        "failed_signature_algorithm.der": "stricter: the signature algorithm parameters use a high-tag-number identifier, which the DER reader refuses",
        "subject_printable_string_containing_utf8_client_cert.der": "stricter: a PrintableString holding UTF-8 bytes breaks X.680 §41.4 (pyca and Go reject it too)",
    ]

    static func listDirectory(_ path: String) throws -> [String] {
        try FileSystem.listDirectory(path)
    }
}

extension ConformanceRunner {
    static let opensslCertificates = ["root", "serving", "client", "serial20", "typical", "selfsigned", "pss"]

    /// OpenSSL-made certificates and CSRs: every `inspect --json` field equals the committed OpenSSL facts,
    /// the chains verify at 2025-06-01, the CSRs' signatures verify and their subjects/SANs match the
    /// certificates issued from them.
    func opensslX509Suite() -> SuiteResult {
        var result = SuiteResult(name: "openssl/x509 (certificates and CSRs vs OpenSSL facts)")
        var certificates: [String: Certificate] = [:]
        for name in Self.opensslCertificates {
            do {
                let cert = try Certificate(pemEncoded: FileSystem.read(path("openssl/x509/\(name).pem")))
                certificates[name] = cert
                let facts = OpenSSLFacts(text: String(decoding: try FileSystem.read(path("openssl/x509/\(name).facts.txt")), as: UTF8.self))
                let differences = facts.differences(from: cert.json(file: name, index: 0))
                result.check(differences.isEmpty, "\(name).pem: \(differences.joined(separator: "; "))")
            } catch {
                result.fail("\(name).pem: \(error)")
            }
        }
        if let root = certificates["root"] {
            var policy = ChainVerifier.Policy(time: DERTime(year: 2025, month: 6, day: 1)!)
            policy.peerName = nil
            let verifier = ChainVerifier(trustAnchors: [root])
            for name in ["serving", "client", "serial20", "typical", "pss"] {
                guard let cert = certificates[name] else { continue }
                let outcome = verifier.verify(cert, policy: policy)
                result.check(outcome.isValid, "\(name).pem does not chain to root.pem: \(outcome.failure ?? "")")
            }
            result.check(root.isSelfSigned && root.notAfter == DERTime(year: 2050, month: 1, day: 1)!, "root.pem: self-signature or GeneralizedTime notAfter wrong")
        }
        if let selfSigned = certificates["selfsigned"] {
            let outcome = ChainVerifier(trustAnchors: [selfSigned]).verify(selfSigned, policy: .init(time: DERTime(year: 2025, month: 6, day: 1)!))
            result.check(outcome.isValid, "selfsigned.pem does not verify as its own anchor: \(outcome.failure ?? "")")
        }
        for name in ["kubelet", "client", "plain", "root"] {
            do {
                let csr = try CertificateSigningRequest(pemEncoded: FileSystem.read(path("openssl/x509/\(name).csr")))
                result.check(csr.isSignatureValid, "\(name).csr: signature does not verify")
                if name == "kubelet", let serving = certificates["serving"] {
                    result.check(csr.subject == serving.subject, "kubelet.csr subject differs from serving.pem")
                    result.check(csr.extensions.subjectAlternativeNames == serving.extensions.subjectAlternativeNames, "kubelet.csr SANs differ from serving.pem")
                }
                if name == "plain" {
                    result.check(csr.attributes.isEmpty && csr.extensions.all.isEmpty, "plain.csr should have empty attributes")
                }
            } catch {
                result.fail("\(name).csr: \(error)")
            }
        }
        return result
    }
}
