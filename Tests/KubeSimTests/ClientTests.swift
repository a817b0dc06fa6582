// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
import VKKubeSim
import NIOCore
import VKRSA
import TestSupport
import Testing
import VKX509

/// vkcert's Kubernetes client against the emulator over HTTPS with the kubeconfig it writes: the same
/// scenarios kubectl passes, plus a dropped watch stream, 410 re-list, 409 retry and injected 5xx.
@Suite("KubeAPI client against the emulator", .serialized)
struct ClientTests {
    static let key: RSAPrivateKey = try! RSAPrivateKey.load(Repository.vectorBytes("openssl/keys/rsa2048-b.pkcs8.pem")).key

    struct Setup {
        let simulator: KubeSimulator
        let client: KubeClient
        let dir: TemporaryDirectory

        init() async throws {
            simulator = try KubeSimulator()
            try await simulator.start()
            dir = try TemporaryDirectory("kubeclient")
            let path = try dir.write("kubeconfig", Array(simulator.kubeconfig().utf8))
            client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: path), initialBackoff: 0.05)
        }

        func stop() async {
            await client.shutdown()
            await simulator.stop()
            dir.cleanup()
        }
    }

    static func request(_ name: String?, node: String = "vk-1") throws -> CertificateSigningRequestObject {
        let csr = try CSRBuilder.kubeletServing(node: node, ipAddresses: [[10, 0, 0, 1]], dnsNames: [node]).sign(with: key)
        return CertificateSigningRequestObject(
            metadata: name.map { ObjectMeta(name: $0) } ?? ObjectMeta(generateName: "csr-"),
            spec: CSRSpec(request: Data(csr.pemRepresentation.utf8), signerName: "kubernetes.io/kubelet-serving", expirationSeconds: 3600,
                          usages: ["digital signature", "key encipherment", "server auth"])
        )
    }

    @Test func createGetListApproveWatchDelete() async throws {
        let setup = try await Setup()
        let created = try await setup.client.create(try Self.request(nil))
        let name = try #require(created.metadata.name)
        #expect(name.hasPrefix("csr-") && created.spec.username == "kubernetes-admin")
        #expect(try await setup.client.get(name).metadata.uid == created.metadata.uid)
        let list = try await setup.client.list(fieldSelector: "metadata.name=\(name)")
        #expect(list.items.map(\.metadata.name) == [name])
        #expect(try await setup.client.list(fieldSelector: "spec.signerName=example.com/other").items.isEmpty)

        let events = try await setup.client.watch(fieldSelector: "metadata.name=\(name)", resourceVersion: list.metadata.resourceVersion)
        _ = try await setup.client.decide(name, approve: true, reason: "Test", message: "approved by a test")
        var issued: CertificateSigningRequestObject? = nil
        for try await event in events {
            if event.type == "MODIFIED", event.object.isIssued {
                issued = event.object
                break
            }
        }
        let object = try #require(issued)
        let cert = try Certificate(pemEncoded: [UInt8](object.status!.certificate!))
        #expect(cert.subject.commonNames == ["system:node:vk-1"])
        #expect(cert.isSignature(validFor: setup.simulator.caCertificate.publicKey))
        try await setup.client.delete(name)
        await #expect(throws: KubeAPIError.self) { try await setup.client.get(name) }
        do {
            _ = try await setup.client.get(name)
        } catch let error as KubeAPIError {
            #expect(error.code == .notFound && error.message == "certificatesigningrequests.certificates.k8s.io \"\(name)\" not found")
        }
        await setup.stop()
    }

    /// A watch the server drops early is resumed from the last resourceVersion without losing events.
    @Test func watchResumesAcrossADroppedStream() async throws {
        let setup = try await Setup()
        setup.simulator.faults.withLockedValue { $0.watchLifetime = .milliseconds(300) }
        let start = try await setup.client.list()
        var resourceVersion = start.metadata.resourceVersion
        var seen: [String] = []
        Task {
            for i in 0..<4 {
                try await Task.sleep(for: .milliseconds(200))
                _ = try await setup.client.create(try Self.request("w\(i)"))
            }
        }
        var streams = 0
        while seen.count < 4 && streams < 20 {
            streams += 1
            let events = try await setup.client.watch(resourceVersion: resourceVersion)
            do {
                for try await event in events {
                    resourceVersion = event.object.metadata.resourceVersion
                    if event.type == "ADDED" { seen.append(event.object.metadata.name ?? "") }
                }
            } catch {
                // The server closed the stream: resume from the last resourceVersion.
            }
        }
        #expect(seen == ["w0", "w1", "w2", "w3"], "\(seen)")
        #expect(streams > 1, "the stream was never dropped, so the test proved nothing")
        await setup.stop()
    }

    @Test func tooOldResourceVersionIsExpired() async throws {
        let setup = try await Setup()
        let first = try await setup.client.create(try Self.request("old"))
        _ = try await setup.client.create(try Self.request("newer"))
        setup.simulator.store.compactHistory()
        do {
            for try await _ in try await setup.client.watch(resourceVersion: first.metadata.resourceVersion) {}
            Issue.record("watch from a compacted resourceVersion did not fail")
        } catch let error as KubeAPIError {
            #expect(error.code == .expired, "\(error)")
        }
        // Re-list works and yields a fresh resourceVersion to watch from.
        let relisted = try await setup.client.list()
        #expect(relisted.items.count == 2)
        await setup.stop()
    }

    @Test func conflictIsRetried() async throws {
        let setup = try await Setup()
        let created = try await setup.client.create(try Self.request("c"))
        // Someone else changes the object between our GET and PUT: updateApproval with the stale copy → 409.
        _ = try setup.simulator.store.updateObject("c", created)
        var stale = created
        stale.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.approved, reason: "Test")])
        do {
            _ = try await setup.client.updateApproval(stale)
            Issue.record("stale update accepted")
        } catch let error as KubeAPIError {
            #expect(error.code == .conflict)
        }
        // decide() re-reads on 409 and succeeds.
        #expect(try await setup.client.decide("c", approve: false, reason: "Test", message: "no").isDenied)
        await setup.stop()
    }

    @Test func serverErrorsAreRetriedAndLostAnswersCauseNoDuplicates() async throws {
        let setup = try await Setup()
        setup.simulator.faults.withLockedValue { $0.serverErrors = 3 }
        let created = try await setup.client.create(try Self.request("r1"))
        #expect(created.metadata.name == "r1")
        // The server creates the object but the answer is lost: the retry finds it, no duplicate.
        setup.simulator.faults.withLockedValue { $0.dropsAfterProcessing = 1 }
        let second = try await setup.client.create(try Self.request("r2"))
        #expect(second.metadata.name == "r2")
        #expect(setup.simulator.store.count == 2)
        // 4xx is not retried: AlreadyExists straight away on a genuine duplicate.
        setup.simulator.faults.withLockedValue { $0.serverErrors = 0 }
        do {
            _ = try await setup.client.create(try Self.request("r2", node: "other"))
            Issue.record("duplicate accepted")
        } catch let error as KubeAPIError {
            #expect(error.code == .alreadyExists)
        }
        // Too many 5xx: the error surfaces as a server error after the retries.
        setup.simulator.faults.withLockedValue { $0.serverErrors = 100 }
        do {
            _ = try await setup.client.get("r1")
            Issue.record("persistent 503 not reported")
        } catch let error as KubeAPIError {
            #expect(error.code == .server)
        }
        setup.simulator.faults.withLockedValue { $0.serverErrors = 0 }
        await setup.stop()
    }

    @Test func kubeconfigErrorsNameTheProblem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let missingContext = try dir.write("a", Array("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\ncurrent-context: nope\n".utf8))
        #expect(throws: KubeAPIError.self) { try ClientConfiguration.load(kubeconfig: missingContext) }
        do {
            _ = try ClientConfiguration.load(kubeconfig: missingContext)
        } catch let error as KubeAPIError {
            #expect(error.message.contains("context \"nope\""))
        }
        let garbage = try dir.write("b", Array(": : :\n  - [".utf8))
        #expect(throws: KubeAPIError.self) { try ClientConfiguration.load(kubeconfig: garbage) }
        #expect(throws: KubeAPIError.self) { try ClientConfiguration.inCluster(environment: [:]) }
        let tokenDir = dir.url.appendingPathComponent("sa").path
        try FileManager.default.createDirectory(atPath: tokenDir, withIntermediateDirectories: true)
        _ = try dir.write("sa/ca.crt", Array("x".utf8))
        let inCluster = try ClientConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], accountDirectory: tokenDir)
        #expect(inCluster.server == "https://10.96.0.1:443")
        if case .tokenFile(let path, let refresh) = inCluster.credentials {
            #expect(path == tokenDir + "/token" && refresh == 60)
        } else {
            Issue.record("in-cluster credentials are not the rotating token file")
        }
    }
}

