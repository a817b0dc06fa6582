// SPDX-License-Identifier: Apache-2.0

import VKDER
import FoundationEssentials
import Glibc
import Logging
import VKRSA
import Synchronization
import VKX509

/// Self-signed mode (`DisableCSR: true`): a `KeyAlgorithm` key (RSA-2048 by default) and a one-year kubelet-serving certificate
/// (CN `system:node:<node>`, O `system:nodes`, SANs = node IPs and DNS names, 128-bit random serial),
/// made at start-up and regenerated when less than a day remains. Regeneration happens under a lock
/// so concurrent handshakes see either the old or the new identity, and only one thread generates.
public final class SelfSignedCertificateSource: CertificateSource {
    let node: String
    let ips: [[UInt8]]
    let dnsNames: [String]
    let clock: any ManagerClock
    let logger: Logger
    public static let lifetime: TimeInterval = 365 * 86_400
    public static let regenerateWithin: TimeInterval = 86_400

    private let identity: Mutex<ServingIdentity>
    private let regenerating = Mutex(false)
    public let generations = Atomic<Int>(0)

    /// Regenerate with the same key (files mode: a reader that loads certificate and key in two reads
    /// then never pairs a certificate with the other key).
    let keepKey: Bool

    /// The key type (`KeyAlgorithm`).
    let algorithm: KeyAlgorithm

    public init(
        node: String, ips: [[UInt8]], dnsNames: [String], logger: Logger, clock: any ManagerClock = WallClock(), keepKey: Bool = false,
        algorithm: KeyAlgorithm = .rsa2048
    ) throws {
        self.keepKey = keepKey
        self.algorithm = algorithm
        guard !ips.isEmpty else { throw ConfigurationError(file: nil, key: "NodeIP", "self-signed mode needs at least one node IP for the certificate") }
        self.node = node
        self.ips = ips
        self.dnsNames = dnsNames
        self.clock = clock
        self.logger = logger
        identity = Mutex(try Self.generate(node: node, ips: ips, dnsNames: dnsNames, now: clock.now(), algorithm: algorithm))
        generations.add(1, ordering: .relaxed)
        logger.info("generated self-signed kubelet certificate", metadata: ["node": "\(node)", "notAfter": "\(identity.withLock { $0.leaf.notAfter })"])
    }

    static func generate(
        node: String, ips: [[UInt8]], dnsNames: [String], now: Date, algorithm: KeyAlgorithm = .rsa2048, key existing: PrivateKey? = nil
    ) throws -> ServingIdentity {
        let key = try existing ?? PrivateKey.generate(algorithm)
        let cert = try Certificate.selfSignedKubeletServing(
            key: key, node: node, ipAddresses: ips, dnsNames: dnsNames, validFor: Int64(lifetime),
            now: DERTime(secondsSinceEpoch: Int64(now.timeIntervalSince1970))
        )
        return try ServingIdentity(chain: [cert], key: key)
    }

    public func current() -> ServingIdentity? {
        let now = clock.now()
        let existing = identity.withLock { $0 }
        if existing.notAfter.timeIntervalSince(now) >= Self.regenerateWithin { return existing }
        // One thread regenerates; the others keep using the existing one while it is still valid.
        let mine = regenerating.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        if mine {
            defer { regenerating.withLock { $0 = false } }
            do {
                let fresh = try Self.generate(node: node, ips: ips, dnsNames: dnsNames, now: now, algorithm: algorithm, key: keepKey ? existing.key : nil)
                identity.withLock { $0 = fresh }
                generations.add(1, ordering: .relaxed)
                logger.info("regenerated self-signed kubelet certificate", metadata: ["notAfter": "\(fresh.leaf.notAfter)"])
                return fresh
            } catch {
                logger.error("failed to regenerate the self-signed kubelet certificate", metadata: ["reason": "\(error)"])
            }
        }
        let served = identity.withLock { $0 }
        return served.isValid(at: now) ? served : nil
    }

    public var unavailableReason: String { "the self-signed certificate could not be regenerated" }
}
