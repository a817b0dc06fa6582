// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Role-based access control evaluated as plugin/pkg/auth/authorizer/rbac/rbac.go does: every
/// ClusterRoleBinding, then the RoleBindings of the request's namespace, whose subjects include the user
/// (rbac.go appliesToUser) grant the rules of the role they reference; a rule allows when verb, API group,
/// resource (with `*/subresource` and `*` forms), resource name and non-resource URL all match
/// (pkg/apis/rbac/v1/evaluation_helpers.go, RuleAllows). RBAC never denies, it has no opinion; a binding
/// to a missing role is reported in the reason, as the apiserver's 403 shows it.
public final class RBACAuthorizer: Authorizer {
    private let policy: Mutex<RBACPolicy>

    /// `policy` on top of the bootstrap policy (``BootstrapPolicy``) unless `bootstrap` is false.
    public init(policy: RBACPolicy, bootstrap: Bool = true) {
        var combined = bootstrap ? BootstrapPolicy.policy : RBACPolicy()
        combined.merge(policy)
        self.policy = Mutex(combined)
    }

    /// The policy in force (tests remove rules from a copy and install it with ``replace(_:)``).
    public var current: RBACPolicy { policy.withLock { $0 } }

    public func replace(_ new: RBACPolicy) {
        policy.withLock { $0 = new }
    }

    public func authorize(_ attributes: RequestAttributes) -> (decision: AuthorizationDecision, reason: String) {
        let policy = self.policy.withLock { $0 }
        var errors: [String] = []
        for binding in policy.clusterRoleBindings where Self.applies(binding, to: attributes.user, namespace: "") {
            guard let role = policy.clusterRoles[binding.roleRef.name] else {
                errors.append("clusterrole.rbac.authorization.k8s.io \"\(binding.roleRef.name)\" not found")
                continue
            }
            if Self.rulesAllow(role.rules, attributes) { return (.allow, "") }
        }
        if !attributes.namespace.isEmpty {
            for binding in policy.roleBindings where binding.namespace == attributes.namespace
                && Self.applies(binding, to: attributes.user, namespace: attributes.namespace) {
                let role: PolicyRole?
                if binding.roleRef.kind == "Role" {
                    role = policy.roles["\(attributes.namespace)/\(binding.roleRef.name)"]
                    if role == nil { errors.append("role.rbac.authorization.k8s.io \"\(binding.roleRef.name)\" not found") }
                } else {
                    role = policy.clusterRoles[binding.roleRef.name]
                    if role == nil { errors.append("clusterrole.rbac.authorization.k8s.io \"\(binding.roleRef.name)\" not found") }
                }
                if let role, Self.rulesAllow(role.rules, attributes) { return (.allow, "") }
            }
        }
        // rbac.go: `reason = fmt.Sprintf("RBAC: %v", utilerrors.NewAggregate(errors))`; an aggregate of
        // several prints them in brackets, comma-separated.
        let reason: String
        switch errors.count {
        case 0: reason = ""
        case 1: reason = "RBAC: " + errors[0]
        default: reason = "RBAC: [" + errors.joined(separator: ", ") + "]"
        }
        return (.noOpinion, reason)
    }

    /// rbac.go appliesToUser: User by name, Group by membership, ServiceAccount by
    /// `system:serviceaccount:<ns>:<name>` with the binding's namespace when the subject names none.
    static func applies(_ binding: PolicyBinding, to user: UserInfo, namespace: String) -> Bool {
        binding.subjects.contains { subject in
            switch subject.kind {
            case "User": return subject.name == user.username
            case "Group": return user.groups.contains(subject.name)
            case "ServiceAccount":
                let ns = (subject.namespace ?? "").isEmpty ? namespace : subject.namespace!
                guard !ns.isEmpty else { return false }
                return user.username == "system:serviceaccount:\(ns):\(subject.name)"
            default: return false
            }
        }
    }

    static func rulesAllow(_ rules: [PolicyRule], _ attributes: RequestAttributes) -> Bool {
        rules.contains { ruleAllows($0, attributes) }
    }

    /// evaluation_helpers.go RuleAllows with VerbMatches, APIGroupMatches, ResourceMatches,
    /// ResourceNameMatches and NonResourceURLMatches.
    static func ruleAllows(_ rule: PolicyRule, _ attributes: RequestAttributes) -> Bool {
        guard rule.verbs.contains("*") || rule.verbs.contains(attributes.verb) else { return false }
        guard attributes.isResourceRequest else {
            return (rule.nonResourceURLs ?? []).contains { url in
                url == "*" || url == attributes.path || (url.hasSuffix("*") && attributes.path.hasPrefix(url.dropLast()))
            }
        }
        let groups = rule.apiGroups ?? []
        guard groups.contains("*") || groups.contains(attributes.apiGroup) else { return false }
        let combined = attributes.combinedResource
        let resourceMatches = (rule.resources ?? []).contains { resource in
            if resource == "*" || resource == combined { return true }
            guard !attributes.subresource.isEmpty else { return false }
            return resource == "*/" + attributes.subresource
        }
        guard resourceMatches else { return false }
        let names = rule.resourceNames ?? []
        return names.isEmpty || names.contains(attributes.name)
    }
}
