// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// `vkcert sandbox apiserver` run as a user would: foreground process, kubeconfig and CA written,
/// kubectl works against it, SIGINT stops it cleanly.
@Suite("vkcert sandbox apiserver", .serialized)
struct SandboxAPIServerTests {
    @Test func runsServesKubectlAndStopsOnSIGINT() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Run.vkcertPath)
        process.arguments = ["sandbox", "apiserver", "--listen", "127.0.0.1:0", "--tls", "--auto-approve",
                             "--kubeconfig-out", dir.path("kc"), "--ca-out", dir.path("ca.pem"), "--signing-duration", "24h",
                             "--rbac", Repository.root.appendingPathComponent("deploy/rbac.yaml").path,
                             "--serviceaccount-kubeconfig", "interlink/vkcert=\(dir.path("sa.kc"))", "--node-kubeconfig", "n1=\(dir.path("n1.kc"))",
                             "--user-kubeconfig", "alice:vkcert-approvers=\(dir.path("alice.kc"))", "--bootstrap-kubeconfig", dir.path("boot.kc")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Wait for the kubeconfig (written after the listener is up).
        var ready = false
        for _ in 0..<100 where !ready {
            ready = FileManager.default.fileExists(atPath: dir.path("kc")) && FileManager.default.fileExists(atPath: dir.path("ca.pem"))
            if !ready { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        try #require(ready, "the sandbox never wrote its kubeconfig")
        #expect((try FileManager.default.attributesOfItem(atPath: dir.path("kc"))[.posixPermissions] as? Int) == 0o600)
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = dir.path("")
        env["KUBECONFIG"] = dir.path("kc")
        let get = try await Run.process("kubectl", ["get", "csr", "--request-timeout=10s"], environment: env)
        #expect(get.status == 0 && get.stderrText.contains("No resources found"), "\(get.stdoutText)\(get.stderrText)")
        // Each minted identity, as kubectl (Go's TLS client, client certificates and tokens) presents it,
        // authorized by deploy/rbac.yaml and the node authorizer.
        for (kubeconfig, args, answer) in [
            ("sa.kc", ["delete", "csr"], "yes"), ("sa.kc", ["update", "certificatesigningrequests", "--subresource=approval"], "no"),
            ("n1.kc", ["create", "csr"], "yes"), ("n1.kc", ["delete", "csr"], "no"),
            ("alice.kc", ["update", "certificatesigningrequests", "--subresource=approval"], "yes"), ("alice.kc", ["create", "csr"], "no"),
            // The bootstrap token authenticates (as system:bootstrap:<id>); nothing binds its group here.
            ("boot.kc", ["create", "csr"], "no"), ("boot.kc", ["create", "selfsubjectaccessreviews.authorization.k8s.io"], "yes"),
        ] {
            var identity = env
            identity["KUBECONFIG"] = dir.path(kubeconfig)
            let can = try await Run.process("kubectl", ["auth", "can-i"] + args + ["--request-timeout=10s"], environment: identity)
            #expect(can.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == answer, "\(kubeconfig) can-i \(args): \(can.stdoutText)\(can.stderrText)")
        }
        let ca = try await Run.openssl(["x509", "-in", dir.path("ca.pem"), "-noout", "-ext", "basicConstraints"])
        #expect(ca.stdoutText.contains("CA:TRUE"))
        kill(process.processIdentifier, SIGINT)
        await Run.exit(of: process)
        let text = String(decoding: try await Run.offCooperativePool { output.fileHandleForReading.readDataToEndOfFile() }, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("serving the CSR API at https://127.0.0.1:") && text.contains("stopped"), "\(text)")
    }

    @Test func badArgumentsAreInputErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (arguments, mention) in [
            (["--listen", "nowhere"], "--listen"),
            (["--signing-duration", "5m"], "--signing-duration"),
            (["--node-token", "oops"], "--node-token"),
            (["--rbac", dir.path("missing.yaml")], "missing.yaml"),
            (["--node-kubeconfig", "n1=\(dir.path("n1.kc"))"], "--node-kubeconfig"),
            (["--tls", "--serviceaccount-kubeconfig", "vkcert=\(dir.path("sa.kc"))"], "NAMESPACE/NAME"),
            (["--auto-approve", "--approve-ip-prefix", "10.0.0.0"], "--approve-ip-prefix"),
            (["--auto-approve", "--approve-dns-pattern", "(unclosed"], "--approve-dns-pattern"),
        ] {
            let result = try await Run.vkcert(["sandbox", "apiserver", "--kubeconfig-out", dir.path("kc")] + arguments)
            #expect(result.status == 2 && result.stderrText.contains(mention), "\(arguments): \(result.stderrText)")
        }
    }
}
