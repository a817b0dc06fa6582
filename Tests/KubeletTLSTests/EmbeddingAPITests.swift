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
        let curl = try await Run.process("/bin/sh", ["-c", "curl -sS --cacert \(ca) https://127.0.0.1:\(port)/healthz"])
        #expect(curl.stdoutText == "ok", "\(curl.stderrText)")
        #expect(leaf.subject.rfc2253 == "CN=system:node:vk-embedded,O=system:nodes")
        await server.shutdown()
        await started.shutdown()
    }

    /// Issue 18 item 2: the provider's own request handler in place of the built-in API — method, path,
    /// query, headers and body reach it; its status, headers and body reach curl; a body over the limit is
    /// a 413 before the handler runs, a throwing handler a bare 500, and a handler beside an upstream is
    /// refused at start.
    @Test func providerHandlerAnswersInPlaceOfTheBuiltInAPI() async throws {
        var config = VKConfiguration()
        config.nodeName = "vk-handler"
        config.nodeIPs = ["127.0.0.1"]
        config.disableCSR = true
        var logger = Logger(label: "my-provider")
        logger.logLevel = .critical
        let started = try CertificateManager.make(config, logger: logger)
        struct Boom: Error {}
        var options = KubeletServer.Options()
        options.host = "127.0.0.1"
        options.port = 0
        options.maximumRequestBody = 64
        options.handler = { request in
            switch request.path {
            case "/pods":
                return KubeletResponse(contentType: "application/json", text: #"{"kind":"PodList","items":[]}"#)
            case "/echo":
                let body = String(decoding: request.body, as: UTF8.self)
                return KubeletResponse(status: 201, headers: [("X-Query", String(request.target.drop { $0 != "?" })), ("Content-Length", "999")],
                                       body: Array("\(request.method) \(request.header("x-probe") ?? "-") \(body)".utf8))
            case "/boom": throw Boom()
            default: return KubeletResponse(status: 404, text: "404 page not found\n")
            }
        }
        let server = KubeletServer(source: started.source, options: options, logger: logger)
        let port = try await server.start()
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let ca = try dir.write("served.pem", Array(try #require(started.source.current()).leaf.pemRepresentation.utf8))
        let curl: @Sendable (String) async throws -> String = { arguments in
            try await Run.process("/bin/sh", ["-c", "curl -sS --cacert \(ca) -w ' %{http_code}' \(arguments)"]).stdoutText
        }
        let base = "https://127.0.0.1:\(port)"
        #expect(try await curl("\(base)/pods") == #"{"kind":"PodList","items":[]} 200"#)
        #expect(try await curl("-D \(dir.path("h")) -H 'X-Probe: yes' --data-binary hello '\(base)/echo?a=1&b=2'") == "POST yes hello 201")
        let headers = try String(decoding: dir.read("h"), as: UTF8.self).lowercased()
        #expect(headers.contains("x-query: ?a=1&b=2") && headers.contains("content-length: 14") && !headers.contains("999"), "\(headers)")
        #expect(try await curl("--data-binary \(String(repeating: "x", count: 65)) \(base)/echo").hasSuffix(" 413"))
        #expect(try await curl("\(base)/boom") == "Internal Server Error\n 500")
        #expect(try await curl("\(base)/healthz") == "404 page not found\n 404", "the handler, not the built-in API, answers")
        await server.shutdown()

        options.upstream = "127.0.0.1:1"
        let both = KubeletServer(source: started.source, options: options, logger: logger)
        await #expect(throws: ConfigurationError.self) { try await both.start() }
        await both.shutdown()
        await started.shutdown()
    }
}
