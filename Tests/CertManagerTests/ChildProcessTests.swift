// SPDX-License-Identifier: Apache-2.0

import Testing
import VKFileIO

/// The posix_spawn runner behind kubeconfig exec plugins (in place of Foundation's Process), judged by
/// /bin/sh: output captured, statuses and signals reported as a shell would, the environment exactly as
/// given, output bounded, and a missing program an error rather than a status.
@Suite("Child processes")
struct ChildProcessTests {
    @Test func outputStatusSignalEnvironmentAndBounds() throws {
        let echo = try ChildProcess.run("/bin/sh", arguments: ["-c", "printf '%s|%s' \"$A\" \"${HOME-unset}\"; exit 3"], environment: ["A": "x y"])
        #expect(echo.status == 3)
        #expect(String(decoding: echo.output, as: UTF8.self) == "x y|unset")
        let killed = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -9 $$"], environment: [:])
        #expect(killed.status == 128 + 9)
        let chatty = try ChildProcess.run("/bin/sh", arguments: ["-c", "head -c 300000 /dev/zero"], environment: [:], maximumOutput: 1000)
        #expect(chatty.status == 0 && chatty.output.count == 1000)
        #expect(throws: ChildProcess.SpawnError.self) { try ChildProcess.run("/nonexistent/plugin", arguments: [], environment: [:]) }
        #expect(PathText.directory(of: "/a/b/kubeconfig") == "/a/b" && PathText.directory(of: "/kc") == "/" && PathText.directory(of: "kc") == "")
    }
}
