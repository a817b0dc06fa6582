// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the emulator's request handling behind the HTTP codec: request-target and
// query parsing, field and label selectors, JSON and protobuf bodies, create validation (the embedded
// PKCS#10), approval and status updates, Table rendering. The input is a small request script:
//   byte 0        method (GET, POST, PUT, DELETE, PATCH), whether a Table is wanted, whether the router
//                 authorizes (Node,RBAC chain with the bootstrap policy) and whether the request
//                 impersonates a node
//   byte 1        content type (JSON, protobuf, other, merge / strategic merge / JSON patch / apply) and user
//   up to "\n"    the request target (path and query)
//   the rest      the body
// One store lives across inputs, so created objects are there for later approvals and lists; it is
// emptied every 256 inputs to keep memory flat.

import VKKubeAPI
import VKKubeSim

nonisolated(unsafe) private var store = CSRStore()
nonisolated(unsafe) private var router = APIRouter(store: store, address: "127.0.0.1:6443")
nonisolated(unsafe) private var authorizing = makeAuthorizing()

private func makeAuthorizing() -> APIRouter {
    var policy = RBACPolicy()
    policy.add(PolicyRole(name: "fuzz", namespace: nil, rules: [
        PolicyRule(verbs: ["get", "list", "create", "update", "patch", "delete"], apiGroups: ["", "certificates.k8s.io"], resources: ["secrets", "certificatesigningrequests", "*/approval"]),
    ]))
    policy.add(PolicyBinding(name: "fuzz", namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: "fuzz"), subjects: [.user("someone")]))
    return APIRouter(store: store, address: "127.0.0.1:6443", authorizer: AuthorizerChain.standard(rbac: RBACAuthorizer(policy: policy)))
}
nonisolated(unsafe) private var runs = 0
private let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
private let contentTypes = [
    "application/json", CSRProtobuf.contentType, "text/plain",
    "application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json",
    "application/apply-patch+yaml",
]
private let users = [UserInfo.admin, UserInfo.node("fuzz"), UserInfo(username: "someone", uid: "u", groups: ["system:authenticated"]),
                     UserInfo.anonymous, UserInfo.serviceAccount(namespace: "interlink", name: "vkcert")]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIRouter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    runs += 1
    if runs % 256 == 0 {
        store = CSRStore()
        router = APIRouter(store: store, address: "127.0.0.1:6443")
        authorizing = makeAuthorizing()
    }
    let method = methods[Int(bytes[0] & 0x07) % methods.count]
    let accept = bytes[0] & 0x08 != 0 ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json"
    let contentType = contentTypes[Int(bytes[1]) % contentTypes.count]
    let user = users[Int(bytes[1] >> 4) % users.count]
    let rest = bytes[2...]
    let newline = rest.firstIndex(of: 0x0A) ?? rest.endIndex
    let target = String(decoding: rest[..<newline], as: UTF8.self)
    let body = newline < rest.endIndex ? Array(rest[(newline + 1)...]) : []
    let impersonation = bytes[0] & 0x20 != 0 ? Impersonation(user: "system:node:fuzz", groups: ["system:nodes"]) : nil
    let request = APIRequest(method: method, target: target, accept: accept, contentType: contentType, body: body, user: user, impersonation: impersonation)
    _ = (bytes[0] & 0x10 != 0 ? authorizing : router).handle(request)
    return 0
}
