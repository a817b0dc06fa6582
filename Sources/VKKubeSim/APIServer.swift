// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The emulated API server: SwiftNIO HTTP/1.1, optionally TLS, in front of an ``APIRouter``.
///
/// Authentication on both listeners (``Authenticator``): a verified TLS client certificate or a bearer
/// token; credentials that do not verify are a 401. A request without credentials is `system:anonymous`
/// when an authorizer is in force (kube-apiserver's `--anonymous-auth` default; the apiserver disables
/// anonymous requests under AlwaysAllow, and so does the emulator: 401 over TLS). Over plain HTTP without
/// credentials, `insecureUser` (when set) stands in for the pre-1.20 insecure port that older tests use.
public final class APIServer: Sendable {
    public let router: APIRouter
    let tlsContext: NIOSSLContext?
    public let authenticator: Authenticator
    let insecureUser: UserInfo?
    let group: MultiThreadedEventLoopGroup
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    /// Fault injection for tests: the next N requests fail with 503 / lose their connection / wait.
    public let faults = NIOLockedValueBox(Faults())

    public struct Faults: Sendable {
        /// Requests still to answer with 503 ServiceUnavailable (before any processing).
        public var serverErrors = 0
        /// Requests still to drop: processed, then the connection is closed without a response
        /// (a lost answer, the case that must not cause duplicate creates).
        public var dropsAfterProcessing = 0
        /// Delay added to every response.
        public var latency: TimeAmount = .zero
        /// Close every watch stream this long after it starts (a dropped stream the client must resume).
        public var watchLifetime: TimeAmount?
        public init() {}
    }

    public init(router: APIRouter, tls: NIOSSLContext?, authenticator: Authenticator, insecureUser: UserInfo? = .admin) {
        self.router = router
        self.tlsContext = tls
        self.authenticator = authenticator
        self.insecureUser = insecureUser
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Binds and starts serving; returns the bound port (pass 0 for any free port).
    public func start(host: String, port: Int) async throws -> Int {
        let tls = tlsContext
        let server = self
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(APIChannelHandler(server: server))
                }
            }
        let bound = try await bootstrap.bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    public func stop() async {
        if let channel = channel.withLockedValue({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    /// The requester, or nil for a 401.
    func user(authorization: String?, clientCertificate: [UInt8]?) -> UserInfo? {
        switch authenticator.authenticate(authorization: authorization, clientCertificate: clientCertificate) {
        case .authenticated(let user): return user
        case .rejected: return nil
        case .anonymous:
            if tlsContext == nil, let insecureUser { return insecureUser }
            return router.authorizer == nil ? nil : .anonymous
        }
    }
}

/// One connection: collects a request, routes it, writes the response; serves watches as chunked NDJSON.
package final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPServerRequestPart
    package typealias OutboundOut = HTTPServerResponsePart

    let server: APIServer
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var watchID: UUID?
    private var secretWatchID: UUID?
    /// The DER of the connection's verified client certificate ([] when it sent none), read once.
    private var clientCertificate: [UInt8]?

    /// Request bodies larger than this are refused (413): a CSR object is a few KiB.
    static let maximumBody = 4 << 20

    package init(server: APIServer) {
        self.server = server
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            // After a 413 the rest of that request's body is dropped (the connection is closing).
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > Self.maximumBody {
                respond(context: context, status: 413, contentType: "application/json", data: Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"request entity too large","reason":"RequestEntityTooLarge","code":413}"#.utf8), keepAlive: false)
                head = nil
                body = nil
                return
            }
            body?.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            handle(context: context, head: head, body: body.map { Array($0.readableBytesView) } ?? [])
        }
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let keepAlive = head.isKeepAlive
        if clientCertificate == nil, server.tlsContext != nil {
            clientCertificate = ((try? context.pipeline.syncOperations.nioSSL_peerCertificate())?.flatMap { try? $0.toDERBytes() }) ?? []
        }
        let certificate = clientCertificate.flatMap { $0.isEmpty ? nil : $0 }
        guard let user = server.user(authorization: head.headers.first(name: "authorization"), clientCertificate: certificate) else {
            let status = APIStatus.unauthorized()
            respond(context: context, status: 401, contentType: "application/json", data: (try? KubeJSON.encoder().encode(status)) ?? Data(), keepAlive: keepAlive)
            return
        }
        var request = APIRequest(
            method: head.method.rawValue, target: head.uri, accept: head.headers.first(name: "accept") ?? "application/json",
            contentType: head.headers.first(name: "content-type") ?? "", body: body, user: user,
            impersonation: Impersonation.from(user: head.headers.first(name: "impersonate-user"), groups: head.headers["impersonate-group"],
                                              uid: head.headers.first(name: "impersonate-uid"))
        )
        request.userAgent = head.headers.first(name: "user-agent") ?? ""
        let fault = server.faults.withLockedValue { f -> (error: Bool, drop: Bool, latency: TimeAmount) in
            let error = f.serverErrors > 0
            if error { f.serverErrors -= 1 }
            let drop = !error && f.dropsAfterProcessing > 0
            if drop { f.dropsAfterProcessing -= 1 }
            return (error, drop, f.latency)
        }
        if fault.error {
            let status = APIStatus(code: 503, reason: "ServiceUnavailable", message: "injected fault: the server is currently unable to handle the request")
            respond(context: context, status: 503, contentType: "application/json", data: (try? KubeJSON.encoder().encode(status)) ?? Data(), keepAlive: keepAlive)
            return
        }
        let response = server.router.handle(request)
        if fault.drop {
            context.close(promise: nil)
            return
        }
        if fault.latency > .zero, case .body = response {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: fault.latency) {
                let (handler, context) = loopBound.value
                handler.deliver(response, context: context, keepAlive: keepAlive)
            }
            return
        }
        deliver(response, context: context, keepAlive: keepAlive)
    }

