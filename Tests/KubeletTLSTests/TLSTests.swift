// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import VKDER
import Foundation
import VKKubeletTLS
import Logging
import VKRSA
import TestSupport
import Synchronization
import Testing
import VKX509

/// The HTTPS endpoint judged by curl, openssl s_client and Python's ssl module as clients.
@Suite("Kubelet TLS endpoint", .serialized)
struct TLSTests {
    static var quiet: Logger {
        var logger = Logger(label: "vkcert.tls.test")
        logger.logLevel = .critical
        return logger
    }

    /// A small PKI made with vkcert (judged by OpenSSL elsewhere): a CA and leaves it signs.
    final class PKI: @unchecked Sendable {
        // @unchecked: created once, read-only afterwards.
        let caKey: PrivateKey
        let ca: Certificate
        let dir: TemporaryDirectory

        init(name: String = "vkcert tls test CA", keyType: KeyAlgorithm = .rsa2048) throws {
            dir = try TemporaryDirectory("tls")
            caKey = try PrivateKey.generate(keyType)
            var b = CertificateBuilder(subject: DistinguishedName(encoding: [(OID.Attribute.commonName, name)]), publicKey: caKey.publicKey,
                                       notBefore: .now().adding(seconds: -3600), notAfter: .now().adding(seconds: 86_400))
            CertificateProfile.ca.apply(to: &b, authorityKeyIdentifier: nil)
            ca = try b.selfSign(with: caKey)
            _ = try dir.write("ca.pem", Array(ca.pemRepresentation.utf8))
        }

        func leaf(
            node: String = "vk-1", profile: CertificateProfile = .kubeletServing, commonName: String? = nil, ipv6Loopback: Bool = false,
            keyType: KeyAlgorithm = .rsa2048
        ) throws -> (Certificate, PrivateKey) {
            let key = try PrivateKey.generate(keyType)
            let subject = commonName.map { DistinguishedName(encoding: [(OID.Attribute.commonName, $0)]) } ?? .kubeletNode(node)
            var b = CertificateBuilder(subject: subject, publicKey: key.publicKey, notBefore: .now().adding(seconds: -300), notAfter: .now().adding(seconds: 86_400))
            b.addSubjectAltNames([.ipAddress([127, 0, 0, 1][...]), .dns("localhost")] + (ipv6Loopback ? [.ipAddress((Array(repeating: 0, count: 15) + [1])[...])] : []))
            profile.apply(to: &b, authorityKeyIdentifier: ca.extensions.subjectKeyIdentifier.map(Array.init))
            return (try b.sign(issuer: ca.subject, issuerKey: caKey), key)
        }

        /// Writes a pair atomically (rename), as a Secret volume update would.
        func install(_ pair: (Certificate, PrivateKey), certFile: String, keyFile: String) throws {
            let c = try dir.write("tmp.crt", Array(pair.0.pemRepresentation.utf8))
            let k = try dir.write("tmp.key", pair.1.pkcs8PEMBytes)
            #expect(rename(k, keyFile) == 0 && rename(c, certFile) == 0)
        }
    }

    static func start(
        _ source: any CertificateSource, clientCA: [UInt8]? = nil, upstream: String? = nil, host: String = "127.0.0.1",
        metrics: CatalogPrometheusFactory? = nil
    ) async throws -> (KubeletServer, Int) {
        var options = KubeletServer.Options()
        if let metrics { options.metricsFactory = metrics }
        options.host = host
        options.port = 0
        options.clientCA = clientCA
        options.upstream = upstream
        options.drainTimeout = .milliseconds(200)
        let server = KubeletServer(source: source, options: options, logger: quiet)
        let port = try await server.start()
        return (server, port)
    }

