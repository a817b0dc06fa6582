// SPDX-License-Identifier: Apache-2.0

import VKKubeAPI

/// An authorizer's answer, as k8s.io/apiserver pkg/authorization/authorizer's Decision.
public enum AuthorizationDecision: Sendable, Equatable {
    case allow
    case deny
    case noOpinion
}

/// One link of the authorization chain.
public protocol Authorizer: Sendable {
    /// The decision and, when there is one, the reason the apiserver appends to a 403's message.
    func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String)
}

/// kube-apiserver's chain for `--authorization-mode=Node,RBAC`: members of `system:masters` are allowed
/// everything (pkg/kubeapiserver/authorizer: the privileged-groups authorizer in front), then the node
/// authorizer, then RBAC; the first allow or deny wins (pkg/authorization/union), reasons of the others
/// are joined with newlines.
public struct AuthorizerChain: Authorizer {
    public let links: [any Authorizer]

    public init(_ links: [any Authorizer]) {
        self.links = links
    }

    /// `system:masters`, the node authorizer, then `rbac`.
    public static func standard(rbac: RBACAuthorizer) -> AuthorizerChain {
        AuthorizerChain([PrivilegedGroupAuthorizer(groups: ["system:masters"]), NodeAuthorizer(), rbac])
    }

    public func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String) {
        var reasons: [String] = []
        for link in links {
            let (decision, reason) = link.authorize(attributes)
            if !reason.isEmpty { reasons.append(reason) }
            if decision != .noOpinion { return (decision, reasons.joined(separator: "\n")) }
        }
        return (.noOpinion, reasons.joined(separator: "\n"))
    }
}

/// Allows everything for members of the given groups.
public struct PrivilegedGroupAuthorizer: Authorizer {
    public let groups: Set<String>

    public func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String) {
        attributes.user.groups.contains(where: groups.contains) ? (.allow, "") : (.noOpinion, "")
    }
}

/// The node authorizer's static part for the resources the emulator serves (plugin/pkg/auth/authorizer/
/// node/node_authorizer.go, NodeAuthorizer.Authorize: requests of `system:node:<name>` in `system:nodes`
/// for resources it has no graph rule for are checked against bootstrappolicy.NodeRules(), whose CSR rule
/// is create/get/list/watch on certificatesigningrequests — no delete, no approval, no status).
public struct NodeAuthorizer: Authorizer {
    /// The CSR rule of plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, NodeRules.
    static let rules = [
        PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"]),
        // A node may review its own access (system:basic-user grants this to everyone authenticated anyway).
        PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"]),
        // NodeRules: "Needed to check API access. These creates are non-mutating" — the kubelet's webhook
        // authentication and authorization of callers of its own API.
        PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
        PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews", "localsubjectaccessreviews"]),
    ]

    public init() {}

    public func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String) {
        let user = attributes.user
        guard user.groups.contains("system:nodes"), user.username.hasPrefix("system:node:"),
              user.username.count > "system:node:".count else { return (.noOpinion, "") }
        // Secrets are graph resources: a node may get one only when a pod bound to it references it, and
        // the emulator has no pods (node_authorizer.go authorizeReadNamespacedObject / authorizeGet).
        if attributes.isResourceRequest && attributes.apiGroup.isEmpty && attributes.resource == "secrets" {
            guard attributes.verb == "get" else { return (.noOpinion, "can only get individual resources of this type") }
            let node = user.username.dropFirst("system:node:".count)
            return (.noOpinion, "no relationship found between node '\(node)' and this object")
        }
        return RBACAuthorizer.rulesAllow(Self.rules, attributes) ? (.allow, "") : (.noOpinion, "")
    }
}

/// Allows everything: the emulator with authorization switched off (older tests).
public struct AlwaysAllowAuthorizer: Authorizer {
    public init() {}
    public func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String) { (.allow, "") }
}

extension APIStatus {
    /// The 403 the apiserver's WithAuthorization filter writes (k8s.io/apiserver pkg/endpoints/handlers/
    /// responsewriters/errors.go, Forbidden and forbiddenMessage, wrapped by apimachinery's
    /// errors.NewForbidden: `<resource>.<group> "<name>" is forbidden: User "<u>" cannot <verb> resource
    /// "<resource[/sub]>" in API group "<g>" at the cluster scope`, `: <reason>` appended when there is one).
    public static func forbidden(_ attributes: RequestAttributes, reason: String) -> APIStatus {
        let user = attributes.user.username
        var message: String
        if attributes.isResourceRequest {
            let scope = attributes.namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(attributes.namespace)\""
            message = "User \"\(user)\" cannot \(attributes.verb) resource \"\(attributes.combinedResource)\" in API group \"\(attributes.apiGroup)\" \(scope)"
        } else {
            message = "User \"\(user)\" cannot \(attributes.verb) path \"\(attributes.path)\""
        }
        if !reason.isEmpty { message += ": " + reason }
        let qualified = attributes.apiGroup.isEmpty ? attributes.resource : "\(attributes.resource).\(attributes.apiGroup)"
        let full: String
        if !attributes.isResourceRequest || qualified.isEmpty {
            full = "forbidden: " + message
        } else if attributes.name.isEmpty {
            full = "\(qualified) is forbidden: \(message)"
        } else {
            full = "\(qualified) \"\(attributes.name)\" is forbidden: \(message)"
        }
        var status = APIStatus(code: 403, reason: "Forbidden", message: full)
        status.details = attributes.isResourceRequest ? Details(name: attributes.name.isEmpty ? nil : attributes.name, group: attributes.apiGroup, kind: attributes.resource) : Details()
        return status
    }
}
