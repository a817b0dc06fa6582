// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKFileIO
import FoundationEssentials
import Glibc
import Logging
import Metrics
import Synchronization

/// Manual mode: `KubeletCertFile` + `KubeletKeyFile` re-read when either file changes (stat cache on
/// device, inode, size and mtime, checked per handshake at most every `minimumCheckInterval`). A new pair
/// is used only after it parses, the key matches, the key is one vkcert will sign with (the policy of
/// ``ServingIdentity``) and it is not expired; otherwise the last good pair keeps serving,
/// `failed to load kubelet certificate` is logged once per change with the reason, and ``loadProblem``
/// says so until a good pair loads.
public final class ManualCertificateSource: CertificateSource {
    public let certFile: String
    public let keyFile: String
    let logger: Logger
    let clock: any ManagerClock
    /// Least time between two stat checks (0: every handshake; a stat costs about a microsecond).
    public let minimumCheckInterval: TimeInterval

    struct FileStamp: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, mtimeSeconds: Int, mtimeNanos: Int
    }

    struct State {
        var identity: ServingIdentity?
        var stamps: [FileStamp?] = []
        var lastCheck: Date = .distantPast
        /// Why the last load failed (nil after a good load).
        var lastFailure: String?
        /// When the first failure after the last good load happened.
        var failingSince: Date?
    }

    private let state = Mutex(State())
    public let reloads = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let failureCounter: Counter

    public var loadProblem: CertificateLoadProblem? {
        state.withLock { s in
            guard let reason = s.lastFailure, let since = s.failingSince else { return nil }
            return CertificateLoadProblem(reason: reason, since: since, servingLastGood: s.identity != nil)
        }
    }

    public var loadFailures: Int { failures.load(ordering: .relaxed) }

    /// - Parameter metricsFactory: where failed loads are recorded (``MetricCatalog/loadFailures``).
    public init(certFile: String, keyFile: String, logger: Logger, clock: any ManagerClock = WallClock(), minimumCheckInterval: TimeInterval = 0,
                metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.failureCounter = Counter(label: MetricCatalog.loadFailures.name, dimensions: [], factory: metricsFactory)
        self.minimumCheckInterval = minimumCheckInterval
        self.certFile = certFile
        self.keyFile = keyFile
        self.logger = logger
        self.clock = clock
        refreshIfChanged(force: true)
    }

    public func current() -> ServingIdentity? {
        refreshIfChanged(force: false)
        let now = clock.now()
        return state.withLock { s in s.identity.flatMap { $0.isValid(at: now) ? $0 : nil } }
    }

    public var unavailableReason: String {
        state.withLock { $0.lastFailure }.map { "failed to load kubelet certificate: \($0)" } ?? "the manual certificate has expired"
    }

    static func stamp(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         mtimeSeconds: info.st_mtim.tv_sec, mtimeNanos: info.st_mtim.tv_nsec)
    }

    /// Loads the pair once at start-up and throws what is wrong with it: a wrong path or a mismatched key
    /// should stop `vkcert serve` with a message, not leave it running with nothing to serve. Later
    /// failures (a rotation gone wrong) keep the last good pair and are logged instead.
    public func start() throws {
        // init already tried (and logged); report what stopped it.
        let (identity, failure) = state.withLock { ($0.identity, $0.lastFailure) }
        guard identity == nil else { return }
        throw IdentityError(failure ?? "no certificate loaded")
    }

    /// Reads, parses and checks the pair (key matches, certificate valid at `now`); errors name the file.
    func loadPair(at now: Date) throws -> ServingIdentity {
        let cert: [UInt8]
        var key: [UInt8]
        do {
            cert = try FileSystem.read(certFile, limit: 1 << 20)
        } catch let error as FileError {
            throw IdentityError("KubeletCertFile \(error)")
        }
        do {
            key = try FileSystem.read(keyFile, limit: 1 << 20)
        } catch let error as FileError {
            throw IdentityError("KubeletKeyFile \(error)")
        }
        defer { DERSecure.wipe(&key) }  // the key file's text
        let identity = try ServingIdentity.load(certificatePEM: cert, keyPEM: key, certFile: certFile, keyFile: keyFile)
        guard identity.isValid(at: now) else {
            throw IdentityError("\(certFile): certificate is not valid now (notBefore \(identity.leaf.notBefore), notAfter \(identity.leaf.notAfter))")
        }
        return identity
    }

    func refreshIfChanged(force: Bool) {
        let now = clock.now()
        let stamps = state.withLock { s -> [FileStamp?]? in
            guard force || now.timeIntervalSince(s.lastCheck) >= minimumCheckInterval else { return nil }
            s.lastCheck = now
            let current = [Self.stamp(certFile), Self.stamp(keyFile)]
            return current == s.stamps && s.identity != nil ? nil : current
        }
        guard let stamps else { return }
        do {
            let identity = try loadPair(at: now)
            state.withLock {
                $0.identity = identity
                $0.stamps = stamps
                $0.lastFailure = nil
                $0.failingSince = nil
            }
            reloads.add(1, ordering: .relaxed)
            logger.info("loaded kubelet certificate", metadata: [
                "file": "\(certFile)", "serial": "\(identity.leaf.serialHex)", "notAfter": "\(identity.leaf.notAfter)",
            ])
        } catch {
            let reason = "\(error)"
            let firstForThisChange = state.withLock { s -> Bool in
                let changed = s.stamps != stamps
                s.stamps = stamps
                s.lastFailure = reason
                if s.failingSince == nil { s.failingSince = now }
                return changed || force
            }
            if firstForThisChange {
                failures.add(1, ordering: .relaxed)
                failureCounter.increment()
                logger.error("failed to load kubelet certificate", metadata: [
                    "certFile": "\(certFile)", "keyFile": "\(keyFile)", "reason": "\(reason)",
                    "serving": "\(state.withLock { $0.identity == nil } ? "nothing" : "the last good certificate")",
                ])
            }
        }
    }
}
