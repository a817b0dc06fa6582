// SPDX-License-Identifier: Apache-2.0

/// The authorization attributes of one call to the kubelet API, as the kubelet derives them
/// (pkg/kubelet/server/auth.go, nodeAuthorizerAttributesGetter.GetRequestAttributes): resource `nodes`,
/// name = the node, API version v1, verb from the HTTP method (POST create, GET get, PUT update, PATCH
/// patch, DELETE delete; any other method, HEAD included, has no verb and is not authorized), subresource
/// `stats`, `metrics` or `log` for paths under /stats, /metrics and /logs, `proxy` for everything else.
public struct KubeletRequestAttributes: Sendable, Hashable {
    public let verb: String
    public let subresource: String

    public init(method: String, path: String) {
        switch method {
        case "POST": verb = "create"
        case "GET": verb = "get"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = ""
        }
        if Self.isSubpath(path, "/stats") {
            subresource = "stats"
        } else if Self.isSubpath(path, "/metrics") {
            subresource = "metrics"
        } else if Self.isSubpath(path, "/logs") {
            subresource = "log"
        } else {
            subresource = "proxy"
        }
    }

    /// auth.go isSubpath: the path itself or below it (`/statsfoo` is not under `/stats`).
    static func isSubpath(_ subpath: String, _ path: String) -> Bool {
        subpath == path || (subpath.hasPrefix(path) && subpath.utf8.dropFirst(path.utf8.count).first == UInt8(ascii: "/"))
    }
}
