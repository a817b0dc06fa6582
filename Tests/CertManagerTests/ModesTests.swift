// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import VKDER
import Foundation
import Logging
import VKRSA
import Synchronization
import TestSupport
import Testing
import VKX509

@Suite("Manual and self-signed modes, configuration and priority")
struct ModesTests {
    static var quiet: Logger {
        var logger = Logger(label: "vkcert.test")
        logger.logLevel = .critical
        return logger
    }

    /// Collects log messages so a test can check what an operator would see.
    final class Recorder: LogHandler, @unchecked Sendable {
        // @unchecked: messages are appended under the mutex; the other properties are LogHandler plumbing.
        let messages = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            messages.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
        }
    }

    static func makeCert(_ dir: TemporaryDirectory, name: String, days: Int = 30) throws -> (cert: String, key: String, serial: String) {
        let key = try RSAPrivateKey.generate()
        let cert = try Certificate.selfSignedKubeletServing(key: key, node: "vk-1", ipAddresses: [[10, 0, 0, 5]], dnsNames: [], validFor: Int64(days) * 86_400)
        return (try dir.write("\(name).crt", Array(cert.pemRepresentation.utf8)), try dir.write("\(name).key", Array(key.pkcs8PEMRepresentation.utf8)), cert.serialHex)
    }

    @Test func manualFilesReplacedAndGarbage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let first = try Self.makeCert(dir, name: "a")
        let recorder = Recorder()
        let logger = Logger(label: "t") { _ in recorder }
        let source = ManualCertificateSource(certFile: dir.path("tls.crt"), keyFile: dir.path("tls.key"), logger: logger)
        #expect(source.current() == nil, "no files yet")
        #expect(source.unavailableReason.contains("failed to load kubelet certificate"))
        // Install the pair the way a Secret volume does: atomically.
        try FileManager.default.copyItem(atPath: first.cert, toPath: dir.path("tls.crt"))
        try FileManager.default.copyItem(atPath: first.key, toPath: dir.path("tls.key"))
        #expect(source.current()?.leaf.serialHex == first.serial)
        // Replaced → the next handshake sees the new serial, no restart.
        let second = try Self.makeCert(dir, name: "b")
        // rename(2) over the old files, as cert-manager's and kubelet's atomic writers do.
        #expect(rename(second.cert, dir.path("tls.crt")) == 0 && rename(second.key, dir.path("tls.key")) == 0)
        #expect(source.current()?.leaf.serialHex == second.serial)
        // Garbage → the last good certificate keeps serving; logged once per change with the guide's words.
        func failureCount() -> Int { recorder.messages.withLock { $0.filter { $0.contains("failed to load kubelet certificate") }.count } }
        let before = failureCount()  // one already: the files were missing at start-up
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir.path("tls.crt")))
        for _ in 0..<5 { #expect(source.current()?.leaf.serialHex == second.serial) }
        #expect(failureCount() == before + 1, "logged once per change, not per handshake")
        // Mismatched pair (cert of one, key of another) → still the last good one.
        let third = try Self.makeCert(dir, name: "c")
        try FileManager.default.removeItem(atPath: dir.path("tls.crt"))
        try FileManager.default.copyItem(atPath: third.cert, toPath: dir.path("tls.crt"))
        #expect(source.current()?.leaf.serialHex == second.serial)
        #expect(recorder.messages.withLock { $0.last ?? "" }.contains("does not match"))
        // Expired pair → refused (never served).
        let expiredKey = try RSAPrivateKey.generate()
        let old = DERTime(year: 2020, month: 1, day: 1)!
        let expired = try Certificate.selfSignedKubeletServing(key: expiredKey, node: "vk-1", ipAddresses: [[10, 0, 0, 5]], dnsNames: [], validFor: 86_400, now: old)
        try Data(expired.pemRepresentation.utf8).write(to: URL(fileURLWithPath: dir.path("tls.crt")))
        try Data(expiredKey.pkcs8PEMRepresentation.utf8).write(to: URL(fileURLWithPath: dir.path("tls.key")))
        #expect(source.current()?.leaf.serialHex == second.serial)
    }

    /// Issue 12 item 9: an RSA-1024 pair (which the handshake signer refuses) is refused at load, naming
    /// the key file; the last good pair keeps serving and `loadProblem` / `loadFailures` say so.
    @Test func pairBelowTheSigningPolicyIsRefusedAtLoad() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let weak = try await Run.openssl([
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", dir.path("weak.key"), "-out", dir.path("weak.crt"),
            "-subj", "/O=system:nodes/CN=system:node:vk-1", "-addext", "subjectAltName=IP:10.0.0.5", "-days", "30",
        ])
        #expect(weak.status == 0, "\(weak.stderrText)")
        // Alone at start-up: start() fails with the reason, naming the key file.
        let alone = ManualCertificateSource(certFile: dir.path("weak.crt"), keyFile: dir.path("weak.key"), logger: Self.quiet)
        #expect(alone.current() == nil)
        #expect { try alone.start() } throws: { "\($0)".contains("\(dir.path("weak.key")): the key is RSA-1024") }
        #expect(alone.loadProblem?.servingLastGood == false)

        // After a good pair: the weak one is refused, the good one keeps serving.
        let good = try Self.makeCert(dir, name: "good")
        #expect(rename(good.cert, dir.path("tls.crt")) == 0 && rename(good.key, dir.path("tls.key")) == 0)
        let source = ManualCertificateSource(certFile: dir.path("tls.crt"), keyFile: dir.path("tls.key"), logger: Self.quiet)
        try source.start()
        #expect(source.loadProblem == nil && source.loadFailures == 0)
        try FileManager.default.copyItem(atPath: dir.path("weak.key"), toPath: dir.path("weak2.key"))
        try FileManager.default.copyItem(atPath: dir.path("weak.crt"), toPath: dir.path("weak2.crt"))
        #expect(rename(dir.path("weak2.key"), dir.path("tls.key")) == 0 && rename(dir.path("weak2.crt"), dir.path("tls.crt")) == 0)
        for _ in 0..<3 { #expect(source.current()?.leaf.serialHex == good.serial) }
        let problem = try #require(source.loadProblem)
        #expect(problem.servingLastGood && problem.reason.contains("RSA-1024") && problem.reason.contains(dir.path("tls.key")), "\(problem.reason)")
        #expect(source.loadFailures == 1)
        // A good pair again clears the problem.
        let better = try Self.makeCert(dir, name: "better")
        #expect(rename(better.cert, dir.path("tls.crt")) == 0 && rename(better.key, dir.path("tls.key")) == 0)
        #expect(source.current()?.leaf.serialHex == better.serial)
        #expect(source.loadProblem == nil && source.loadFailures == 1)
    }

    @Test func selfSignedIdentityAndRegenerationUnderConcurrency() async throws {
        let clock = TestClock()
        let source = try SelfSignedCertificateSource(node: "vk-1", ips: [[10, 0, 0, 5], IPAddressText.parse("fd00::5")!], dnsNames: ["vk-1.example"], logger: Self.quiet, clock: clock)
        let identity = try #require(source.current())
        let leaf = identity.leaf
        #expect(leaf.subject.rfc2253 == "CN=system:node:vk-1,O=system:nodes")
        #expect((leaf.extensions.subjectAlternativeNames ?? []).map(\.text) == ["DNS:vk-1.example", "IP:10.0.0.5", "IP:fd00::5"])
        let lifetime = leaf.notAfter.secondsSinceEpoch - Int64(clock.now().timeIntervalSince1970)
        #expect(abs(lifetime - 365 * 86_400) < 60, "valid one year from now")
        #expect(leaf.serialNumber.count == 16 && leaf.serialNumber.first! & 0x80 == 0, "128-bit positive serial")
        #expect(identity.key.rsa?.modulusBits == 2048)
        #expect(KubeletLint(node: "vk-1", expectedIPs: [[10, 0, 0, 5]]).lint(leaf).filter { $0.severity == .error }.isEmpty)
        // Less than a day left: 100 concurrent handshakes → exactly one regeneration, all get a valid identity.
        clock.advance(by: 364.5 * 86_400)
        final class Serials: Sendable {
            let set = Mutex<Set<String>>([])
        }
        let serials = Serials()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    if let current = source.current() { serials.set.withLock { _ = $0.insert(current.leaf.serialHex) } }
                }
            }
        }
        #expect(source.generations.load(ordering: .relaxed) == 2, "exactly one regeneration")
        let fresh = try #require(source.current())
        #expect(fresh.leaf.serialHex != leaf.serialHex && fresh.isValid(at: clock.now()))
        #expect(serials.set.withLock { $0.isSubset(of: [leaf.serialHex, fresh.leaf.serialHex]) })
        #expect(throws: ConfigurationError.self) { try SelfSignedCertificateSource(node: "vk-1", ips: [], dnsNames: [], logger: Self.quiet) }
    }

    /// The guide's priority matrix, every row, and the configuration errors.
    @Test("priority matrix", arguments: [
        ("KubeletCertFile: /c\nKubeletKeyFile: /k\nDisableCSR: true\n", "manual"),
        ("KubeletCertFile: /c\nKubeletKeyFile: /k\n", "manual"),
        ("KubeletCertFile: /c\nKubeletKeyFile: /k\nKubeletCSRSignerName: example.com/x\n", "manual"),
        ("DisableCSR: true\n", "self-signed"),
        ("DisableCSR: true\nKubeletCSRSignerName: example.com/x\n", "self-signed"),
        ("DisableCSR: false\n", "csr"),
        ("", "csr"),
        ("KubeletCSRSignerName: clusterissuers.cert-manager.io/kubelet-ca\n", "csr"),
    ])
    func priority(yaml: String, mode: String) throws {
        var config = try VKConfiguration.parse(yaml, file: "vk.yaml")
        try config.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5"])
        #expect(config.mode.description == mode)
        _ = try config.validate()
    }

    @Test("configuration errors name the file and the key", arguments: [
        ("KubeletCertFile: /c\n", "vk.yaml: KubeletKeyFile: is missing while KubeletCertFile is set"),
        ("KubeletKeyFile: /k\n", "vk.yaml: KubeletCertFile: is missing while KubeletKeyFile is set"),
        ("DisableCSR: maybe\n", "vk.yaml: DisableCSR: must be true or false"),
        ("KubeletPort: 70000\n", "vk.yaml: KubeletPort: must be a port number"),
        ("KubeletCSRSignerName: nope\n", "vk.yaml: KubeletCSRSignerName: \"nope\" is not a signer name"),
        ("KubeletCSRSignerName: issuers.cert-manager.io/no-namespace\n", "KubeletCSRSignerName"),
        ("NodeIP: 10.0.0.300\n", "vk.yaml: NodeIP: \"10.0.0.300\" is not an IP address"),
        ("RenewalFraction: 1.5\n", "vk.yaml: RenewalFraction: must be between 0 and 1"),
        ("- a list\n", "vk.yaml: the top level must be a mapping"),
        // Issue 14 item 3: a relay without client authentication names both keys.
        ("Upstream: 127.0.0.1:8080\n", "vk.yaml: Upstream: relays the provider's API to anyone who reaches the port unless ClientCAFile is set"),
        ("Upstream: 127.0.0.1:8080\n", "AllowUnauthenticatedUpstream: true"),
        ("MetricsAddress: localhost\n", "vk.yaml: MetricsAddress: \"localhost\" is not host:port"),
        ("WriteCertFile: /c\n", "vk.yaml: WriteKeyFile: is missing while WriteCertFile is set"),
        ("Upstream: provider\nClientCAFile: /ca.pem\n", "vk.yaml: Upstream: \"provider\" is not host:port"),
        ("key: [unclosed\n", "vk.yaml: not valid YAML"),
        ("CertSecret: just-a-name\n", "vk.yaml: CertSecret: \"just-a-name\" is not <namespace>/<name>"),
        ("CertSecret: Interlink/x\n", "vk.yaml: CertSecret: \"Interlink/x\" is not <namespace>/<name>"),
        // TLS bootstrapping: one identity, and no Secret store the node may not read.
        ("BootstrapKubeconfig: /b\nKubeconfig: /k\n", "vk.yaml: Kubeconfig: is set together with BootstrapKubeconfig"),
        ("BootstrapKubeconfig: /b\nCertSecret: interlink/x\n", "vk.yaml: CertSecret: needs the ServiceAccount identity"),
        ("BootstrapKubeconfig: [a]\n", "vk.yaml: BootstrapKubeconfig: must be a string"),
        // The kubelet's Authentication / Authorization: errors name the nested key.
        ("Authorization: {Mode: RBAC}\n", "vk.yaml: Authorization.Mode: must be Webhook or AlwaysAllow"),
        ("Authentication: {Webhook: {CacheTTL: soon}}\n", "vk.yaml: Authentication.Webhook.CacheTTL: must be a duration"),
        ("Authentication: {Anonymous: {Enabled: yes-please}}\n", "vk.yaml: Authentication.Anonymous.Enabled: must be true or false"),
        ("Authentication: {OIDC: {}}\n", "vk.yaml: Authentication.OIDC: is not a setting of Authentication"),
        ("Upstream: 127.0.0.1:8080\nAuthentication: {Anonymous: {Enabled: true}}\nAuthorization: {Mode: AlwaysAllow}\n", "vk.yaml: Authorization: Mode AlwaysAllow with Anonymous enabled relays"),
    ])
    func errors(yaml: String, message: String) throws {
        do {
            var config = try VKConfiguration.parse(yaml, file: "vk.yaml")
            try config.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5"])
            _ = try config.validate()
            Issue.record("accepted: \(yaml)")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    /// Every file in Examples/ parses, validates, uses only vkcert's or InterLink's keys, and is the mode its name says.
    @Test func theExamplesAreValidConfigurations() throws {
        let dir = Repository.root.appendingPathComponent("Examples").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 4, "\(files)")
        for file in files {
            let config = try VKConfiguration.load(dir + "/" + file)
            _ = try config.validate()
            #expect(config.suspiciousKeys.isEmpty && config.ignoredKeys.isEmpty, "\(file): \(config.ignoredKeys)")
            let expected = ["manual.yaml": "manual", "self-signed.yaml": "self-signed", "csr.yaml": "csr", "bootstrap.yaml": "csr"][file]
            #expect(expected == nil || config.mode.description == expected, "\(file) is \(config.mode)")
        }
        let bootstrap = try VKConfiguration.load(dir + "/bootstrap.yaml")
        #expect(bootstrap.bootstrapKubeconfig != nil && bootstrap.kubeletAccess?.authorization == .webhook)
    }

    /// Both spellings of the kubelet's settings; the kubelet's defaults for what is left out.
    @Test func kubeletAuthenticationAndAuthorizationSettings() throws {
        let kubeletStyle = try VKConfiguration.parse("""
            authentication:
              x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
              webhook: {enabled: true, cacheTTL: 1m30s}
              anonymous: {enabled: false}
            authorization:
              mode: Webhook
              webhook: {cacheAuthorizedTTL: 10m, cacheUnauthorizedTTL: 5s}
            """, file: "vk.yaml")
        // Lower-case top-level keys are not vkcert's (InterLink's are capitalised): suggested, not read.
        #expect(kubeletStyle.kubeletAccess == nil && kubeletStyle.suspiciousKeys.map(\.suggestion).sorted() == ["Authentication", "Authorization"])
        let config = try VKConfiguration.parse("""
            Authentication:
              x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
              Webhook: {Enabled: true, CacheTTL: 1m30s}
            Authorization:
              mode: Webhook
              webhook: {cacheAuthorizedTTL: 10m, CacheUnauthorizedTTL: 5s}
            """, file: "vk.yaml")
        let access = try #require(config.kubeletAccess)
        #expect(config.clientCAFile == "/etc/kubernetes/pki/ca.crt")
        #expect(access.webhookAuthentication && !access.anonymous && access.tokenCacheTTL == 90)
        #expect(access.authorization == .webhook && access.cacheAuthorizedTTL == 600 && access.cacheUnauthorizedTTL == 5)
        let defaults = try #require(try VKConfiguration.parse("Authorization: {Mode: Webhook}\n", file: nil).kubeletAccess)
        #expect(defaults == KubeletAccessPolicy() && defaults.tokenCacheTTL == 120 && defaults.cacheAuthorizedTTL == 300 && defaults.cacheUnauthorizedTTL == 30 && !defaults.anonymous)
    }

    /// A bootstrap kubeconfig that cannot be read stops start-up naming the configuration file, the key
    /// and the kubeconfig's path.
    @Test func anUnreadableBootstrapKubeconfigNamesTheKeyAndThePath() throws {
        let dir = try TemporaryDirectory("bootstrap-config")
        defer { dir.cleanup() }
        var config = try VKConfiguration.parse("BootstrapKubeconfig: \(dir.path("missing.kubeconfig"))\nCertDir: \(dir.path("certs"))\n", file: "vk.yaml")
        try config.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5"])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            _ = try CertificateManager.make(config, logger: logger)
            Issue.record("started with a missing bootstrap kubeconfig")
        } catch let error as ConfigurationError {
            #expect(error.description.hasPrefix("vk.yaml: BootstrapKubeconfig: ") && error.description.contains(dir.path("missing.kubeconfig")), "\(error)")
        }
    }

    /// Issue 14 item 3 and 7: the explicit opt-out, one precedence rule, suggestions for misspelt keys.
    @Test func relayOptOutPrecedenceAndSuggestions() throws {
        var relay = try VKConfiguration.parse("Upstream: 127.0.0.1:8080\nAllowUnauthenticatedUpstream: true\n", file: "vk.yaml")
        try relay.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5"])
        _ = try relay.validate()
        var withCA = try VKConfiguration.parse("Upstream: 127.0.0.1:8080\nClientCAFile: /ca.pem\n", file: "vk.yaml")
        try withCA.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5"])
        _ = try withCA.validate()

        // flags > environment > file > defaults, for every key the environment can set.
        var config = try VKConfiguration.parse("NodeName: from-file\nNodeIP: [10.0.0.9]\nKubeletURL: 10.0.0.9\nKubeletPort: 9999\n", file: "vk.yaml")
        try config.applyEnvironment(["NODENAME": "from-env", "POD_IP": "10.0.0.5", "KUBELET_URL": "0.0.0.0", "KUBELET_PORT": "10250"])
        #expect(config.nodeName == "from-env" && config.nodeIPs == ["10.0.0.5", "10.0.0.9"])
        #expect(config.listenAddress == "0.0.0.0" && config.listenPort == 10250)
        var defaults = try VKConfiguration.parse("", file: nil)
        try defaults.applyEnvironment([:])
        #expect(defaults.listenAddress == "::" && defaults.listenPort == 10250, "dual-stack by default")

        let typo = try VKConfiguration.parse("DisabelCSR: true\nkubeletcertfile: /c\nVerbose: true\nInterlinkURL: http://x\n", file: "vk.yaml")
        let suggested = Dictionary(uniqueKeysWithValues: typo.suspiciousKeys.map { ($0.key, $0.suggestion) })
        #expect(suggested["DisabelCSR"] == "DisableCSR" && suggested["kubeletcertfile"] == "KubeletCertFile", "\(suggested)")
        #expect(suggested["InterlinkURL"] == nil && suggested["Verbose"] == nil, "InterLink's own keys are not typos: \(suggested)")
        #expect(typo.mode.description == "csr", "a misspelt key does nothing")
    }

    @Test("listen and metrics addresses", arguments: [
        (":10250", "", 10250), ("[::]:10250", "::", 10250), ("0.0.0.0:10250", "0.0.0.0", 10250), ("[::1]:0", "::1", 0), ("10.0.0.5:443", "10.0.0.5", 443),
    ])
    func hostPort(text: String, host: String, port: Int) {
        let parsed = HostPort.parse(text)
        #expect(parsed?.host == host && parsed?.port == port, "\(text)")
    }

    @Test func malformedAddressesAreRefused() {
        for text in ["10250", "::1:80", "host:", "host:65536", "[::1:80", "host:-1", "host:+80", "[]:80"] {
            #expect(HostPort.parse(text) == nil, "\(text)")
        }
    }

    @Test func missingNodeNameAndIPAreStartupErrors() throws {
        var config = try VKConfiguration.parse("DisableCSR: true\n", file: "vk.yaml")
        #expect(throws: ConfigurationError.self) { try config.validate() }
        try config.applyEnvironment(["NODENAME": "vk-1"])
        do {
            _ = try config.validate()
            Issue.record("empty node IP accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "NodeIP" && error.description.contains("POD_IP"))
        }
    }

    /// An InterLink VK config is read unchanged: its other keys are ignored and listed.
    @Test func interLinkConfigReadsUnchanged() throws {
        let yaml = """
            InterlinkURL: http://interlink
            InterlinkPort: 3000
            VerboseLogging: true
            ErrorsOnlyLogging: false
            ServiceAccount: interlink
            Namespace: interlink
            KubeletHTTP:
              insecure: true
            DisableCSR: false
            KubeletCSRSignerName: issuers.cert-manager.io/interlink.my-issuer
            Resources:
              CPU: "100"

            """
        var config = try VKConfiguration.parse(yaml, file: "InterLinkConfig.yaml")
        try config.applyEnvironment(["NODENAME": "vk-1", "POD_IP": "10.0.0.5", "KUBELET_PORT": "10250", "KUBELET_URL": "0.0.0.0"])
        #expect(config.mode == .csr(signerName: "issuers.cert-manager.io/interlink.my-issuer"))
        #expect(config.verboseLogging && config.listenPort == 10250)
        #expect(Set(config.ignoredKeys) == ["InterlinkURL", "InterlinkPort", "ErrorsOnlyLogging", "ServiceAccount", "Namespace", "KubeletHTTP", "Resources"])
        #expect(try config.validate() == [[10, 0, 0, 5]])
    }
}


