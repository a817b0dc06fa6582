// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeSim
import TestSupport
import Testing

/// The emulator judged by the official Kubernetes Python client (PyPI `kubernetes`, installed by .ci/run
/// into .build-venv; the test fails without it) and by kubectl's label / annotate / patch / chunked get
/// (issue 13: write verbs, pagination, selectors, preconditions).
@Suite("KubeSim judged by the official Python client and kubectl", .serialized)
struct PythonClientTests {
    static var python: String {
        (ProcessInfo.processInfo.environment["VKCERT_VENV"] ?? Repository.root.appendingPathComponent(".build-venv").path) + "/bin/python"
    }

    /// Runs a check script of Tests/Peers with the venv's Python and expects every check to pass (and at
    /// least `minimum` of them, so a script that stops early fails); prints the pass/fail table.
    static func runChecks(_ script: String, _ arguments: [String], minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw GoPeer.Missing(description: "\(python) is missing: .ci/run installs the kubernetes Python client into .build-venv")
        }
        let path = Repository.root.appendingPathComponent("Tests/Peers/\(script)").path
        let result = try await Run.process(python, [path] + arguments)
        #expect(result.status == 0, "\(result.stderrText.suffix(2000))", sourceLocation: sourceLocation)
        let checks = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: [String: Any]], "\(result.stdoutText)", sourceLocation: sourceLocation)
        var table: [String] = []
        for (name, value) in checks.sorted(by: { $0.key < $1.key }) {
            let ok = value["ok"] as? Bool ?? false
            table.append("\(ok ? "PASS" : "FAIL")  \(name): \(value["detail"] ?? "")")
            #expect(ok, "\(name): \(value["detail"] ?? "")", sourceLocation: sourceLocation)
        }
        print("\(script): \(table.filter { $0.hasPrefix("PASS") }.count)/\(checks.count) passed\n" + table.joined(separator: "\n"))
        #expect(checks.count >= minimum, "\(checks.count) checks ran", sourceLocation: sourceLocation)
    }

    @Test func pythonClientChecks() async throws {
        let cluster = try await KubectlTests.Cluster()
        let csr = try await cluster.opensslCSR("py", subject: "/O=system:nodes/CN=system:node:py", san: "IP:10.0.0.9")
        let csrFile = try cluster.dir.write("py.pem", Array(csr.utf8))
        try await Self.runChecks("pyclient_checks.py", [cluster.kubeconfig, csrFile], minimum: 10)
    }

    @Test func kubectlLabelAnnotatePatchAndChunkedGet() async throws {
        let cluster = try await KubectlTests.Cluster()
        let csr = try await cluster.opensslCSR("k", subject: "/O=system:nodes/CN=system:node:k", san: "IP:10.0.0.8")
        for i in 0..<7 {
            let created = try await cluster.kubectl(["create", "-f", try cluster.manifest("chunk-\(i)", request: csr)])
            #expect(created.status == 0, "\(created.stderrText)")
        }
        let label = try await cluster.kubectl(["label", "csr", "chunk-0", "team=vk"])
        #expect(label.stdoutText == "certificatesigningrequest.certificates.k8s.io/chunk-0 labeled\n", "\(label.stderrText)")
        let annotate = try await cluster.kubectl(["annotate", "csr", "chunk-0", "note=hello"])
        #expect(annotate.stdoutText == "certificatesigningrequest.certificates.k8s.io/chunk-0 annotated\n", "\(annotate.stderrText)")
        let merge = try await cluster.kubectl(["patch", "csr", "chunk-1", "--type", "merge", "-p", #"{"metadata":{"labels":{"m":"1"}}}"#])
        #expect(merge.stdoutText.contains("chunk-1 patched"), "\(merge.stderrText)")
        let json = try await cluster.kubectl(["patch", "csr", "chunk-2", "--type", "json", "-p", #"[{"op":"add","path":"/metadata/labels","value":{"j":"2"}}]"#])
        #expect(json.stdoutText.contains("chunk-2 patched"), "\(json.stderrText)")
        let strategic = try await cluster.kubectl(["patch", "csr", "chunk-3", "--type", "strategic", "-p", #"{"metadata":{"annotations":{"s":"3"}}}"#])
        #expect(strategic.stdoutText.contains("chunk-3 patched"), "\(strategic.stderrText)")
        let approval = try await cluster.kubectl([
            "patch", "csr", "chunk-4", "--subresource=approval", "--type", "merge", "-p",
            #"{"status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlPatch","message":"via patch"}]}}"#,
        ])
        #expect(approval.stdoutText.contains("chunk-4 patched"), "\(approval.stderrText)")
        #expect(try cluster.simulator.store.get("chunk-4").isApproved)
        let object = try cluster.simulator.store.get("chunk-0")
        #expect(object.metadata.labels?["team"] == "vk" && object.metadata.annotations?["note"] == "hello")
        #expect(try await cluster.kubectl(["get", "csr", "-l", "team in (vk,other)", "-o", "name"]).stdoutText == "certificatesigningrequest.certificates.k8s.io/chunk-0\n")
        let chunked = try await cluster.kubectl(["get", "csr", "--chunk-size=3", "-o", "name"])
        #expect(chunked.stdoutText.split(separator: "\n").count == 7, "\(chunked.stdoutText)\(chunked.stderrText)")
    }
}
