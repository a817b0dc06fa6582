// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with posix_spawn (no Foundation `Process`): argv as given (`path` is not
/// searched; pass `/usr/bin/env` and the name for a PATH lookup in the child's environment), the
/// environment as given, stdin and stderr on /dev/null, stdout captured up to `maximumOutput` bytes (the
/// rest is read and dropped, so a chatty child cannot block on a full pipe).
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number for a child killed by a signal (as a shell reports it).
        public let status: Int32
        public let output: [UInt8]
    }

    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func run(_ path: String, arguments: [String], environment: [String: String], maximumOutput: Int = 1 << 20) throws(SpawnError) -> Result {
        var fds: [Int32] = [0, 0]
        guard fds.withUnsafeMutableBufferPointer({ pipe($0.baseAddress!) }) == 0 else {
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        let argv = [path] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvp: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer {
            for pointer in cArgv { free(pointer) }
            for pointer in cEnvp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, &cArgv, &cEnvp)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw SpawnError(description: "\(path): \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            if output.count < maximumOutput { output += chunk[..<min(count, maximumOutput - output.count)] }
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros: the wait status layout, spelled out.
        let signal = status & 0x7F
        return Result(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, output: output)
    }
}

/// Path-string helpers (no Foundation `NSString`).
public enum PathText {
    /// The directory part, as `dirname` without trailing-slash subtleties: "a/b/c" → "a/b", "/c" → "/",
    /// "c" → "" (the current directory, as NSString's deletingLastPathComponent gives).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component: "a/b/c" → "c".
    public static func lastComponent(of path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// The user's home directory from the password database (for when HOME is unset).
    public static func homeDirectory() -> String {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return "/" }
        return String(cString: dir)
    }
}
