// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the emulator's HTTP connection handling. Raw bytes go through the server's real
// pipeline (NIO's HTTP/1.1 decoder with error handling, then the emulator's own handler: body collection
// and its 4 MiB limit, authentication, impersonation, authorization, routing, watch set-up, response writing) on an
// EmbeddedChannel, in two writes split where the first byte says, then the connection closes.

import VKKubeAPI
import VKKubeSim
import NIOCore
import NIOEmbedded
import NIOHTTP1

// One server for the whole run (each APIServer owns an event-loop thread). Without TLS a request without
// credentials is the admin's (the insecure port), which reaches the most code; bearer tokens (one node's,
// unknown ones: 401) and Impersonate-* headers go through authentication and the Node,RBAC chain.
private let server = APIServer(
    router: APIRouter(store: CSRStore(), address: "127.0.0.1:6443", authorizer: AuthorizerChain.standard(rbac: RBACAuthorizer(policy: RBACPolicy()))),
    tls: nil, authenticator: Authenticator(tokens: ["fuzz-node": .node("fuzz")])
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIServer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(APIChannelHandler(server: server))
        let rest = bytes.dropFirst()
        let split = rest.startIndex + min(rest.count, Int(first))
        for part in [rest[..<split], rest[split...]] where !part.isEmpty {
            try channel.writeInbound(channel.allocator.buffer(bytes: part))
            channel.embeddedEventLoop.run()
            while let _ = try channel.readOutbound(as: ByteBuffer.self) {}
        }
    } catch {
        // Protocol errors end the connection; that is the expected outcome for most inputs.
    }
    channel.embeddedEventLoop.run()
    _ = try? channel.finish()
    return 0
}
