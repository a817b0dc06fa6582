// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKFileIO
import FoundationEssentials
import Glibc
import VKRSA
import VKX509

/// The certificate store in `CertDir`, in the layout client-go's file store (and so InterLink) uses, so
/// an existing store is reused: `<prefix>-<2006-01-02-15-04-05>.pem` holding the CERTIFICATE block(s)
/// then the PKCS#8 key, and the symlink `<prefix>-current.pem` pointing at it (replaced through
/// `<prefix>-updated.pem` + rename). Unlike client-go it writes atomically and durably (temp file, fsync,
/// rename, directory fsync), keeps the directory 0700 and files 0600, prunes old files (keeps three),
/// and persists the key and name of a pending CSR so a restart resumes it.
public final class CertificateStore: Sendable {
    public let directory: String
    public let prefix: String
    /// Test hook: called at each step of `save`; throwing simulates a crash (kill -9) at that point.
    let crashPoint: (@Sendable (String) throws -> Void)?

    public static let keep = 3

    public init(directory: String, prefix: String = "virtual-kubelet", crashPoint: (@Sendable (String) throws -> Void)? = nil) throws {
        self.directory = directory
        self.prefix = prefix
        self.crashPoint = crashPoint
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigurationError(file: directory, key: "CertDir", "cannot create the certificate directory: \(error)")
            }
        }
        _ = chmod(directory, 0o700)
        recover()
    }

    var currentPath: String { "\(directory)/\(prefix)-current.pem" }
    var updatedPath: String { "\(directory)/\(prefix)-updated.pem" }
    var pendingKeyPath: String { "\(directory)/\(prefix)-pending-key.pem" }
    var pendingNamePath: String { "\(directory)/\(prefix)-pending.json" }

    /// client-go's recovery: a leftover `-updated.pem` symlink with no `-current.pem` becomes current.
    func recover() {
        var info = stat()
        if lstat(currentPath, &info) != 0, lstat(updatedPath, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            _ = rename(updatedPath, currentPath)
        }
    }

    /// The stored identity: `-current.pem`, else `<prefix>.crt` + `<prefix>.key`. Nil when absent or broken.
    public func loadCurrent() -> ServingIdentity? {
        // The files' text holds the private key: wiped once parsed.
        if var bytes = try? FileSystem.read(currentPath) {
            defer { SecureMemory.wipe(&bytes) }
            if let identity = try? ServingIdentity.load(certificatePEM: bytes) { return identity }
        }
        if let cert = try? FileSystem.read("\(directory)/\(prefix).crt"), var key = try? FileSystem.read("\(directory)/\(prefix).key") {
            defer { SecureMemory.wipe(&key) }
            return try? ServingIdentity.load(certificatePEM: cert, keyPEM: key)
        }
        return nil
    }

    /// `2026-12-03-20-29-49` in UTC, from the toolkit's calendar (FoundationEssentials has no time-zone
    /// data: `TimeZone(identifier: "UTC")` is nil there).
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let c = DERTime(secondsSinceEpoch: seconds.isFinite ? Int64(max(min(seconds, 253_402_300_799), -62_135_596_800).rounded(.down)) : 0).components
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year)-\(p(c.month))-\(p(c.day))-\(p(c.hour))-\(p(c.minute))-\(p(c.second))"
    }

    /// Writes the pair and points `-current.pem` at it; every step is atomic, so a crash at any point
    /// leaves either the old or the new pair current.
    public func save(_ identity: ServingIdentity, now: Date) throws {
        var name = "\(prefix)-\(Self.timestamp(now)).pem"
        var n = 1
        while FileManager.default.fileExists(atPath: "\(directory)/\(name)") {
            name = "\(prefix)-\(Self.timestamp(now))-\(n).pem"
            n += 1
        }
        let path = "\(directory)/\(name)"
        try crashPoint?("before-write")
        var combined = identity.combinedPEM
        defer { SecureMemory.wipe(&combined) }
        try FileSystem.writeAtomically(path, combined, mode: 0o600)
        try crashPoint?("after-write")
        unlink(updatedPath)
        guard symlink(path, updatedPath) == 0 else { throw IdentityError("cannot create \(updatedPath): \(String(cString: strerror(errno)))") }
        try crashPoint?("after-symlink")
        guard rename(updatedPath, currentPath) == 0 else { throw IdentityError("cannot replace \(currentPath): \(String(cString: strerror(errno)))") }
        FileSystem.syncDirectory(directory)
        try crashPoint?("after-rename")
        prune()
    }

    /// Deletes timestamped files beyond the newest `keep`, never the current target.
    func prune() {
        let current = (try? FileManager.default.destinationOfSymbolicLink(atPath: currentPath)).map { PathText.lastComponent(of: $0) }
        let files = ((try? FileSystem.listDirectory(directory)) ?? []).filter {
            $0.hasPrefix("\(prefix)-") && $0.hasSuffix(".pem") && $0.first != "." && !$0.contains("current") && !$0.contains("updated") && !$0.contains("pending")
        }.sorted()
        for file in files.dropLast(Self.keep) where file != current {
            unlink("\(directory)/\(file)")
        }
    }

    // MARK: pending request

    /// The key and name of a CSR this node created and has not yet received a certificate for.
    public struct PendingRequest: Sendable {
        public let name: String
        public let key: PrivateKey

        public init(name: String, key: PrivateKey) {
            self.name = name
            self.key = key
        }
    }

    struct PendingName: Decodable { let name: String }

    /// Persists the pending key (0600), then its CSR name: both exist before the CSR is created.
    public func savePending(_ pending: PendingRequest) throws {
        var keyPEM = pending.key.pkcs8PEMBytes
        defer { SecureMemory.wipe(&keyPEM) }
        try FileSystem.writeAtomically(pendingKeyPath, keyPEM, mode: 0o600)
        let json = #"{"name":"\#(pending.name)"}"#
        try FileSystem.writeAtomically(pendingNamePath, Array(json.utf8), mode: 0o600)
    }

    public func loadPending() -> PendingRequest? {
        guard var keyBytes = try? FileSystem.read(pendingKeyPath) else { return nil }
        defer { SecureMemory.wipe(&keyBytes) }
        guard let key = try? PrivateKey.load(keyBytes).key,
            let json = try? FileSystem.read(pendingNamePath),
            let name = try? JSONDecoder().decode(PendingName.self, from: Data(json)).name
        else { return nil }
        return PendingRequest(name: name, key: key)
    }

    public func clearPending() {
        unlink(pendingNamePath)
        unlink(pendingKeyPath)
        FileSystem.syncDirectory(directory)
    }
}
