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

    init(counters: KubeletServer.Counters) {
        self.counters = counters
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !settled, case TLSUserEvent.handshakeCompleted = event {
            settled = true
            counters.handshakes.add(1, ordering: .relaxed)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failIfUnsettled()
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failIfUnsettled()
        context.fireChannelInactive()
    }

    private func failIfUnsettled() {
        guard !settled else { return }
        settled = true
        counters.handshakeFailures.add(1, ordering: .relaxed)
    }
}
