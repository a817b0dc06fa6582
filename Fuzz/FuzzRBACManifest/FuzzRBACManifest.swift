// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: RBAC manifests as the emulator loads them (`--rbac FILE`): multi-document YAML
// composed with bounds, each Role/ClusterRole/RoleBinding/ClusterRoleBinding decoded and checked, then
// the resulting policy asked about a few requests (rule matching over whatever the manifest says).

import VKKubeSim

private let questions = [
    RequestAttributes(user: .serviceAccount(namespace: "interlink", name: "vkcert"), verb: "create", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests"),
    RequestAttributes(user: UserInfo(username: "alice", uid: "", groups: ["vkcert-approvers"]), verb: "update", apiGroup: "certificates.k8s.io",
                      resource: "certificatesigningrequests", subresource: "approval", name: "x"),
    RequestAttributes(user: .node("n"), verb: "get", apiGroup: "", resource: "secrets", namespace: "interlink", name: "s"),
    RequestAttributes(user: .anonymous, verb: "get", path: "/healthz"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRBACManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let policy = try? RBACPolicy.load(yaml: text, file: "fuzz.yaml") else { return 0 }
    let chain = AuthorizerChain.standard(rbac: RBACAuthorizer(policy: policy))
    for question in questions { _ = chain.authorize(question) }
    return 0
}
