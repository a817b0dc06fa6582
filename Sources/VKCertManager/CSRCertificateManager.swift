// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import FoundationEssentials
import Glibc
import VKKubeAPI
import Logging
import Metrics
import VKRSA
import Synchronization
import VKX509

/// CSR mode: one `certificates.k8s.io/v1` request at a time, waited on for as long as it takes — for
/// the kubelet's serving certificate, or (``CertificatePurpose/nodeClient``, TLS bootstrapping) for its
/// client certificate.
///
/// - Start-up: a stored certificate that is valid, before its renewal point and fits the template (CN,
///   O, every node IP and DNS name) is served and **no CSR is created**; otherwise a pending CSR of ours
///   (key and name persisted) that still exists and carries our key is **resumed**; otherwise exactly one
///   new CSR. The key and the name are persisted (0600) before the CSR is created.
/// - Clean-up at start-up deletes only this node's own stale pending CSRs (label `vkcert.io/node`,
///   name prefix, signer, no decision yet), never the one being resumed, never other nodes', never decided ones.
/// - Waiting: a watch on the CSR with the poll interval as fallback; a status line every `statusInterval`
///   with the exact `kubectl certificate approve NAME`.
/// - Approved with a certificate: validated (our key, subject, SANs, validity), stored, served from the next
///   handshake. Denied or Failed: reason logged, growing backoff (capped), then one new key and CSR.
///   NotFound (garbage-collected, deleted): one new CSR. API errors: backoff while the current certificate serves.
/// - Renewal at `renewalFraction` of the lifetime while the old certificate serves; an expired certificate
///   is never served.
public final class CSRCertificateManager: CertificateSource {
    public struct Settings: Sendable {
        public var node: String
        public var ips: [[UInt8]]
        public var dnsNames: [String]
        public var signerName = "kubernetes.io/kubelet-serving"
        public var renewalFraction = 0.8
        public var pollInterval: TimeInterval = 10
        public var expirationSeconds: Int32?
        public var watch = true
        public var statusInterval: TimeInterval = 60
        /// Backoff after a denial, failure or API error: first delay, doubling, capped.
        public var initialBackoff: TimeInterval = 10
        public var maximumBackoff: TimeInterval = 300
        /// Renew with the key of the certificate being served instead of a new one (files mode: readers
        /// that load certificate and key in two reads never see a certificate with the other key).
        public var reuseKeyOnRenewal = false
        /// The key type of new requests (`KeyAlgorithm`; RSA-2048 by default, as InterLink's VK).
        public var keyAlgorithm: KeyAlgorithm = .rsa2048
        /// What the certificate is for: the signer's subject, SAN and usage rules differ.
        public var purpose: CertificatePurpose = .serving
        /// Delete this node's stale pending requests at start-up. Off for the node identity, which (as a
        /// kubelet) may create, get, list and watch CSRs but not delete them.
        public var cleanUpStaleRequests = true

        public init(node: String, ips: [[UInt8]], dnsNames: [String]) {
            self.node = node
            self.ips = ips
            self.dnsNames = dnsNames
        }
    }

    public let settings: Settings
    /// The client each API call uses, chosen per call (TLS bootstrapping: the node's own credential while
    /// its certificate is valid, else the bootstrap credential).
    let clientForCall: @Sendable () -> KubeClient
    var client: KubeClient { clientForCall() }
    /// Called with each identity installed (bootstrapping: the node client starts authenticating with it).
    let onInstall: (@Sendable (ServingIdentity) -> Void)?
    public let store: CertificateStore
    let clock: any ManagerClock
    let logger: Logger
    public let metrics: ManagerMetrics
    private let identity = Mutex<ServingIdentity?>(nil)
    /// CSRs this manager created (for tests and the status line).
    public let createdRequests = Mutex<[String]>([])

    static let nodeLabel = "vkcert.io/node"

    /// The Secret store (`CertSecret`), when configured: read at start-up, written after claims and issuance.
    let secretStore: SecretCertificateStore?

