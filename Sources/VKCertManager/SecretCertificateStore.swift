// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import FoundationEssentials
import Glibc
import VKKubeAPI
import Logging
import VKX509

/// The optional store that survives rescheduling (`CertSecret: <namespace>/<name>`): one
/// `kubernetes.io/tls` Secret holding the served pair (`tls.crt` chain, `tls.key` PKCS#8) and, while a
/// request is pending, its CSR name (annotation `vkcert.io/pending-csr`) and key (`pending.key`). Every
/// write carries the resourceVersion it read, so two instances for one node cannot both claim a request:
/// the second sees the first's claim and adopts it (same CSR, same key, so both serve the same
/// certificate). The file store in CertDir stays the working copy; this one is read at start-up when the
/// directory is empty (a rescheduled pod) and written after each claim and issuance.
///
/// RBAC: get and update on this Secret by name (`resourceNames`), and create in its namespace (RBAC cannot
/// restrict create by name).
public final class SecretCertificateStore: Sendable {
    public let namespace: String
    public let name: String
    let client: KubeClient
    let logger: Logger

    public static let pendingAnnotation = "vkcert.io/pending-csr"
    public static let pendingKeyField = "pending.key"
    /// Read-modify-write attempts before a conflict is reported.
    static let attempts = 8

    public init(namespace: String, name: String, client: KubeClient, logger: Logger) {
        self.namespace = namespace
        self.name = name
        self.client = client
        self.logger = logger
    }

    /// `namespace/name`, both DNS labels/subdomains as the API requires; nil otherwise.
    public static func parse(_ text: String) -> (namespace: String, name: String)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func label(_ s: String) -> Bool {
            !s.isEmpty && s.count <= 63 && s.first != "-" && s.last != "-" && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
        guard parts.count == 2, label(parts[0]), parts[1].count <= 253,
              parts[1].split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ label(String($0)) }) else { return nil }
        return (parts[0], parts[1])
    }

    /// What the Secret holds now.
    public struct Snapshot: Sendable {
        public var secret: Secret?
        public var current: ServingIdentity?
        public var pending: CertificateStore.PendingRequest?
    }

    public func read() async throws -> Snapshot {
        let secret: Secret
        do {
            secret = try await client.getSecret(namespace: namespace, name: name)
        } catch let error as KubeAPIError where error.code == .notFound {
            return Snapshot()
        }
        var snapshot = Snapshot(secret: secret)
        if let cert = secret.data?["tls.crt"], !cert.isEmpty, var key = secret.data?["tls.key"].map({ [UInt8]($0) }), !key.isEmpty {
            defer { SecureMemory.wipe(&key) }
            snapshot.current = try? ServingIdentity.load(certificatePEM: [UInt8](cert), keyPEM: key)
        }
        if let pendingName = secret.metadata.annotations?[Self.pendingAnnotation], !pendingName.isEmpty,
           var keyPEM = secret.data?[Self.pendingKeyField].map({ [UInt8]($0) }) {
            defer { SecureMemory.wipe(&keyPEM) }
            if let key = try? PrivateKey.load(keyPEM).key { snapshot.pending = .init(name: pendingName, key: key) }
        }
        return snapshot
    }

    /// Claims `mine` as the node's pending request unless another instance already has: returns the
    /// request to wait on (`mine`, or the one already claimed).
    public func claimPending(_ mine: CertificateStore.PendingRequest) async throws -> CertificateStore.PendingRequest {
        try await readModifyWrite { snapshot, secret in
            if let existing = snapshot.pending { return .keep(existing) }
            secret.metadata.annotations = (secret.metadata.annotations ?? [:]).merging([Self.pendingAnnotation: mine.name]) { $1 }
            secret.data?[Self.pendingKeyField] = Data(mine.key.pkcs8PEMBytes)
            return .write(mine)
        }
    }

    /// Stores the issued pair and clears the claim.
    public func publishCurrent(_ identity: ServingIdentity) async throws {
        _ = try await readModifyWrite { snapshot, secret -> Step<Bool> in
            if let current = snapshot.current, current.leaf.der == identity.leaf.der, snapshot.pending == nil { return .keep(true) }
            secret.data?["tls.crt"] = Data(identity.chain.map(\.pemRepresentation).joined().utf8)
            secret.data?["tls.key"] = Data(identity.key.pkcs8PEMBytes)
            secret.data?[Self.pendingKeyField] = nil
            secret.metadata.annotations?[Self.pendingAnnotation] = nil
            return .write(true)
        }
    }

    /// Drops the claim on `pendingName` (denied, failed or vanished), if it is still the claimed one.
    public func releasePending(_ pendingName: String) async throws {
        _ = try await readModifyWrite { snapshot, secret -> Step<Bool> in
            guard snapshot.pending?.name == pendingName else { return .keep(false) }
            secret.data?[Self.pendingKeyField] = nil
            secret.metadata.annotations?[Self.pendingAnnotation] = nil
            return .write(true)
        }
    }

    enum Step<T> {
        case keep(T)
        case write(T)
    }

    /// GET, change, then PUT with the read resourceVersion (POST when absent); a conflict or a lost
    /// create race re-reads and decides again.
    private func readModifyWrite<T>(_ change: (Snapshot, inout Secret) -> Step<T>) async throws -> T {
        var lastError: (any Error)?
        for _ in 0..<Self.attempts {
            let snapshot = try await read()
            var secret = snapshot.secret ?? Secret(metadata: ObjectMeta(name: name), type: Secret.tlsType, data: [:])
            if secret.data == nil { secret.data = [:] }
            // kubernetes.io/tls requires both keys, empty while nothing is issued.
            if secret.data?["tls.crt"] == nil { secret.data?["tls.crt"] = Data() }
            if secret.data?["tls.key"] == nil { secret.data?["tls.key"] = Data() }
            switch change(snapshot, &secret) {
            case .keep(let value): return value
            case .write(let value):
                do {
                    if snapshot.secret == nil {
                        _ = try await client.createSecret(secret, namespace: namespace)
                    } else {
                        _ = try await client.updateSecret(secret, namespace: namespace)
                    }
                    return value
                } catch let error as KubeAPIError where error.code == .conflict || error.code == .alreadyExists {
                    lastError = error
                    logger.debug("Secret \(namespace)/\(name) changed under us; re-reading")
                }
            }
        }
        throw lastError ?? KubeAPIError(.conflict, "\(namespace)/\(name): still conflicting after \(Self.attempts) attempts")
    }
}
