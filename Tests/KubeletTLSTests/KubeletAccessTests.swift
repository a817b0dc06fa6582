// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import VKKubeAPI
import VKKubeSim
import VKKubeletTLS
import Logging
import TestSupport
import Synchronization
import Testing
import VKX509

/// The kubelet API's authentication and authorization (issue 15 item 3), against the emulator's
/// TokenReview and SubjectAccessReview answered from its identities and RBAC, judged with curl and
/// openssl as callers: client certificates (CN/O) and bearer tokens, the kubelet's path → subresource
/// mapping and messages (pkg/kubelet/server/auth.go GetRequestAttributes, server.go InstallAuthFilter),
/// caching counted in reviews the emulator answered, and the relay admitting nothing unauthorized.
@Suite("Kubelet API authentication and authorization", .serialized)
struct KubeletAccessTests {
    static let quiet: Logger = {
        var logger = Logger(label: "vkcert.test")
        logger.logLevel = .critical
        return logger
    }()

    /// alice may use nodes/proxy (everything but stats, metrics, logs); the ServiceAccount monitoring/prom
    /// may read nodes/metrics; bob may do nothing.
    static let policy = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: kubelet-proxy}
        rules: [{apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get", "create"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: alice-kubelet-proxy}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-proxy}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: kubelet-metrics}
        rules: [{apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: prom-kubelet-metrics}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-metrics}
        subjects: [{kind: ServiceAccount, name: prom, namespace: monitoring}]
        """

    final class MovableClock: Sendable {
        private let value = Mutex(Date())
        var date: Date { value.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
    }

    final class Setup: @unchecked Sendable {
        // @unchecked: set in init, read afterwards.
        let simulator: KubeSimulator
        let dir: TemporaryDirectory
        let reviewer: KubeClient
        let server: KubeletServer
        let port: Int
        let promToken: String
        /// The access control's clock: frozen unless a test moves it, so cache expiry is decided by the
        /// test, not by how slowly a loaded machine runs it.
        let now = MovableClock()
        let access: KubeletAccessControl

        init(upstream: String? = nil, policy access: KubeletAccessPolicy = KubeletAccessPolicy()) async throws {
            var options = KubeSimulator.Options()
            options.rbac = try RBACPolicy.load(yaml: KubeletAccessTests.policy, file: "policy.yaml")
            options.insecureUser = nil
            options.cleanerInterval = nil
            let ca = try KubeSimulator.makeCA()
            options.ca = ca
            simulator = try KubeSimulator(options: options)
            try await simulator.start()
            dir = try TemporaryDirectory("kubelet-access")
            // The CA's key, so a test can have openssl issue other certificates from it.
            _ = try dir.write("ca-key.pem", ca.key.pkcs8PEMBytes)
            _ = try dir.write("ca.pem", Array(ca.certificate.pemRepresentation.utf8))
            promToken = simulator.serviceAccountToken(namespace: "monitoring", name: "prom")
            // The reviews are made as the node, as a kubelet makes them (system:node may create both).
            let node = try simulator.issueClientCertificate(user: "system:node:vk-1", groups: ["system:nodes"])
            let kubeconfig = try dir.write("node.kubeconfig", Array(simulator.kubeconfig(clientCertificatePEM: node.certificatePEM, keyPEM: node.keyPEM, user: "vk-1").utf8))
            reviewer = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: kubeconfig))
            for (user, groups) in [("alice", ["team-a"]), ("bob", [String]())] {
                let pair = try simulator.issueClientCertificate(user: user, groups: groups)
                _ = try dir.write("\(user).crt", Array(pair.certificatePEM.utf8))
                _ = try dir.write("\(user).key", Array(pair.keyPEM.utf8))
            }
            let source = try SelfSignedCertificateSource(node: "vk-1", ips: [[127, 0, 0, 1]], dnsNames: [], logger: KubeletAccessTests.quiet)
            var serverOptions = KubeletServer.Options()
            serverOptions.host = "127.0.0.1"
            serverOptions.port = 0
            serverOptions.drainTimeout = .milliseconds(200)
            serverOptions.clientCA = Array(simulator.caCertificate.pemRepresentation.utf8)
            serverOptions.upstream = upstream
            let now = self.now
            self.access = KubeletAccessControl(policy: access, node: "vk-1", reviewer: reviewer, logger: KubeletAccessTests.quiet, clock: { now.date })
            serverOptions.access = self.access
            server = KubeletServer(source: source, options: serverOptions, logger: KubeletAccessTests.quiet)
            port = try await server.start()
        }

        /// curl as `user` (client certificate), with `token` (bearer), or with neither: status and body.
        func curl(_ path: String, user: String? = nil, token: String? = nil, method: String = "GET") async throws -> (status: Int, body: String) {
            // HEAD with --head: `-X HEAD` makes curl wait for a body the response does not have.
            var arguments = ["-sk", "--max-time", "120"] + (method == "HEAD" ? ["--head"] : ["-X", method]) + ["-o", "-", "-w", "\n%{http_code}", "https://127.0.0.1:\(port)\(path)"]
            if let user { arguments += ["--cert", dir.path("\(user).crt"), "--key", dir.path("\(user).key")] }
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            let result = try await Run.process("curl", arguments)
            var lines = result.stdoutText.components(separatedBy: "\n")
            let status = Int(lines.removeLast()) ?? -1
            return (status, lines.joined(separator: "\n"))
        }

        var reviews: (subjectAccess: Int, token: Int) { simulator.reviewCounts }

        func stop() async {
            await server.shutdown()
            await reviewer.shutdown()
            await simulator.stop()
            dir.cleanup()
        }
    }

    @Test func certificatesAndTokensAreAuthorizedPerPathWithTheKubeletsMessages() async throws {
        let setup = try await Setup()
        // A client certificate whose user has nodes/proxy: /healthz (the kubelet authorizes it as proxy).
        let alice = try await setup.curl("/healthz", user: "alice")
        #expect(alice.status == 200 && alice.body == "ok", "\(alice)")
        // One without: the kubelet's 403 and message.
        let bob = try await setup.curl("/healthz", user: "bob")
        #expect(bob.status == 403 && bob.body == "Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)\n", "\(bob)")
        // A certificate for "alice" from another CA is no credential: the handshake refuses it.
        let made = try await Run.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=alice",
                                    "-keyout", setup.dir.path("mallory.key"), "-out", setup.dir.path("mallory.crt"), "-days", "1"])
        #expect(made.status == 0, "\(made.stderrText)")
        let mallory = try await setup.curl("/healthz", user: "mallory")
        #expect(mallory.status != 200 && mallory.body != "ok", "\(mallory)")
        // A certificate from the right CA but for serving only (as another node's kubelet-serving one) is no
        // client credential: refused by the authenticator (checked directly) and over TLS.
        let ext = try setup.dir.write("server.ext", Array("extendedKeyUsage=serverAuth\n".utf8))
        for step in [["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=alice", "-keyout", setup.dir.path("server.key"), "-out", setup.dir.path("server.csr")],
                     ["x509", "-req", "-in", setup.dir.path("server.csr"), "-CA", setup.dir.path("ca.pem"), "-CAkey", setup.dir.path("ca-key.pem"), "-days", "1",
                      "-extfile", ext, "-out", setup.dir.path("server.crt")]] {
            let made = try await Run.openssl(step)
            #expect(made.status == 0, "\(made.stderrText)")
        }
        let serverDER = try Certificate(pemEncoded: try setup.dir.read("server.crt")).der
        #expect(await setup.access.check(clientCertificate: Array(serverDER), authorization: nil, method: "GET", target: "/healthz") == .deny(status: 401, message: "Unauthorized"))
        let aliceDER = try Certificate(pemEncoded: try setup.dir.read("alice.crt")).der
        #expect(await setup.access.check(clientCertificate: Array(aliceDER), authorization: nil, method: "GET", target: "/healthz") != .deny(status: 401, message: "Unauthorized"))
        let serving = try await setup.curl("/healthz", user: "server")
        #expect(serving.status != 200 && serving.body != "ok", "\(serving)")
        // No credentials (anonymous off by default): 401 Unauthorized.
        let nobody = try await setup.curl("/healthz")
        #expect(nobody.status == 401 && nobody.body == "Unauthorized\n", "\(nobody)")
        // A bearer token through TokenReview: the ServiceAccount reads metrics (404 here: the built-in API
        // has no /metrics/cadvisor, but authorization let it through), not proxy paths.
        let metrics = try await setup.curl("/metrics/cadvisor", token: setup.promToken)
        #expect(metrics.status == 404, "\(metrics)")
        let proxied = try await setup.curl("/healthz", token: setup.promToken)
        #expect(proxied.status == 403 && proxied.body == "Forbidden (user=system:serviceaccount:monitoring:prom, verb=get, resource=nodes, subresource=proxy)\n", "\(proxied)")
        let forged = try await setup.curl("/healthz", token: "not-a-token")
        #expect(forged.status == 401, "\(forged)")
        // The path mapping: /statsfoo is not under /stats (isSubpath); logs → log; POST → create.
        #expect(try await setup.curl("/stats/summary", user: "alice").status == 403)
        #expect(try await setup.curl("/logs/", user: "alice").body.contains("subresource=log"))
        #expect(try await setup.curl("/statsfoo", user: "alice").status == 404, "proxy, which alice has")
        #expect(try await setup.curl("/exec/ns/pod/c", user: "bob", method: "POST").body == "Forbidden (user=bob, verb=create, resource=nodes, subresource=proxy)\n")
        #expect(try await setup.curl("/healthz", user: "alice", method: "HEAD").status == 403, "HEAD has no verb in the kubelet's mapping")

        // Caching: repeated calls by the same caller for the same attributes cost no further review.
        let before = setup.reviews
        for _ in 0..<5 {
            #expect(try await setup.curl("/healthz", user: "alice").status == 200)
            #expect(try await setup.curl("/healthz", user: "bob").status == 403)
            #expect(try await setup.curl("/metrics/cadvisor", token: setup.promToken).status == 404)
        }
        let after = setup.reviews
        #expect(after.subjectAccess == before.subjectAccess, "SubjectAccessReviews \(before.subjectAccess) → \(after.subjectAccess): allowed and denied decisions are cached")
        #expect(after.token == before.token, "TokenReviews \(before.token) → \(after.token): the token's review is cached")
        print("kubelet access: \(after.subjectAccess) SubjectAccessReviews and \(after.token) TokenReviews for \(11 + 15) requests")
        // The kubelet's TTLs: past 30 s the denial is asked again, the allowance not; past 2 min the token
        // is reviewed again; past 5 min the allowance too.
        setup.now.advance(31)
        #expect(try await setup.curl("/healthz", user: "alice").status == 200)
        #expect(try await setup.curl("/healthz", user: "bob").status == 403)
        #expect(setup.reviews.subjectAccess == after.subjectAccess + 1, "only the denied decision expired at 30 s")
        setup.now.advance(90)
        #expect(try await setup.curl("/metrics/cadvisor", token: setup.promToken).status == 404)
        #expect(setup.reviews.token == after.token + 1, "the token review expired at 2 min")
        setup.now.advance(180)
        #expect(try await setup.curl("/healthz", user: "alice").status == 200)
        #expect(setup.reviews.subjectAccess == after.subjectAccess + 2, "the allowed decision expired at 5 min (and only it)")
        await setup.stop()
    }

    /// With Upstream: an authorized exec upgrade is relayed; an unauthorized or unauthenticated request
    /// never reaches the provider; a plain request goes out with Connection: close, so a second request
    /// pipelined on the same connection is not relayed unauthorized.
    @Test func theRelayAdmitsOnlyAuthorizedRequests() async throws {
        let dir = try TemporaryDirectory("kubelet-access-upstream")
        defer { dir.cleanup() }
        // The provider: logs every request line it reads to stderr; answers GETs (honouring Connection:
        // close), switches protocols on SPDY upgrades and echoes upper-cased bytes.
        let script = try dir.write("upstream.py", Array("""
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(16); s.settimeout(60)
            print(s.getsockname()[1], flush=True)
            log = open(sys.argv[1], "a")
            def serve(c):
                data = b""
                while True:
                    while b"\\r\\n\\r\\n" not in data:
                        chunk = c.recv(4096)
                        if not chunk: c.close(); return
                        data += chunk
                    head, data = data.split(b"\\r\\n\\r\\n", 1)
                    log.write(head.split(b"\\r\\n")[0].decode() + "\\n"); log.flush()
                    if b"upgrade: spdy/3.1" in head.lower():
                        c.sendall(b"HTTP/1.1 101 Switching Protocols\\r\\nConnection: Upgrade\\r\\nUpgrade: SPDY/3.1\\r\\n\\r\\n")
                        buf = data
                        while True:
                            if buf: c.sendall(buf.upper()); buf = b""
                            chunk = c.recv(4096)
                            if not chunk: break
                            buf = chunk
                        c.close(); return
                    close = b"connection: close" in head.lower()
                    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n")
                    if close: c.close(); return
            while True:
                try: c, _ = s.accept()
                except socket.timeout: break
                threading.Thread(target=serve, args=(c,), daemon=True).start()

            """.utf8))
        let requestLog = dir.path("requests.log")
        let upstream = Process()
        upstream.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        upstream.arguments = ["python3", script, requestLog]
        let out = Pipe()
        upstream.standardOutput = out
        try upstream.run()
        defer { kill(upstream.processIdentifier, SIGKILL) }
        let upstreamPort = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(Int(upstreamPort) != nil, "upstream did not start")
        let setup = try await Setup(upstream: "127.0.0.1:\(upstreamPort)")
        func relayed() -> [String] {
            ((try? String(contentsOfFile: requestLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        // Refused before the provider sees anything.
        #expect(try await setup.curl("/containerLogs/ns/pod/c", user: "bob").status == 403)
        #expect(try await setup.curl("/containerLogs/ns/pod/c").status == 401)
        #expect(relayed().isEmpty, "unauthorized requests reached the provider: \(relayed())")
        // Authorized: relayed.
        let logs = try await setup.curl("/containerLogs/ns/pod/c", user: "alice")
        #expect(logs.status == 200 && logs.body == "ok\n", "\(logs)")
        // An exec upgrade by alice: the 101 and the echoed stream come back through the relay. (s_client ends
        // when its input does: the input stays open 4 s, time for a review on a loaded machine.)
        let exchange = "POST /exec/ns/pod/c?command=sh HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\nhello stream"
        func raw(_ bytes: String, user: String) async throws -> String {
            try await Run.process("sh", ["-c", "(printf '\(bytes.replacingOccurrences(of: "\r\n", with: "\\r\\n"))'; sleep 4) | timeout 60 openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:\(setup.port) -cert \(setup.dir.path("\(user).crt")) -key \(setup.dir.path("\(user).key")) 2>/dev/null"]).stdoutText
        }
        let upgraded = try await raw(exchange, user: "alice")
        #expect(upgraded.contains("HTTP/1.1 101 Switching Protocols") && upgraded.contains("HELLO STREAM"), "\(upgraded)")
        let refused = try await raw(exchange, user: "bob")
        #expect(refused.hasPrefix("HTTP/1.1 403 Forbidden") && refused.contains("Forbidden (user=bob, verb=create, resource=nodes, subresource=proxy)"), "\(refused)")
        // Two requests pipelined by alice on one connection: only the first (authorized) one is relayed.
        let before = relayed().count
        let pipelined = try await raw("GET /containerLogs/ns/pod/a HTTP/1.1\r\nHost: x\r\n\r\nGET /containerLogs/ns/pod/b HTTP/1.1\r\nHost: x\r\n\r\n", user: "alice")
        #expect(pipelined.components(separatedBy: "HTTP/1.1 200 OK").count == 2, "\(pipelined)")
        #expect(Array(relayed().dropFirst(before)) == ["GET /containerLogs/ns/pod/a HTTP/1.1"], "\(relayed())")
        print("relayed request lines: \(relayed())")
        await setup.stop()
    }
}

extension KubeletAccessTests {
    /// The gate's head parser refuses what an upstream could read differently (request smuggling): a bare
    /// LF or CR inside a line (an upstream taking LF as a line end would see `Connection: keep-alive`),
    /// NUL, obs-fold; and its rewrite of a plain request ends the connection.
    @Test(arguments: [
        "GET / HTTP/1.1\r\nX: a\nConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\rConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "get / HTTP/1.1\r\n\r\n",
        "GET x HTTP/1.1\r\n\r\n",
        "GET / HTTP/2\r\n\r\n",
        "GET / HTTP/1.1\r\nNo-Colon\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: v\r\n\r\n",
    ])
    func ambiguousHeadsAreRefused(_ head: String) {
        #expect(RelayGate.RequestHead(Array(head.utf8)) == nil, "\(head.debugDescription)")
    }

    @Test func thePlainRequestIsForwardedWithConnectionClose() throws {
        let head = try #require(RelayGate.RequestHead(Array("GET /logs/x?a=b HTTP/1.1\r\nHost: x\r\nconnection: keep-alive, TE\r\nConnection: x\r\nTE: trailers\r\n\r\n".utf8)))
        #expect(!head.isUpgrade && head.closingHead == "GET /logs/x?a=b HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n")
        let upgrade = try #require(RelayGate.RequestHead(Array("POST /exec/a/b/c HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n".utf8)))
        #expect(upgrade.isUpgrade)
        let bytes = Array("GET / HTTP/1.1\r\n\r\nrest".utf8)
        #expect(RelayGate.endOfHead(bytes) == 18)
        // A head arriving a byte at a time: each read scans from where the last one stopped, and finds it.
        #expect((0..<18).allSatisfy { RelayGate.endOfHead(bytes, from: $0) == 18 })
        #expect(RelayGate.endOfHead(Array(bytes.prefix(17)), from: 14) == nil)
        #expect(KubeletAccessControl.path(of: "/stats%2Fsummary?x=1") == "/stats/summary")
    }
}