    /// The serial and subject of the certificate the server presents, from openssl s_client.
    static func presented(port: Int, tls: String = "-tls1_3", extra: [String] = []) async throws -> (serial: String, text: String, status: Int32) {
        let result = try await Run.process("sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(port) \(tls) \(extra.joined(separator: " ")) 2>&1 | tee /dev/stderr | openssl x509 -noout -serial -subject -issuer -ext subjectAltName 2>/dev/null"])
        let serial = result.stdoutText.split(separator: "\n").first { $0.hasPrefix("serial=") }.map { String($0.dropFirst(7)).lowercased() } ?? ""
        return (serial.drop { $0 == "0" }.description, result.stdoutText + result.stderrText, result.status)
    }

    @Test func manualModeServesRotatesAndKeepsTheLastGoodPair() async throws {
        let pki = try PKI()
        defer { pki.dir.cleanup() }
        let certFile = pki.dir.path("tls.crt"), keyFile = pki.dir.path("tls.key")
        let first = try pki.leaf()
        try pki.install(first, certFile: certFile, keyFile: keyFile)
        let source = ManualCertificateSource(certFile: certFile, keyFile: keyFile, logger: Self.quiet)
        let (server, port) = try await Self.start(source)
        // curl verifies the chain, the IP SAN and the content; both TLS versions work.
        for version in ["--tlsv1.3", "--tlsv1.2 --tls-max 1.2"] {
            let curl = try await Run.process("sh", ["-c", "curl -sS \(version) --cacert \(pki.dir.path("ca.pem")) https://127.0.0.1:\(port)/healthz"])
            #expect(curl.stdoutText == "ok", "\(version): \(curl.stderrText)")
        }
        let shown = try await Self.presented(port: port)
        #expect(shown.serial == first.0.serialHex, "\(shown.text)")
        #expect(shown.text.contains("subject=O = system:nodes, CN = system:node:vk-1") && shown.text.contains("issuer=CN = vkcert tls test CA"))
        #expect(shown.text.contains("IP Address:127.0.0.1") && shown.text.contains("Peer signature type: RSA-PSS"))
        let tls12 = try await Self.presented(port: port, tls: "-tls1_2", extra: ["-sigalgs", "RSA+SHA256"])
        #expect(tls12.text.contains("Protocol  : TLSv1.2") && tls12.text.contains("Peer signature type: RSA"), "\(tls12.text)")
        // Replaced on disk → the next connection gets the new serial, no restart.
        let second = try pki.leaf()
        try pki.install(second, certFile: certFile, keyFile: keyFile)
        #expect(try await Self.presented(port: port).serial == second.0.serialHex)
        // Garbage → the last good certificate keeps serving.
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: certFile))
        #expect(try await Self.presented(port: port).serial == second.0.serialHex)
        let notFound = try await Run.process("sh", ["-c", "curl -s -o /dev/null -w '%{http_code}' --cacert \(pki.dir.path("ca.pem")) https://127.0.0.1:\(port)/containerLogs/x"])
        #expect(notFound.stdoutText == "404")
        await server.shutdown()
    }

    /// Manual mode with every key type cert-manager and organisational PKIs issue, including mixed chains
    /// (EC leaf under an RSA CA and the reverse); every handshake signature is ours (the peer signature
    /// type shows which algorithm signed). Then a cert-manager-style switch from RSA to ECDSA: the next
    /// handshake presents the new pair.
    @Test(arguments: [
        (KeyAlgorithm.ecdsaP256, KeyAlgorithm.rsa2048, "ECDSA"), (.rsa2048, .ecdsaP384, "RSA-PSS"), (.ecdsaP384, .ecdsaP256, "ECDSA"),
        (.ed25519, .ecdsaP256, "ed25519"), (.ecdsaP256, .ed25519, "ECDSA"),
    ])
    func manualModeServesEveryKeyType(leafType: KeyAlgorithm, caType: KeyAlgorithm, peerSignature: String) async throws {
        let pki = try PKI(keyType: caType)
        defer { pki.dir.cleanup() }
        let certFile = pki.dir.path("tls.crt"), keyFile = pki.dir.path("tls.key")
        let pair = try pki.leaf(keyType: leafType)
        try pki.install(pair, certFile: certFile, keyFile: keyFile)
        let source = ManualCertificateSource(certFile: certFile, keyFile: keyFile, logger: Self.quiet)
        let (server, port) = try await Self.start(source)
        defer { Task { await server.shutdown() } }
        for version in ["--tlsv1.3", "--tlsv1.2 --tls-max 1.2"] {
            let curl = try await Run.process("sh", ["-c", "curl -sS \(version) --cacert \(pki.dir.path("ca.pem")) https://127.0.0.1:\(port)/healthz"])
            #expect(curl.stdoutText == "ok", "\(leafType) under \(caType), \(version): \(curl.stderrText)")
        }
        let shown = try await Self.presented(port: port, extra: ["-CAfile", pki.dir.path("ca.pem")])
        #expect(shown.serial == pair.0.serialHex, "\(shown.text)")
        #expect(shown.text.contains("Peer signature type: \(peerSignature)"), "\(shown.text)")
        #expect(shown.text.contains("Verify return code: 0 (ok)"), "\(shown.text)")
        if leafType != .ed25519 {
            let tls12 = try await Self.presented(port: port, tls: "-tls1_2", extra: ["-CAfile", pki.dir.path("ca.pem")])
            #expect(tls12.text.contains("Protocol  : TLSv1.2") && tls12.text.contains("Peer signature type: \(peerSignature == "RSA-PSS" ? "RSA" : peerSignature)"), "\(tls12.text)")
        }
        // The Certificate is switched to ECDSA P-256 (or to RSA when it was ECDSA): served on the next handshake.
        let switched = try pki.leaf(keyType: leafType == .rsa2048 ? .ecdsaP256 : .rsa2048)
        try pki.install(switched, certFile: certFile, keyFile: keyFile)
        let after = try await Self.presented(port: port, extra: ["-CAfile", pki.dir.path("ca.pem")])
        #expect(after.serial == switched.0.serialHex, "\(after.text)")
        #expect(after.text.contains("Peer signature type: \(leafType == .rsa2048 ? "ECDSA" : "RSA-PSS")"), "\(after.text)")
    }

    @Test func selfSignedModeServesTheNodeIdentity() async throws {
        let source = try SelfSignedCertificateSource(node: "vk-self", ips: [[127, 0, 0, 1]], dnsNames: ["localhost"], logger: Self.quiet)
        let (server, port) = try await Self.start(source)
        let shown = try await Self.presented(port: port)
        #expect(shown.text.contains("subject=O = system:nodes, CN = system:node:vk-self"), "\(shown.text)")
        #expect(shown.text.contains("issuer=O = system:nodes, CN = system:node:vk-self"))
        #expect(shown.text.contains("DNS:localhost, IP Address:127.0.0.1"))
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let certFile = try dir.write("self.pem", Array(source.current()!.leaf.pemRepresentation.utf8))
        let curl = try await Run.process("sh", ["-c", "curl -sS --cacert \(certFile) https://127.0.0.1:\(port)/healthz"])
        #expect(curl.stdoutText == "ok", "\(curl.stderrText)")
        await server.shutdown()
    }

    /// No certificate yet: handshakes fail (and are counted), nothing else breaks.
    @Test func noCertificateRefusesHandshakes() async throws {
        struct Empty: CertificateSource {
            func current() -> ServingIdentity? { nil }
            var unavailableReason: String { "no certificate available yet - CSR pending approval" }
        }
        let metrics = CatalogPrometheusFactory()
        let (server, port) = try await Self.start(Empty(), metrics: metrics)
        let curl = try await Run.process("sh", ["-c", "curl -sS -k https://127.0.0.1:\(port)/healthz"])
        #expect(curl.status != 0)
        #expect(server.counters.noCertificate.load(ordering: .relaxed) >= 1)
        for _ in 0..<500 where server.counters.handshakeFailures.load(ordering: .relaxed) < 1 { try await Task.sleep(for: .milliseconds(20)) }
        // The failure is recorded under its reason, from BoringSSL's CERT_CB_ERROR.
        let text = MetricsServer.exposition(metrics.registry)
        #expect(text.contains("vkcert_tls_handshake_failures_by_reason_total{reason=\"no_certificate\"} 1\n"), "\(text)")
        #expect(text.contains("vkcert_tls_handshakes_without_certificate_total 1\n"), "\(text)")
        await server.shutdown()
    }

    /// Issue 12 item 8: TLS 1.2 offers ECDHE + AEAD only (the custom key cannot decrypt, so a TLS_RSA_*
    /// suite would be chosen and then fail), a client with nothing in common gets a handshake_failure
    /// alert rather than a silent close, and only completed handshakes are counted as handshakes.
    @Test func ecdheOnlyAlertsAndCompletedHandshakeCounting() async throws {
        let source = try SelfSignedCertificateSource(node: "vk-h", ips: [[127, 0, 0, 1]], dnsNames: [], logger: Self.quiet)
        let metrics = CatalogPrometheusFactory()
        let (server, port) = try await Self.start(source, metrics: metrics)
        func sClient(_ options: String) async throws -> String {
            try await Run.process("sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(port) \(options) 2>&1"]).stdoutText
        }
        let good12 = try await sClient("-tls1_2")
        #expect(good12.contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256") || good12.contains("Cipher is ECDHE-RSA-AES256-GCM-SHA384"), "\(good12)")
        let good13 = try await sClient("-tls1_3")
        #expect(good13.contains("TLSv1.3"), "\(good13)")
        for refused in [
            "-tls1_2 -cipher AES128-GCM-SHA256",  // TLS_RSA_WITH_AES_128_GCM_SHA256: RSA key exchange
            "-tls1_2 -cipher AES256-SHA",  // TLS_RSA_WITH_AES_256_CBC_SHA
            "-tls1_2 -cipher ECDHE-RSA-AES128-SHA",  // ECDHE but CBC
            "-tls1_3 -sigalgs ECDSA+SHA256",  // no signature algorithm the RSA key can make
            "-tls1_2 -sigalgs ECDSA+SHA256",
            "-tls1_3 -groups ffdhe2048",  // no common group
        ] {
            let output = try await sClient(refused)
            #expect(output.contains("alert handshake failure"), "\(refused): \(output)")
        }
        // Python's ssl module (another TLS stack) sees the same alert for a TLS_RSA-only client.
        let python = try await Run.process("python3", ["-c", """
            import socket, ssl
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
            c.maximum_version = ssl.TLSVersion.TLSv1_2; c.set_ciphers('AES128-GCM-SHA256')
            try:
                c.wrap_socket(socket.create_connection(('127.0.0.1', \(port))))
                print('connected')
            except ssl.SSLError as e:
                print(e.reason)
            """])
        #expect(python.stdoutText.contains("HANDSHAKE_FAILURE"), "\(python.stdoutText)\(python.stderrText)")
        // Counters settle when the connection closes on the server side.
        for _ in 0..<500 where server.counters.handshakeFailures.load(ordering: .relaxed) < 7 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.counters.handshakes.load(ordering: .relaxed) == 2)
        #expect(server.counters.handshakeFailures.load(ordering: .relaxed) == 7)
        let text = MetricsServer.exposition(metrics.registry)
        #expect(text.contains("vkcert_tls_handshakes_total 2\n") && text.contains("vkcert_tls_handshake_failures_total 7\n"), "\(text)")
        // Each refusal is recorded under its reason (BoringSSL's NO_SHARED_CIPHER, NO_COMMON_SIGNATURE_ALGORITHMS, …).
        #expect(text.contains("vkcert_tls_handshake_failures_by_reason_total{reason=\"no_common_parameters\"} 7\n"), "\(text)")
        #expect(text.contains("vkcert_tls_handshake_duration_seconds_count 2\n"), "\(text)")
        #expect(text.contains("vkcert_tls_signature_duration_seconds_count{key=\"rsa\"} 2\n"), "\(text)")
        // Not TLS at all, and a connection closed before its ClientHello.
        _ = try await Run.process("curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/"])
        _ = try await Run.process("python3", ["-c", "import socket; socket.create_connection(('127.0.0.1', \(port))).close()"])
        for _ in 0..<500 where server.counters.handshakeFailures.load(ordering: .relaxed) < 9 { try await Task.sleep(for: .milliseconds(20)) }
        let after = MetricsServer.exposition(metrics.registry)
        #expect(after.contains("vkcert_tls_handshake_failures_by_reason_total{reason=\"not_tls\"} 1\n"), "\(after)")
        #expect(after.contains("vkcert_tls_handshake_failures_by_reason_total{reason=\"closed\"} 1\n"), "\(after)")
        await server.shutdown()
    }

    /// Issue 14 item 5: the default listener ("::", IPV6_V6ONLY off) takes IPv4 and IPv6 clients on one
    /// socket, as Go's listener does; curl verifies the certificate over both.
    @Test func defaultListenerIsDualStack() async throws {
        let pki = try PKI()
        defer { pki.dir.cleanup() }
        let certFile = pki.dir.path("tls.crt"), keyFile = pki.dir.path("tls.key")
        try pki.install(try pki.leaf(ipv6Loopback: true), certFile: certFile, keyFile: keyFile)
        let source = ManualCertificateSource(certFile: certFile, keyFile: keyFile, logger: Self.quiet)
        let (server, port) = try await Self.start(source, host: KubeletServer.Options().host)
        for url in ["https://127.0.0.1:\(port)/healthz", "https://[::1]:\(port)/healthz"] {
            let curl = try await Run.process("curl", ["-sS", "--cacert", pki.dir.path("ca.pem"), url])
            #expect(curl.stdoutText == "ok", "\(url): \(curl.stderrText)")
        }
        await server.shutdown()
    }

    @Test func clientCertificatesAreRequiredWithAClientCA() async throws {
        let pki = try PKI()
        let clients = try PKI(name: "kubelet client CA")
        let stranger = try PKI(name: "some other CA")
        defer { pki.dir.cleanup(); clients.dir.cleanup(); stranger.dir.cleanup() }
        let serving = try pki.leaf()
        try pki.install(serving, certFile: pki.dir.path("tls.crt"), keyFile: pki.dir.path("tls.key"))
        let source = ManualCertificateSource(certFile: pki.dir.path("tls.crt"), keyFile: pki.dir.path("tls.key"), logger: Self.quiet)
        let (server, port) = try await Self.start(source, clientCA: Array(clients.ca.pemRepresentation.utf8))
        func curl(_ pair: (Certificate, PrivateKey)?, _ owner: PKI) async throws -> ProcessResult {
            var args = "curl -sS --cacert \(pki.dir.path("ca.pem"))"
            if let pair {
                let c = try owner.dir.write("client.crt", Array(pair.0.pemRepresentation.utf8))
                let k = try owner.dir.write("client.key", pair.1.pkcs8PEMBytes)
                args += " --cert \(c) --key \(k)"
            }
            return try await Run.process("sh", ["-c", "\(args) https://127.0.0.1:\(port)/healthz"])
        }
        #expect(try await curl(nil, clients).stdoutText != "ok", "no client certificate must be refused")
        #expect(try await curl(try stranger.leaf(profile: .client, commonName: "apiserver"), stranger).stdoutText != "ok", "a client certificate from another CA must be refused")
        let good = try await curl(try clients.leaf(profile: .client, commonName: "kube-apiserver-kubelet-client"), clients)
        #expect(good.stdoutText == "ok", "\(good.stderrText)")
        await server.shutdown()
    }

    /// Pass-through: a request and an HTTP/1.1 Upgrade exchange reach the upstream and its bytes come back.
    @Test func upstreamPassThroughIncludingUpgrade() async throws {
        let pki = try PKI()
        defer { pki.dir.cleanup() }
        // The upstream: a Python server answering GET /containerLogs and switching protocols on Upgrade,
        // then echoing upper-cased bytes (like an exec stream).
        let script = try pki.dir.write("upstream.py", Array("""
            import socket, sys, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(16); s.settimeout(30)
            print(s.getsockname()[1], flush=True)
            def serve(c):
                data = b""
                while b"\\r\\n\\r\\n" not in data:
                    chunk = c.recv(4096)
                    if not chunk: return
                    data += chunk
                head, rest = data.split(b"\\r\\n\\r\\n", 1)
                if b"upgrade: spdy/3.1" in head.lower():
                    c.sendall(b"HTTP/1.1 101 Switching Protocols\\r\\nConnection: Upgrade\\r\\nUpgrade: SPDY/3.1\\r\\n\\r\\n")
                    buf = rest
                    while True:
                        if buf: c.sendall(buf.upper()); buf = b""
                        chunk = c.recv(4096)
                        if not chunk: break
                        buf = chunk
                else:
                    body = b"log line 1\\nlog line 2\\n"
                    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body)
                c.close()
            threads = []
            for _ in range(2):
                c, _ = s.accept(); t = threading.Thread(target=serve, args=(c,)); t.start(); threads.append(t)
            for t in threads: t.join(30)

            """.utf8))
        let upstream = Process()
        upstream.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        upstream.arguments = ["python3", script]
        let out = Pipe()
        upstream.standardOutput = out
        try upstream.run()
        defer { kill(upstream.processIdentifier, SIGKILL) }
        let upstreamPort = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(Int(upstreamPort) != nil, "upstream did not start")
        let serving = try pki.leaf()
        try pki.install(serving, certFile: pki.dir.path("tls.crt"), keyFile: pki.dir.path("tls.key"))
        let source = ManualCertificateSource(certFile: pki.dir.path("tls.crt"), keyFile: pki.dir.path("tls.key"), logger: Self.quiet)
        let (server, port) = try await Self.start(source, upstream: "127.0.0.1:\(upstreamPort)")
        let logs = try await Run.process("sh", ["-c", "curl -sS --cacert \(pki.dir.path("ca.pem")) https://127.0.0.1:\(port)/containerLogs/ns/pod/c"])
        #expect(logs.stdoutText == "log line 1\nlog line 2\n", "\(logs.stderrText)")
        // An Upgrade exchange over the TLS connection: the 101 and the echoed stream come back byte for byte.
        let exchange = "GET /exec/ns/pod/c?command=sh HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\nhello stream"
        let upgraded = try await Run.process("sh", ["-c", "(printf '\(exchange.replacingOccurrences(of: "\r\n", with: "\\r\\n"))'; sleep 1) | timeout 20 openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:\(port) -CAfile \(pki.dir.path("ca.pem")) 2>/dev/null"])
        #expect(upgraded.stdoutText.contains("HTTP/1.1 101 Switching Protocols") && upgraded.stdoutText.contains("HELLO STREAM"), "\(upgraded.stdoutText)")
        await server.shutdown()
    }

    /// ≥ 2,000 new TLS connections while the manual files rotate ≥ 10 times: zero failed handshakes, and
    /// every certificate seen is one of the rotated ones.
    @Test func loadWhileRotating() async throws {
        let pki = try PKI()
        defer { pki.dir.cleanup() }
        let certFile = pki.dir.path("tls.crt"), keyFile = pki.dir.path("tls.key")
        let pairs: [(Certificate, PrivateKey)] = try (0..<12).map { _ in try pki.leaf() }
        try pki.install(pairs[0], certFile: certFile, keyFile: keyFile)
        let source = ManualCertificateSource(certFile: certFile, keyFile: keyFile, logger: Self.quiet)
        let (server, port) = try await Self.start(source)
        let client = try pki.dir.write("load.py", Array("""
            import hashlib, socket, ssl, sys
            port, count, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
            ctx = ssl.create_default_context(cafile=ca)
            failures, seen = 0, set()
            for i in range(count):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                            seen.add(hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest())
                except Exception as e:
                    failures += 1
                    print("FAIL", e, file=sys.stderr)
            print(failures)
            for s in sorted(seen): print(s)

            """.utf8))
        // The rotator gets its own thread: its sleeps and file writes then hold no cooperative thread, and on a
        // busy 2-core machine a Task could wait for one until the client has finished (rotation never observed).
        let rotation = DispatchGroup()
        let installFailures = Mutex(0)
        DispatchQueue.global().async(group: rotation) {
            for pair in pairs.dropFirst() {
                Thread.sleep(forTimeInterval: 0.25)
                do { try pki.install(pair, certFile: certFile, keyFile: keyFile) } catch { installFailures.withLock { $0 += 1 } }
            }
        }
        let result = try await Run.process("python3", [client, String(port), "2000", pki.dir.path("ca.pem")])
        rotation.wait()
        #expect(installFailures.withLock { $0 } == 0)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "0", "failed handshakes: \(lines.first ?? "?") \(result.stderrText.prefix(500))")
        let rotated = Set(pairs.map { VKDER.Hex.encode($0.0.fingerprintSHA256) })
        let seen = Set(lines.dropFirst())
        #expect(seen.isSubset(of: rotated), "a certificate outside the rotated set was served")
        #expect(seen.count >= 2, "rotation was not observed by the clients (\(seen.count) certificates seen)")
        print("load: 2000 connections, \(seen.count) distinct certificates seen across 11 rotations, 0 failures expected, \(lines.first ?? "?") observed")
        await server.shutdown()
    }
}

