// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import FoundationEssentials
import Glibc
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The kubelet HTTPS endpoint.
///
/// Every ClientHello asks the certificate source for the current identity (`sslContextCallback`), so a
/// rotated manual pair, a renewed CSR certificate or a regenerated self-signed one is used from the next
/// handshake on. The private key is an `NIOSSLCustomPrivateKey` whose signatures come from vkcert's RSA
/// on a thread pool. TLS 1.2 (ECDHE) and 1.3. With a client CA, callers must present a certificate that
/// chains to it. Without `upstream` a small kubelet-style API answers (`/healthz`, 404 otherwise); with
/// it every decrypted connection is relayed byte for byte to the provider's plain-HTTP server.
public final class KubeletServer: Service, Sendable {
    public struct Options: Sendable {
        /// "::" (default): every address, IPv4 and IPv6 on one socket where the kernel allows.
        public var host = "::"
        public var port = 10250
        /// PEM bundle of CAs whose client certificates are accepted (nil: no client authentication).
        public var clientCA: [UInt8]?
        /// host:port of the provider's plain-HTTP server to relay to.
        public var upstream: String?
        /// How long shutdown waits for open connections before closing them.
        public var drainTimeout: TimeAmount = .seconds(10)
        /// Authentication and authorization of every request, as the kubelet's (nil: a client CA alone
        /// decides, and any caller it admits may do everything).
        public var access: KubeletAccessControl?
        /// Where handshakes, failures by reason and signature times are recorded (swift-metrics;
        /// ``CatalogPrometheusFactory`` for `/metrics`). The default records nothing.
        public var metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance
        /// Answers requests in place of the built-in `/healthz` (an embedding provider's API); not with
        /// ``upstream``.
        public var handler: KubeletRequestHandler?
        /// The largest request body read for ``handler`` (larger: 413).
        public var maximumRequestBody = 1 << 20

        public init() {}
    }

    public let options: Options
    let source: any CertificateSource
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let pool: NIOThreadPool
    let identities: IdentityCache
    let listener = NIOLockedValueBox<(any Channel)?>(nil)
    let trimmer = NIOLockedValueBox<RepeatedTask?>(nil)
    let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    public let counters: Counters
    let lastNoCertificateLog = NIOLockedValueBox<(at: NIODeadline, suppressed: Int)>((.distantPast, 0))

    /// How long a closing TLS connection waits for the peer's close_notify.
    static let shutdownTimeout: TimeAmount = .milliseconds(500)

    /// The TLS 1.2 suites offered, in preference order (OpenSSL cipher-string names).
    static let tls12CipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")


    public init(source: any CertificateSource, options: Options, logger: Logger) {
        self.source = source
        self.options = options
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        self.pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        self.pool.start()
        self.counters = Counters(factory: options.metricsFactory)
        self.identities = IdentityCache(pool: pool, counters: counters)
    }

    struct NoCertificate: Error, CustomStringConvertible {
        let description: String
    }