    /// - Parameter metricsFactory: where rotations and renewal errors are recorded (swift-metrics).
    public convenience init(settings: Settings, client: KubeClient, store: CertificateStore, logger: Logger, clock: any ManagerClock = WallClock(),
                            secretStore: SecretCertificateStore? = nil, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.init(settings: settings, clientForCall: { client }, store: store, logger: logger, clock: clock, secretStore: secretStore,
                  metricsFactory: metricsFactory)
    }

    public init(settings: Settings, clientForCall: @escaping @Sendable () -> KubeClient, store: CertificateStore, logger: Logger,
                clock: any ManagerClock = WallClock(), secretStore: SecretCertificateStore? = nil, onInstall: (@Sendable (ServingIdentity) -> Void)? = nil,
                metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.settings = settings
        self.clientForCall = clientForCall
        self.onInstall = onInstall
        self.metrics = ManagerMetrics(mode: settings.purpose.metricsMode, factory: metricsFactory)
        self.store = store
        self.logger = logger
        self.clock = clock
        self.secretStore = secretStore
    }

    /// Copies into CertDir what the Secret holds and the directory lacks (a rescheduled pod's empty
    /// directory): a valid pair newer than the local one, and the pending request.
    func hydrate(from secretStore: SecretCertificateStore) async {
        let now = clock.now()
        let snapshot: SecretCertificateStore.Snapshot
        do {
            snapshot = try await secretStore.read()
        } catch {
            logger.warning("could not read the certificate Secret; using CertDir alone", metadata: ["secret": "\(secretStore.namespace)/\(secretStore.name)", "reason": "\(error)"])
            return
        }
        let local = store.loadCurrent()
        if let remote = snapshot.current, remote.isValid(at: now), local.map({ !$0.isValid(at: now) || $0.notAfter < remote.notAfter }) ?? true {
            do {
                try store.save(remote, now: now)
                logger.info("restored the certificate from the Secret", metadata: ["secret": "\(secretStore.namespace)/\(secretStore.name)", "serial": "\(remote.leaf.serialHex)"])
            } catch {
                logger.warning("could not write the Secret's certificate to CertDir", metadata: ["reason": "\(error)"])
            }
        }
        if store.loadPending() == nil, let pending = snapshot.pending {
            try? store.savePending(pending)
            logger.info("resuming the pending CSR recorded in the Secret", metadata: ["csr": "\(pending.name)"])
        }
    }

    // MARK: CertificateSource

    public func current() -> ServingIdentity? {
        let now = clock.now()
        return identity.withLock { $0.flatMap { $0.isValid(at: now) ? $0 : nil } }
    }

    public var unavailableReason: String { "no \(what) available yet - CSR pending approval" }

