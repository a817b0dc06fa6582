// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
import VKKubeSim
import VKRSA
import Synchronization
import TestSupport
import Testing
import VKX509

/// The registry strategy, validation, watch and cleaner, without sockets, on an injected clock.
@Suite("KubeSim store and API semantics")
struct StoreTests {
    static let key: RSAPrivateKey = try! RSAPrivateKey.load(Repository.vectorBytes("openssl/keys/rsa2048-b.pkcs8.pem")).key

    static func request(node: String = "vk-1", signer: String = KubeletSigner.signerName, usages: [String] = ["digital signature", "server auth"], name: String? = nil) throws -> CertificateSigningRequestObject {
        let csr = try CSRBuilder.kubeletServing(node: node, ipAddresses: [[10, 0, 0, 1]], dnsNames: []).sign(with: key)
        return CertificateSigningRequestObject(
            metadata: name.map { ObjectMeta(name: $0) } ?? ObjectMeta(generateName: "csr-"),
            spec: CSRSpec(request: Data(csr.pemRepresentation.utf8), signerName: signer, usages: usages)
        )
    }

    /// CSR names are unchecked (ValidateCertificateRequestName returns nil), so a page may end on a name
    /// holding '"' or '\\': its continue token must still decode (it was interpolated into JSON and became
    /// a 400 "continue key is not valid" for the next page).
    @Test func pagesContinuePastNamesThatNeedJSONEscaping() throws {
        let store = CSRStore()
        let names = ["a\"quote", "b\\slash", "c-plain"]
        for name in names { _ = try store.create(try Self.request(name: name), user: .node("vk-1")) }
        var seen: [String] = []
        var token: String? = nil
        repeat {
            let page = try store.page(try Selector(field: nil, label: nil), limit: 1, continue: token)
            seen += page.items.compactMap(\.metadata.name)
            token = page.continueToken
        } while token != nil
        #expect(seen == names)
    }

