// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertCommands
import Dispatch
import VKFileIO
import FoundationEssentials
import Glibc
import VKCertManager
import VKKubeAPI
import VKKubeSim
import VKBigNum
import VKDER
import VKRSA
import VKX509

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Try vkcert end to end without a cluster: an emulated API server plus `serve` in CSR mode.",
        subcommands: [SandboxRun.self, APIServerCommand.self],
        defaultSubcommand: SandboxRun.self
    )
}

/// `vkcert sandbox`: the whole CSR flow on one machine.
struct SandboxRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start the emulated API server and `serve` in CSR mode against it (the default).",
        discussion: """
            The node "vkcert-sandbox" joins as a kubelet does, by TLS bootstrapping, and says which step it is in:
              1. with a bootstrap token (group system:bootstrappers:vkcert, bound as deploy/bootstrap-rbac.yaml \
            binds it) it requests a kubernetes.io/kube-apiserver-client-kubelet certificate, which the emulated \
            kube-controller-manager approves after a SubjectAccessReview (certificatesigningrequests/nodeclient);
              2. as system:node:vkcert-sandbox it requests a kubelet-serving certificate for 127.0.0.1 and \
            localhost, which a kubelet-csr-approver-style approver approves because the requester is the node \
            itself and the addresses are allowed (unless --manual-approve: then it prints the kubectl command);
              3. the HTTPS endpoint answers /healthz with that certificate.
            With --no-bootstrap the node starts with a client certificate handed to it instead. Restarting with \
            the same --dir reuses both certificates (no new CSR). Ctrl-C stops everything.
            """
    )

    @Option(help: "HTTPS port for the kubelet endpoint (0 picks a free one).")
    var port = 10250

    @Flag(name: .customLong("manual-approve"), help: "Do not auto-approve: print the kubectl command to approve instead.")
    var manualApprove = false

    @Option(help: "Working directory for the kubeconfig, CA and certificate store (default: a new temporary one).")
    var dir: String?

    @Flag(name: .customLong("no-bootstrap"), help: "Skip TLS bootstrapping: give the node a client certificate up front.")
    var noBootstrap = false

    @Option(name: .customLong("rbac"), help: ArgumentHelp(
        "RBAC manifest to authorize with on top of the apiserver's bootstrap roles (repeatable; e.g. deploy/rbac.yaml).", valueName: "FILE"))
    var rbacFiles: [String] = []

    /// `$TMPDIR` (with a trailing slash) or /tmp/, as NSTemporaryDirectory gave.
    static var temporaryDirectory: String {
        guard let tmp = ProcessInfo.processInfo.environment["TMPDIR"], !tmp.isEmpty else { return "/tmp/" }
        return tmp.hasSuffix("/") ? tmp : tmp + "/"
    }

    func run() async throws {
        let logger = makeLogger(verbose: false)
        let directory = dir ?? (Self.temporaryDirectory + "vkcert-sandbox-" + String(UInt32.random(in: 0...UInt32.max), radix: 36))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var options = KubeSimulator.Options()
        options.ca = try Self.sandboxCA(in: directory)
        options.tls = true
        // The serving approver as kubelet-csr-approver would be set up for this node: requester = the node,
        // IP SANs in loopback, the one DNS name localhost.
        options.autoApprove = !manualApprove
        options.servingApproval.ipPrefixes = ["127.0.0.0/8"]
        options.servingApproval.dnsNamePattern = "localhost"
        // Authorization as kube-apiserver's Node,RBAC: the node may create and watch its CSRs but not
        // approve or delete them; the admin kubeconfig (system:masters) may do anything; the bootstrap
        // bindings of deploy/bootstrap-rbac.yaml let the token request the node's client certificate.
        var policy = try RBACPolicy.load(yaml: NodeBootstrap.clusterBindings, file: "deploy/bootstrap-rbac.yaml")
        policy.merge(try loadRBAC(rbacFiles))
        options.rbac = policy
        let simulator = try KubeSimulator(options: options)
        let apiURL = try await simulator.start()
        let kubeconfig = directory + "/kubeconfig"
        let adminKubeconfig = directory + "/admin.kubeconfig"
        let caFile = directory + "/ca.pem"
        if noBootstrap {
            // The node authenticates with a client certificate for system:node:vkcert-sandbox in system:nodes
            // handed to it (what TLS bootstrapping would have given it).
            let node = try simulator.issueClientCertificate(user: "system:node:vkcert-sandbox", groups: ["system:nodes"], validFor: 365 * 86_400)
            try writeOutput(kubeconfig, Array(simulator.kubeconfig(clientCertificatePEM: node.certificatePEM, keyPEM: node.keyPEM, user: "vkcert-sandbox").utf8), mode: 0o600)
        } else {
            // A bootstrap token of the group deploy/bootstrap-rbac.yaml binds, valid one day.
            let token = try simulator.createBootstrapToken(extraGroups: ["system:bootstrappers:vkcert"])
            try writeOutput(kubeconfig, Array(simulator.kubeconfig(token: token, user: "kubelet-bootstrap").utf8), mode: 0o600)
        }
        try writeOutput(adminKubeconfig, Array(simulator.kubeconfig().utf8), mode: 0o600)
        try writeOutput(caFile, Array(simulator.caCertificate.pemRepresentation.utf8), mode: 0o644)
        var config = VKConfiguration()
        config.nodeName = "vkcert-sandbox"
        config.nodeIPs = ["127.0.0.1"]
        config.dnsNames = ["localhost"]
        config.listenAddress = "127.0.0.1"
        config.listenPort = port
        config.certDir = directory + "/certs"
        if noBootstrap {
            config.kubeconfig = kubeconfig
        } else {
            config.bootstrapKubeconfig = kubeconfig
            config.nodeKubeconfig = directory + "/node.kubeconfig"
        }
        config.metricsAddress = "127.0.0.1:0"
        config.pollInterval = 2
        say("vkcert sandbox: emulated API server at \(apiURL) (\(noBootstrap ? "node" : "bootstrap") kubeconfig \(kubeconfig), admin kubeconfig \(adminKubeconfig))")
        let printed = OnceFlag()
        let serving = Serving(config: config, logger: logger, onStarted: { port, metricsPort, started in
            // What the stores hold now, before the workflows run: certificates from an earlier run.
            let now = Date()
            let storedClient = started.bootstrap?.store.loadCurrent().flatMap { $0.isValid(at: now) ? $0 : nil }
            let storedServing = started.csrManager?.store.loadCurrent().flatMap { $0.isValid(at: now) ? $0 : nil }
            Task {
                if let bootstrap = started.bootstrap {
                    await Self.narrateBootstrap(bootstrap, storedClient: storedClient, storedServing: storedServing, admin: adminKubeconfig)
                }
                while started.source.current() == nil {
                    if manualApprove, let name = started.csrManager?.metrics.snapshot.pendingCSR, printed.fire() {
                        say("vkcert sandbox: waiting for approval; run:\n  KUBECONFIG=\(adminKubeconfig) kubectl certificate approve \(name)")
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                let step = started.bootstrap == nil ? "" : "step 3/3: "
                say("vkcert sandbox: \(step)serving https://127.0.0.1:\(port)/healthz with a certificate signed by the sandbox CA")
                say("  try: curl --cacert \(caFile) https://127.0.0.1:\(port)/healthz")
                if let metricsPort {
                    say("  metrics: curl http://127.0.0.1:\(metricsPort)/metrics   (health: vkcert health --address 127.0.0.1:\(metricsPort))")
                }
                say("  Ctrl-C stops the sandbox.")
                fflush(nil)
            }
        })
        try await serving.run()
        await simulator.stop()
        say("vkcert sandbox: stopped")
    }
}

extension SandboxRun {
    /// Says which bootstrapping step the node is in, until its client certificate is installed.
    static func narrateBootstrap(_ bootstrap: NodeBootstrap, storedClient: ServingIdentity?, storedServing: ServingIdentity?, admin: String) async {
        if let identity = storedClient {
            say("vkcert sandbox: step 1/3 skipped: the node client certificate from an earlier run is valid until \(KubeJSON.format(identity.notAfter)) (no bootstrap token used, no CSR)")
        } else {
            while bootstrap.manager.current() == nil && bootstrap.manager.createdRequests.withLock({ $0.isEmpty }) {
                try? await Task.sleep(for: .milliseconds(50))
            }
            let name = bootstrap.manager.createdRequests.withLock { $0.last } ?? "?"
            say("vkcert sandbox: step 1/3: with the bootstrap token, CSR \(name) asks kubernetes.io/kube-apiserver-client-kubelet for CN=system:node:vkcert-sandbox; the emulated kube-controller-manager approves it after a SubjectAccessReview (see: KUBECONFIG=\(admin) kubectl get csr)")
            while bootstrap.manager.current() == nil {
                try? await Task.sleep(for: .milliseconds(50))
            }
            let identity = bootstrap.manager.current()!
            say("vkcert sandbox: node client certificate issued for \(identity.leaf.subject.rfc2253), valid until \(KubeJSON.format(identity.notAfter)); node kubeconfig \(bootstrap.nodeKubeconfig)")
        }
        if let stored = storedServing {
            say("vkcert sandbox: step 2/3 skipped: the serving certificate from an earlier run is valid until \(KubeJSON.format(stored.notAfter)) (no CSR)")
        } else {
            say("vkcert sandbox: step 2/3: as system:node:vkcert-sandbox, requesting the kubelet-serving certificate (the approver accepts it: the requester is the node, 127.0.0.1 and localhost are allowed)")
        }
    }
}

/// Prints a line and flushes at once: into a pipe or a file stdout is block-buffered, and the sandbox's
/// instructions must appear when they are printed, not when it exits.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

extension SandboxRun {
    /// The sandbox CA kept in `directory` (ca.pem, ca-key.pem 0600): reused when both load and the CA is
    /// valid for another day, so a restarted sandbox's stored certificate still verifies with ca.pem;
    /// otherwise made anew and written.
    static func sandboxCA(in directory: String) throws -> (certificate: Certificate, key: RSAPrivateKey) {
        let certPath = directory + "/ca.pem", keyPath = directory + "/ca-key.pem"
        if var keyBytes = try? FileSystem.read(keyPath), let certBytes = try? FileSystem.read(certPath) {
            defer { SecureMemory.wipe(&keyBytes) }
            if let cert = try? Certificate(pemEncoded: certBytes), let key = try? RSAPrivateKey.load(keyBytes).key,
                cert.publicKey.spki == key.publicKey.spki, cert.isValid(at: DERTime.now().adding(seconds: 86_400))
            {
                return (cert, key)
            }
        }
        let ca = try KubeSimulator.makeCA()
        var keyPEM = ca.key.pkcs8PEMBytes
        defer { SecureMemory.wipe(&keyPEM) }
        try FileSystem.writeAtomically(keyPath, keyPEM, mode: 0o600)
        try FileSystem.writeAtomically(certPath, Array(ca.certificate.pemRepresentation.utf8), mode: 0o644)
        return ca
    }
}

/// The RBAC policy of `files` (none: the bootstrap roles alone), with errors naming the file, the
/// document and the field.
func loadRBAC(_ files: [String]) throws -> RBACPolicy {
    var policy = RBACPolicy()
    for file in files {
        do {
            policy.merge(try RBACPolicy.load(file: file))
        } catch {
            throw CLIFailure.input("--rbac \(error)")
        }
    }
    return policy
}

struct APIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Run the emulated CSR API server in the foreground (stop with Ctrl-C).",
        discussion: """
            Serves /version, discovery, OpenAPI and certificates.k8s.io/v1 CertificateSigningRequests (create, \
            get, list, watch, patch, delete, /status, /approval with JSON or protobuf bodies) and \
            authorization.k8s.io/v1 (Self)SubjectAccessReviews so that kubectl 1.32 works unchanged. Approved \
            kubernetes.io/kubelet-serving requests are signed by the sandbox CA with the real signer's rules.

            Authentication as kube-apiserver's: client certificates from the CA (CN = user, O = groups), bearer \
            tokens, otherwise system:anonymous; over plain HTTP (no credentials from kubectl) requests act as the \
            admin, like the insecure port of old. Authorization as --authorization-mode=Node,RBAC: system:masters, \
            the node authorizer's CSR rules, and RBAC with the bootstrap roles plus --rbac manifests.

            Writes an admin kubeconfig, and on request kubeconfigs for other identities; for example:
              vkcert sandbox apiserver --listen 127.0.0.1:6443 --tls \\
                --kubeconfig-out /tmp/kc --ca-out /tmp/ca.pem --rbac deploy/rbac.yaml \\
                --serviceaccount-kubeconfig interlink/vkcert=/tmp/sa.kc \\
                --node-kubeconfig n1=/tmp/n1.kc
              KUBECONFIG=/tmp/kc kubectl get csr
              KUBECONFIG=/tmp/sa.kc kubectl auth can-i delete csr
            """
    )

    @Option(help: "Address to listen on, host:port (port 0 picks a free one).")
    var listen = "127.0.0.1:0"

    @Option(name: .customLong("kubeconfig-out"), help: "Where to write the kubeconfig (mode 0600).")
    var kubeconfigOut: String

    @Option(name: .customLong("ca-out"), help: "Where to write the CA certificate that signs kubelet-serving certificates.")
    var caOut: String?

    @Flag(help: "Serve HTTPS (kubectl only sends credentials over HTTPS); plain HTTP otherwise.")
    var tls = false

    @Flag(name: .customLong("auto-approve"), help: "Approve kubelet-serving requests a node makes for itself (kubelet-csr-approver's checks).")
    var autoApprove = false

    @Option(name: .customLong("approve-ip-prefix"), help: ArgumentHelp(
        "With --auto-approve: a CIDR the requested IP SANs must fall in (repeatable; default any).", valueName: "CIDR"))
    var approveIPPrefixes: [String] = []

    @Option(name: .customLong("approve-dns-pattern"), help: ArgumentHelp(
        "With --auto-approve: a regular expression every requested DNS SAN must match whole.", valueName: "REGEX"))
    var approveDNSPattern: String?

    @Option(name: .customLong("signing-duration"), help: "Certificate lifetime when a request sets no expirationSeconds (Go duration, e.g. 8760h).")
    var signingDuration = "8760h"

    @Option(name: .customLong("node-token"), help: ArgumentHelp("Extra bearer token for a node identity, NAME=TOKEN (repeatable).", valueName: "NAME=TOKEN"))
    var nodeTokens: [String] = []

    @Option(name: .customLong("rbac"), help: ArgumentHelp(
        "RBAC manifest (Role, ClusterRole, RoleBinding, ClusterRoleBinding; ServiceAccounts are noted) to authorize with, on top of the bootstrap roles (repeatable).",
        valueName: "FILE"))
    var rbacFiles: [String] = []

    @Flag(name: .customLong("always-allow"), help: "Switch authorization off: every authenticated request is allowed (the emulator before RBAC).")
    var alwaysAllow = false

    @Option(name: .customLong("node-kubeconfig"), help: ArgumentHelp(
        "Write a kubeconfig for the node NAME (client certificate system:node:NAME, O=system:nodes; needs --tls) (repeatable).", valueName: "NAME=FILE"))
    var nodeKubeconfigs: [String] = []

    @Option(name: .customLong("serviceaccount-kubeconfig"), help: ArgumentHelp(
        "Write a kubeconfig for the ServiceAccount NAMESPACE/NAME (bearer token; needs --tls) (repeatable).", valueName: "NAMESPACE/NAME=FILE"))
    var serviceAccountKubeconfigs: [String] = []

    @Option(name: .customLong("bootstrap-kubeconfig"), help: ArgumentHelp(
        "Write a kubeconfig with a new bootstrap token (a bootstrap-token-<id> Secret in kube-system, 24 h, group system:bootstrappers:kubeadm:default-node-token; needs --tls).",
        valueName: "FILE"))
    var bootstrapKubeconfig: String?

    @Option(name: .customLong("user-kubeconfig"), help: ArgumentHelp(
        "Write a kubeconfig for USER in the comma-separated GROUPS (client certificate CN=USER, O=each group; needs --tls) (repeatable).",
        valueName: "USER[:GROUPS]=FILE"))
    var userKubeconfigs: [String] = []

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw CLIFailure.input("--listen \"\(listen)\" is not host:port")
        }
        guard let duration = GoDuration.parse(signingDuration), duration >= 600 else {
            throw CLIFailure.input("--signing-duration \"\(signingDuration)\" is not a duration of at least 10m (e.g. 8760h)")
        }
        var options = KubeSimulator.Options()
        options.host = String(String(listen[..<colon]).drop { $0 == "[" || $0 == "]" }.reversed().drop { $0 == "[" || $0 == "]" }.reversed())
        options.port = port
        options.tls = tls
        options.autoApprove = autoApprove
        options.signingDuration = duration
        for prefix in approveIPPrefixes where ServingApprovalPolicy.parsePrefix(prefix) == nil {
            throw CLIFailure.input("--approve-ip-prefix \"\(prefix)\" is not a CIDR such as 10.0.0.0/8")
        }
        if let pattern = approveDNSPattern, (try? Regex(pattern)) == nil {
            throw CLIFailure.input("--approve-dns-pattern \"\(pattern)\" is not a regular expression")
        }
        options.servingApproval.ipPrefixes = approveIPPrefixes
        options.servingApproval.dnsNamePattern = approveDNSPattern
        for entry in nodeTokens {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw CLIFailure.input("--node-token \"\(entry)\" is not NAME=TOKEN") }
            options.extraTokens[parts[1]] = .node(parts[0])
        }
        options.rbac = alwaysAllow ? nil : try loadRBAC(rbacFiles)
        if alwaysAllow && !rbacFiles.isEmpty { throw CLIFailure.input("--rbac and --always-allow exclude each other") }
        func target(_ option: String, _ entry: String) throws -> (String, String) {
            guard let eq = entry.lastIndex(of: "="), eq != entry.startIndex, entry.index(after: eq) != entry.endIndex else {
                throw CLIFailure.input("\(option) \"\(entry)\" is not SUBJECT=FILE")
            }
            guard tls else { throw CLIFailure.input("\(option) needs --tls: kubectl sends no credentials over plain HTTP") }
            return (String(entry[..<eq]), String(entry[entry.index(after: eq)...]))
        }
        let nodes = try nodeKubeconfigs.map { try target("--node-kubeconfig", $0) }
        if bootstrapKubeconfig != nil && !tls { throw CLIFailure.input("--bootstrap-kubeconfig needs --tls: kubectl sends no credentials over plain HTTP") }
        let accounts = try serviceAccountKubeconfigs.map { entry in
            let (subject, file) = try target("--serviceaccount-kubeconfig", entry)
            let parts = subject.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIFailure.input("--serviceaccount-kubeconfig \"\(entry)\" is not NAMESPACE/NAME=FILE")
            }
            return (parts[0], parts[1], file)
        }
        let users = try userKubeconfigs.map { entry in
            let (subject, file) = try target("--user-kubeconfig", entry)
            let parts = subject.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard !parts[0].isEmpty else { throw CLIFailure.input("--user-kubeconfig \"\(entry)\" names no user") }
            let groups = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
            return (parts[0], groups, file)
        }
        let simulator = try KubeSimulator(options: options)
        let url: String
        do {
            url = try await simulator.start()
        } catch {
            throw CLIFailure.input("cannot listen on \(listen): \(error)")
        }
        try writeOutput(kubeconfigOut, Array(simulator.kubeconfig().utf8), mode: 0o600)
        if let caOut { try writeOutput(caOut, Array(simulator.caCertificate.pemRepresentation.utf8), mode: 0o644) }
        var minted: [String] = []
        for (name, file) in nodes {
            let cert = try simulator.issueClientCertificate(user: "system:node:\(name)", groups: ["system:nodes"], validFor: 365 * 86_400)
            try writeOutput(file, Array(simulator.kubeconfig(clientCertificatePEM: cert.certificatePEM, keyPEM: cert.keyPEM, user: "system:node:\(name)").utf8), mode: 0o600)
            minted.append("  node system:node:\(name): \(file)")
        }
        for (namespace, name, file) in accounts {
            let token = simulator.serviceAccountToken(namespace: namespace, name: name)
            try writeOutput(file, Array(simulator.kubeconfig(token: token, user: "\(namespace)/\(name)").utf8), mode: 0o600)
            minted.append("  serviceaccount system:serviceaccount:\(namespace):\(name): \(file)")
        }
        if let file = bootstrapKubeconfig {
            let token = try simulator.createBootstrapToken()
            try writeOutput(file, Array(simulator.kubeconfig(token: token, user: "bootstrap").utf8), mode: 0o600)
            minted.append("  bootstrap token system:bootstrap:\(token.prefix(6)): \(file)")
        }
        for (user, groups, file) in users {
            let cert = try simulator.issueClientCertificate(user: user, groups: groups, validFor: 365 * 86_400)
            try writeOutput(file, Array(simulator.kubeconfig(clientCertificatePEM: cert.certificatePEM, keyPEM: cert.keyPEM, user: user).utf8), mode: 0o600)
            minted.append("  user \(user) \(groups): \(file)")
        }
        print("vkcert sandbox apiserver: serving the CSR API at \(url) (authorization: \(alwaysAllow ? "always allow" : "Node,RBAC"))")
        print("  kubeconfig: \(kubeconfigOut)")
        for line in minted { print(line) }
        if let caOut { print("  signing CA: \(caOut)") }
        print("  try: KUBECONFIG=\(kubeconfigOut) kubectl get csr")
        fflush(nil)  // flush stdout for whoever reads our output line by line
        await waitForTermination()
        await simulator.stop()
        print("vkcert sandbox apiserver: stopped")
    }
}

/// Suspends until SIGINT or SIGTERM.
func waitForTermination() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let queue = DispatchQueue(label: "vkcert.signals")
        let once = OnceFlag()
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                if once.fire() { continuation.resume() }
            }
            source.resume()
            sources.append(source)
        }
        SignalSources.keep(sources)
    }
}

final class OnceFlag: @unchecked Sendable {
    // @unchecked: only touched on the serial signal queue.
    private var fired = false
    func fire() -> Bool {
        if fired { return false }
        fired = true
        return true
    }
}

enum SignalSources {
    nonisolated(unsafe) static var retained: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { retained = sources }
}
