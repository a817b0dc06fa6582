// SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the test targets: where the repository is, and how to run outside oracles
// (openssl) and the built `vkcert` binary. Tests may use Foundation; the modules under test do not.

import VKDER
import Foundation

public enum Repository {
    /// The package root (the directory holding Package.swift), found from this file's path.
    public static let root: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// `Vectors/<relative>`.
    public static func vector(_ relative: String) -> URL {
        root.appendingPathComponent("Vectors").appendingPathComponent(relative)
    }

    public static func vectorBytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: vector(relative)))
    }

    public static func vectorText(_ relative: String) throws -> String {
        try String(contentsOf: vector(relative), encoding: .utf8)
    }
}

/// The result of running a process.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: Data
    public let stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

private final class DataBox: @unchecked Sendable {
    // @unchecked: written once on one thread, read after DispatchGroup.wait() on another.
    var data = Data()
}

/// Outside programs (openssl, go, kubectl, python, valgrind, the built `vkcert`) run by the tests.
///
/// Every runner is `async` and waits for its child on a thread of its own, never on one of the cooperative
/// threads: Swift Testing runs the whole test binary's suites in parallel on a pool as wide as the machine
/// (two threads on the CI's 2 cores), and a test blocking there for minutes (the static build, the Python
/// client's checks, valgrind) starved every suite that answers through Swift concurrency — the emulator's
/// client timed out after 30 s without a CPU being busy on it. Being `async`, a test cannot block by mistake.
public enum Run {
    /// Runs `executable` (absolute path or a name looked up in PATH) with `arguments`, feeding `input`.
    public static func process(
        _ executable: String,
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> ProcessResult {
        try await offCooperativePool {
            try blocking(executable, arguments, input: input, environment: environment, currentDirectory: currentDirectory)
        }
    }

    /// Runs `work` on a new thread and resumes with its result: for waits that block (a child's exit, a
    /// pipe's end) without holding a cooperative thread.
    public static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Waits for `process` to exit, on a thread of its own.
    public static func exit(of process: Process) async {
        _ = try? await offCooperativePool { process.waitUntilExit() }
    }

    private static func blocking(
        _ executable: String,
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> ProcessResult {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        var env = environment ?? ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        // Drain stderr on another thread so a chatty child never blocks on a full pipe.
        let errBox = DataBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile()
        }
        if let input { inPipe.fileHandleForWriting.write(input) }
        try? inPipe.fileHandleForWriting.close()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let errData = errBox.data
        return ProcessResult(status: process.terminationStatus, stdout: outData, stderr: errData)
    }

    /// Runs the system `openssl` with a neutral configuration (no host openssl.cnf).
    public static func openssl(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["OPENSSL_CONF"] = "/dev/null"
        env["TZ"] = "UTC"
        return try await process("openssl", arguments, input: input, environment: env)
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ label: String = "vkcert-test") throws {
        let base = FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    public func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    public func cleanup() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Hex helpers for tests: DER's codec, with a decoder that skips spaces (for readable test vectors).
public enum Hex {
    public static func decode(_ text: String) -> [UInt8] {
        VKDER.Hex.decode(text.filter { !$0.isWhitespace })!
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        VKDER.Hex.encode(bytes)
    }
}

extension Run {
    /// The `vkcert` binary built next to the test bundle (same build directory).
    public static let vkcertPath: String = builtExecutable("vkcert")

    /// An executable product built next to the test bundle (same build directory).
    public static func builtExecutable(_ name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // XCTest bundles on Linux are a single executable; on macOS they are directories.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        return Repository.root.appendingPathComponent(".build/debug/\(name)").path
    }

    /// Runs the built `vkcert` with `arguments` in `directory`.
    public static func vkcert(_ arguments: [String], input: Data? = nil, in directory: URL? = nil) async throws -> ProcessResult {
        try await process(vkcertPath, arguments, input: input, currentDirectory: directory)
    }
}
