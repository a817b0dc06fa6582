// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import FoundationEssentials  // Date, for the gauges' clock
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc  // fflush: stdout is a pipe under the check script
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Metrics
import Prometheus
import SwiftASN1
import VKCertManager
import VKKubeletTLS
import X509

/// `EmbeddedProvider [NODE] [PORT]`: serves a kubelet-style API for NODE on 127.0.0.1:PORT (0: any free
/// port, printed) with a self-signed certificate from vkcert's manager and this program's own handler:
///   /healthz      ok
///   /pods         an empty PodList (a provider would list its pods)
///   /certificate  the served certificate as swift-certificates reads it
///   /metrics      vkcert's series and this program's own, from one Prometheus registry
@main
struct EmbeddedProvider {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let node = arguments.first ?? "vk-embedded"
        let port = arguments.dropFirst().first.flatMap { Int($0) } ?? 10250
        var logger = Logger(label: "embedded-provider")
        logger.logLevel = .warning

        // One registry for everything: vkcert's series (with their help text) and the provider's own,
        // recorded through swift-metrics' global system.
        let metrics = CatalogPrometheusFactory()
        MetricsSystem.bootstrap(metrics)
        let requests = Counter(label: "provider_requests_total")

        var config = VKConfiguration()
        config.nodeName = node
        config.nodeIPs = ["127.0.0.1"]
        config.disableCSR = true  // self-signed; leave false for the CSR flow (then run started.runManagers())
        let started = try CertificateManager.make(config, logger: logger, metricsFactory: metrics)
        let gauges = CertificateGauges(mode: started.mode.description, factory: metrics)
        let source = started.source

        var options = KubeletServer.Options()
        options.host = "127.0.0.1"
        options.port = port
        options.metricsFactory = metrics
        options.handler = { request in
            requests.increment()
            switch request.path {
            case "/healthz":
                return KubeletResponse(text: "ok")
            case "/pods":
                return KubeletResponse(contentType: "application/json", text: #"{"kind":"PodList","apiVersion":"v1","items":[]}"#)
            case "/certificate":
                guard let der = source.current()?.leaf.der else { return KubeletResponse(status: 503, text: "no certificate yet\n") }
                let certificate = try X509.Certificate(derEncoded: der)
                let names = try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? []
                let san = names.map { name -> String in
                    switch name {
                    case .dnsName(let dns): "DNS:\(dns)"
                    case .ipAddress(let octets) where octets.bytes.count == 4: "IP:" + octets.bytes.map(String.init).joined(separator: ".")
                    default: "\(name)"
                    }
                }.joined(separator: ", ")
                return KubeletResponse(text: "subject: \(certificate.subject)\nsan: \(san)\nsignature: \(certificate.signatureAlgorithm)\n")
            case "/metrics":
                gauges.refresh(identity: source.current(), snapshot: started.csrManager?.metrics.snapshot, loadProblem: source.loadProblem,
                               unauthenticatedUpstream: false, now: .now)
                return KubeletResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", text: MetricsServer.exposition(metrics.registry))
            default:
                return KubeletResponse(status: 404, text: "404 page not found\n")
            }
        }
        let server = KubeletServer(source: source, options: options, logger: logger)
        let bound = try await server.start()
        print("embedded provider for \(node) listening on https://127.0.0.1:\(bound)")
        fflush(nil)  // every stream (naming stdout is not concurrency-safe in Swift 6)
        // A real provider would run this under swift-service-lifecycle (KubeletServer is a Service).
        try await server.run()
    }
}
