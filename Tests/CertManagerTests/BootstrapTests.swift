// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import VKKubeAPI
import VKKubeSim
import Logging
import TestSupport
import Testing
import VKX509

/// TLS bootstrapping (BootstrapKubeconfig) against the emulator with kube-apiserver's Node,RBAC
/// authorization, deploy/bootstrap-rbac.yaml, kube-controller-manager's csrapproving rules and a
/// kubelet-csr-approver-style serving approver — judged by CSR counts and requesters in the emulator's
/// store, the real kubectl (`get csr`, `auth can-i`, and the node kubeconfig vkcert writes) and openssl
/// (both certificates against the emulator's two CAs, with their EKUs).
@Suite("TLS bootstrapping", .serialized)
struct BootstrapTests {
    static let bootstrapRBAC = Repository.root.appendingPathComponent("deploy/bootstrap-rbac.yaml").path

    final class Cluster: @unchecked Sendable {
        // @unchecked: set in init, read afterwards.
        let simulator: KubeSimulator
        let dir: TemporaryDirectory
        let token: String
        let bootstrapKubeconfig: String
        let adminKubeconfig: String
        let clock = TestClock()
        let logger: Logger

        /// `autoApprove`: the serving approver (IPs in 10.0.0.0/8). `rbac`: the policy (default: the
        /// deploy manifest's bindings, so node client requests are approved by SubjectAccessReview).
        init(autoApprove: Bool, rbac: RBACPolicy? = nil) async throws {
            var options = KubeSimulator.Options()
            options.rbac = try rbac ?? RBACPolicy.load(file: BootstrapTests.bootstrapRBAC)
            options.insecureUser = nil
            options.cleanerInterval = nil
            options.signingDuration = 3600
            options.autoApprove = autoApprove
            options.servingApproval.ipPrefixes = ["10.0.0.0/8"]
            options.clientKubeletCA = try KubeSimulator.makeCA(commonName: "vkcert-test-client-kubelet-ca")
            simulator = try KubeSimulator(options: options)
            try await simulator.start()
            dir = try TemporaryDirectory("bootstrap")
            token = try simulator.createBootstrapToken(extraGroups: ["system:bootstrappers:vkcert"])
            bootstrapKubeconfig = try dir.write("bootstrap.kubeconfig", Array(simulator.kubeconfig(token: token, user: "kubelet-bootstrap").utf8))
            adminKubeconfig = try dir.write("admin.kubeconfig", Array(simulator.kubeconfig().utf8))
            var logger = Logger(label: "vkcert.test")
            logger.logLevel = .critical
            self.logger = logger
        }

        var certDir: String { dir.path("certs") }
        var nodeKubeconfig: String { certDir + "/node.kubeconfig" }
        var bootstrapUser: String { "system:bootstrap:" + token.prefix(6) }

        func configuration() -> VKConfiguration {
            var config = VKConfiguration()
            config.nodeName = "vk-1"
            config.nodeIPs = ["10.0.0.5"]
            config.certDir = certDir
            config.bootstrapKubeconfig = bootstrapKubeconfig
            config.pollInterval = 1
            return config
        }

        struct Running {
            let started: CertificateManager.Started
            let task: Task<Void, any Error>
            var serving: CSRCertificateManager { started.csrManager! }
            var client: CSRCertificateManager { started.bootstrap!.manager }

            func stop() async {
                task.cancel()
                _ = try? await task.value
                await started.shutdown()
            }
        }

        func start() throws -> Running {
            let started = try CertificateManager.make(configuration(), logger: logger, clock: clock)
            return Running(started: started, task: Task { try await started.runManagers() })
        }

        func requests(signer: String? = nil) -> [CertificateSigningRequestObject] {
            simulator.store.list(try! Selector(field: nil, label: nil)).items.filter { signer == nil || $0.spec.signerName == signer }
        }

        func kubectl(_ arguments: [String], kubeconfig: String? = nil) async throws -> ProcessResult {
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = dir.path("")
            environment["KUBECONFIG"] = kubeconfig ?? adminKubeconfig
            return try await Run.process("kubectl", arguments + ["--request-timeout=20s"], environment: environment)
        }

