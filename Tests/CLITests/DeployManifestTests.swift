// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// deploy/*.yaml judged by outside tools from PyPI (installed by .ci/run into .build-venv; the test fails
/// without them): kubernetes-validate --strict against the 1.32 schemas, and checkov's Kubernetes checks
/// with no failure and every skip carrying its reason in the manifest.
@Suite("deploy/ manifests", .serialized)
struct DeployManifestTests {
    static var venv: String {
        ProcessInfo.processInfo.environment["VKCERT_VENV"] ?? Repository.root.appendingPathComponent(".build-venv").path
    }

    static func tool(_ name: String) throws -> String {
        let path = venv + "/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw GoPeer.Missing(description: "\(path) is missing: .ci/run installs kubernetes-validate and checkov into \(venv)")
        }
        return path
    }

    static var manifests: [String] {
        let dir = Repository.root.appendingPathComponent("deploy").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted().map { dir + "/" + $0 }
    }

    @Test func kubernetesValidateStrict132() async throws {
        #expect(Self.manifests.count >= 4, "\(Self.manifests)")
        let result = try await Run.process(try Self.tool("kubernetes-validate"), ["--strict", "-k", "1.32.0"] + Self.manifests)
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
        #expect(!result.stdoutText.contains("ERROR") && !result.stderrText.contains("ERROR"), "\(result.stdoutText)\(result.stderrText)")
    }

    @Test func checkovPassesWithReasonedSkipsOnly() async throws {
        let result = try await Run.process(try Self.tool("checkov"), [
            "-d", Repository.root.appendingPathComponent("deploy").path, "--framework", "kubernetes", "--quiet", "--compact", "--skip-download", "-o", "json",
        ])
        let json = try JSONSerialization.jsonObject(with: result.stdout)
        let report = (json as? [String: Any]) ?? ((json as? [[String: Any]])?.first ?? [:])
        let summary = try #require(report["summary"] as? [String: Any], "\(result.stdoutText.prefix(500))\(result.stderrText.prefix(500))")
        #expect(summary["failed"] as? Int == 0, "\(summary)")
        #expect((summary["passed"] as? Int ?? 0) >= 150, "\(summary)")
        // Every skip is an annotation "checkov.io/skipN: CHECK=reason" with a reason of some length.
        for path in Self.manifests {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("checkov.io/skip") {
                let reason = line.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
                #expect(line.contains("=") && reason.count >= 30, "unexplained skip in \(path): \(line)")
            }
        }
        print("checkov: \(summary["passed"] ?? "?") passed, \(summary["failed"] ?? "?") failed, \(summary["skipped"] ?? "?") skipped (each explained)")
    }

    /// What the issue asks of the manifests that a schema cannot see.
    @Test func deploymentsAreRecreateWithExecProbesAndVersionedImages() throws {
        for path in Self.manifests where path.hasSuffix("deployment.yaml") || path.hasSuffix("sidecar.yaml") {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("strategy: {type: Recreate}"), "\(path)")
            #expect(text.contains("exec: {command: [\"/vkcert\", \"health\"]}"), "\(path)")
            #expect(text.contains("image: vkcert:") && !text.contains(":latest"), "\(path)")
            #expect(!text.contains("host: 127.0.0.1"), "\(path): a probe with host 127.0.0.1 probes the node, not the pod")
        }
    }
}