    func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [], privateKey: .privateKey(NIOSSLPrivateKey(customPrivateKey: PlaceholderKey())))
        configuration.privateKey = nil
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        // TLS 1.2: forward-secret ECDHE with AEAD only. The custom key cannot decrypt, so a TLS_RSA_* suite
        // would be negotiated and then fail; CBC suites are refused as Go's defaults and Mozilla's
        // "intermediate" profile refuse them. (TLS 1.3 suites are all AEAD and not configurable.)
        configuration.cipherSuites = Self.tls12CipherSuites
        // How long a closing connection waits for the peer's close_notify. swift-nio-ssl's default (5 s)
        // keeps each closed connection's handler, pipeline and 16 KiB read buffer alive for those 5 s in a
        // scheduled task: under connection churn (kube-apiserver opens one per exec/log/metrics call) that
        // was ≈ 6,000 dead connections and 100 MB of heap at 1,300 handshakes/s. Clients of the kubelet API
        // do not wait for our close_notify, so half a second is plenty.
        configuration.shutdownTimeout = Self.shutdownTimeout
        if let ca = options.clientCA {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            // With request authentication, a client certificate is one credential among others (bearer
            // tokens, anonymous): verified when sent, as the kubelet's TLS config (VerifyClientCertIfGiven).
            configuration.certificateVerification = options.access == nil ? .noHostnameVerification : .optionalVerification
        }
        let source = self.source
        let identities = self.identities
        configuration.sslContextCallback = { [self] _, promise in
            guard let identity = source.current() else {
                counters.recordNoCertificate()
                logNoCertificate(source.unavailableReason)
                promise.fail(NoCertificate(description: source.unavailableReason))
                return
            }
            do {
                promise.succeed(try identities.override(for: identity))
                counters.certificateSelections.add(1, ordering: .relaxed)
            } catch {
                promise.fail(error)
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The guide's log line, at most once per 10 seconds with the number of handshakes suppressed since.
    func logNoCertificate(_ reason: String) {
        let now = NIODeadline.now()
        let (log, suppressed) = lastNoCertificateLog.withLockedValue { state -> (Bool, Int) in
            if now - state.at >= .seconds(10) {
                let count = state.suppressed
                state = (now, 0)
                return (true, count)
            }
            state.suppressed += 1
            return (false, 0)
        }
        if log {
            logger.warning("TLS handshake refused: \(reason)", metadata: suppressed > 0 ? ["suppressed": "\(suppressed)"] : [:])
        }
    }

    /// Binds and starts accepting; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let context = try tlsContext()
        let server = self
        let upstream = try options.upstream.map(Self.parseHostPort)
        if upstream != nil, options.handler != nil {
            throw ConfigurationError(file: nil, key: "Upstream", "a request handler and an upstream exclude each other: relay to the provider, or answer in process")
        }
        let logger = self.logger
        // A fresh bootstrap per bind attempt: ServerBootstrap's option setters modify it in place, and the
        // IPv6-only option must not reach an IPv4 socket.
        let group = self.group
        let bootstrap = { ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    server.track(channel)
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(HandshakeCounter(counters: server.counters))
                    if let upstream {
                        let loop = channel.eventLoop
                        let relay = { ProxyHandler(upstreamHost: upstream.0, upstreamPort: upstream.1, group: loop) }
                        if let access = server.options.access {
                            try channel.pipeline.syncOperations.addHandler(RelayGate(access: access, makeRelay: relay))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(relay())
                        }
                    } else {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(KubeletAPIHandler(
                            access: server.options.access, handler: server.options.handler, maximumBody: server.options.maximumRequestBody, logger: logger
                        ))
                    }
                }
            }
        }
        let channel: any Channel
        var family = "IPv4 and IPv6"
        if options.host == "::" || options.host.isEmpty {
            // One socket for both families, as Go's listener does: IPV6_V6ONLY off, so IPv4 clients arrive
            // as ::ffff:a.b.c.d. Where the kernel has no IPv6, IPv4 alone.
            do {
                channel = try await bootstrap()
                    .serverChannelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 0)
                    .bind(host: "::", port: options.port).get()
            } catch {
                logger.info("IPv6 is not available; listening on IPv4 only", metadata: ["reason": "\(error)"])
                channel = try await bootstrap().bind(host: "0.0.0.0", port: options.port).get()
                family = "IPv4"
            }
        } else {
            channel = try await bootstrap().bind(host: options.host, port: options.port).get()
            family = options.host.contains(":") ? "IPv6" : "IPv4"
        }
        listener.withLockedValue { $0 = channel }
        let counters = self.counters
        trimmer.withLockedValue { $0 = HeapTrimmer.start(on: group.next(), every: .seconds(5)) { counters.connections.load(ordering: .relaxed) } }
        let port = channel.localAddress?.port ?? options.port
        let shown = options.host.isEmpty || options.host == "::" ? (family == "IPv4" ? "0.0.0.0" : "::") : options.host
        logger.info("serving the kubelet API over HTTPS", metadata: [
            "address": "\(shown.contains(":") ? "[\(shown)]" : shown):\(port)", "family": "\(family)", "upstream": "\(options.upstream ?? "built-in")",
        ])
        return port
    }

    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        counters.connections.add(1, ordering: .relaxed)
        connections.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { [connections] _ in connections.withLockedValue { _ = $0.removeValue(forKey: id) } }
    }

    static func parseHostPort(_ text: String) throws -> (String, Int) {
        guard let address = HostPort.parse(text, allowZeroPort: false), !address.host.isEmpty else {
            throw ConfigurationError(file: nil, key: "Upstream", "\"\(text)\" is not host:port")
        }
        return (address.host, address.port)
    }

    /// Stops accepting, lets open connections finish for up to `drainTimeout`, then closes the rest.
    public func shutdown() async {
        trimmer.withLockedValue { $0?.cancel(); $0 = nil }
        if let listener = listener.withLockedValue({ $0 }) { try? await listener.close() }
        let deadline = NIODeadline.now() + options.drainTimeout
        while NIODeadline.now() < deadline, !connections.withLockedValue({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for channel in connections.withLockedValue({ Array($0.values) }) { try? await channel.close() }
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// ServiceLifecycle: run until graceful shutdown, then drain.
    public func run() async throws {
        if listener.withLockedValue({ $0 }) == nil { try await start() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: .milliseconds(100))
            }
        } onGracefulShutdown: {}
        await shutdown()
    }
}