/// The plain-HTTP health and metrics listener, read by curl.
@Suite("Metrics listener")
struct MetricsTests {
    /// A manual pair refused at load (RSA-1024): `/healthz` stays 200 (the last good pair serves) and says
    /// so; the load-failure counter and the stale-since gauge move.
    @Test func healthAndMetricsReportAStalePair() async throws {
        let pki = try TLSTests.PKI()
        defer { pki.dir.cleanup() }
        let certFile = pki.dir.path("tls.crt"), keyFile = pki.dir.path("tls.key")
        try pki.install(try pki.leaf(), certFile: certFile, keyFile: keyFile)
        let factory = CatalogPrometheusFactory()
        let source = ManualCertificateSource(certFile: certFile, keyFile: keyFile, logger: TLSTests.quiet, metricsFactory: factory)
        let (server, _) = try await TLSTests.start(source, metrics: factory)
        let gauges = CertificateGauges(mode: "manual", factory: factory)
        let metrics = MetricsServer(
            render: {
                gauges.refresh(identity: source.current(), snapshot: nil, loadProblem: source.loadProblem, unauthenticatedUpstream: false, now: Date())
                return MetricsServer.exposition(factory.registry)
            },
            healthy: { source.current() != nil },
            detail: { source.loadProblem?.healthDetail }
        )
        let port = try await metrics.start(host: "127.0.0.1", port: 0)
        #expect(try await Run.process("curl", ["-sS", "http://127.0.0.1:\(port)/healthz"]).stdoutText == "ok")
        let weak = try await Run.openssl([
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", pki.dir.path("w.key"), "-out", pki.dir.path("w.crt"),
            "-subj", "/CN=weak", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "30",
        ])
        #expect(weak.status == 0)
        #expect(rename(pki.dir.path("w.key"), keyFile) == 0 && rename(pki.dir.path("w.crt"), certFile) == 0)
        let health = try await Run.process("curl", ["-sS", "-w", " %{http_code}", "http://127.0.0.1:\(port)/healthz"]).stdoutText
        #expect(health.hasPrefix("ok: serving the last good certificate; failed to load kubelet certificate: \(keyFile): the key is RSA-1024"), "\(health)")
        #expect(health.hasSuffix(" 200"))
        let text = try await Run.process("curl", ["-sS", "http://127.0.0.1:\(port)/metrics"]).stdoutText
        #expect(text.contains("vkcert_certificate_load_failures_total 1\n"), "\(text)")
        let stale = text.split(separator: "\n").first { $0.hasPrefix("vkcert_certificate_stale_since_timestamp_seconds ") }
        #expect(stale.flatMap { Double($0.split(separator: " ")[1]) }.map { abs($0 - Date().timeIntervalSince1970) < 60 } == true, "\(stale ?? "")")
        await metrics.stop()
        await server.shutdown()
    }

