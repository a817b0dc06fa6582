// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import VKKubeAPI
import VKKubeSim
import Logging
import TestSupport
import VKX509
import Testing

/// deploy/rbac.yaml is both sufficient and minimal: vkcert's CSR flow, run as the ServiceAccount the
/// manifest binds (`system:serviceaccount:interlink:vkcert`, bearer token) against the emulator with
/// exactly those RBAC objects loaded (plus the apiserver's bootstrap policy), completes with no 403 —
/// start-up clean-up (list + delete of a stale request), create, watch, a restart that resumes (get),
/// approval by a member of the manifest's approver group (client certificate) — and with any one verb
/// removed from the requester's rule, the emulator answers a 403 that names that verb.
@Suite("deploy/rbac.yaml is sufficient and minimal", .serialized)
struct RBACProofTests {
    static let manifest = Repository.root.appendingPathComponent("deploy/rbac.yaml").path

    struct Outcome {
        var served: Bool
        var staleRemoved: Bool
        var secretWritten = false
        var denied: [String]
    }

    /// Runs the whole flow with the requester's verbs limited to `verbs`; each phase waits up to `window`
    /// seconds (generous: the suite runs beside others on two cores; a passing phase ends early), or until a 403 containing
    /// `stopWhenDenied` has been answered.
    /// `servingNeedsIt`: the removed permission makes serving impossible, so the second phase need not wait.
    /// `secretVerbs`: with the Secret store (`CertSecret: interlink/vkcert-vk-node-1`), the verbs left in
    /// deploy/rbac.yaml's Role for it (nil: no Secret store).
    static func run(verbs: [String], secretVerbs: [String]? = nil, window: Double = 90, stopWhenDenied: String? = nil, servingNeedsIt: Bool = false) async throws -> Outcome {
        var policy = try RBACPolicy.load(file: manifest)
        var role = try #require(policy.clusterRoles["vkcert-csr-requester"])
        role.rules = [PolicyRule(verbs: verbs, apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"])]
        policy.add(role)
        if let secretVerbs {
            var secretRole = try #require(policy.roles["interlink/vkcert-cert-secret"])
            secretRole.rules = secretRole.rules.compactMap { rule in
                var rule = rule
                rule.verbs = rule.verbs.filter(secretVerbs.contains)
                return rule.verbs.isEmpty ? nil : rule
            }
            policy.add(secretRole)
        }
        var options = KubeSimulator.Options()
        options.rbac = policy
        options.insecureUser = nil
        options.cleanerInterval = nil
        options.signingDuration = 3600
        let simulator = try KubeSimulator(options: options)
        try await simulator.start()
        _ = try simulator.namespaces.create(Namespace(name: "interlink"), namespace: nil)
        let dir = try TemporaryDirectory("rbac-proof")
        defer { dir.cleanup() }

        // A stale pending request of this node, left by an earlier pod.
        let stale = try CSRBuilder.kubeletServing(node: "vk-1", ipAddresses: [[10, 0, 0, 5]], dnsNames: []).sign(with: RSAHolder.key)
        var object = CertificateSigningRequestObject(metadata: ObjectMeta(name: "vk-vk-1-stale1"),
            spec: CSRSpec(request: Data(stale.pemRepresentation.utf8), signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "key encipherment", "server auth"]))
        object.metadata.labels = ["vkcert.io/node": "vk-1"]
        _ = try simulator.store.create(object, user: .serviceAccount(namespace: "interlink", name: "vkcert"))

        let token = simulator.serviceAccountToken(namespace: "interlink", name: "vkcert")
        let saConfig = try dir.write("sa", Array(simulator.kubeconfig(token: token, user: "vkcert").utf8))
        let client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: saConfig), initialBackoff: 0.05, requestTimeout: 5)
        let approverCert = try simulator.issueClientCertificate(user: "on-call", groups: ["vkcert-approvers"])
        let approverConfig = try dir.write("approver", Array(simulator.kubeconfig(clientCertificatePEM: approverCert.certificatePEM, keyPEM: approverCert.keyPEM, user: "on-call").utf8))
        let approver = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: approverConfig), initialBackoff: 0.05, requestTimeout: 5)
        var logger = Logger(label: "vkcert.test")
        logger.logLevel = .critical
        var settings = CSRCertificateManager.Settings(node: "vk-1", ips: [[10, 0, 0, 5]], dnsNames: [])
        let secretStore = secretVerbs.map { _ in SecretCertificateStore(namespace: "interlink", name: "vkcert-vk-node-1", client: client, logger: logger) }
        settings.pollInterval = 2
        settings.initialBackoff = 0.2
        settings.maximumBackoff = 0.5
        settings.statusInterval = 3600
        func manager() throws -> CSRCertificateManager {
            CSRCertificateManager(settings: settings, client: client, store: try CertificateStore(directory: dir.path("certs")), logger: logger, clock: TestClock(),
                                  secretStore: secretStore)
        }
        func ours() -> [String] { simulator.store.list(try! Selector(field: nil, label: nil)).items.compactMap(\.metadata.name).filter { $0 != "vk-vk-1-stale1" } }

        // First start: clean-up, create, watch. Then a restart while pending: get (resume), watch.
        let first = try manager()
        let task = Task { try await first.run() }
        func denied() -> Bool { stopWhenDenied.map { text in simulator.deniedRequests.contains { $0.contains(text) } } ?? false }
        _ = await eventually(window) { ours().count == 1 || denied() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = try? await task.value
        let second = try manager()
        let task2 = Task { try await second.run() }
        try await Task.sleep(for: .milliseconds(800))
        if let name = ours().first {
            _ = try await approver.decide(name, approve: true, reason: "OnCall", message: "approved by a vkcert-approvers member")
        }
        _ = await eventually(window) { second.current() != nil || (servingNeedsIt && denied()) }
        let served = second.current() != nil
        task2.cancel()
        _ = try? await task2.value
        await client.shutdown()
        await approver.shutdown()
        let stored = (try? simulator.secrets.get(namespace: "interlink", "vkcert-vk-node-1"))?.data?["tls.crt"]?.isEmpty == false
        let outcome = Outcome(served: served, staleRemoved: (try? simulator.store.get("vk-vk-1-stale1")) == nil, secretWritten: stored, denied: simulator.deniedRequests)
        await simulator.stop()
        return outcome
    }

    static func eventually(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    static let verbs = ["create", "get", "list", "watch", "delete"]

    @Test func theManifestIsSufficient() async throws {
        let outcome = try await Self.run(verbs: Self.verbs)
        #expect(outcome.served, "the CSR flow did not complete as the ServiceAccount of deploy/rbac.yaml")
        #expect(outcome.staleRemoved)
        #expect(outcome.denied.isEmpty, "\(outcome.denied)")
    }

    /// With the Secret store: the manifest's Role for it suffices (the pair lands in the Secret, no 403)
    /// and each of its verbs is needed (a 403 naming it; without get or create nothing reaches the Secret).
    @Test func theManifestCoversTheSecretStore() async throws {
        let outcome = try await Self.run(verbs: Self.verbs, secretVerbs: ["get", "update", "create"])
        #expect(outcome.served && outcome.secretWritten, "served \(outcome.served), Secret written \(outcome.secretWritten)")
        #expect(outcome.denied.isEmpty, "\(outcome.denied)")
    }

    @Test(arguments: ["get", "update", "create"])
    func everySecretVerbIsNeeded(_ removed: String) async throws {
        let expected = #"User "system:serviceaccount:interlink:vkcert" cannot \#(removed) resource "secrets" in API group "" in the namespace "interlink""#
        let outcome = try await Self.run(verbs: Self.verbs, secretVerbs: ["get", "update", "create"].filter { $0 != removed }, stopWhenDenied: expected)
        #expect(outcome.denied.contains { $0.contains(expected) }, "without secrets \(removed): \(outcome.denied.prefix(3))")
        #expect(!outcome.secretWritten, "the pair reached the Secret without \(removed)")
        print("without secrets \(removed): served=\(outcome.served) secretWritten=\(outcome.secretWritten) first 403: \(outcome.denied.first ?? "-")")
    }

    @Test(arguments: verbs)
    func everyVerbIsNeeded(_ removed: String) async throws {
        let expected = #"User "system:serviceaccount:interlink:vkcert" cannot \#(removed) resource "certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope"#
        let outcome = try await Self.run(verbs: Self.verbs.filter { $0 != removed }, stopWhenDenied: expected, servingNeedsIt: ["create", "get"].contains(removed))
        #expect(outcome.denied.contains { $0.contains(expected) }, "without \(removed): \(outcome.denied.prefix(3))")
        // What breaks: no request at all, no resume/poll, no clean-up; without watch only the poll notices the approval.
        switch removed {
        case "create", "get": #expect(!outcome.served, "served without \(removed)")
        case "list", "delete":
            #expect(!outcome.staleRemoved, "stale request removed without \(removed)")
            #expect(outcome.served, "clean-up is best effort: the flow still completes without \(removed)")
        default: break
        }
        print("without \(removed): served=\(outcome.served) staleRemoved=\(outcome.staleRemoved) 403s=\(outcome.denied.count), first: \(outcome.denied.first ?? "-")")
    }
}
