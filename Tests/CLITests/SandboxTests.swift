// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// `vkcert sandbox` (README command #1): ends with a working curl line, served; Ctrl-C leaves nothing behind.
@Suite("vkcert sandbox", .serialized)
struct SandboxTests {
    @Test func sandboxServesAWorkingCurlAndStopsCleanly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Run.vkcertPath)
        process.arguments = ["sandbox", "--port", "0", "--dir", dir.path("sandbox")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !text.contains("Ctrl-C stops the sandbox") {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        let curlLine = try #require(text.split(separator: "\n").first { $0.contains("try: curl") }, "no curl line in: \(text)")
        let command = String(curlLine.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces)
        #expect(command.hasPrefix("curl --cacert "))
        let curl = try Run.process("sh", ["-c", command])
        #expect(curl.status == 0 && curl.stdoutText == "ok", "\(command): \(curl.stderrText)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("vkcert sandbox: stopped"), "\(text)")
    }
}
