// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
import VKKubeSim
import TestSupport
import Testing
import VKX509

/// The serving approver's checks (kubelet-csr-approver's documented criteria), on the store, without
/// sockets: what is approved, and the reason a request stays pending.
@Suite("KubeSim serving approver")
struct ServingApproverTests {
    static func submit(_ store: CSRStore, name: String, node: String, as user: UserInfo, ips: [[UInt8]] = [[10, 0, 0, 1]], dns: [String] = [],
                       expiration: Int32? = nil) throws -> CertificateSigningRequestObject {
        let csr = try CSRBuilder.kubeletServing(node: node, ipAddresses: ips, dnsNames: dns).sign(with: StoreTests.key)
        var object = CertificateSigningRequestObject(metadata: ObjectMeta(name: name),
            spec: CSRSpec(request: Data(csr.pemRepresentation.utf8), signerName: KubeletSigner.signerName, usages: ["digital signature", "server auth"]))
        object.spec.expirationSeconds = expiration
        _ = try store.create(object, user: user)
        return try store.get(name)
    }

    @Test func approvesOnlyWhatThePolicyAllows() throws {
        var policy = ServingApprovalPolicy()
        policy.ipPrefixes = ["10.0.0.0/8", "fd00::/8"]
        policy.dnsNamePattern = #"[a-z0-9-]+\.nodes\.example\.com"#
        let approver = ServingApprover(policy: policy)
        let store = CSRStore(clock: ManualClock())
        approver.attach(to: store)
        #expect(try Self.submit(store, name: "ok", node: "n1", as: .node("n1"), ips: [[10, 1, 2, 3], [0xfd] + [UInt8](repeating: 0, count: 14) + [1]],
                                dns: ["n1.nodes.example.com"]).isApproved)
        let cases: [(String, String, UserInfo, [[UInt8]], [String], Int32?, String)] = [
            ("other-node", "n1", .node("n2"), [[10, 0, 0, 1]], [], nil, "the CN system:node:n1 is not the requester system:node:n2"),
            ("not-a-node", "n1", .serviceAccount(namespace: "interlink", name: "vkcert"), [[10, 0, 0, 1]], [], nil, "is not a node"),
            ("outside", "n1", .node("n1"), [[192, 168, 0, 1]], [], nil, "the IP address 192.168.0.1 is outside 10.0.0.0/8, fd00::/8"),
            ("bad-dns", "n1", .node("n1"), [[10, 0, 0, 1]], ["n1.evil.com"], nil, "the DNS name n1.evil.com does not match"),
            ("two-dns", "n1", .node("n1"), [[10, 0, 0, 1]], ["a.nodes.example.com", "b.nodes.example.com"], nil, "2 DNS names, at most 1 allowed"),
            ("too-long", "n1", .node("n1"), [[10, 0, 0, 1]], [], 400 * 86_400, "expirationSeconds 34560000 is more than 31708800"),
        ]
        for (name, node, user, ips, dns, expiration, reason) in cases {
            let object = try Self.submit(store, name: name, node: node, as: user, ips: ips, dns: dns, expiration: expiration)
            #expect(!object.isApproved, "\(name) approved")
            #expect(approver.refusals.contains { $0.hasPrefix("\(name): ") && $0.contains(reason) }, "\(name): \(approver.refusals.last ?? "-")")
        }
    }
}

/// Boolean query parameters as apimachinery converts them (runtime/conversion.go,
/// Convert_Slice_string_To_bool), for CSR and Secret watches alike.
@Suite("KubeSim query flags")
struct QueryFlagTests {
    @Test(arguments: [("watch=true", true), ("watch=1", true), ("watch=yes", true), ("watch=", true),
                      ("watch=false", false), ("watch=0", false), ("watch=No", false), ("watch=off", false), ("", false)])
    func watchParameter(query: String, isWatch: Bool) {
        let router = APIRouter(store: CSRStore(clock: ManualClock()), address: "127.0.0.1:0")
        for path in ["/apis/certificates.k8s.io/v1/certificatesigningrequests", "/api/v1/namespaces/default/secrets"] {
            let response = router.handle(APIRequest(method: "GET", target: "\(path)?\(query)", user: .admin))
            if case .watch = response { #expect(isWatch, "\(path)?\(query) watched") } else { #expect(!isWatch && response.statusCode == 200, "\(path)?\(query) listed: \(response.statusCode)") }
        }
    }
}
