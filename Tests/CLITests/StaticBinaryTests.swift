// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// The static audit binary (scripts/build-static.sh --audit-only): no dynamic dependencies, runs with an
/// empty environment, and prints exactly what the regular vkcert prints. The full static vkcert takes a
/// NIO + BoringSSL release build (≈6 min), so `.ci/run` builds and checks it after the tests instead.
@Suite("Static audit binary")
struct StaticBinaryTests {
    @Test func auditBinaryIsStaticAndAgreesWithVkcert() async throws {
        let dir = try TemporaryDirectory("vkcert-static")
        defer { dir.cleanup() }
        let script = Repository.root.appendingPathComponent("scripts/build-static.sh").path
        let build = try await Run.process(script, ["--audit-only", "--out", dir.path("dist")], currentDirectory: Repository.root)
        #expect(build.status == 0, "\(build.stdoutText)\n\(build.stderrText.suffix(2000))")
        #expect(build.stdoutText.contains("vkcert-audit: static,") && build.stdoutText.contains("runs with env -i"), "\(build.stdoutText)")
        print(build.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))

        let ldd = try await Run.process("ldd", [dir.path("dist/vkcert-audit")])
        #expect((ldd.stdoutText + ldd.stderrText).contains("not a dynamic executable"))
        // Same bytes out as the dynamic build, for every real root and the vectors, with no environment at all.
        let inputs = ["/etc/ssl/certs/ca-certificates.crt", Repository.vector("openssl/x509/typical.pem").path, Repository.vector("openssl/x509/kubelet.csr").path]
        for input in inputs where FileManager.default.fileExists(atPath: input) {
            let staticRun = try await Run.process("/usr/bin/env", ["-i", dir.path("dist/vkcert-audit"), "inspect", input, "--json"], environment: [:])
            let dynamicRun = try await Run.vkcert(["inspect", input, "--json"])
            #expect(staticRun.status == 0 && staticRun.stdout == dynamicRun.stdout, "\(input): static and dynamic output differ (\(staticRun.stderrText.prefix(300)))")
        }
        let lint = try await Run.process("/usr/bin/env", ["-i", dir.path("dist/vkcert-audit"), "lint", Repository.vector("openssl/x509/serving.pem").path, "--node", "n"], environment: [:])
        #expect(lint.status == 1 && lint.stdoutText.contains("subject-common-name"), "\(lint.stdoutText)")
    }
}
