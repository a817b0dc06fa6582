// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import VKKubeAPI
import VKKubeSim
import TestSupport
import Testing

/// The Secret store (`CertSecret`) against the emulator: a rescheduled pod (CertDir wiped) reuses the
/// certificate, or the pending request, with 0 new CSRs; two instances for one node started together
/// converge on exactly one CSR and serve the same serial. The ServiceAccount's rights are the least the
/// store needs: get/update on the one Secret by name, create in the namespace.
@Suite("Secret store", .serialized)
struct SecretStoreTests {
    static let secret = "vkcert-vk-1"

    /// An emulator with authorization on, the `interlink` namespace, and a client for the vkcert
    /// ServiceAccount with the CSR rules of deploy/rbac.yaml plus the Secret Role.
    static func setUp() async throws -> (Harness, KubeClient) {
        let h = try await Harness()
        _ = try h.simulator.namespaces.create(Namespace(name: "interlink"), namespace: nil)
        return (h, h.client)
    }

    func manager(_ h: Harness, dir: String) throws -> CSRCertificateManager {
        let store = try CertificateStore(directory: dir)
        let secretStore = SecretCertificateStore(namespace: "interlink", name: Self.secret, client: h.client, logger: h.logger)
        return CSRCertificateManager(settings: h.settings(), client: h.client, store: store, logger: h.logger, clock: h.clock, secretStore: secretStore)
    }

    @Test func rescheduledPodReusesTheCertificateAndThePendingRequest() async throws {
        let (h, _) = try await Self.setUp()
        // A pending request survives a reschedule: the second pod resumes it.
        let first = try manager(h, dir: h.dir.path("pod-1"))
        let task1 = h.start(first)
        // Generous windows: the suite runs beside the others on two cores (key generation is the slow step).
        #expect(await h.eventually(Harness.liveness) { h.csrNames().count == 1 }, "no CSR; manager: \(first.metrics.snapshot), requests made: \(first.createdRequests.withLock { $0 })")
        #expect(await h.eventually(Harness.liveness) { (try? h.simulator.secrets.get(namespace: "interlink", Self.secret))?.metadata.annotations?[SecretCertificateStore.pendingAnnotation] != nil })
        task1.cancel()
        _ = try? await task1.value
        let second = try manager(h, dir: h.dir.path("pod-2"))
        let task2 = h.start(second)
        try await Task.sleep(for: .milliseconds(500))
        let name = try #require(h.csrNames().first)
        #expect(h.csrNames().count == 1, "a new CSR after the reschedule: \(h.csrNames())")
        try h.approve(name)
        #expect(await h.eventually(Harness.liveness) { second.current() != nil })
        let serial = try #require(second.current()?.leaf.serialHex)
        #expect(await h.eventually(Harness.liveness) { ((try? h.simulator.secrets.get(namespace: "interlink", Self.secret))?.data?["tls.crt"]?.count ?? 0) > 0 })
        task2.cancel()
        _ = try? await task2.value
        // The issued certificate survives the next reschedule: served at once, no CSR.
        let third = try manager(h, dir: h.dir.path("pod-3"))
        let task3 = h.start(third)
        #expect(await h.eventually(Harness.liveness) { third.current() != nil })
        #expect(third.current()?.leaf.serialHex == serial)
        try await Task.sleep(for: .milliseconds(300))
        #expect(h.csrNames().count == 1, "\(h.csrNames())")
        let stored = try h.simulator.secrets.get(namespace: "interlink", Self.secret)
        #expect(stored.type == Secret.tlsType && stored.metadata.annotations?[SecretCertificateStore.pendingAnnotation] == nil)
        task3.cancel()
        await h.stop()
    }

    @Test func twoInstancesConvergeOnOneRequest() async throws {
        let (h, _) = try await Self.setUp()
        let a = try manager(h, dir: h.dir.path("a"))
        let b = try manager(h, dir: h.dir.path("b"))
        let taskA = h.start(a)
        let taskB = h.start(b)
        #expect(await h.eventually(Harness.liveness) { h.csrNames().count >= 1 }, "no CSR; managers: \(a.metrics.snapshot) / \(b.metrics.snapshot)")
        try await Task.sleep(for: .milliseconds(1_000))
        #expect(h.csrNames().count == 1, "two instances made \(h.csrNames())")
        let name = try #require(h.csrNames().first)
        try h.approve(name)
        #expect(await h.eventually(Harness.liveness) { a.current() != nil && b.current() != nil })
        #expect(a.current()?.leaf.serialHex == b.current()?.leaf.serialHex && a.current() != nil)
        #expect(h.csrNames().count == 1)
        taskA.cancel()
        taskB.cancel()
        await h.stop()
    }
}