    /// Returns once a valid certificate is installed (the serving manager waits so for the node client
    /// certificate before its first request); polls, so cancellation ends the wait at once.
    public func waitForCertificate() async throws {
        while current() == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: template

    /// Whether a certificate still fits what this node needs: CN, O, and for serving every node IP and DNS name.
    func fitsTemplate(_ certificate: Certificate) -> Bool {
        guard certificate.subject.commonNames == ["system:node:\(settings.node)"], certificate.subject.organizations == ["system:nodes"] else { return false }
        if settings.purpose == .nodeClient { return true }
        let sans = certificate.extensions.subjectAlternativeNames ?? []
        for ip in settings.ips where !sans.contains(where: { if case .ipAddress(let a) = $0 { Array(a) == ip } else { false } }) { return false }
        for dns in settings.dnsNames where !sans.contains(where: { if case .dns(let d) = $0 { d == dns } else { false } }) { return false }
        return true
    }

    // MARK: run loop

    /// Runs until cancelled: keeps a valid certificate in place, renewing it at the renewal point.
    public func run() async throws {
        if let secretStore { await hydrate(from: secretStore) }
        let now = clock.now()
        if let stored = store.loadCurrent() {
            if !stored.isValid(at: now) {
                logger.info("stored certificate is not valid now; requesting a new one", metadata: ["notAfter": "\(stored.leaf.notAfter)"])
            } else if !fitsTemplate(stored.leaf) {
                logger.info("stored certificate does not match this node's name or addresses; requesting a new one")
                install(stored)  // still valid: serve it until the new one arrives
            } else {
                install(stored)
                logger.info("Using existing \(what) valid until \(KubeJSON.format(stored.notAfter))")
            }
        } else {
            logger.info("No existing \(what) found, will create CSR and wait for approval")
        }
        if settings.cleanUpStaleRequests { await cleanUpStaleRequests(keeping: store.loadPending()?.name) }
        while !Task.isCancelled {
            if let served = identity.withLock({ $0 }), served.isValid(at: clock.now()), fitsTemplate(served.leaf) {
                let renewAt = served.renewalPoint(fraction: settings.renewalFraction)
                let wait = renewAt.timeIntervalSince(clock.now())
                if wait > 0 {
                    logger.debug("certificate renewal scheduled", metadata: ["renewAt": "\(KubeJSON.format(renewAt))"])
                    try await clock.sleep(for: min(wait, 3600))
                    continue
                }
                logger.info("\(what) reached \(Int(settings.renewalFraction * 100)) % of its lifetime; renewing while it keeps \(settings.purpose == .serving ? "serving" : "authenticating")")
            }
            try await obtainCertificate()
        }
    }

    func install(_ new: ServingIdentity) {
        onInstall?(new)
        identity.withLock { $0 = new }
        metrics.update { $0.certificateExpiry = new.notAfter }
    }

    /// "certificate" or "node client certificate", for log lines.
    var what: String { settings.purpose.noun }

    /// Deletes this node's own pending requests other than `keeping`.
    func cleanUpStaleRequests(keeping: String?) async {
        do {
            let list = try await client.list(labelSelector: "\(Self.nodeLabel)=\(settings.node)", fieldSelector: "spec.signerName=\(settings.signerName)")
            for csr in list.items {
                guard let name = csr.metadata.name, name != keeping, name.hasPrefix(namePrefix),
                    !csr.isApproved, !csr.isDenied, !csr.isFailed
                else { continue }
                do {
                    try await client.delete(name)
                    logger.info("deleted stale pending CSR of this node", metadata: ["csr": "\(name)"])
                } catch {
                    logger.warning("could not delete stale CSR", metadata: ["csr": "\(name)", "reason": "\(error)"])
                }
            }
        } catch {
            logger.warning("could not list this node's CSRs for clean-up", metadata: ["reason": "\(error)"])
        }
    }

    var namePrefix: String { settings.purpose.namePrefix(node: settings.node) }

    /// Obtains a certificate through one CSR at a time; returns once one is installed.
    func obtainCertificate() async throws {
        var backoff = settings.initialBackoff
        while !Task.isCancelled {
            do {
                let pending = try await pendingOrNewRequest()
                switch try await waitForDecision(pending) {
                case .issued(let new):
                    try store.save(new, now: clock.now())
                    store.clearPending()
                    install(new)
                    if let secretStore {
                        do {
                            try await secretStore.publishCurrent(new)
                        } catch {
                            logger.warning("could not store the certificate in the Secret (CertDir has it)", metadata: ["reason": "\(error)"])
                        }
                    }
                    metrics.recordRotation()
                    logger.info("\(what) issued and installed", metadata: [
                        "csr": "\(pending.name)", "serial": "\(new.leaf.serialHex)", "notAfter": "\(new.leaf.notAfter)",
                    ])
                    return
                case .rejected(let kind, let reason):
                    metrics.recordRenewalError(kind)
                    store.clearPending()
                    try? await secretStore?.releasePending(pending.name)
                    logger.error("CSR was not signed; a new one follows after \(Int(backoff)) s", metadata: ["csr": "\(pending.name)", "reason": "\(reason)"])
                    try await clock.sleep(for: backoff)
                    backoff = min(backoff * 2, settings.maximumBackoff)
                case .vanished:
                    store.clearPending()
                    try? await secretStore?.releasePending(pending.name)
                    logger.warning("CSR no longer exists (garbage-collected or deleted); creating a new one", metadata: ["csr": "\(pending.name)"])
                }
            } catch let error as KubeAPIError {
                metrics.recordRenewalError(.api)
                logger.error("Kubernetes API error; retrying in \(Int(backoff)) s while the current certificate keeps serving", metadata: ["reason": "\(error)"])
                try await clock.sleep(for: backoff)
                backoff = min(backoff * 2, settings.maximumBackoff)
            }
        }
        throw CancellationError()
    }

    /// The request to wait on: the persisted one when it still exists with our key, else a new one
    /// (key and name persisted first).
    func pendingOrNewRequest() async throws -> CertificateStore.PendingRequest {
        if let pending = store.loadPending() {
            do {
                let existing = try await client.get(pending.name)
                if let request = try? CertificateSigningRequest(pemEncoded: [UInt8](existing.spec.request)),
                    request.publicKey.spki == pending.key.spki
                {
                    logger.info("resuming CSR created before the restart", metadata: ["csr": "\(pending.name)"])
                    return pending
                }
                logger.warning("CSR \(pending.name) does not carry our persisted key; creating a new one")
            } catch let error as KubeAPIError where error.code == .notFound {
                // The persisted name was never created (crash before POST) or was collected: create it now.
                if try await create(pending) { return pending }
            }
        }
        let served = identity.withLock { $0 }
        let key = try settings.reuseKeyOnRenewal && served != nil ? served!.key : PrivateKey.generate(settings.keyAlgorithm)
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let name = namePrefix + String((0..<5).map { _ in alphabet.randomElement()! })
        let pending = CertificateStore.PendingRequest(name: name, key: key)
        try store.savePending(pending)
        if let secretStore {
            let claimed = try await secretStore.claimPending(pending)
            if claimed.name != pending.name {
                // Another instance for this node got there first: wait on its request (same key, same certificate).
                logger.info("another instance of this node already requested a certificate; waiting on its CSR", metadata: ["csr": "\(claimed.name)"])
                try store.savePending(claimed)
                return try await adopt(claimed)
            }
        }
        _ = try await create(pending)
        return pending
    }

    /// The request another instance claimed: resumed when it exists, created (same name, same key) when
    /// that instance has not got to it yet.
    func adopt(_ claimed: CertificateStore.PendingRequest) async throws -> CertificateStore.PendingRequest {
        do {
            _ = try await client.get(claimed.name)
        } catch let error as KubeAPIError where error.code == .notFound {
            do {
                _ = try await create(claimed)
            } catch let error as KubeAPIError where error.code == .alreadyExists {}
        }
        return claimed
    }

    /// spec.usages as the kubelet asks for them (pkg/kubelet/certificate/kubelet.go,
    /// NewKubeletServerCertificateManager): key encipherment only for RSA keys, which can do key transport.
    /// Client requests the same way with client auth (the kubelet's bootstrap always adds key
    /// encipherment; the client-kubelet signer and the csrapproving recognisers accept both sets).
    static func usages(for key: PrivateKey, purpose: CertificatePurpose = .serving) -> [String] {
        key.algorithm.supportsKeyEncipherment ? ["digital signature", "key encipherment", purpose.extendedUsage] : ["digital signature", purpose.extendedUsage]
    }

    /// POSTs the CSR for `pending` (idempotent by name). Returns true when the object exists afterwards.
    func create(_ pending: CertificateStore.PendingRequest) async throws -> Bool {
        let request = try settings.purpose.requestBuilder(node: settings.node, ips: settings.ips, dnsNames: settings.dnsNames).sign(with: pending.key)
        var object = CertificateSigningRequestObject(
            metadata: ObjectMeta(name: pending.name),
            spec: CSRSpec(request: Data(request.pemRepresentation.utf8), signerName: settings.signerName,
                          expirationSeconds: settings.expirationSeconds, usages: Self.usages(for: pending.key, purpose: settings.purpose))
        )
        object.metadata.labels = [Self.nodeLabel: settings.node]
        _ = try await client.create(object)
        createdRequests.withLock { $0.append(pending.name) }
        metrics.update {
            $0.waitingSince = clock.now()
            $0.pendingCSR = pending.name
        }
        logger.info(settings.purpose == .serving ? "created CSR; waiting for approval" : "created CSR for the \(what); waiting for approval", metadata: [
            "csr": "\(pending.name)", "signer": "\(settings.signerName)", "approve": "kubectl certificate approve \(pending.name)",
        ])
        return true
    }

    enum Decision {
        case issued(ServingIdentity)
        case rejected(ManagerMetrics.RenewalErrorReason, String)
        case vanished
    }

    /// Waits for the request's outcome: a watch from the last seen resourceVersion, re-opened every poll
    /// interval (which is also the poll when watching is off or the stream drops).
    func waitForDecision(_ pending: CertificateStore.PendingRequest) async throws -> Decision {
        var lastStatusLine = clock.now()
        if metrics.snapshot.waitingSince == nil { metrics.update { $0.waitingSince = clock.now(); $0.pendingCSR = pending.name } }
        while !Task.isCancelled {
            let csr: CertificateSigningRequestObject
            do {
                csr = try await client.get(pending.name)
            } catch let error as KubeAPIError where error.code == .notFound {
                return .vanished
            }
            if let decision = try evaluate(csr, pending) { return decision }
            if clock.now().timeIntervalSince(lastStatusLine) >= settings.statusInterval {
                lastStatusLine = clock.now()
                let waited = Int(clock.now().timeIntervalSince(metrics.snapshot.waitingSince ?? clock.now()))
                logger.notice("still waiting for approval of CSR \(pending.name) (\(waited / 60) min); approve with: kubectl certificate approve \(pending.name)")
            }
            if settings.watch {
                do {
                    let events = try await client.watch(fieldSelector: "metadata.name=\(pending.name)", resourceVersion: csr.metadata.resourceVersion,
                                                        timeoutSeconds: max(1, Int(settings.pollInterval)))
                    for try await event in events {
                        if event.type == "DELETED" { return .vanished }
                        if let decision = try evaluate(event.object, pending) { return decision }
                    }
                } catch let error as KubeAPIError where error.code == .expired {
                    // Too old a resourceVersion: the GET at the top of the loop re-lists.
                } catch is KubeAPIError {
                    try await clock.sleep(for: settings.pollInterval)
                }
            } else {
                try await clock.sleep(for: settings.pollInterval)
            }
        }
        throw CancellationError()
    }

    /// Approved + certificate → validated identity; Denied/Failed → rejected; otherwise nil (keep waiting).
    func evaluate(_ csr: CertificateSigningRequestObject, _ pending: CertificateStore.PendingRequest) throws -> Decision? {
        if let denied = csr.condition(CSRCondition.denied), denied.status == "True" {
            return .rejected(.denied, "denied: \(denied.reason ?? "") \(denied.message ?? "")")
        }
        if let failed = csr.condition(CSRCondition.failed), failed.status == "True" {
            return .rejected(.failed, "failed: \(failed.reason ?? "") \(failed.message ?? "")")
        }
        guard csr.isApproved, let pem = csr.status?.certificate, !pem.isEmpty else { return nil }
        do {
            let blocks = try PEM.decodeAll([UInt8](pem)).filter { $0.label == PEM.Label.certificate }
            let chain = try blocks.map { try Certificate(derEncoded: $0.der) }
            let identity = try ServingIdentity(chain: chain, key: pending.key)
            guard fitsTemplate(identity.leaf) else {
                return .rejected(.unusable, settings.purpose == .serving ? "the issued certificate does not carry this node's subject and addresses" : "the issued certificate does not carry this node's subject")
            }
            guard identity.isValid(at: clock.now()) else { return .rejected(.unusable, "the issued certificate is not valid now (\(identity.leaf.notBefore) … \(identity.leaf.notAfter))") }
            return .issued(identity)
        } catch {
            return .rejected(.unusable, "the issued certificate is unusable: \(error)")
        }
    }
}