/// A key only used to build the base configuration; the real one comes from the callback per handshake.
struct PlaceholderKey: NIOSSLCustomPrivateKey, Hashable {
    var signatureAlgorithms: [SignatureAlgorithm] { [.rsaPssRsaeSha256] }
    struct Never: Error {}
    func sign(channel: any Channel, algorithm: SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(Never())
    }
    func decrypt(channel: any Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(Never())
    }
}

/// The kubelet-style API in process: the embedding provider's ``KubeletRequestHandler``, or the built-in
/// one (`/healthz` answers `ok`, everything else 404) — after ``KubeletAccessControl`` when configured
/// (the kubelet authorizes /healthz as `nodes/proxy`).
final class KubeletAPIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    let access: KubeletAccessControl?
    let handler: KubeletRequestHandler?
    let maximumBody: Int
    let logger: Logger?

    init(access: KubeletAccessControl? = nil, handler: KubeletRequestHandler? = nil, maximumBody: Int = 1 << 20, logger: Logger? = nil) {
        self.access = access
        self.handler = handler
        self.maximumBody = maximumBody
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(let chunk):
            // Only a handler reads bodies; the built-in API ignores them.
            guard handler != nil, !tooLarge else { return }
            if body.count + chunk.readableBytes > maximumBody {
                tooLarge = true
                body = []
            } else {
                body.append(contentsOf: chunk.readableBytesView)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let request = body
            body = []
            if tooLarge {
                return writeTextResponse(context: context, head: head, status: .payloadTooLarge, contentType: "text/plain; charset=utf-8",
                                         body: "request body over \(maximumBody) bytes\n")
            }
            guard let access else { return respond(context, head, request, user: nil) }
            let certificate = (try? context.pipeline.syncOperations.nioSSL_peerCertificate())?.flatMap { try? $0.toDERBytes() }
            let authorization = head.headers.first(name: "Authorization")
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: KubeletAccessControl.Verdict.self)
            promise.completeWithTask {
                await access.check(clientCertificate: certificate, authorization: authorization, method: head.method.rawValue, target: head.uri)
            }
            let respond = NIOLoopBound(self.respond, eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { verdict in
                let context = loopBound.value
                switch verdict {
                case .allow(let user): respond.value(context, head, request, user)
                case .deny(let status, let message):
                    writeTextResponse(context: context, head: head, status: HTTPResponseStatus(statusCode: status), contentType: "text/plain; charset=utf-8", body: message + "\n")
                }
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ body: [UInt8], user: KubeletAccessControl.User?) {
        guard let handler else { return Self.answer(context, head) }
        let request = KubeletRequest(
            method: head.method.rawValue, target: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body, user: user
        )
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: KubeletResponse.self)
        let logger = self.logger
        promise.completeWithTask {
            do {
                return try await handler(request)
            } catch {
                logger?.error("kubelet API handler failed", metadata: ["method": "\(request.method)", "path": "\(request.path)", "reason": "\(error)"])
                return KubeletResponse(status: 500, text: "Internal Server Error\n")
            }
        }
        promise.futureResult.whenSuccess { response in
            writeResponse(context: loopBound.value, head: head, response: response)
        }
    }

    static func answer(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let (status, body): (HTTPResponseStatus, String) = path == "/healthz" ? (.ok, "ok") : (.notFound, "404 page not found\n")
        writeTextResponse(context: context, head: head, status: status, contentType: "text/plain; charset=utf-8", body: body)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
