// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import NIOCore
import VKKubeAPI
import NIOSSL

/// Authenticates and authorizes a connection's request before any byte reaches the upstream (the
/// provider): reads the request head (at most `maximumHead` bytes), asks ``KubeletAccessControl``, then
/// either answers 401/403/500 as the kubelet does and closes, or installs the byte relay and hands it the
/// bytes read so far. One request per connection: a plain request is forwarded with `Connection: close`
/// (so the upstream ends the connection after answering and a second, unauthorized request cannot follow
/// on it); an Upgrade (exec, attach, port-forward) is authorized as the kubelet authorizes it, once, and
/// the upgraded stream is relayed as is.
package final class RelayGate: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    let access: KubeletAccessControl
    let makeRelay: () -> ProxyHandler
    private var buffered: ByteBuffer?
    private var deciding = false
    /// How many buffered bytes are known not to end the head: each read scans only what is new, so a
    /// head sent a byte at a time costs linear, not quadratic, work.
    private var scanned = 0
    /// Set once a refusal is written: later bytes are dropped.
    private var refused = false

    static let maximumHead = 16 << 10
    /// What may be buffered while the decision is pending.
    static let maximumPending = 1 << 20

    init(access: KubeletAccessControl, makeRelay: @escaping () -> ProxyHandler) {
        self.access = access
        self.makeRelay = makeRelay
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        if deciding {
            // Bytes that follow the head while the review runs (a body, an upgraded stream) wait, up to a bound.
            if buffered!.readableBytes > Self.maximumPending { reject(context, status: 413, message: "Request Entity Too Large") }
            return
        }
        guard let bytes = buffered else { return }
        guard let end = Self.endOfHead(bytes.readableBytesView, from: scanned) else {
            scanned = bytes.readableBytes
            if bytes.readableBytes > Self.maximumHead { reject(context, status: 431, message: "Request Header Fields Too Large") }
            return
        }
        guard let request = RequestHead(bytes.readableBytesView.prefix(end)) else {
            reject(context, status: 400, message: "Bad Request")
            return
        }
        deciding = true
        let certificate = (try? context.pipeline.syncOperations.nioSSL_peerCertificate())?.flatMap { try? $0.toDERBytes() }
        let access = self.access
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: KubeletAccessControl.Verdict.self)
        promise.completeWithTask {
            await access.check(clientCertificate: certificate, authorization: request.authorization, method: request.method, target: request.target)
        }
        promise.futureResult.whenSuccess { verdict in
            let (gate, context) = loopBound.value
            switch verdict {
            case .deny(let status, let message):
                gate.reject(context, status: status, message: message)
            case .allow:
                gate.admit(context, request: request, headLength: end)
            }
        }
    }

    /// Installs the relay, hands it the (rewritten) head and whatever followed, and steps aside.
    func admit(_ context: ChannelHandlerContext, request: RequestHead, headLength: Int) {
        guard var bytes = buffered else { return }
        buffered = nil
        var forwarded = context.channel.allocator.buffer(capacity: bytes.readableBytes + 32)
        if request.isUpgrade {
            forwarded.writeBuffer(&bytes)
        } else {
            forwarded.writeString(request.closingHead)
            bytes.moveReaderIndex(forwardBy: headLength)
            forwarded.writeBuffer(&bytes)
        }
        do {
            try context.pipeline.syncOperations.addHandler(makeRelay(), position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(forwarded))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func reject(_ context: ChannelHandlerContext, status: Int, message: String) {
        guard !refused else { return }
        refused = true
        buffered = nil
        let reason = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 413: "Request Entity Too Large", 431: "Request Header Fields Too Large"][status] ?? "Internal Server Error"
        let body = message + "\n"
        let response = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response))).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }

    /// The index just past the blank line ending the head, if it has arrived; `start` bytes are known
    /// not to contain its end (only the three before them are looked at again).
    package static func endOfHead(_ bytes: some RandomAccessCollection<UInt8>, from start: Int = 0) -> Int? {
        let limit = maximumHead + 4
        let from = min(max(0, start - 3), limit)
        let window = Array(bytes.dropFirst(from).prefix(limit - from))
        guard window.count >= 4 else { return nil }
        for i in 3..<window.count where window[i] == 10 && window[i - 1] == 13 && window[i - 2] == 10 && window[i - 3] == 13 {
            return from + i + 1
        }
        return nil
    }

    /// The parts of an HTTP/1.1 request head the gate needs. Strict where a lenient reading would let a
    /// request past the gate that the upstream reads differently (request smuggling): lines end in CRLF
    /// only — a bare CR or LF, a NUL, or an obs-fold continuation line refuses the request (RFC 9112 §2.2,
    /// §5.2), since an upstream that takes a bare LF as a line end would see a header the gate did not.
    package struct RequestHead: Sendable {
        package let method: String
        package let target: String
        package let version: String
        /// Header lines as received (name, value), in order.
        package let headers: [(String, String)]

        package init?(_ bytes: some Collection<UInt8>) {
            let text = String(decoding: bytes, as: UTF8.self)
            var lines = text.components(separatedBy: "\r\n")
            while lines.last == "" { lines.removeLast() }
            guard lines.allSatisfy({ line in !line.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" } }),
                  lines.dropFirst().allSatisfy({ $0.first != " " && $0.first != "\t" }) else { return nil }
            guard let requestLine = lines.first else { return nil }
            let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }),
                  parts[1].hasPrefix("/"), parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else { return nil }
            method = String(parts[0])
            target = String(parts[1])
            version = String(parts[2])
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                      !line[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpacesAndTabs))
            }
            self.headers = headers
        }

        package func values(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }

        package var authorization: String? { values("Authorization").first }

        /// `Connection: upgrade` with an `Upgrade` header (SPDY/3.1 or websocket for exec and attach).
        package var isUpgrade: Bool {
            !values("Upgrade").isEmpty
                && values("Connection").flatMap { $0.split(separator: ",") }.contains { $0.trimmingSpacesAndTabs.lowercased() == "upgrade" }
        }

        /// The head with every Connection header replaced by `Connection: close`.
        package var closingHead: String {
            var out = "\(method) \(target) \(version)\r\n"
            for (name, value) in headers where name.lowercased() != "connection" {
                out += "\(name): \(value)\r\n"
            }
            return out + "Connection: close\r\n\r\n"
        }
    }
}
