// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import VKDER
import Foundation
import VKKubeAPI
import VKKubeSim
import VKRSA
import TestSupport
import MetricsTestKit
import Testing
import VKX509

/// CSR mode against the emulator: restarts, approval (kubectl), renewal, the cleaner, denial, failures,
/// outages — counting CSRs, because never accumulating them is the point.
@Suite("CSR mode", .serialized)
struct CSRModeTests {
    /// 20 restarts while pending → exactly one CSR; `kubectl certificate approve` → served within 2 s.
    @Test func restartsWhilePendingKeepOneCSRThenApprovalIsServedFast() async throws {
        let h = try await Harness()
        for _ in 0..<20 {
            let manager = try h.manager()
            let task = h.start(manager)
            // Generous window: a fully loaded two-core run once took over 30 s for the first key and CSR.
            #expect(await h.eventually(Harness.liveness) { h.csrNames().count == 1 && FileManager.default.fileExists(atPath: h.certDir + "/virtual-kubelet-pending.json") },
                    "CSRs \(h.csrNames()), pending file \(FileManager.default.fileExists(atPath: h.certDir + "/virtual-kubelet-pending.json"))")
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
            _ = try? await task.value
        }
        let names = h.csrNames()
        #expect(names.count == 1, "\(names)")
        let name = try #require(names.first)
        #expect(name.hasPrefix("vk-vk-1-"))
        // Pending key persisted with mode 0600 before the CSR existed.
        let attributes = try FileManager.default.attributesOfItem(atPath: h.certDir + "/virtual-kubelet-pending-key.pem")
        #expect(attributes[.posixPermissions] as? Int == 0o600)

