// SPDX-License-Identifier: Apache-2.0
//
// A small HTTP/1.1 client on SwiftNIO + swift-nio-ssl for the Kubernetes API: one connection per
// request (the CSR workflow makes a handful of calls and one long watch), TLS with the kubeconfig's CA,
// client certificates, and streamed bodies for watches. (AsyncHTTPClient would be the usual choice,
// but its dependency swift-nio-extras pulls in swift-certificates, whose `X509` module name collides
// with ours in the package graph.)

import FoundationEssentials
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

struct HTTPResponse: Sendable {
    let status: Int
    let headers: [(String, String)]
    let body: Data
}

final class HTTPTransport: Sendable {
    let group: MultiThreadedEventLoopGroup
    let scheme: String
    let host: String
    let port: Int
    let serverHostname: String?
    /// The TLS context new connections use; replaced when the client certificate rotates.
    private let tlsContext: NIOLockedValueBox<NIOSSLContext?>
    /// Set once by `shutdown()`. Every call that hands work to the event loop from outside it checks this
    /// under the same lock first: NIO drops work scheduled on a shut-down loop, so a request racing
    /// `shutdown()` (a manager's watch finishing after its owner shut the client down) would otherwise
    /// wait forever on a promise nobody fulfils, or trip NIO's leaked-promise check in debug builds.
    private let closed = NIOLockedValueBox(false)