        func stop() async {
            await simulator.stop()
            dir.cleanup()
        }
    }

    static func eventually(_ seconds: TimeInterval, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    static let clientSigner = CertificatePurpose.nodeClientSignerName
    static let servingSigner = "kubernetes.io/kubelet-serving"

    /// Bootstrap token only → node client certificate (requester system:bootstrap:<id>, approved by the
    /// csrapproving rules) → serving certificate requested by system:node:vk-1 and approved by the serving
    /// approver → served; no human step. Then: kubectl and openssl judge what was issued and written; an
    /// expired bootstrap token changes nothing across a restart; at 80 % of its lifetime the client
    /// certificate is renewed by the node itself with no API call failing.
    @Test func fromABootstrapTokenToServedWithNoHumanStep() async throws {
        let cluster = try await Cluster(autoApprove: true)
        let begun = Date()
        var running = try cluster.start()
        // Generous window: the suite runs beside others on two cores (key generation is the slow step).
        #expect(await Self.eventually(Harness.liveness) { running.client.current() != nil }, "no node client certificate; CSRs: \(cluster.requests().map { "\($0.metadata.name ?? "") \($0.spec.username ?? "")" })")
        let clientAfter = Date().timeIntervalSince(begun)
        #expect(await Self.eventually(Harness.liveness) { running.serving.current() != nil }, "not served; CSRs: \(cluster.requests().map { "\($0.metadata.name ?? "") \($0.spec.username ?? "")" })")
        print("bootstrap: node client certificate after \(Int(clientAfter * 1000)) ms, serving certificate after \(Int(Date().timeIntervalSince(begun) * 1000)) ms (\(cluster.simulator.requestsHandled) API requests)")
        let clientRequests = cluster.requests(signer: Self.clientSigner)
        let servingRequests = cluster.requests(signer: Self.servingSigner)
        try #require(clientRequests.count == 1 && servingRequests.count == 1, "\(cluster.requests().map(\.metadata.name))")
        let clientCSR = clientRequests[0], servingCSR = servingRequests[0]
        #expect(clientCSR.spec.username == cluster.bootstrapUser)
        #expect(clientCSR.condition(CSRCondition.approved)?.message == "Auto approving kubelet client certificate after SubjectAccessReview.")
        #expect(clientCSR.spec.usages == ["digital signature", "key encipherment", "client auth"])
        #expect(servingCSR.spec.username == "system:node:vk-1")
        #expect(servingCSR.spec.groups?.contains("system:nodes") == true)
        #expect(servingCSR.condition(CSRCondition.approved)?.message == "Auto approving self kubelet server certificate after SubjectAccessReview.")
        #expect(cluster.simulator.deniedRequests.isEmpty, "\(cluster.simulator.deniedRequests)")
        #expect(running.client.metrics.snapshot.renewalErrors == 0 && running.serving.metrics.snapshot.renewalErrors == 0)

        // Idle: with both certificates far from their renewal points the node makes no API request at all
        // (both workflows sleep until 80 %; no polling, no open watch).
        let requestsBefore = cluster.simulator.requestsHandled
        try await Task.sleep(for: .seconds(5))
        let idleRequests = cluster.simulator.requestsHandled - requestsBefore
        #expect(idleRequests == 0, "\(idleRequests) API requests in 5 s of idling")
        print("bootstrap: \(idleRequests) API requests in 5 s idle after issuance")

        // kubectl: the operator's view of both requests; what each identity may do.
        let table = try await cluster.kubectl(["get", "csr", "--sort-by=.metadata.name"])
        #expect(table.status == 0, "\(table.stderrText)")
        print("kubectl get csr after bootstrapping:\n\(table.stdoutText)")
        let rows = table.stdoutText.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.contains { $0.contains(Self.clientSigner) && $0.contains(cluster.bootstrapUser) && $0.last == "Approved,Issued" }, "\(table.stdoutText)")
        #expect(rows.contains { $0.contains(Self.servingSigner) && $0.contains("system:node:vk-1") && $0.last == "Approved,Issued" }, "\(table.stdoutText)")
        for (kubeconfig, arguments, answer) in [
            (cluster.bootstrapKubeconfig, ["create", "certificatesigningrequests", "--subresource=nodeclient"], "yes"),
            (cluster.bootstrapKubeconfig, ["create", "certificatesigningrequests", "--subresource=selfnodeclient"], "no"),
            (cluster.nodeKubeconfig, ["create", "certificatesigningrequests"], "yes"),
            (cluster.nodeKubeconfig, ["create", "certificatesigningrequests", "--subresource=selfnodeclient"], "yes"),
            (cluster.nodeKubeconfig, ["delete", "certificatesigningrequests"], "no"),
            (cluster.nodeKubeconfig, ["update", "certificatesigningrequests", "--subresource=approval"], "no"),
        ] {
            let result = try await cluster.kubectl(["auth", "can-i"] + arguments, kubeconfig: kubeconfig)
            #expect(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == answer, "\(kubeconfig == cluster.nodeKubeconfig ? "node" : "bootstrap") can-i \(arguments): \(result.stdoutText)\(result.stderrText)")
        }
        // The node kubeconfig vkcert wrote works for kubectl as the node (it names the rotating file).
        let asNode = try await cluster.kubectl(["get", "csr", "-o", "name"], kubeconfig: cluster.nodeKubeconfig)
        #expect(asNode.status == 0 && asNode.stdoutText.contains(servingCSR.metadata.name!), "\(asNode.stderrText)")
        let kubeconfigText = try String(contentsOfFile: cluster.nodeKubeconfig, encoding: .utf8)
        #expect(kubeconfigText.contains("client-certificate: \"\(cluster.certDir)/kubelet-client-current.pem\""), "\(kubeconfigText)")
        for path in [cluster.nodeKubeconfig, cluster.certDir + "/kubelet-client-current.pem"] {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? path
            #expect((try FileManager.default.attributesOfItem(atPath: resolved))[.posixPermissions] as? Int == 0o600, "\(resolved)")
        }

        // openssl: each certificate verifies against its own CA only, with its purpose.
        let clientPEM = try cluster.dir.write("client.pem", Array(running.client.current()!.leaf.pemRepresentation.utf8))
        let servingPEM = try cluster.dir.write("serving.pem", Array(running.serving.current()!.leaf.pemRepresentation.utf8))
        let clientCA = try cluster.dir.write("client-ca.pem", Array(cluster.simulator.clientSigner.caCertificate.pemRepresentation.utf8))
        let clusterCA = try cluster.dir.write("cluster-ca.pem", Array(cluster.simulator.caCertificate.pemRepresentation.utf8))
        for (certificate, ca, purpose, ok) in [(clientPEM, clientCA, "sslclient", true), (servingPEM, clusterCA, "sslserver", true),
                                               (clientPEM, clusterCA, "sslclient", false), (servingPEM, clusterCA, "sslclient", false)] {
            let verified = try await Run.openssl(["verify", "-CAfile", ca, "-purpose", purpose, certificate])
            #expect((verified.status == 0) == ok, "openssl verify -purpose \(purpose) \(certificate) with \(ca): \(verified.stdoutText)\(verified.stderrText)")
        }
        let clientText = try await Run.openssl(["x509", "-in", clientPEM, "-noout", "-subject", "-ext", "extendedKeyUsage,subjectAltName"]).stdoutText
        #expect(clientText.contains("TLS Web Client Authentication") && !clientText.contains("Server") && !clientText.contains("Subject Alternative Name"), "\(clientText)")
        #expect(clientText.contains("subject=O = system:nodes, CN = system:node:vk-1"), "\(clientText)")
        let servingText = try await Run.openssl(["x509", "-in", servingPEM, "-noout", "-ext", "extendedKeyUsage,subjectAltName"]).stdoutText
        #expect(servingText.contains("TLS Web Server Authentication") && servingText.contains("IP Address:10.0.0.5"), "\(servingText)")

        // The bootstrap token expires: nothing changes, across a restart too (no request uses it).
        var secret = try cluster.simulator.secrets.get(namespace: "kube-system", "bootstrap-token-\(cluster.token.prefix(6))")
        secret.data?["expiration"] = Data(KubeJSON.format(Date().addingTimeInterval(-60)).utf8)
        _ = try cluster.simulator.secrets.update(namespace: "kube-system", secret.metadata.name!, secret)
        let expired = try await cluster.kubectl(["get", "csr"], kubeconfig: cluster.bootstrapKubeconfig)
        #expect(expired.status != 0 && expired.stderrText.contains("Unauthorized"), "the expired token still authenticates: \(expired.stderrText)")
        await running.stop()
        // And the bootstrap kubeconfig removed, as operators do after joining: the cluster comes from the
        // node kubeconfig vkcert wrote.
        try FileManager.default.removeItem(atPath: cluster.bootstrapKubeconfig)
        running = try cluster.start()
        #expect(await Self.eventually(30) { running.serving.current() != nil && running.client.current() != nil })
        try await Task.sleep(for: .milliseconds(500))
        #expect(cluster.requests().count == 2, "a restart after the token expired made requests: \(cluster.requests().map(\.metadata.name))")

        // Rotation at 80 %: just before, nothing; just after, a new client CSR from the node itself.
        let first = try #require(running.client.current())
        let servedBefore = try #require(running.serving.current()).leaf.serialNumber
        let renewAt = first.renewalPoint(fraction: 0.8)
        cluster.clock.advance(by: renewAt.timeIntervalSince(cluster.clock.now()) - 30)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(cluster.requests(signer: Self.clientSigner).count == 1, "renewed before 80 % of the lifetime")
        cluster.clock.advance(by: 31)
        #expect(await Self.eventually(Harness.liveness) { running.client.current().map { $0.leaf.serialNumber != first.leaf.serialNumber } ?? false }, "client certificate not rotated")
        // The serving certificate (same lifetime) is renewed too, requested with the rotated client certificate.
        #expect(await Self.eventually(Harness.liveness) { running.serving.current().map { $0.leaf.serialNumber != servedBefore } ?? false }, "serving certificate not renewed")
        // Back to real time, so the new certificates are far from their renewal points again.
        cluster.clock.advance(by: -cluster.clock.now().timeIntervalSince(Date()))
        let renewals = cluster.requests(signer: Self.clientSigner).filter { $0.metadata.name != clientCSR.metadata.name }
        #expect(renewals.count >= 1 && renewals.allSatisfy { $0.spec.username == "system:node:vk-1" }, "\(renewals.map { $0.spec.username ?? "" })")
        #expect(renewals.allSatisfy { $0.condition(CSRCondition.approved)?.message == "Auto approving self kubelet client certificate after SubjectAccessReview." })
        #expect(cluster.requests(signer: Self.servingSigner).allSatisfy { $0.spec.username == "system:node:vk-1" })
        #expect(cluster.simulator.deniedRequests.isEmpty, "\(cluster.simulator.deniedRequests)")
        #expect(running.client.metrics.snapshot.renewalErrors == 0 && running.serving.metrics.snapshot.renewalErrors == 0,
                "API calls failed: client \(running.client.metrics.snapshot.renewalErrors), serving \(running.serving.metrics.snapshot.renewalErrors)")
        print("bootstrap: \(cluster.requests().count) CSRs in all after one rotation of each certificate")
        await running.stop()
        await cluster.stop()
    }

    /// Restarted at each stage — client CSR pending, serving CSR pending, both issued — vkcert resumes the
    /// request it has and never makes a second one; approvals are by hand (kubectl), so each stage waits.
    @Test func restartsAtEachStageKeepOneRequestEach() async throws {
        // Only the bootstrapper binding: the token may create CSRs, but nothing approves them.
        var policy = RBACPolicy()
        policy.add(PolicyBinding(name: "vkcert:node-bootstrapper", namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: "system:node-bootstrapper"),
                                 subjects: [.group("system:bootstrappers:vkcert")]))
        let cluster = try await Cluster(autoApprove: false, rbac: policy)
        for round in 0..<3 {
            let running = try cluster.start()
            #expect(await Self.eventually(Harness.liveness) { cluster.requests().count == 1 && FileManager.default.fileExists(atPath: cluster.certDir + "/kubelet-client-pending.json") },
                    "round \(round): \(cluster.requests().map(\.metadata.name))")
            await running.stop()
        }
        let clientName = try #require(cluster.requests(signer: Self.clientSigner).first?.metadata.name)
        #expect(clientName.hasPrefix("vk-vk-1-client-"))
        let approved = try await cluster.kubectl(["certificate", "approve", clientName])
        #expect(approved.status == 0, "\(approved.stderrText)")
        for round in 0..<3 {
            let running = try cluster.start()
            #expect(await Self.eventually(Harness.liveness) { running.client.current() != nil && cluster.requests(signer: Self.servingSigner).count == 1 },
                    "round \(round): \(cluster.requests().map(\.metadata.name))")
            #expect(running.serving.current() == nil, "served before approval")
            await running.stop()
        }
        #expect(cluster.requests().count == 2, "\(cluster.requests().map(\.metadata.name))")
        let servingName = try #require(cluster.requests(signer: Self.servingSigner).first?.metadata.name)
        #expect(cluster.requests(signer: Self.servingSigner).first?.spec.username == "system:node:vk-1")
        _ = try await cluster.kubectl(["certificate", "approve", servingName])
        var running = try cluster.start()
        #expect(await Self.eventually(Harness.liveness) { running.serving.current() != nil })
        await running.stop()
        running = try cluster.start()
        #expect(await Self.eventually(30) { running.serving.current() != nil && running.client.current() != nil })
        try await Task.sleep(for: .milliseconds(500))
        #expect(cluster.requests().count == 2, "\(cluster.requests().map(\.metadata.name))")
        await running.stop()
        await cluster.stop()
    }

    /// The contrast the README shows: the same serving approver leaves a request made by the ServiceAccount
    /// (deploy/rbac.yaml's identity, no bootstrapping) pending, and says why.
    @Test func aServiceAccountRequestStaysPendingUnderTheApprover() async throws {
        var policy = try RBACPolicy.load(file: Repository.root.appendingPathComponent("deploy/rbac.yaml").path)
        policy.merge(try RBACPolicy.load(file: Self.bootstrapRBAC))
        let cluster = try await Cluster(autoApprove: true, rbac: policy)
        let saKubeconfig = try cluster.dir.write("sa.kubeconfig", Array(cluster.simulator.kubeconfig(
            token: cluster.simulator.serviceAccountToken(namespace: "interlink", name: "vkcert"), user: "vkcert").utf8))
        var config = cluster.configuration()
        config.bootstrapKubeconfig = nil
        config.kubeconfig = saKubeconfig
        let started = try CertificateManager.make(config, logger: cluster.logger, clock: cluster.clock)
        let task = Task { try await started.runManagers() }
        #expect(await Self.eventually(Harness.liveness) { cluster.requests().count == 1 })
        try await Task.sleep(for: .seconds(2))
        let request = try #require(cluster.requests().first)
        #expect(request.spec.username == "system:serviceaccount:interlink:vkcert")
        #expect(!request.isApproved && started.source.current() == nil, "the approver approved a ServiceAccount's request")
        #expect(cluster.simulator.servingApprover?.refusals.contains { $0.contains("is not a node") } == true, "\(cluster.simulator.servingApprover?.refusals ?? [])")
        task.cancel()
        _ = try? await task.value
        await cluster.stop()
    }
}

extension BootstrapTests {
    /// The sandbox's built-in bindings are deploy/bootstrap-rbac.yaml's, object for object.
    @Test func theSandboxBindsWhatTheManifestBinds() throws {
        let manifest = try RBACPolicy.load(file: Self.bootstrapRBAC)
        let builtIn = try RBACPolicy.load(yaml: NodeBootstrap.clusterBindings, file: "NodeBootstrap.clusterBindings")
        #expect(manifest.clusterRoleBindings.count == 3)
        #expect(Set(manifest.clusterRoleBindings) == Set(builtIn.clusterRoleBindings))
        #expect(manifest == builtIn)
    }
}
