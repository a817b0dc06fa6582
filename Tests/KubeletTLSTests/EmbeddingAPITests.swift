// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import TestSupport
import Testing
import VKCertManager
import VKKubeletTLS

/// The README's "Embedding" snippet, as a Swift program that depends on the VKCertManager and
/// VKKubeletTLS products would write it: a configuration value (no file), the certificate manager, the
/// kubelet HTTPS server on that manager's source; judged by curl verifying the served certificate.
@Suite("Embedding API")
struct EmbeddingAPITests {
    @Test func configurationValueToServingServer() async throws {
        // --- README snippet ---
        var config = VKConfiguration()
        config.nodeName = "vk-embedded"
        config.nodeIPs = ["127.0.0.1"]
        config.disableCSR = true  // self-signed; leave it false for the CSR flow
        let logger = Logger(label: "my-provider")
        let started = try CertificateManager.make(config, logger: logger)
        var options = KubeletServer.Options()
        options.host = "127.0.0.1"
        options.port = 0  // any free port; 10250 in a real node
        let server = KubeletServer(source: started.source, options: options, logger: logger)
        let port = try await server.start()
        // --- end of snippet ---
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let leaf = try #require(started.source.current()?.leaf)
        let ca = try dir.write("served.pem", Array(leaf.pemRepresentation.utf8))
        let curl = try await Run.processDetached("/bin/sh", ["-c", "curl -sS --cacert \(ca) https://127.0.0.1:\(port)/healthz"])
        #expect(curl.stdoutText == "ok", "\(curl.stderrText)")
        #expect(leaf.subject.rfc2253 == "CN=system:node:vk-embedded,O=system:nodes")
        await server.shutdown()
        await started.shutdown()
    }
}
