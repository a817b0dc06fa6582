// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKFileIO
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// Files mode: keeps the current identity of a certificate source on disk for another server that loads
/// its pair from files (InterLink's Virtual Kubelet reads `KubeletCertFile` and `KubeletKeyFile` with
/// Go's `tls.LoadX509KeyPair` on every handshake).
///
/// Every file is replaced atomically (temporary file, fsync, rename, directory fsync): a reader sees the
/// old content or the new one, never a partial file. A reader that loads the certificate and the key in
/// *two* reads can still straddle a replacement; no writer can prevent that when the key changes, so files
/// mode renews with the same key (the sources' `keepKey` / `reuseKeyOnRenewal`) and every mix of versions
/// is a matching pair. The combined file (chain, then the PKCS#8 key) is one atomic unit and serves as both
/// `KubeletCertFile` and `KubeletKeyFile`. With separate files and a new key, the key is written first.
public final class CertificateFileWriter: Sendable {
    public struct Targets: Sendable, Hashable {
        /// Certificate chain followed by the private key, mode 0600.
        public var combined: String?
        /// Certificate chain, mode 0644.
        public var certificate: String?
        /// PKCS#8 private key, mode 0600.
        public var key: String?

        public init(combined: String? = nil, certificate: String? = nil, key: String? = nil) {
            self.combined = combined
            self.certificate = certificate
            self.key = key
        }

        public var isEmpty: Bool { combined == nil && certificate == nil && key == nil }
        /// The target paths, in writing order.
        public var paths: [String] { [combined, certificate, key].compactMap { $0 } }
    }

    public let targets: Targets
    let source: any CertificateSource
    let logger: Logger
    private struct Written: Sendable {
        var leaf: [UInt8]
        var spki: [UInt8]
    }
    private let written = Mutex<Written?>(nil)
    /// How many times the files were (re)written.
    public let writes = Atomic<Int>(0)
    private let serials = Mutex<[String]>([])
    /// Serial numbers of the leaves written, in order (for the operator's log and for tests).
    public var writtenSerials: [String] { serials.withLock { $0 } }

    public init(source: any CertificateSource, targets: Targets, logger: Logger) {
        self.source = source
        self.targets = targets
        self.logger = logger
    }

    /// Writes the source's current identity when it differs from what was last written or a target file
    /// is missing. Returns whether anything was written.
    @discardableResult
    public func sync() throws -> Bool {
        guard let identity = source.current() else { return false }
        let leaf = Array(identity.leaf.der), spki = identity.key.spki.derEncoded
        let last = written.withLock { $0 }
        let missing = targets.paths.contains { !FileSystem.exists($0) }
        guard last?.leaf != leaf || missing else { return false }
        let keyChanged = last?.spki != spki || missing
        let chain = Array(identity.chain.map(\.pemRepresentation).joined().utf8)
        var keyPEM = identity.key.pkcs8PEMBytes
        defer { SecureMemory.wipe(&keyPEM) }
        if let path = targets.key, keyChanged { try FileSystem.writeAtomically(path, keyPEM, mode: 0o600) }
        if let path = targets.certificate { try FileSystem.writeAtomically(path, chain, mode: 0o644) }
        if let path = targets.combined {
            var combined = chain + keyPEM
            defer { SecureMemory.wipe(&combined) }
            try FileSystem.writeAtomically(path, combined, mode: 0o600)
        }
        written.withLock { $0 = Written(leaf: leaf, spki: spki) }
        serials.withLock { $0.append(identity.leaf.serialHex) }
        writes.add(1, ordering: .relaxed)
        logger.info("wrote the kubelet certificate files", metadata: [
            "files": "\(targets.paths.joined(separator: ", "))", "serial": "\(identity.leaf.serialHex)", "notAfter": "\(identity.leaf.notAfter)",
            "newKey": "\(keyChanged)",
        ])
        return true
    }

    /// Syncs every `interval` seconds until cancelled; a failed write is logged and retried.
    public func run(interval: TimeInterval = 1, clock: any ManagerClock = WallClock()) async throws {
        while !Task.isCancelled {
            do {
                try sync()
            } catch {
                logger.error("cannot write the kubelet certificate files; retrying", metadata: ["reason": "\(error)"])
            }
            try await clock.sleep(for: interval)
        }
        throw CancellationError()
    }
}
