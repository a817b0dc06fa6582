// SPDX-License-Identifier: Apache-2.0

/// One request to the kubelet API as an embedding provider's handler sees it: after TLS and, when
/// ``KubeletServer/Options/access`` is set, after the kubelet's authentication and authorization (then
/// ``user`` is who made it). The body is read whole, up to ``KubeletServer/Options/maximumRequestBody``.
public struct KubeletRequest: Sendable {
    public let method: String
    /// Path and query, as sent (`/containerLogs/ns/pod/c?tailLines=10`).
    public let target: String
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    public let user: KubeletAccessControl.User?

    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The handler's answer, written whole with `Content-Length`.
public struct KubeletResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", text: String) {
        self.init(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}

/// What answers kubelet API requests in place of the built-in `/healthz`-only handler, for a provider
/// that embeds the server (README "Embedding"). Request/response only: a provider that streams (exec,
/// attach, port-forward, followed logs) relays to its own HTTP server with ``KubeletServer/Options/upstream``.
/// A thrown error answers 500 with no detail (the error is logged).
public typealias KubeletRequestHandler = @Sendable (KubeletRequest) async throws -> KubeletResponse
