// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// Writes a complete response (head, body, end) with its `Content-Length`, closing the connection when
/// the client did not ask for keep-alive. Shared by the kubelet API (built-in or an embedding provider's
/// handler) and the metrics listener. `Content-Length`, `Transfer-Encoding` and `Connection` are ours to
/// set: a handler's own are dropped, so the framing always matches the body.
func writeResponse(context: ChannelHandlerContext, head: HTTPRequestHead, response: KubeletResponse) {
    var headers = HTTPHeaders()
    for (name, value) in response.headers where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
        headers.add(name: name, value: value)
    }
    headers.add(name: "Content-Length", value: String(response.body.count))
    if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
    let status = HTTPResponseStatus(statusCode: response.status)
    context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
    if head.method != .HEAD {
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
    }
    let keepAlive = head.isKeepAlive
    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { [channel = context.channel] _ in
        if !keepAlive { channel.close(promise: nil) }
    }
}

func writeTextResponse(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, contentType: String, body: String) {
    writeResponse(context: context, head: head, response: KubeletResponse(status: Int(status.code), contentType: contentType, text: body))
}
