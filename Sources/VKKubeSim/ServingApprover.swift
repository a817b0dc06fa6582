// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import Synchronization
import VKX509

/// What the serving-certificate approver checks, after the checks kubelet-csr-approver documents
/// (github.com/postfinance/kubelet-csr-approver, README "Approval criteria": the requester is the node,
/// `system:node:` + the CN, in `system:nodes`; the IP SANs inside the provider's prefixes; the DNS SANs
/// matching the provider's regular expression, at most `maxDNSNames` of them; an expiration no longer than
/// the maximum). kube-controller-manager approves no serving request; clusters run such an approver.
/// Not emulated: its DNS resolution of the names and the node-object lookup.
public struct ServingApprovalPolicy: Sendable {
    /// CIDRs the IP SANs must fall in (empty: any address), e.g. `10.0.0.0/8`, `fd00::/8`.
    public var ipPrefixes: [String] = []
    /// A regular expression every DNS SAN must match whole (nil: any name).
    public var dnsNamePattern: String?
    /// kubelet-csr-approver's ALLOWED_DNS_NAMES default.
    public var maxDNSNames = 1
    /// kubelet-csr-approver's MAX_EXPIRATION_SEC default: 367 days.
    public var maxExpirationSeconds: Int32 = 367 * 86_400

    public init() {}

    /// Why `csr` is not approved, or nil when it is.
    public func refusal(_ csr: CertificateSigningRequestObject) -> String? {
        guard let request = try? CertificateSigningRequest(pemEncoded: [UInt8](csr.spec.request)) else { return "the request does not parse" }
        let username = csr.spec.username ?? ""
        guard username.hasPrefix("system:node:"), username.count > "system:node:".count else { return "the requester \(username) is not a node" }
        guard csr.spec.groups?.contains("system:nodes") == true else { return "the requester is not in system:nodes" }
        guard request.subject.commonNames == [username] else { return "the CN \(request.subject.commonNames.first ?? "") is not the requester \(username)" }
        guard request.subject.organizations == ["system:nodes"] else { return "the subject organization is not system:nodes" }
        if let seconds = csr.spec.expirationSeconds, seconds > maxExpirationSeconds {
            return "expirationSeconds \(seconds) is more than \(maxExpirationSeconds)"
        }
        let sans = request.extensions.subjectAlternativeNames ?? []
        var dnsNames: [String] = []
        var addresses: [[UInt8]] = []
        for san in sans {
            switch san {
            case .dns(let name): dnsNames.append(name)
            case .ipAddress(let bytes): addresses.append(Array(bytes))
            default: return "only DNS and IP subjectAltNames are allowed"
            }
        }
        if dnsNames.count > maxDNSNames { return "\(dnsNames.count) DNS names, at most \(maxDNSNames) allowed" }
        if let pattern = dnsNamePattern {
            guard let regex = try? Regex(pattern) else { return "the DNS name pattern does not compile" }
            for name in dnsNames where (try? regex.wholeMatch(in: name)) == nil { return "the DNS name \(name) does not match \(pattern)" }
        }
        if !ipPrefixes.isEmpty {
            let prefixes = ipPrefixes.compactMap(Self.parsePrefix)
            for address in addresses where !prefixes.contains(where: { Self.contains($0, address) }) {
                return "the IP address \(Self.format(address)) is outside \(ipPrefixes.joined(separator: ", "))"
            }
        }
        return nil
    }

    /// `a.b.c.d/n` or an IPv6 `x::y/n`.
    public static func parsePrefix(_ text: String) -> (bytes: [UInt8], bits: Int)? {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let bits = Int(parts[1]), let bytes = IPAddressText.parse(String(parts[0])), (0...bytes.count * 8).contains(bits) else { return nil }
        return (bytes, bits)
    }

    static func contains(_ prefix: (bytes: [UInt8], bits: Int), _ address: [UInt8]) -> Bool {
        guard prefix.bytes.count == address.count else { return false }
        var remaining = prefix.bits
        for i in address.indices where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[i] & mask != prefix.bytes[i] & mask { return false }
            remaining -= take
        }
        return true
    }

    static func format(_ address: [UInt8]) -> String { IPAddressText.format(address) }
}

/// The serving approver: approves pending `kubernetes.io/kubelet-serving` requests that pass `policy`;
/// the others stay pending with the reason kept in `refusals` (newest last, at most 1,000).
public final class ServingApprover: Sendable {
    public let policy: ServingApprovalPolicy
    private let log = Mutex<[String]>([])

    public init(policy: ServingApprovalPolicy) {
        self.policy = policy
    }

    public var refusals: [String] { log.withLock { $0 } }

    public func attach(to store: CSRStore) {
        store.addObserver { [self] event in
            guard event.type == "ADDED" else { return }
            let csr = event.object
            guard csr.spec.signerName == KubeletSigner.signerName, !csr.isApproved, !csr.isDenied else { return }
            if let reason = policy.refusal(csr) {
                log.withLock {
                    $0.append("\(csr.metadata.name ?? ""): \(reason)")
                    if $0.count > 1_000 { $0.removeFirst($0.count - 1_000) }
                }
                return
            }
            var approved = csr
            approved.metadata.resourceVersion = nil
            approved.status = CSRStatus(conditions: (csr.status?.conditions ?? []) + [
                CSRCondition(type: CSRCondition.approved, reason: "AutoApproved", message: "Auto approving self kubelet server certificate after SubjectAccessReview."),
            ])
            _ = try? store.updateApproval(csr.metadata.name!, approved)
        }
    }
}