    @Test func healthAndPrometheusText() async throws {
        var logger = Logger(label: "m")
        logger.logLevel = .critical
        let source = try SelfSignedCertificateSource(node: "vk-m", ips: [[127, 0, 0, 1]], dnsNames: [], logger: logger)
        let factory = CatalogPrometheusFactory()
        let (server, _) = try await TLSTests.start(source, metrics: factory)
        let gauges = CertificateGauges(mode: "self-signed", factory: factory)
        let metrics = MetricsServer(
            render: {
                gauges.refresh(identity: source.current(), snapshot: nil, loadProblem: nil, unauthenticatedUpstream: false, now: Date())
                return MetricsServer.exposition(factory.registry)
            },
            healthy: { source.current() != nil }
        )
        let port = try await metrics.start(host: "127.0.0.1", port: 0)
        let health = try await Run.process("curl", ["-sS", "http://127.0.0.1:\(port)/healthz"])
        #expect(health.stdoutText == "ok")
        let text = try await Run.process("curl", ["-sS", "http://127.0.0.1:\(port)/metrics"]).stdoutText
        #expect(text.contains("# TYPE vkcert_certificate_expiration_timestamp_seconds gauge"))
        #expect(text.contains("vkcert_certificate_mode{mode=\"self-signed\"} 1") && text.contains("vkcert_certificate_mode{mode=\"csr\"} 0"))
        let expiry = text.split(separator: "\n").first { $0.hasPrefix("vkcert_certificate_expiration_timestamp_seconds ") }
        #expect(expiry.flatMap { Double($0.split(separator: " ")[1]) } == source.current()!.notAfter.timeIntervalSince1970)
        // Every sample line is "name{labels} value" or "name value" (text exposition format 0.0.4).
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2 && Double(line.split(separator: " ")[1]) != nil, "\(line)")
        }
        await metrics.stop()
        await server.shutdown()
    }
}