    private func deliver(_ response: APIResponse, context: ChannelHandlerContext, keepAlive: Bool) {
        switch response {
        case .body(let status, let contentType, let data):
            respond(context: context, status: status, contentType: contentType, data: data, keepAlive: keepAlive)
        case .watch(let watch):
            startWatch(context: context, watch)
        }
    }

    private func respond(context: ChannelHandlerContext, status: Int, contentType: String, data: Data, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(data.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: data.count)
        buffer.writeBytes(data)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func startWatch(context: ChannelHandlerContext, _ watch: WatchRequest) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        // The stream ends by closing the connection: say so, or a client's pool may reuse the dead
        // connection for its next request (urllib3 did: "Remote end closed connection without response").
        headers.add(name: "Connection", value: "close")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let channel = context.channel
        let loop = context.eventLoop
        let store = server.router.store
        let encoder = KubeJSON.encoder()
        // Once the response's end is written nothing more may be: the channel stays active until the close
        // that follows completes, and an event or bookmark sent in between was a body part after the end,
        // which NIO's HTTPServerProtocolErrorHandler traps on (precondition, in release builds too).
        let ended = NIOLoopBoundBox(false, eventLoop: loop)
        let send: @Sendable (Data) -> Void = { line in
            loop.execute {
                guard channel.isActive, !ended.value else { return }
                var buffer = channel.allocator.buffer(capacity: line.count + 1)
                buffer.writeBytes(line)
                buffer.writeString("\n")
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
        }
        let finish: @Sendable () -> Void = {
            loop.execute {
                guard !ended.value else { return }
                ended.value = true
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
            }
        }
        let secrets = server.router.secrets
        do {
            let table = watch.table
            let now: @Sendable () -> Date = { store.clock.now() }
            if case .secrets(let namespace) = watch.source {
                secretWatchID = try secrets.subscribe(from: watch.resourceVersion, namespace: namespace, selector: watch.selector) { event in
                    send((try? encoder.encode(WatchEvent(type: event.type, object: event.object))) ?? Data())
                }
            } else {
                watchID = try store.subscribe(from: watch.resourceVersion, selector: watch.selector) { event in
                    let line: Data
                    if table {
                        let object = (try? AnyJSON.parse(CSRTable.table([event.object], resourceVersion: String(event.resourceVersion), now: now()))) ?? [:]
                        line = (try? AnyJSON.data(["type": event.type, "object": object])) ?? Data()
                    } else {
                        line = (try? encoder.encode(WatchEvent(type: event.type, object: event.object))) ?? Data()
                    }
                    send(line)
                }
            }
        } catch {
            // Too old a resourceVersion and similar: an ERROR event with the Status, then the end.
            let status = error
            struct ErrorEvent: Encodable { let type: String; let object: APIStatus }
            send((try? encoder.encode(ErrorEvent(type: "ERROR", object: status))) ?? Data())
            finish()
            return
        }
        if let lifetime = server.faults.withLockedValue({ $0.watchLifetime }) {
            loop.scheduleTask(in: lifetime) { channel.close(promise: nil) }
        }
        if watch.allowBookmarks && !watch.table {
            // The watch cache's cadence (k8s.io/apiserver pkg/storage/cacher: bookmarkFrequency = 1 minute,
            // and cacheWatcher.nextBookmarkTime aims one at deadline − 2 s so the client ends with a fresh RV).
            let isSecrets: Bool
            if case .secrets = watch.source { isSecrets = true } else { isSecrets = false }
            let bookmark: @Sendable () -> Void = {
                let json: String
                if isSecrets {
                    let rv = String(secrets.currentResourceVersion)
                    json = #"{"type":"BOOKMARK","object":{"kind":"Secret","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)","creationTimestamp":null}}}"#
                } else {
                    let rv = String(store.currentResourceVersion)
                    json = #"{"type":"BOOKMARK","object":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"resourceVersion":"\#(rv)","creationTimestamp":null},"spec":{"request":null,"signerName":""},"status":{}}}"#
                }
                send(Data(json.utf8))
            }
            let periodic = loop.scheduleRepeatedTask(initialDelay: Self.bookmarkFrequency, delay: Self.bookmarkFrequency) { _ in bookmark() }
            channel.closeFuture.whenComplete { _ in periodic.cancel() }
            if let seconds = watch.timeoutSeconds, seconds > 2 {
                let final = loop.scheduleTask(in: .seconds(Int64(seconds) - 2)) { bookmark() }
                channel.closeFuture.whenComplete { _ in final.cancel() }
            }
        }
        if let seconds = watch.timeoutSeconds, seconds > 0 {
            loop.scheduleTask(in: .seconds(Int64(seconds))) { finish() }
        }
    }

    /// How often a watch that allows bookmarks gets one.
    static let bookmarkFrequency: TimeAmount = .seconds(60)

    package func channelInactive(context: ChannelHandlerContext) {
        if let id = watchID { server.router.store.unsubscribe(id) }
        if let id = secretWatchID { server.router.secrets.unsubscribe(id) }
        watchID = nil
        secretWatchID = nil
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