    @Test func createFillsIdentityAndWipesStatus() throws {
        let store = CSRStore(clock: ManualClock())
        var input = try Self.request()
        input.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.approved)])
        input.spec.username = "forged"
        let created = try store.create(input, user: .node("vk-1"))
        #expect(created.spec.username == "system:node:vk-1")
        #expect(created.spec.groups == ["system:nodes", "system:authenticated"])
        #expect(created.status?.conditions == nil && !created.isApproved, "users cannot create pre-approved requests")
        #expect(created.metadata.uid != nil && created.metadata.resourceVersion != nil && created.metadata.creationTimestamp != nil)
        let name = try #require(created.metadata.name)
        #expect(name.hasPrefix("csr-") && name.count == 9 && name.dropFirst(4).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test("create-time validation with the apiserver's messages", arguments: [
        ("signer", "spec.signerName: Invalid value: \"not-qualified\": must be a fully qualified domain and path of the form 'example.com/signer-name'"),
        ("usages", "spec.usages: Required value"),
        ("unsupported", "spec.usages[0]: Unsupported value: \"fly\""),
        ("duration", "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)"),
        ("legacy", "the legacy signerName is not allowed via this API version"),
        ("request", "spec.request: Invalid value"),
    ])
    func validation(kind: String, message: String) throws {
        let store = CSRStore()
        var input = try Self.request(name: "x")
        switch kind {
        case "signer": input.spec.signerName = "not-qualified"
        case "usages": input.spec.usages = []
        case "unsupported": input.spec.usages = ["fly"]
        case "duration": input.spec.expirationSeconds = 599
        case "legacy": input.spec.signerName = "kubernetes.io/legacy-unknown"
        default: input.spec.request = Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)
        }
        do {
            _ = try store.create(input, user: .admin)
            Issue.record("accepted \(kind)")
        } catch {
            #expect(error.code == 422 && error.reason == "Invalid")
            #expect(error.message?.contains(message) == true, "\(error.message ?? "")")
        }
    }

    @Test func optimisticConcurrency() throws {
        let store = CSRStore()
        let created = try store.create(try Self.request(name: "a"), user: .admin)
        var approve = created
        approve.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.approved, reason: "Test")])
        let approved = try store.updateApproval("a", approve)
        #expect(approved.isApproved && approved.metadata.resourceVersion != created.metadata.resourceVersion)
        let conditions = try #require(approved.status?.conditions)
        #expect(conditions[0].lastUpdateTime != nil && conditions[0].lastTransitionTime != nil)
        // Stale resourceVersion → 409 Conflict; removing a condition or adding Denied → 422.
        #expect(throws: APIStatus.conflict("a")) { try store.updateApproval("a", approve) }
        var remove = approved
        remove.status = CSRStatus(conditions: [])
        #expect((try? store.updateApproval("a", remove)) == nil)
        var both = approved
        both.status?.conditions?.append(CSRCondition(type: CSRCondition.denied))
        do {
            _ = try store.updateApproval("a", both)
            Issue.record("Approved and Denied accepted together")
        } catch {
            #expect(error.message?.contains("Approved and Denied conditions are mutually exclusive") == true)
        }
        // /status may not add Approved, may set the certificate once (valid PEM only).
        var viaStatus = try store.get("a")
        viaStatus.status?.certificate = Data("junk".utf8)
        #expect((try? store.updateStatus("a", viaStatus)) == nil)
        #expect(throws: APIStatus.notFound("zzz")) { try store.get("zzz") }
    }

    @Test func watchReplaysFromAResourceVersionAndExpiresOldOnes() throws {
        let store = CSRStore()
        let first = try store.create(try Self.request(name: "w1"), user: .admin)
        _ = try store.create(try Self.request(name: "w2"), user: .admin)
        let events = Mutex<[String]>([])
        let id = try store.subscribe(from: first.metadata.resourceVersion, selector: try Selector(field: nil, label: nil)) { event in
            events.withLock { $0.append("\(event.type) \(event.object.metadata.name!)") }
        }
        try store.delete("w1")
        store.unsubscribe(id)
        #expect(events.withLock { $0 } == ["ADDED w2", "DELETED w1"])
        // Field selector: only w2.
        let selected = Mutex<[String]>([])
        let id2 = try store.subscribe(from: nil, selector: try Selector(field: "metadata.name=w2", label: nil)) { event in
            selected.withLock { $0.append(event.object.metadata.name!) }
        }
        store.unsubscribe(id2)
        #expect(selected.withLock { $0 } == ["w2"])
        #expect(throws: APIStatus.badRequest("")) { try Selector(field: "spec.username=x", label: nil) }
        store.compactHistory()
        do {
            _ = try store.subscribe(from: first.metadata.resourceVersion, selector: try Selector(field: nil, label: nil)) { _ in }
            Issue.record("stale resourceVersion accepted")
        } catch {
            #expect(error.code == 410 && error.reason == "Expired")
        }
    }

    @Test func cleanerDeletesPendingAfter24hAndDecidedAfter1h() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let store = CSRStore(clock: clock)
        _ = try store.create(try Self.request(name: "pending"), user: .admin)
        let decided = try store.create(try Self.request(name: "denied"), user: .admin)
        var deny = decided
        deny.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.denied, reason: "Test")])
        _ = try store.updateApproval("denied", deny)
        clock.advance(by: 3500)
        #expect(store.runCleaner().isEmpty)
        clock.advance(by: 200)
        #expect(store.runCleaner() == ["denied"])
        clock.advance(by: 23 * 3600)
        #expect(store.runCleaner() == ["pending"])
        #expect(store.count == 0)
    }

    @Test func humanDurations() {
        #expect(KubeSimTestHooks.humanDuration(86_400) == "24h")
        #expect(KubeSimTestHooks.humanDuration(600) == "10m")
        #expect(KubeSimTestHooks.humanDuration(31_536_000) == "365d")
        #expect(KubeSimTestHooks.humanDuration(90) == "90s")
        #expect(KubeSimTestHooks.humanDuration(150) == "2m30s")
    }

    @Test func protobufReaderRejectsHostileInput() {
        for body: [UInt8] in [[], [0x6B, 0x38, 0x73], [0x6B, 0x38, 0x73, 0x00, 0x12, 0x50], [0x6B, 0x38, 0x73, 0x00] + [UInt8](repeating: 0xFF, count: 12), [0x6B, 0x38, 0x73, 0x00, 0x0B]] {
            #expect(throws: (any Error).self) { try CSRProtobuf.decode(body) }
        }
    }

    /// A protobuf body built by hand in the wire format kubectl uses decodes to the same conditions.
    @Test func protobufApprovalBody() throws {
        func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2), UInt8(bytes.count)] + bytes }
        func string(_ number: Int, _ s: String) -> [UInt8] { field(number, Array(s.utf8)) }
        let condition = string(1, "Approved") + string(2, "KubectlApprove") + string(3, "ok") + field(4, [0x08, 0x80, 0xE4, 0xF6, 0xD6, 0x06]) + field(5, []) + string(6, "True")
        let object = field(1, string(1, "vk-1-serving") + string(6, "1007")) + field(2, string(7, KubeletSigner.signerName) + string(5, "server auth")) + field(3, field(1, condition))
        let envelope = [0x6B, 0x38, 0x73, 0x00] + field(1, string(1, "certificates.k8s.io/v1") + string(2, "CertificateSigningRequest")) + field(2, object)
        let decoded = try CSRProtobuf.decode(envelope)
        #expect(decoded.metadata.name == "vk-1-serving" && decoded.metadata.resourceVersion == "1007")
        #expect(decoded.spec.signerName == KubeletSigner.signerName && decoded.spec.usages == ["server auth"])
        let c = try #require(decoded.status?.conditions?.first)
        #expect(c.type == "Approved" && c.status == "True" && c.reason == "KubectlApprove")
        #expect(c.lastUpdateTime != nil && c.lastTransitionTime == nil, "an empty metav1.Time is unset")
    }
}
