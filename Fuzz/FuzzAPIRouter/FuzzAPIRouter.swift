// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the emulator's request handling behind the HTTP codec: request-target and
// query parsing, field and label selectors, JSON and protobuf bodies, create validation (the embedded
// PKCS#10), approval and status updates, Table rendering. The input is a small request script:
//   byte 0        method (GET, POST, PUT, DELETE, PATCH) and whether a Table is wanted
//   byte 1        content type (JSON, protobuf, other, merge / strategic merge / JSON patch) and user
//   up to "\n"    the request target (path and query)
//   the rest      the body
// One store lives across inputs, so created objects are there for later approvals and lists; it is
// emptied every 256 inputs to keep memory flat.

import KubeAPI
import KubeSim

nonisolated(unsafe) private var store = CSRStore()
nonisolated(unsafe) private var router = APIRouter(store: store, address: "127.0.0.1:6443")
nonisolated(unsafe) private var runs = 0
private let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
private let contentTypes = [
    "application/json", CSRProtobuf.contentType, "text/plain",
    "application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json",
]
private let users = [UserInfo.admin, UserInfo.node("fuzz"), UserInfo(username: "someone", uid: "u", groups: ["system:authenticated"])]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIRouter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    runs += 1
    if runs % 256 == 0 {
        store = CSRStore()
        router = APIRouter(store: store, address: "127.0.0.1:6443")
    }
    let method = methods[Int(bytes[0] & 0x07) % methods.count]
    let accept = bytes[0] & 0x08 != 0 ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json"
    let contentType = contentTypes[Int(bytes[1]) % contentTypes.count]
    let user = users[Int(bytes[1] >> 4) % users.count]
    let rest = bytes[2...]
    let newline = rest.firstIndex(of: 0x0A) ?? rest.endIndex
    let target = String(decoding: rest[..<newline], as: UTF8.self)
    let body = newline < rest.endIndex ? Array(rest[(newline + 1)...]) : []
    let request = APIRequest(method: method, target: target, accept: accept, contentType: contentType, body: body, user: user)
    _ = router.handle(request)
    return 0
}
