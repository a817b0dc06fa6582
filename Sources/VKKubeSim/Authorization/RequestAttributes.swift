// SPDX-License-Identifier: Apache-2.0

/// What an authorizer decides on, as the apiserver's `authorizer.Attributes` built from its RequestInfo
/// (k8s.io/apiserver pkg/endpoints/request/requestinfo.go, RequestInfoFactory.NewRequestInfo).
public struct RequestAttributes: Sendable, Hashable {
    public var user: UserInfo
    public var verb: String
    public var isResourceRequest: Bool
    /// The URL path (non-resource requests are authorized by it).
    public var path: String
    public var apiGroup = ""
    public var apiVersion = ""
    public var namespace = ""
    public var resource = ""
    public var subresource = ""
    public var name = ""

    public init(user: UserInfo, verb: String, path: String) {
        self.user = user
        self.verb = verb
        self.path = path
        self.isResourceRequest = false
    }

    public init(user: UserInfo, verb: String, apiGroup: String, resource: String, subresource: String = "", namespace: String = "", name: String = "") {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        self.path = ""
        self.apiGroup = apiGroup
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    /// The attributes of an HTTP request, by NewRequestInfo's rules: `/api/<v>/…` and `/apis/<g>/<v>/…`
    /// are resource requests (shorter paths, such as discovery, are not); the verb comes from the method
    /// (GET of a collection is list, or watch with `watch` other than false/0; DELETE of a collection is
    /// deletecollection); `/namespaces/<ns>/<resource>` scopes it; the third part is the subresource. A
    /// list or watch whose field selector requires `metadata.name=<n>` is about the object `<n>`.
    public init(user: UserInfo, method: String, path: String, query: [String: String]) {
        self.init(user: user, verb: method.lowercased(), path: path)
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, parts[0] == "api" || parts[0] == "apis" else { return }
        let groupless = parts[0] == "api"
        parts.removeFirst()
        if !groupless {
            guard parts.count >= 3 else { return }
            apiGroup = parts.removeFirst()
        }
        isResourceRequest = true
        apiVersion = parts.removeFirst()
        switch method {
        case "POST": verb = "create"
        case "GET", "HEAD": verb = "get"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = ""
        }
        if parts.first == "namespaces" {
            if parts.count > 1 {
                namespace = parts[1]
                // `/namespaces/<ns>` alone is the namespace object; `finalize` and `status` are its subresources.
                if parts.count > 2 && !["finalize", "status"].contains(parts[2]) { parts.removeFirst(2) }
            }
        }
        if parts.count >= 3 { subresource = parts[2] }
        if parts.count >= 2 { name = parts[1] }
        if parts.count >= 1 { resource = parts[0] }
        if name.isEmpty && verb == "get" {
            if let watch = query["watch"] {
                verb = ["false", "0"].contains(watch.lowercased()) ? "list" : "watch"
            } else {
                verb = "list"
            }
            if let selector = query["fieldSelector"], let exact = Self.exactName(selector) { name = exact }
        }
        if name.isEmpty && verb == "delete" { verb = "deletecollection" }
    }

    /// `metadata.name=<n>` (or `==`) as one requirement of a field selector, when `<n>` is a valid path
    /// segment (fields.Selector.RequiresExactMatch).
    static func exactName(_ selector: String) -> String? {
        for requirement in selector.split(separator: ",") {
            let text = String(requirement)
            for op in ["==", "="] {
                if let range = text.firstRange(of: op), text[..<range.lowerBound] == "metadata.name" {
                    let value = String(text[range.upperBound...])
                    guard !value.isEmpty, value != ".", value != "..", !value.contains("/"), !value.contains("%"),
                          !text[..<range.lowerBound].hasSuffix("!") else { return nil }
                    return value
                }
            }
        }
        return nil
    }

    /// `resource.group/subresource` as the forbidden message and RBAC rules combine them.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }
}
