// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix

/// Relays a decrypted connection byte for byte to the upstream (the provider's plain-HTTP server), so
/// HTTP upgrades (exec, attach, port-forward) and streamed logs pass unchanged. Data that arrives before
/// the upstream connection is up is buffered; either side closing closes both.
final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let upstreamHost: String
    let upstreamPort: Int
    let group: any EventLoop
    private var upstream: (any Channel)?
    private var pending: [ByteBuffer] = []
    private var closed = false

    init(upstreamHost: String, upstreamPort: Int, group: any EventLoop) {
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.group = group
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let downstream = context.channel
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RelayBackHandler(downstream: downstream))
                }
            }
            .connect(host: upstreamHost, port: upstreamPort)
            .whenComplete { result in
                let (handler, context) = loopBound.value
                switch result {
                case .success(let channel):
                    if handler.closed {
                        channel.close(promise: nil)
                        return
                    }
                    handler.upstream = channel
                    for buffer in handler.pending { channel.write(buffer, promise: nil) }
                    handler.pending.removeAll()
                    channel.flush()
                case .failure:
                    context.close(promise: nil)
                }
            }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let upstream {
            upstream.writeAndFlush(buffer, promise: nil)
        } else {
            pending.append(buffer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Upstream → client direction.
final class RelayBackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let downstream: any Channel

    init(downstream: any Channel) {
        self.downstream = downstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        downstream.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        downstream.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