/// Token sources: an exec credential plugin and a rotating token file, against the emulator's tokens.
@Suite("KubeAPI credentials", .serialized)
struct CredentialTests {
    /// A kubeconfig whose user is the exec plugin `plugin`, against `simulator`.
    static func execKubeconfig(_ simulator: KubeSimulator, plugin: String, in dir: TemporaryDirectory) throws -> String {
        let base = simulator.kubeconfig().components(separatedBy: "users:")[0]
        let config = base + """
            users:
            - name: admin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(plugin)
                  interactiveMode: Never

            """
        return try dir.write("exec.kubeconfig", Array(config.utf8))
    }

    /// Exec plugins are waited for off Swift concurrency's threads. As many clients as the machine has cores
    /// (the cooperative pool's width) each run a plugin that waits for a go-ahead file; the go-ahead comes
    /// from a task, once every plugin has started. Waiting for a plugin on a cooperative thread took them
    /// all, so that task never ran and every plugin gave up after 10 s (a "late" marker, and a 401).
    @Test func execPluginsAreWaitedForOffTheCooperativeThreads() async throws {
        var options = KubeSimulator.Options()
        options.extraTokens = ["node-token-1": .node("vk-9")]
        let simulator = try KubeSimulator(options: options)
        try await simulator.start()
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let plugin = try dir.write("plugin.sh", Array("""
            #!/bin/sh
            d="$(dirname "$0")"
            : > "$d/started-$$"
            i=0
            while [ ! -e "$d/go" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
            token=node-token-1
            if [ ! -e "$d/go" ]; then token=late; : > "$d/late-$$"; fi
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$token"

            """.utf8))
        chmod(plugin, 0o755)
        let configuration = try ClientConfiguration.load(kubeconfig: try Self.execKubeconfig(simulator, plugin: plugin, in: dir))
        let width = System.coreCount
        let clients = try (0..<width).map { _ in try KubeClient(configuration: configuration, initialBackoff: 0.05) }
        func markers(_ prefix: String) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix(prefix) }.count
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { _ = try await client.list() } }
            group.addTask {
                while try markers("started-") < width { try await Task.sleep(for: .milliseconds(20)) }
                _ = FileManager.default.createFile(atPath: dir.path("go"), contents: Data())
            }
            try await group.waitForAll()
        }
        #expect(try markers("late-") == 0, "a plugin waited for its go-ahead until it gave up: the cooperative threads were held")
        #expect(try markers("started-") == width, "one plugin run per client")
        for client in clients { await client.shutdown() }
        await simulator.stop()
    }

    /// Requests that need a token while the plugin runs wait for that run, as client-go's exec
    /// authenticator does under its mutex (exec.go, refreshCredsLocked): one run for eight requests.
    @Test func concurrentRequestsShareOneExecPluginRun() async throws {
        var options = KubeSimulator.Options()
        options.extraTokens = ["node-token-1": .node("vk-9")]
        let simulator = try KubeSimulator(options: options)
        try await simulator.start()
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let plugin = try dir.write("plugin.sh", Array("""
            #!/bin/sh
            : > "$(dirname "$0")/run-$$"
            sleep 1
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"node-token-1"}}'

            """.utf8))
        chmod(plugin, 0o755)
        let client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: try Self.execKubeconfig(simulator, plugin: plugin, in: dir)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await client.list() } }
            try await group.waitForAll()
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix("run-") }
        #expect(runs.count == 1, "\(runs.count) plugin runs for 8 concurrent requests")
        await client.shutdown()
        await simulator.stop()
    }

    @Test func execPluginAndTokenFile() async throws {
        var options = KubeSimulator.Options()
        options.extraTokens = ["node-token-1": .node("vk-9"), "node-token-2": .node("vk-9")]
        let simulator = try KubeSimulator(options: options)
        try await simulator.start()
        defer { Task { await simulator.stop() } }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // An exec plugin (client.authentication.k8s.io/v1) printing an ExecCredential with a token.
        let plugin = try dir.write("plugin.sh", Array("""
            #!/bin/sh
            echo "$KUBERNETES_EXEC_INFO" > "$(dirname "$0")/exec-info.json"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"node-token-1"}}'

            """.utf8))
        chmod(plugin, 0o755)
        let base = simulator.kubeconfig().components(separatedBy: "users:")[0]
        let execPath = try Self.execKubeconfig(simulator, plugin: plugin, in: dir)
        let client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: execPath))
        let created = try await client.create(try ClientTests.request("via-exec", node: "vk-9"))
        #expect(created.spec.username == "system:node:vk-9", "the request must carry the plugin's token identity")
        let info = try String(contentsOfFile: dir.path("exec-info.json"), encoding: .utf8)
        #expect(info.contains("\"kind\":\"ExecCredential\""))
        await client.shutdown()

        // A token file, relative to the kubeconfig, re-read when its cache expires.
        _ = try dir.write("token", Array("node-token-2\n".utf8))
        let fileConfig = base + "users:\n- name: admin\n  user:\n    tokenFile: token\n"
        let filePath = try dir.write("file.kubeconfig", Array(fileConfig.utf8))
        let fileClient = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: filePath))
        #expect(try await fileClient.list().items.count == 1)
        await fileClient.shutdown()

        // A wrong token is refused with 401 Unauthorized.
        let badConfig = base + "users:\n- name: admin\n  user:\n    token: wrong\n"
        let badClient = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: try dir.write("bad.kubeconfig", Array(badConfig.utf8))))
        do {
            _ = try await badClient.list()
            Issue.record("a wrong token was accepted")
        } catch let error as KubeAPIError {
            #expect(error.code == .unauthorized)
        }
        await badClient.shutdown()
    }
}
