// SPDX-License-Identifier: Apache-2.0

/// The part of kube-apiserver's default RBAC policy the certificate flows and kubectl rely on
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRoles and ClusterRoleBindings;
/// controller roles and the aggregated admin/edit/view roles are left out). The roles are defined but,
/// as in a real cluster, only those the apiserver binds by default are bound: `system:node-bootstrapper`
/// and the nodeclient roles are bound by whoever sets up TLS bootstrapping (kubeadm binds them to
/// `system:bootstrappers`), which a manifest loaded with `--rbac` can do.
public enum BootstrapPolicy {
    static let certificates = "certificates.k8s.io"

    public static let policy: RBACPolicy = {
        var p = RBACPolicy()
        func role(_ name: String, _ rules: [PolicyRule]) { p.add(PolicyRole(name: name, namespace: nil, rules: rules)) }
        func bind(_ name: String, _ subjects: [Subject]) {
            p.add(PolicyBinding(name: name, namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: name), subjects: subjects))
        }
        role("cluster-admin", [
            PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
            PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
        ])
        bind("cluster-admin", [.group("system:masters")])
        role("system:discovery", [PolicyRule(verbs: ["get"], nonResourceURLs: [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
        ])])
        bind("system:discovery", [.group("system:authenticated")])
        role("system:public-info-viewer", [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])])
        bind("system:public-info-viewer", [.group("system:authenticated"), .group("system:unauthenticated")])
        role("system:basic-user", [PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"])])
        bind("system:basic-user", [.group("system:authenticated")])
        role("system:node-bootstrapper", [PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [certificates], resources: ["certificatesigningrequests"])])
        role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
            PolicyRule(verbs: ["create"], apiGroups: [certificates], resources: ["certificatesigningrequests/nodeclient"]),
        ])
        role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
            PolicyRule(verbs: ["create"], apiGroups: [certificates], resources: ["certificatesigningrequests/selfnodeclient"]),
        ])
        role("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", [
            PolicyRule(verbs: ["approve"], apiGroups: [certificates], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client-kubelet"]),
        ])
        role("system:certificates.k8s.io:kubelet-serving-approver", [
            PolicyRule(verbs: ["approve"], apiGroups: [certificates], resources: ["signers"], resourceNames: ["kubernetes.io/kubelet-serving"]),
        ])
        role("system:auth-delegator", [
            PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
            PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
        ])
        return p
    }()
}