    init(server: String, tls: TLSConfiguration, tlsServerName: String?) throws {
        guard let url = URL(string: server), let scheme = url.scheme, let host = url.host else {
            throw KubeAPIError(.configuration, "server \"\(server)\" is not a URL")
        }
        guard scheme == "https" || scheme == "http" else { throw KubeAPIError(.configuration, "server scheme \(scheme) is not http or https") }
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
        self.tlsContext = NIOLockedValueBox(scheme == "https" ? try NIOSSLContext(configuration: tls) : nil)
        self.baseTLS = tls
        let isIP = self.host.contains(":") || self.host.split(separator: ".").allSatisfy { Int($0) != nil }
        self.serverHostname = tlsServerName ?? (isIP ? nil : self.host)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    let baseTLS: TLSConfiguration

    /// New connections present `chain` and `key` (earlier ones finish with the old pair): client
    /// certificate rotation, as client-go's cert-rotating dialer.
    func useClientCertificate(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) throws {
        guard scheme == "https" else { return }
        var tls = baseTLS
        tls.certificateChain = chain.map { .certificate($0) }
        tls.privateKey = .privateKey(key)
        let context = try NIOSSLContext(configuration: tls)
        tlsContext.withLockedValue { $0 = context }
    }

    func shutdown() async {
        let first = closed.withLockedValue { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        if first { try? await group.shutdownGracefully() }
    }

    /// Runs `body`, which hands work to the event loop, only while the client is open.
    private func whileOpen<T>(_ body: () throws -> T) throws -> T {
        try closed.withLockedValue { isClosed in
            guard !isClosed else { throw KubeAPIError(.transport, "the Kubernetes client has been shut down") }
            return try body()
        }
    }

    /// Runs `body` unless the client is shut down: for work that shutdown has made moot (closing a channel
    /// shutdown closed, cancelling a timer it cancelled).
    func ifOpen(_ body: () -> Void) {
        closed.withLockedValue { isClosed in
            if !isClosed { body() }
        }
    }

    /// Closes `channel` unless the client is shut down (which closed every channel already).
    func close(_ channel: any Channel) {
        ifOpen { channel.close(promise: nil) }
    }

    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (scheme == "https" && port == 443) || (scheme == "http" && port == 80) ? h : "\(h):\(port)"
    }

    /// Opens a connection and sends one request; `sink` receives the response head, body chunks and end.
    /// `connected` gets the channel as soon as TCP is up, before the TLS handshake and the write, so a
    /// caller's deadline can close it if either stalls.
    private func open(method: String, target: String, headers: [(String, String)], body: Data?, sink: ResponseSink,
                      connected: @Sendable (any Channel) -> Void = { _ in }) async throws -> any Channel {
        let context = tlsContext.withLockedValue { $0 }
        let hostname = serverHostname
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseHandler(sink: sink))
                }
            }
        let channel: any Channel
        do {
            channel = try await whileOpen { bootstrap.connect(host: host, port: port) }.get()
        } catch let error as KubeAPIError {
            throw error
        } catch {
            throw KubeAPIError(.transport, "cannot connect to \(scheme)://\(hostHeader): \(error)")
        }
        connected(channel)
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: "vkcert/0.1")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body { head.headers.add(name: "Content-Length", value: String(body.count)) }
        do {
            let written = try whileOpen {
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                if let body {
                    var buffer = channel.allocator.buffer(capacity: body.count)
                    buffer.writeBytes(body)
                    channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
                }
                return channel.writeAndFlush(HTTPClientRequestPart.end(nil))
            }
            try await written.get()
        } catch let error as KubeAPIError {
            throw sink.failure ?? error
        } catch {
            // The deadline closed the channel during the handshake or the write: report why.
            throw sink.failure ?? KubeAPIError(.transport, "\(method) \(target): \(error)")
        }
        return channel
    }

    /// A deadline for one exchange: when it passes, `sink` fails with a timeout and the channel (once
    /// connected) is closed — covering the TLS handshake and the request write as well as the response.
    private final class Deadline: Sendable {
        private let channel = NIOLockedValueBox<(any Channel)?>(nil)
        private let expired = NIOLockedValueBox(false)
        private let task: Scheduled<Void>
        private let transport: HTTPTransport

        /// Schedules on `loop`: create it only while the transport is open (`whileOpen`).
        init(_ transport: HTTPTransport, loop: any EventLoop, seconds: TimeInterval, sink: ResponseSink, what: String) {
            self.transport = transport
            let channel = self.channel, expired = self.expired
            task = loop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                expired.withLockedValue { $0 = true }
                sink.fail(KubeAPIError(.timeout, "\(what): no response within \(Int(seconds)) s"))
                channel.withLockedValue { $0 }?.close(promise: nil)
            }
        }

        func attach(_ connected: any Channel) {
            channel.withLockedValue { $0 = connected }
            if expired.withLockedValue({ $0 }) { transport.close(connected) }
        }

        func cancel() { transport.ifOpen { task.cancel() } }
    }

    /// One request, whole response, bounded by `timeout` seconds (connect, handshake, write and response)
    /// and a 16 MiB body.
    func send(method: String, target: String, headers: [(String, String)], body: Data?, timeout: TimeInterval) async throws -> HTTPResponse {
        let sink = ResponseSink()
        let deadline = try whileOpen { Deadline(self, loop: group.next(), seconds: timeout, sink: sink, what: "\(method) \(target)") }
        defer { deadline.cancel() }
        let channel = try await open(method: method, target: target, headers: headers, body: body, sink: sink, connected: { deadline.attach($0) })
        let response = try await sink.response()
        close(channel)
        return response
    }

    /// One request whose body is delivered as it arrives, line by line (NDJSON watch streams); the
    /// response head must arrive within `headTimeout` seconds.
    func streamLines(method: String, target: String, headers: [(String, String)], headTimeout: TimeInterval = 30) async throws -> (status: Int, lines: AsyncThrowingStream<Data, any Error>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let sink = ResponseSink(streaming: continuation)
        let deadline = try whileOpen { Deadline(self, loop: group.next(), seconds: headTimeout, sink: sink, what: "\(method) \(target)") }
        let channel: any Channel
        let status: Int
        do {
            channel = try await open(method: method, target: target, headers: headers, body: nil, sink: sink, connected: { deadline.attach($0) })
            status = try await sink.statusCode()
        } catch {
            deadline.cancel()
            throw error
        }
        deadline.cancel()
        continuation.onTermination = { [self] _ in close(channel) }
        return (status, stream, { [self] in close(channel) })
    }
}

/// Collects a response (or streams its body as lines) and hands it to an awaiting caller.
final class ResponseSink: @unchecked Sendable {
    // @unchecked: all state is touched on the channel's event loop, except the continuations, which are
    // resumed exactly once under `lock`.
    private let lock = NIOLock()
    private var status: Int?
    private var headers: [(String, String)] = []
    private var body = Data()
    private var lines = LineSplitter(limit: maximumBody)
    private var finished = false
    private var error: (any Error)?
    private var responseWaiter: CheckedContinuation<HTTPResponse, any Error>?
    private var statusWaiter: CheckedContinuation<Int, any Error>?
    private let streaming: AsyncThrowingStream<Data, any Error>.Continuation?
    static let maximumBody = 16 << 20

    init(streaming: AsyncThrowingStream<Data, any Error>.Continuation? = nil) {
        self.streaming = streaming
    }