/// The store reads what client-go's file store (and so InterLink's VK) leaves in /tmp/certs.
@Suite("Certificate store compatibility")
struct StoreCompatibilityTests {
    @Test func readsAClientGoStore() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // An OpenSSL-made pair in client-go's layout: certificate then key in a timestamped file, and the
        // -current.pem symlink with an absolute target.
        let made = try await Run.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.path("k.pem"), "-out", dir.path("c.pem"),
                                    "-subj", "/O=system:nodes/CN=system:node:vk-1", "-days", "30", "-addext", "subjectAltName=IP:10.0.0.5"])
        try #require(made.status == 0)
        let combined = try dir.read("c.pem") + dir.read("k.pem")
        let stamped = try dir.write("virtual-kubelet-2026-01-01-00-00-00.pem", combined)
        #expect(symlink(stamped, dir.path("virtual-kubelet-current.pem")) == 0)
        let store = try CertificateStore(directory: dir.url.path)
        let identity = try #require(store.loadCurrent())
        #expect(identity.leaf.subject.commonNames == ["system:node:vk-1"])
        // client-go's crash leftover: only -updated.pem → recovered as current.
        let other = try TemporaryDirectory()
        defer { other.cleanup() }
        let file = try other.write("virtual-kubelet-2026-01-01-00-00-00.pem", combined)
        #expect(symlink(file, other.path("virtual-kubelet-updated.pem")) == 0)
        #expect(try CertificateStore(directory: other.url.path).loadCurrent() != nil)
        // The legacy .crt/.key pair is read too.
        let legacy = try TemporaryDirectory()
        defer { legacy.cleanup() }
        _ = try legacy.write("virtual-kubelet.crt", try dir.read("c.pem"))
        _ = try legacy.write("virtual-kubelet.key", try dir.read("k.pem"))
        #expect(try CertificateStore(directory: legacy.url.path).loadCurrent() != nil)
    }

    @Test func savePrunesAndKeepsPermissions() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try CertificateStore(directory: dir.path("certs"))
        let key = try RSAPrivateKey.generate()
        let cert = try Certificate.selfSignedKubeletServing(key: key, node: "vk-1", ipAddresses: [[10, 0, 0, 5]], dnsNames: [], validFor: 86_400)
        let identity = try ServingIdentity(chain: [cert], key: key)
        for i in 0..<6 { try store.save(identity, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(i))) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path("certs")).filter { $0.hasPrefix("virtual-kubelet-20") }
        #expect(files.count == CertificateStore.keep, "\(files)")
        #expect((try FileManager.default.attributesOfItem(atPath: dir.path("certs")))[.posixPermissions] as? Int == 0o700)
        // openssl reads the stored file as a certificate and a key.
        let current = dir.path("certs/virtual-kubelet-current.pem")
        #expect(try await Run.openssl(["x509", "-in", current, "-noout"]).status == 0)
        #expect(try await Run.openssl(["pkey", "-in", current, "-check", "-noout"]).stdoutText.contains("Key is valid"))
    }
}
