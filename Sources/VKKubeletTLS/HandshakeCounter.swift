// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOSSL
import NIOTLS

/// Sits after the TLS handler and counts how each connection's handshake ended: completed (the
/// `handshakeCompleted` user event) or failed (an error or a close before it). Everything passes through.
final class HandshakeCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let counters: KubeletServer.Counters
    private var settled = false
    /// When the connection was accepted (the handler is added in the child channel's initializer).
    private var accepted = NIODeadline.now()

    init(counters: KubeletServer.Counters) {
        self.counters = counters
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !settled, case TLSUserEvent.handshakeCompleted = event {
            settled = true
            counters.recordCompleted(nanoseconds: (NIODeadline.now() - accepted).nanoseconds)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        accepted = NIODeadline.now()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failIfUnsettled(HandshakeFailureReason.classify(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failIfUnsettled(.closed)
        context.fireChannelInactive()
    }

    private func failIfUnsettled(_ reason: HandshakeFailureReason) {
        guard !settled else { return }
        settled = true
        counters.recordFailed(reason)
    }
}
