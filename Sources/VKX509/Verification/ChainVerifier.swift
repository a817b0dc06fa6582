// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

/// Certification path building and validation with the RFC 5280 §6 basics and the Web PKI rules that
/// OpenSSL, Go and pyca apply: name chaining, signatures, validity of every certificate at the given
/// time, basicConstraints cA and pathLenConstraint, keyCertSign, unknown critical extensions, DNS / IP /
/// email / directoryName name constraints from every CA in the path (the trust anchor included), leaf
/// EKU, and peer name.
///
/// Not implemented (reported as such): revocation (CRL/OCSP), policy processing, URI / otherName
/// constraints (a constrained name of such a form is rejected).
public struct ChainVerifier: Sendable {
    public struct Policy: Sendable {
        /// Validation time.
        public var time: DERTime
        /// Longest chain (leaf and anchor included).
        public var maximumLength = 10
        /// Required leaf EKU purpose (serverAuth, clientAuth), or nil for none.
        public var requiredPurpose: OID?
        /// DNS host or IP address the leaf must be valid for (SAN only; no CN fallback).
        public var peerName: PeerName?
        /// Most signature checks one verification may make while building paths (Go's
        /// crypto/x509 `maxChainSignatureChecks` is 100): certificates sharing a name and key otherwise
        /// make the number of candidate paths grow exponentially with their count.
        public var maximumSignatureChecks = 100
        /// Most complete candidate paths (leaf to anchor) validated before giving up.
        public var maximumCandidatePaths = 64
        /// Smallest RSA key accepted anywhere in the path.
        public var minimumRSABits = 2048
        /// Whether SHA-1 signatures are accepted on chain links.
        public var allowSHA1 = false
        /// CA/Browser Forum server-certificate rules on top of RFC 5280: AKI/SKI present, CA
        /// basicConstraints critical, root AKI consistent with its SKI, leaf not a CA and without
        /// keyCertSign, SAN not critical beside a subject, every CN a character-for-character copy of a
        /// SAN entry. Off by default: kubelet serving certificates (CN `system:node:…`) break the last one.
        public var webPKI = false

        public init(time: DERTime) {
            self.time = time
        }
    }

    public enum PeerName: Sendable, Hashable {
        case dns(String)
        case ip([UInt8])
        case email(String)
    }

    public struct Outcome: Sendable {
        /// The validated path, leaf first, trust anchor last (empty when invalid).
        public let chain: [Certificate]
        /// Why validation failed: the problem on the most promising path.
        public let failure: String?
        /// Signature checks made while building paths (at most ``Policy/maximumSignatureChecks``).
        public let signatureChecks: Int
        /// Complete candidate paths validated (at most ``Policy/maximumCandidatePaths``).
        public let candidatePaths: Int
        /// Whether the search stopped at a limit rather than running out of candidates.
        public let hitLimit: Bool
        public var isValid: Bool { failure == nil }

        /// This outcome turned into a failure for `reason` (the counts are kept).
        public func failing(_ reason: String) -> Outcome {
            Outcome(chain: [], failure: reason, signatureChecks: signatureChecks, candidatePaths: candidatePaths, hitLimit: hitLimit)
        }
    }

    public let trustAnchors: [Certificate]
    public let intermediates: [Certificate]

