// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import FoundationEssentials
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Health and Prometheus metrics on a separate plain-HTTP listener (default 127.0.0.1:10248), like the
/// kubelet's healthz port: `/healthz` is `ok` once a certificate is being served, `/metrics` answers what
/// `render` returns: normally ``exposition(_:)`` of the registry behind a ``CatalogPrometheusFactory``, after
/// ``CertificateGauges/refresh(identity:snapshot:loadProblem:unauthenticatedUpstream:now:)``.
public final class MetricsServer: Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let render: @Sendable () -> String
    let healthy: @Sendable () -> Bool
    let detail: @Sendable () -> String?
    let listener = NIOLockedValueBox<(any Channel)?>(nil)

    /// `detail` is appended to a healthy `/healthz` answer (e.g. that the last good pair is being served
    /// because a newer one failed to load).
    public init(render: @escaping @Sendable () -> String, healthy: @escaping @Sendable () -> Bool, detail: @escaping @Sendable () -> String? = { nil }) {
        self.render = render
        self.healthy = healthy
        self.detail = detail
    }

    @discardableResult
    public func start(host: String, port: Int) async throws -> Int {
        let render = self.render
        let healthy = self.healthy
        let detail = self.detail
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(render: render, healthy: healthy, detail: detail))
                }
            }
            .bind(host: host, port: port).get()
        listener.withLockedValue { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    public func stop() async {
        if let channel = listener.withLockedValue({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    /// The text exposition (format 0.0.4) of everything recorded in `registry`.
    public static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        registry.emitToString()
    }
}

final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let render: @Sendable () -> String
    let healthy: @Sendable () -> Bool
    let detail: @Sendable () -> String?
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> String, healthy: @escaping @Sendable () -> Bool, detail: @escaping @Sendable () -> String?) {
        self.render = render
        self.healthy = healthy
        self.detail = detail
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let status: HTTPResponseStatus
            let body: String
            let type: String
            switch path {
            case "/metrics": (status, body, type) = (.ok, render(), "text/plain; version=0.0.4; charset=utf-8")
            case "/healthz":
                if healthy() {
                    (status, body, type) = (.ok, detail().map { "ok: \($0)" } ?? "ok", "text/plain")
                } else {
                    (status, body, type) = (.serviceUnavailable, detail() ?? "no certificate yet", "text/plain")
                }
            default: (status, body, type) = (.notFound, "404 page not found\n", "text/plain")
            }
            writeTextResponse(context: context, head: head, status: status, contentType: type, body: body)
        }
    }
}
