// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system error that names the file and what went wrong with it.
public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notFound = Code("notFound")
        public static let permissionDenied = Code("permissionDenied")
        public static let notARegularFile = Code("notARegularFile")
        public static let tooLarge = Code("tooLarge")
        public static let ioError = Code("ioError")
    }

    public let code: Code
    public let path: String
    public let reason: String

    public init(_ code: Code, path: String, _ reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }

    public static func == (lhs: FileError, rhs: FileError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    static func fromErrno(_ err: Int32, path: String, _ action: String) -> FileError {
        let message = String(cString: strerror(err))
        switch err {
        case ENOENT: return FileError(.notFound, path: path, "\(action): no such file")
        case EACCES, EPERM: return FileError(.permissionDenied, path: path, "\(action): permission denied")
        case EISDIR: return FileError(.notARegularFile, path: path, "\(action): is a directory")
        default: return FileError(.ioError, path: path, "\(action): \(message)")
        }
    }
}

/// File access for the core with the guarantees a certificate tool needs: bounded reads and atomic,
/// durable, private writes. Glibc only (no Foundation).
public enum FileSystem {
    /// Default cap for files vkcert reads (keys, certificates, bundles, configs): 16 MiB.
    public static let defaultReadLimit = 16 << 20

    /// Reads a whole regular file, refusing anything larger than `limit` bytes without reading it all.
    public static func read(_ path: String, limit: Int = defaultReadLimit) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.fromErrno(errno, path: path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError.fromErrno(errno, path: path, "cannot stat") }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR { throw FileError(.notARegularFile, path: path, "is a directory, not a file") }
        if kind == S_IFREG && Int(info.st_size) > limit {
            throw FileError(.tooLarge, path: path, "is \(info.st_size) bytes; the limit is \(limit) bytes")
        }
        var out: [UInt8] = []
        try readChunks(fd, path: path) { chunk in
            out.append(contentsOf: chunk)
            if out.count > limit { throw FileError(.tooLarge, path: path, "is larger than the limit of \(limit) bytes") }
        }
        return out
    }

    /// Streams a file in 64 KiB chunks (for hashing inputs of any size without holding them in memory).
    public static func forEachChunk(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.fromErrno(errno, path: path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw FileError(.notARegularFile, path: path, "is a directory, not a file")
        }
        try readChunks(fd, path: path, body)
    }

    /// Reads `fd` to the end in 64 KiB chunks, retrying on EINTR.
    private static func readChunks(_ fd: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.fromErrno(errno, path: path, "read failed")
            }
            if n == 0 { return }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Whether a path exists (any kind of file).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Writes `bytes` to `path` so that readers and crashes only ever see the old file or the complete
    /// new one: a temporary file in the same directory created with `mode` (0600 by default) and
    /// O_EXCL, written fully, fsync'd, renamed over `path`, then the directory fsync'd.
    /// On any failure the temporary file is removed and `path` is untouched.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let directory = parentDirectory(of: path)
        var suffix = ""
        var fd: Int32 = -1
        var temporary = ""
        for _ in 0..<16 {
            var random: UInt64 = 0
            withUnsafeMutableBytes(of: &random) { buffer in
                _ = getentropy(buffer.baseAddress, buffer.count)
            }
            suffix = String(random, radix: 36)
            temporary = "\(path).tmp-\(suffix)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw FileError.fromErrno(errno, path: path, "cannot create a temporary file beside it") }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode; set exactly what was asked for.
            guard fchmod(fd, mode) == 0 else { throw FileError.fromErrno(errno, path: path, "cannot set permissions") }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError.fromErrno(errno, path: path, "write failed")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw FileError.fromErrno(errno, path: path, "fsync failed") }
        }
        guard rename(temporary, path) == 0 else { throw FileError.fromErrno(errno, path: path, "cannot replace") }
        committed = true
        syncDirectory(directory)
    }

    /// fsyncs a directory so a rename in it is durable (best effort: some file systems refuse).
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// The directory part of a path ("." for a bare name).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Permission bits of a file, or nil if it cannot be stat'ed.
    /// Whether `path` names a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    public static func permissions(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }
}

extension FileSystem {
    /// Names in a directory (no "." or ".."), sorted.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw FileError.fromErrno(errno, path: path, "cannot list directory") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
