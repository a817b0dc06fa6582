// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Go programs under Tests/Peers (standard library only) built with Debian's golang-go, offline: Go's
/// crypto/tls and crypto/x509 are what kube-apiserver and InterLink's Virtual Kubelet use, so they judge
/// what vkcert serves and writes.
public enum GoPeer {
    /// A judge (tool) that is not installed: the test fails with this, naming what installs it.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Builds `Tests/Peers/<name>.go` into `directory` and returns the binary's path. Fails (never skips)
    /// when `go` is absent: `.ci/run` installs golang-go.
    public static func build(_ name: String, into directory: TemporaryDirectory) async throws -> String {
        let source = Repository.root.appendingPathComponent("Tests/Peers/\(name).go").path
        let output = directory.path(name)
        var env = ProcessInfo.processInfo.environment
        env["GO111MODULE"] = "off"
        env["GOPROXY"] = "off"
        env["GOFLAGS"] = ""
        env["GOCACHE"] = directory.path("gocache")
        env["HOME"] = directory.path("")
        let result = try await Run.process("go", ["build", "-o", output, source], environment: env, currentDirectory: directory.url)
        guard result.status == 0 else {
            throw Missing(description: "go build \(name).go failed (is golang-go installed? .ci/run installs it): \(result.stderrText)")
        }
        return output
    }
}

/// A child process running in the background whose output is collected, for peers that serve while the
/// test acts. `firstLine()` waits for the first stdout line (e.g. "listening PORT").
public final class BackgroundProcess: @unchecked Sendable {
    // @unchecked: the output buffers are written by the reader threads under `lock` and read under it.
    private let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let done = DispatchGroup()

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            DispatchQueue.global().async(group: done) { [self] in
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    lock.lock()
                    if isOut { out.append(chunk) } else { err.append(chunk) }
                    lock.unlock()
                }
            }
        }
    }

    public var stdoutText: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    public var stderrText: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// The first complete stdout line, waiting up to `seconds` (polling with `Task.sleep`, which holds no thread).
    public func firstLine(within seconds: TimeInterval = 20) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = stdoutText.split(separator: "\n", omittingEmptySubsequences: false).first, stdoutText.contains("\n") { return String(line) }
            if !process.isRunning { break }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }

    /// Sends SIGTERM and waits for the exit and the output.
    @discardableResult
    public func terminate() async -> Int32 {
        if process.isRunning { process.terminate() }
        return await wait()
    }

    /// Waits for the exit (and the end of its output) on a thread of its own.
    @discardableResult
    public func wait() async -> Int32 {
        let process = process, done = done
        return (try? await Run.offCooperativePool {
            process.waitUntilExit()
            done.wait()
            return process.terminationStatus
        }) ?? -1
    }
}