        let manager = try h.manager()
        let task = h.start(manager)
        try await Task.sleep(for: .milliseconds(300))
        #expect(manager.current() == nil, "nothing to serve before approval")
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = h.dir.path("")
        env["KUBECONFIG"] = h.kubeconfigPath
        let approve = try await Run.process("kubectl", ["certificate", "approve", name, "--request-timeout=10s"], environment: env)
        #expect(approve.status == 0, "\(approve.stderrText)")
        let started = Date()
        #expect(await h.eventually(10) { manager.current() != nil }, "not served within 10 s of approval (watch; typically 20 ms, printed below)")
        print("served \(Int(Date().timeIntervalSince(started) * 1000)) ms after kubectl certificate approve (watch)")
        let served = try #require(manager.current())
        #expect(served.leaf.subject.commonNames == ["system:node:vk-1"])
        #expect(h.csrNames().count == 1)
        // Stored in client-go's layout: -current.pem symlink to a timestamped file, 0600, dir 0700.
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: h.certDir + "/virtual-kubelet-current.pem")
        #expect(target.contains("virtual-kubelet-20"))
        #expect((try FileManager.default.attributesOfItem(atPath: target))[.posixPermissions] as? Int == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: h.certDir))[.posixPermissions] as? Int == 0o700)
        #expect(!FileManager.default.fileExists(atPath: h.certDir + "/virtual-kubelet-pending.json"))
        task.cancel()
        await h.stop()
    }

    /// `KeyAlgorithm`: the request carries an ECDSA or Ed25519 key, asks for the usages the kubelet asks
    /// for with such keys (no key encipherment), the emulator's kubelet-serving signer issues it, and the
    /// stored pair reloads after a restart. OpenSSL checks the issued certificate against the emulator's CA.
    @Test(arguments: [KeyAlgorithm.ecdsaP256, .ecdsaP384, .ed25519])
    func keyAlgorithmIsRequestedSignedAndServed(algorithm: KeyAlgorithm) async throws {
        let h = try await Harness()
        let manager = try h.manager(keyAlgorithm: algorithm)
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        let name = try #require(h.csrNames().first)
        let object = try h.simulator.store.get(name)
        #expect(object.spec.usages == ["digital signature", "server auth"], "\(object.spec.usages ?? [])")
        let request = try CertificateSigningRequest(pemEncoded: [UInt8](object.spec.request))
        #expect(request.publicKey.algorithmName == (algorithm == .ed25519 ? "ED25519" : "id-ecPublicKey"))
        try h.approve(name)
        #expect(await h.eventually(30) { manager.current() != nil })
        let served = try #require(manager.current())
        #expect(served.key.algorithm == algorithm)
        #expect(served.leaf.extensions.keyUsage?.contains(.keyEncipherment) == false)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let leaf = try dir.write("leaf.pem", Array(served.leaf.pemRepresentation.utf8))
        let ca = try dir.write("ca.pem", Array(h.simulator.caCertificate.pemRepresentation.utf8))
        let verify = try await Run.openssl(["verify", "-CAfile", ca, "-purpose", "sslserver", leaf])
        #expect(verify.status == 0, "\(verify.stdoutText) \(verify.stderrText)")
        task.cancel()
        _ = try? await task.value
        // A restart reuses the stored pair of that type (no new CSR).
        let again = try h.manager(keyAlgorithm: algorithm)
        let task2 = h.start(again)
        #expect(await h.eventually(10) { again.current() != nil })
        #expect(again.current()?.leaf.serialHex == served.leaf.serialHex)
        #expect(h.csrNames().count == 1)
        task2.cancel()
        await h.stop()
    }

    @Test func pollOnlyServesWithinTenSeconds() async throws {
        let h = try await Harness()
        let manager = try h.manager(watch: false)
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(10) { manager.current() != nil }, "not served within 10 s with watching disabled")
        task.cancel()
        await h.stop()
    }

    /// A valid stored certificate → no CSR after a restart; at 80 % of its lifetime → exactly one CSR.
    @Test func restartWithValidCertificateCreatesNoCSRAndRenewsAt80Percent() async throws {
        let h = try await Harness(autoApprove: false)
        let first = try h.manager()
        var task = h.start(first)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(30) { first.current() != nil })
        task.cancel()
        let original = try #require(first.current())
        // Delete the issued CSR (the cleaner would) and restart: the stored certificate is reused.
        _ = try h.simulator.store.delete(h.csrNames()[0])
        let second = try h.manager()
        task = h.start(second)
        #expect(await h.eventually(10) { second.current() != nil })
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.csrNames().isEmpty, "a valid stored certificate must not lead to a CSR")
        #expect(second.current()?.leaf.serialHex == original.leaf.serialHex)
        // Jump to 81 % of the lifetime: exactly one new CSR while the old certificate keeps serving.
        let lifetime = original.notAfter.timeIntervalSince(original.notBefore)
        h.clock.advance(by: original.renewalPoint(fraction: 0.81).timeIntervalSince(h.clock.now()))
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.csrNames().count == 1)
        #expect(second.current()?.leaf.serialHex == original.leaf.serialHex, "the old certificate serves during renewal")
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(30) { second.current()?.leaf.serialHex != original.leaf.serialHex })
        #expect(lifetime > 0)
        task.cancel()
        await h.stop()
    }

    /// The cleaner deletes the pending CSR after 24 h → exactly one new CSR, which can be approved.
    @Test func garbageCollectedPendingCSRIsReplacedOnce() async throws {
        let h = try await Harness()
        let manager = try h.manager()
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        let first = h.csrNames()[0]
        // 25 hours pass for everyone (the signer dates certificates by the cluster's clock).
        h.storeClock.advance(by: 25 * 3600)
        h.clock.advance(by: 25 * 3600)
        #expect(h.simulator.store.runCleaner() == [first])
        #expect(await h.eventually(30) { h.csrNames().count == 1 && h.csrNames()[0] != first })
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.csrNames().count == 1)
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(30) { manager.current() != nil })
        task.cancel()
        await h.stop()
    }

    /// Denied → backoff → exactly one new CSR; signer Failed → the same.
    @Test func denialAndSignerFailureLeadToExactlyOneNewCSR() async throws {
        let h = try await Harness()
        let metrics = TestMetrics()
        let manager = try h.manager(metrics: metrics)
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        let first = h.csrNames()[0]
        try h.deny(first)
        #expect(await h.eventually(30) { h.csrNames().count == 2 })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(h.csrNames().count == 2, "one new CSR after the denial, no storm: \(h.csrNames())")
        // Failed: approve a request whose usages the signer refuses → make one by hand through the store.
        let second = h.csrNames().first { $0 != first }!
        var csr = try h.simulator.store.get(second)
        csr.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.failed, reason: "SignerValidationFailure", message: "test")])
        _ = try h.simulator.store.updateStatus(second, csr)
        #expect(await h.eventually(30) { h.csrNames().count == 3 })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(h.csrNames().count == 3)
        #expect(manager.metrics.snapshot.renewalErrors == 2)
        // The same events through swift-metrics: the total and one per reason.
        #expect(try metrics.expectCounter(MetricCatalog.renewalErrors.name).totalValue == 2)
        #expect(try metrics.expectCounter(MetricCatalog.renewalErrorsByReason.name, [("reason", "denied")]).totalValue == 1)
        #expect(try metrics.expectCounter(MetricCatalog.renewalErrorsByReason.name, [("reason", "failed")]).totalValue == 1)
        #expect(try metrics.expectCounter(MetricCatalog.renewalErrorsByReason.name, [("reason", "api")]).totalValue == 0)
        task.cancel()
        await h.stop()
    }

    /// API server failing for a while: the current certificate keeps serving, no CSR storm afterwards.
    @Test func outageKeepsServingWithoutACSRStorm() async throws {
        let h = try await Harness()
        let manager = try h.manager()
        var task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(30) { manager.current() != nil })
        task.cancel()
        let served = try #require(manager.current())
        // Restart during an outage, at the renewal point: it keeps serving the stored certificate.
        h.simulator.faults.withLockedValue { $0.serverErrors = 1_000_000 }
        h.clock.advance(by: served.renewalPoint(fraction: 0.85).timeIntervalSince(h.clock.now()))
        let restarted = try h.manager()
        task = h.start(restarted)
        #expect(await h.eventually(10) { restarted.metrics.snapshot.renewalErrors > 0 })
        #expect(restarted.current()?.leaf.serialHex == served.leaf.serialHex, "the stored certificate keeps serving during the outage")
        #expect(h.csrNames().count == 1)
        h.simulator.faults.withLockedValue { $0.serverErrors = 0 }
        #expect(await h.eventually(30) { h.csrNames().count == 2 })
        try await Task.sleep(for: .milliseconds(1000))
        #expect(h.csrNames().count == 2, "one renewal CSR after the outage, not a storm: \(h.csrNames())")
        task.cancel()
        await h.stop()
    }

    /// kill -9 during a store write (crash hook at every step): the store still yields a valid pair.
    @Test("a crash at any step of a store write leaves a valid pair", arguments: ["before-write", "after-write", "after-symlink", "after-rename"])
    func crashDuringStoreWrite(step: String) async throws {
        let h = try await Harness()
        let manager = try h.manager()
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        try h.approve(h.csrNames()[0])
        #expect(await h.eventually(30) { manager.current() != nil })
        task.cancel()
        let good = try #require(manager.current())
        struct Crash: Error {}
        let crashing = try CertificateStore(directory: h.certDir, crashPoint: { if $0 == step { throw Crash() } })
        let other = try ServingIdentity(chain: good.chain, key: good.key)
        #expect(throws: Crash.self) { try crashing.save(other, now: Date().addingTimeInterval(5)) }
        let reopened = try CertificateStore(directory: h.certDir)
        let loaded = try #require(reopened.loadCurrent(), "no valid pair after a crash at \(step)")
        #expect(loaded.leaf.der == good.leaf.der && loaded.key.publicKey == good.key.publicKey)
        await h.stop()
    }

    /// Clean-up at start-up removes only this node's stale pending CSRs.
    @Test func startupCleanupIsNarrow() async throws {
        let h = try await Harness()
        let manager = try h.manager()
        let task = h.start(manager)
        #expect(await h.eventually(30) { h.csrNames().count == 1 })
        task.cancel()
        let ours = h.csrNames()[0]
        // A stale pending CSR of ours (labelled, prefixed) that is no longer the persisted one, another
        // node's, and an approved one of ours.
        func make(_ name: String, node: String, label: String?) throws {
            let request = try CSRBuilder.kubeletServing(node: node, ipAddresses: [[10, 0, 0, 9]], dnsNames: []).sign(with: RSAHolder.key)
            var object = CertificateSigningRequestObject(metadata: ObjectMeta(name: name),
                spec: CSRSpec(request: Data(request.pemRepresentation.utf8), signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"]))
            if let label { object.metadata.labels = ["vkcert.io/node": label] }
            _ = try h.simulator.store.create(object, user: .node(node))
        }
        try make("vk-vk-1-stale", node: "vk-1", label: "vk-1")
        try make("vk-vk-1-done", node: "vk-1", label: "vk-1")
        try h.approve("vk-vk-1-done")
        try make("vk-other-x", node: "other", label: "other")
        try make("csr-manual", node: "vk-1", label: nil)
        let restarted = try h.manager()
        let again = h.start(restarted)
        #expect(await h.eventually(30) { !h.csrNames().contains("vk-vk-1-stale") })
        try await Task.sleep(for: .milliseconds(300))
        #expect(Set(h.csrNames()) == Set([ours, "vk-vk-1-done", "vk-other-x", "csr-manual"]), "\(h.csrNames())")
        again.cancel()
        await h.stop()
    }
}

enum RSAHolder {
    static let key = try! RSAPrivateKey.load(Repository.vectorBytes("openssl/keys/rsa2048-a.pkcs8.pem")).key
}
