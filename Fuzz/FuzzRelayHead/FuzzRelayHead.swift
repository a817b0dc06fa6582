// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the request head the kubelet API's relay gate reads from an unauthenticated
// caller before deciding (RelayGate.endOfHead, RequestHead, the kubelet's request attributes) — and the
// gate's security property as an invariant: the head it forwards for a plain request parses again, is
// not an upgrade, and carries exactly one Connection header, `close` (no second request can ride on it).

import VKKubeletTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelayHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var buffer = bytes
    buffer.append(contentsOf: [13, 10, 13, 10])
    guard let end = RelayGate.endOfHead(buffer) else { return 0 }
    // The incremental scan (what each read does) finds the same end from any point before it.
    let start = Int(buffer[0]) * 64 % end
    guard RelayGate.endOfHead(buffer, from: start) == end else { fatalError("the scan from \(start) missed the end at \(end)") }
    guard let head = RelayGate.RequestHead(buffer.prefix(end)) else { return 0 }
    _ = head.authorization
    _ = KubeletRequestAttributes(method: head.method, path: KubeletAccessControl.path(of: head.target))
    guard !head.isUpgrade else { return 0 }
    let rewritten = Array(head.closingHead.utf8)
    guard let again = RelayGate.RequestHead(rewritten), !again.isUpgrade, again.values("Connection") == ["close"],
          RelayGate.endOfHead(rewritten) == rewritten.count else {
        fatalError("the forwarded head does not end the connection: \(head.closingHead.debugDescription)")
    }
    return 0
}