    func head(_ head: HTTPResponseHead) {
        lock.lock()
        status = Int(head.status.code)
        headers = head.headers.map { ($0.name, $0.value) }
        let waiter = statusWaiter
        statusWaiter = nil
        lock.unlock()
        waiter?.resume(returning: Int(head.status.code))
    }

    func chunk(_ buffer: ByteBuffer) {
        lock.lock()
        defer { lock.unlock() }
        if let streaming {
            do {
                try lines.append(buffer.readableBytesView) { streaming.yield($0) }
            } catch {
                streaming.finish(throwing: error)
            }
        } else if body.count + buffer.readableBytes <= Self.maximumBody {
            body.append(contentsOf: buffer.readableBytesView)
        } else {
            error = KubeAPIError(.decoding, "response body larger than 16 MiB")
        }
    }

    func end() {
        finish(nil)
    }

    /// The error the exchange failed with, if it did.
    var failure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    func fail(_ error: any Error) {
        finish(error)
    }

    private func finish(_ failure: (any Error)?) {
        lock.lock()
        guard !finished else {
            lock.unlock()
            return
        }
        finished = true
        if let failure, error == nil { error = failure }
        let result: Result<HTTPResponse, any Error>
        if let error { result = .failure(error) } else if let status { result = .success(HTTPResponse(status: status, headers: headers, body: body)) } else {
            result = .failure(KubeAPIError(.transport, "connection closed before a response arrived"))
        }
        let waiter = responseWaiter
        responseWaiter = nil
        let statusWaiter = self.statusWaiter
        self.statusWaiter = nil
        let trailing = lines.remainder()
        lock.unlock()
        if let streaming {
            if let trailing { streaming.yield(trailing) }
            if let error = failure, !(error is ChannelError) { streaming.finish(throwing: error) } else { streaming.finish() }
        }
        waiter?.resume(with: result)
        // A status waiter still pending at the end means no response head ever arrived.
        statusWaiter?.resume(throwing: failure ?? KubeAPIError(.transport, "connection closed before a response arrived"))
    }

    func response() async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if finished {
                lock.unlock()
                if let error { continuation.resume(throwing: error) } else if let status {
                    continuation.resume(returning: HTTPResponse(status: status, headers: headers, body: body))
                } else {
                    continuation.resume(throwing: KubeAPIError(.transport, "connection closed before a response arrived"))
                }
                return
            }
            responseWaiter = continuation
            lock.unlock()
        }
    }

    func statusCode() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let status {
                lock.unlock()
                continuation.resume(returning: status)
                return
            }
            if finished {
                lock.unlock()
                continuation.resume(throwing: error ?? KubeAPIError(.transport, "connection closed before a response arrived"))
                return
            }
            statusWaiter = continuation
            lock.unlock()
        }
    }
}

final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let sink: ResponseSink

    init(sink: ResponseSink) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): sink.head(head)
        case .body(let buffer): sink.chunk(buffer)
        case .end: sink.end()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sink.fail(KubeAPIError(.transport, "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        sink.fail(KubeAPIError(.transport, "\(error)"))
        context.close(promise: nil)
    }
}

/// Splits a streamed body into newline-terminated lines (watch events are one JSON object per line).
/// Empty lines are skipped; a line that grows past `limit` without a newline is refused, and the
/// splitter then drops everything after it (the stream is finished by the caller).
package struct LineSplitter: Sendable {
    package let limit: Int
    private var pending: [UInt8] = []
    private var overflowed = false

    package init(limit: Int) {
        self.limit = limit
    }

    /// Appends `bytes`, handing every completed line to `emit`.
    package mutating func append(_ bytes: some Collection<UInt8>, _ emit: (Data) -> Void) throws(KubeAPIError) {
        guard !overflowed else { return }
        var start = pending.count
        pending.append(contentsOf: bytes)
        var lineStart = 0
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            if newline > lineStart { emit(Data(pending[lineStart..<newline])) }
            lineStart = newline + 1
            start = lineStart
        }
        pending.removeFirst(lineStart)
        if pending.count > limit {
            overflowed = true
            pending = []
            throw KubeAPIError(.decoding, "watch event larger than \(limit >> 20) MiB")
        }
    }

    /// The unterminated last line, if any.
    package func remainder() -> Data? {
        pending.isEmpty ? nil : Data(pending)
    }
}