    public init(trustAnchors: [Certificate], intermediates: [Certificate] = []) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
    }

    /// Builds paths depth-first and returns the first that validates, or the failure of the longest one
    /// tried. The work is bounded by counting it: at most ``Policy/maximumSignatureChecks`` signature
    /// checks, ``Policy/maximumCandidatePaths`` complete paths and ``Policy/maximumLength`` certificates
    /// per path; reaching a bound fails with a "path building limit" error.
    public func verify(_ leaf: Certificate, policy: Policy) -> Outcome {
        var signatureChecks = 0
        var candidatePaths = 0
        var limitReached: String? = nil
        var bestFailure: (depth: Int, reason: String)? = nil
        var result: [Certificate]? = nil

        func issuers(of cert: Certificate, from pool: [Certificate]) -> [Certificate] {
            pool.filter { candidate in
                guard NameMatching.namesMatch(candidate.subject, cert.issuer) else { return false }
                if let aki = cert.extensions.authorityKeyIdentifier?.keyIdentifier, let ski = candidate.extensions.subjectKeyIdentifier {
                    return aki == ski
                }
                return true
            }
        }

        func record(_ reason: String, depth: Int) {
            if bestFailure == nil || depth > bestFailure!.depth { bestFailure = (depth, reason) }
        }

        func extend(_ path: [Certificate]) {
            guard result == nil, limitReached == nil else { return }
            let current = path.last!
            // A trust anchor ends the path (also when the leaf itself is trusted).
            if trustAnchors.contains(current) {
                guard candidatePaths < policy.maximumCandidatePaths else {
                    limitReached = "\(policy.maximumCandidatePaths) candidate paths"
                    return
                }
                candidatePaths += 1
                if let problem = validate(path, policy: policy) {
                    record(problem, depth: path.count)
                } else {
                    result = path
                }
                return
            }
            guard path.count < policy.maximumLength else {
                record("no path to a trust anchor within \(policy.maximumLength) certificates", depth: path.count)
                return
            }
            let candidates = issuers(of: current, from: trustAnchors) + issuers(of: current, from: intermediates)
            if candidates.isEmpty {
                record("no issuer found for \"\(current.subject.rfc2253)\" (issuer \"\(current.issuer.rfc2253)\")", depth: path.count)
            }
            for candidate in candidates where !path.contains(candidate) {
                guard signatureChecks < policy.maximumSignatureChecks else {
                    limitReached = "\(policy.maximumSignatureChecks) signature checks"
                    return
                }
                signatureChecks += 1
                switch current.signatureVerdict(for: candidate.publicKey) {
                case .valid: break
                case .invalid:
                    record("signature of \"\(current.subject.rfc2253)\" does not verify with the key of \"\(candidate.subject.rfc2253)\"", depth: path.count)
                    continue
                case .unsupported(let what):
                    record("signature of \"\(current.subject.rfc2253)\" cannot be checked: \(what) is not supported (neither valid nor invalid)", depth: path.count)
                    continue
                }
                extend(path + [candidate])
                if result != nil { return }
            }
        }

        extend([leaf])
        if let result {
            return Outcome(chain: result, failure: nil, signatureChecks: signatureChecks, candidatePaths: candidatePaths, hitLimit: false)
        }
        var failure = bestFailure?.reason ?? "no path to a trust anchor"
        if let limitReached {
            failure = "path building limit reached (\(limitReached)) without a valid path; last problem: \(failure)"
        }
        return Outcome(chain: [], failure: failure, signatureChecks: signatureChecks, candidatePaths: candidatePaths, hitLimit: limitReached != nil)
    }

    /// Checks a complete candidate path (leaf … anchor). Returns the first problem, or nil.
    func validate(_ path: [Certificate], policy: Policy) -> String? {
        let leaf = path[0]
        var comparisons = 0
        for (index, cert) in path.enumerated() {
            let label = index == 0 ? "leaf" : (index == path.count - 1 ? "trust anchor" : "intermediate")
            let name = "\(label) \"\(cert.subject.rfc2253)\""
            if policy.time < cert.notBefore { return "\(name) is not yet valid (notBefore \(cert.notBefore))" }
            if policy.time > cert.notAfter { return "\(name) has expired (notAfter \(cert.notAfter))" }
            if let oid = cert.extensions.unhandledCritical.first { return "\(name) has an unhandled critical extension \(oid.name ?? oid.dotted)" }
            // Defects the parser tolerates so the certificate can be shown, but a relying party must not accept.
            if let defect = cert.defects.first(where: { $0.kind.refusedByVerifier }) { return "\(name): \(defect.detail) (\(defect.kind.rawValue))" }
            if case .rsa = cert.publicKey.kind, let bits = cert.publicKey.bits {
                if bits < policy.minimumRSABits { return "\(name) has a \(bits)-bit RSA key (minimum \(policy.minimumRSABits))" }
                if bits % 8 != 0 { return "\(name) has an RSA modulus of \(bits) bits, not a multiple of 8" }
            }
            if case .unsupported(let reason) = cert.publicKey.kind { return "\(name): \(reason)" }
            if index + 1 < path.count, !policy.allowSHA1, cert.signatureAlgorithm.hash == .sha1 {
                return "\(name) is signed with SHA-1"
            }
            if index > 0 {
                // An issuer: must be a CA allowed to sign certificates.
                guard let bc = cert.extensions.basicConstraints, bc.isCA else { return "\(name) is not a CA (basicConstraints cA is not TRUE)" }
                if let ku = cert.extensions.keyUsage, !ku.contains(.keyCertSign) { return "\(name) keyUsage lacks keyCertSign" }
                if let limit = bc.pathLength {
                    // Non-self-issued intermediates between this CA and the leaf.
                    let below = path[1..<index].filter { !$0.isSelfIssued }.count
                    if below > limit { return "\(name) pathLenConstraint \(limit) is exceeded (\(below) intermediate CAs below it)" }
                }
                if let nc = cert.extensions.nameConstraints {
                    for subordinate in path[0..<index] where !(subordinate.isSelfIssued && subordinate != leaf) {
                        if let problem = Self.check(subordinate, against: nc, comparisons: &comparisons) { return "\(problem) (constraint in \(name))" }
                    }
                }
            } else if cert.extensions.nameConstraints != nil, path.count > 1 {
                return "\(name) carries nameConstraints, which only CA certificates may (RFC 5280 §4.2.1.10)"
            }
            if let problem = Self.rfc5280Problem(cert, index: index, pathCount: path.count) { return "\(name) \(problem)" }
            if policy.webPKI, let problem = Self.webPKIProblem(cert, index: index, pathCount: path.count) { return "\(name) \(problem)" }
        }
        if let problem = Self.sanSyntaxProblem(leaf) { return "leaf \(problem)" }
        if let purpose = policy.requiredPurpose, let eku = leaf.extensions.extendedKeyUsage, !eku.contains(purpose) {
            return "leaf extendedKeyUsage does not include \(purpose.name ?? purpose.dotted)"
        }
        if let peer = policy.peerName, let problem = Self.match(leaf, peer) { return problem }
        return nil
    }

    /// What RFC 5280 requires of conforming CAs, enforced on every certificate of the path:
    /// an AKI keyIdentifier in every certificate not acting as trust anchor (§4.2.1.1), an SKI and a
    /// critical basicConstraints in every CA certificate that signs (§4.2.1.2, §4.2.1.9), and no
    /// keyCertSign without cA (§4.2.1.3).
    static func rfc5280Problem(_ cert: Certificate, index: Int, pathCount: Int) -> String? {
        let ext = cert.extensions
        let isAnchor = index == pathCount - 1
        guard cert.version == 3 else { return index > 0 ? "is a v\(cert.version) certificate acting as a CA" : nil }
        if !isAnchor, ext.authorityKeyIdentifier?.keyIdentifier == nil { return "lacks an authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1)" }
        if index > 0 {
            if ext.subjectKeyIdentifier == nil { return "is a CA without a subjectKeyIdentifier (RFC 5280 §4.2.1.2)" }
            if ext[OID.Extension.basicConstraints]?.critical != true { return "is a CA whose basicConstraints is not critical (RFC 5280 §4.2.1.9)" }
        }
        if ext.keyUsage?.contains(.keyCertSign) == true, ext.basicConstraints?.isCA != true {
            return "asserts keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.3)"
        }
        return nil
    }

    /// CA/B Forum rules for one certificate of a server chain.
    static func webPKIProblem(_ cert: Certificate, index: Int, pathCount: Int) -> String? {
        let ext = cert.extensions
        let isAnchor = index == pathCount - 1
        if index == 0 && pathCount > 1 {
            if ext.basicConstraints?.isCA == true { return "is a CA certificate in the leaf position" }
            if ext.keyUsage?.contains(.keyCertSign) == true { return "has keyUsage keyCertSign in the leaf position" }
            if let san = ext[OID.Extension.subjectAltName], san.critical, !cert.subject.isEmpty {
                return "marks subjectAltName critical although its subject is not empty"
            }
            let sans = ext.subjectAlternativeNames ?? []
            for cn in cert.subject.commonNames {
                let copied = sans.contains { name in
                    switch name {
                    case .dns(let d): d == cn
                    case .ipAddress(let ip): IPAddressText.format(ip) == cn
                    default: false
                    }
                }
                if !copied { return "has CN \"\(cn)\" that is not a character-for-character copy of a SAN entry" }
            }
        }
        if isAnchor, cert.isSelfIssued, let aki = ext.authorityKeyIdentifier {
            if aki.authorityCertIssuer != nil || aki.authorityCertSerialNumber != nil { return "(a root) has authorityCertIssuer/SerialNumber in its AKI" }
            guard let id = aki.keyIdentifier else { return "(a root) has an AKI without keyIdentifier" }
            if let ski = ext.subjectKeyIdentifier, ski != id { return "(a root) has an AKI that differs from its SKI" }
        }
        return nil
    }

    /// RFC 5280 §4.2.1.6: dNSName SANs must be LDH host names (a leading "*." label allowed), rfc822Names
    /// must be mailboxes. Checked on the leaf.
    static func sanSyntaxProblem(_ cert: Certificate) -> String? {
        for name in cert.extensions.subjectAlternativeNames ?? [] {
            switch name {
            case .dns(let d) where !isValidDNSName(d, allowWildcard: true): return "has an invalid dNSName SAN \"\(d)\""
            case .email(let e) where !isValidEmail(e): return "has an invalid rfc822Name SAN \"\(e)\""
            default: continue
            }
        }
        return nil
    }

    static func isValidDNSName(_ name: String, allowWildcard: Bool) -> Bool {
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "" { labels.removeLast() }
        guard !labels.isEmpty, name.utf8.count <= 253 else { return false }
        if allowWildcard, labels.first == "*", labels.count > 1 { labels.removeFirst() }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }

    static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        return isValidDNSName(String(parts[1]), allowWildcard: false)
    }

    /// Most name-versus-constraint comparisons one path validation may make (Go's crypto/x509 default
    /// `MaxConstraintComparisions` is 250,000): a CA with thousands of subtrees over a leaf with thousands
    /// of SANs is otherwise quadratic work chosen by the attacker.
    public static let maximumConstraintComparisons = 250_000

    /// Checks `cert`'s names against one CA's name constraints (RFC 5280 §4.2.1.10): dNSName (a leading
    /// "." means subdomains only, as Go, OpenSSL and BoringSSL read it), iPAddress, rfc822Name and
    /// directoryName (the subject, when not empty, and every directoryName SAN). `comparisons` counts
    /// the work across the path and is checked before each batch is done.
    static func check(_ cert: Certificate, against nc: NameConstraints, comparisons: inout Int) -> String? {
        var names = cert.extensions.subjectAlternativeNames ?? []
        // The subject is a directoryName too (§4.2.1.10: "restrictions apply to the subject distinguished name").
        if !cert.subject.isEmpty { names.append(.directoryName(cert.subject)) }
        // Constraint forms vkcert cannot process: a name of that form below them means rejection (RFC 5280 §4.2.1.10).
        func form(_ n: GeneralName) -> Int {
            switch n {
            case .otherName: 0
            case .email: 1
            case .dns: 2
            case .x400Address: 3
            case .directoryName: 4
            case .ediPartyName: 5
            case .uri: 6
            case .ipAddress: 7
            case .registeredID: 8
            }
        }
        let unprocessed: Set<Int> = [0, 3, 5, 6, 8]
        let constrainedForms = Set((nc.permitted + nc.excluded).map(form))
        for name in names where unprocessed.contains(form(name)) && constrainedForms.contains(form(name)) {
            return "SAN \(name.text) has a name form whose constraints vkcert cannot process"
        }
        for case .dns(let base) in nc.permitted + nc.excluded {
            let host = base.hasPrefix(".") ? String(base.dropFirst()) : base
            if !base.isEmpty && !isValidDNSName(host, allowWildcard: false) { return "dNSName constraint \"\(base)\" is malformed" }
        }
        let (work, overflow) = names.count.multipliedReportingOverflow(by: nc.permitted.count + nc.excluded.count)
        comparisons = overflow ? Int.max : comparisons &+ work
        guard !overflow, comparisons >= 0, comparisons <= Self.maximumConstraintComparisons else {
            return "name constraint checking limit reached: more than \(Self.maximumConstraintComparisons) name comparisons"
        }
        func bases<T>(_ list: [GeneralName], _ pick: (GeneralName) -> T?) -> [T] { list.compactMap(pick) }
        for name in names {
            switch name {
            case .dns(let dns):
                let permitted = bases(nc.permitted) { if case .dns(let b) = $0 { b } else { nil } }
                let excluded = bases(nc.excluded) { if case .dns(let b) = $0 { b } else { nil } }
                if excluded.contains(where: { NameMatching.dnsWithin(dns, constraint: $0) }) { return "DNS name \(dns) is excluded by name constraints" }
                // A wildcard covers names it might match: reject if any excluded subtree lies under it.
                if dns.hasPrefix("*."), excluded.contains(where: { NameMatching.dnsWithin($0, constraint: String(dns.dropFirst(2))) }) {
                    return "wildcard DNS name \(dns) may match a name excluded by name constraints"
                }
                if !permitted.isEmpty && !permitted.contains(where: { NameMatching.dnsWithin(dns, constraint: $0) }) {
                    return "DNS name \(dns) is outside the permitted name constraints"
                }
            case .ipAddress(let ip):
                let permitted = bases(nc.permitted) { if case .ipAddress(let b) = $0 { b } else { nil } }
                let excluded = bases(nc.excluded) { if case .ipAddress(let b) = $0 { b } else { nil } }
                let text = IPAddressText.format(ip)
                if excluded.contains(where: { NameMatching.ipWithin(ip, constraint: $0) }) { return "IP address \(text) is excluded by name constraints" }
                let sameFamily = permitted.filter { $0.count == 2 * ip.count }
                if !permitted.isEmpty && !sameFamily.contains(where: { NameMatching.ipWithin(ip, constraint: $0) }) {
                    return "IP address \(text) is outside the permitted name constraints"
                }
            case .email(let email):
                let permitted = bases(nc.permitted) { if case .email(let b) = $0 { b } else { nil } }
                let excluded = bases(nc.excluded) { if case .email(let b) = $0 { b } else { nil } }
                if excluded.contains(where: { NameMatching.emailWithin(email, constraint: $0) }) { return "email \(email) is excluded by name constraints" }
                if !permitted.isEmpty && !permitted.contains(where: { NameMatching.emailWithin(email, constraint: $0) }) {
                    return "email \(email) is outside the permitted name constraints"
                }
            case .directoryName(let dn):
                let permitted = bases(nc.permitted) { if case .directoryName(let b) = $0 { b } else { nil } }
                let excluded = bases(nc.excluded) { if case .directoryName(let b) = $0 { b } else { nil } }
                if excluded.contains(where: { NameMatching.directoryNameWithin(dn, base: $0) }) {
                    return "directory name \"\(dn.rfc2253)\" is excluded by name constraints (excluded subtree violation)"
                }
                if !permitted.isEmpty && !permitted.contains(where: { NameMatching.directoryNameWithin(dn, base: $0) }) {
                    return "directory name \"\(dn.rfc2253)\" is outside the permitted name constraints (permitted subtree violation)"
                }
            default:
                continue
            }
        }
        return nil
    }

    static func match(_ leaf: Certificate, _ peer: PeerName) -> String? {
        let names = leaf.extensions.subjectAlternativeNames ?? []
        switch peer {
        case .dns(let host):
            if names.contains(where: { if case .dns(let p) = $0 { NameMatching.dnsMatches(pattern: p, host: host) } else { false } }) { return nil }
            return "leaf is not valid for DNS name \(host)"
        case .ip(let address):
            if names.contains(where: { if case .ipAddress(let a) = $0 { Array(a) == address } else { false } }) { return nil }
            return "leaf is not valid for IP address \(IPAddressText.format(address))"
        case .email(let email):
            if names.contains(where: { if case .email(let e) = $0 { e.lowercased() == email.lowercased() } else { false } }) { return nil }
            return "leaf is not valid for email \(email)"
        }
    }
}
