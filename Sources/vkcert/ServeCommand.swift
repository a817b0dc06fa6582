// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertCommands
import VKCertManager
import FoundationEssentials
import Glibc
import VKKubeAPI
import VKKubeletTLS
import Logging
import ServiceLifecycle

/// Options shared by `serve` and overriding the configuration file.
struct ServeOptions: ParsableArguments {
    @Option(help: "Configuration file (InterLink VK YAML or vkcert's keys).")
    var config: String?

    @Option(help: "Node name (NodeName; env NODENAME).")
    var node: String?

    @Option(name: .customLong("node-ip"), help: "Node IP for the certificate's SAN (NodeIP; env POD_IP; repeatable).")
    var nodeIPs: [String] = []

    @Option(help: "Extra DNS name for the SAN (repeatable).")
    var dns: [String] = []

    @Option(help: "host:port to serve HTTPS on (KubeletURL/KubeletPort; env KUBELET_URL, KUBELET_PORT; default 0.0.0.0:10250).")
    var listen: String?

    @Option(name: .customLong("cert-dir"), help: "Certificate store directory (CertDir, default /tmp/certs).")
    var certDir: String?

    @Option(help: "kubeconfig for CSR mode (default: in-cluster, else KUBECONFIG/~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("bootstrap-kubeconfig"), help: ArgumentHelp(
        "TLS bootstrapping (BootstrapKubeconfig): a bootstrap-token kubeconfig used only to obtain the node client certificate; every API call is then made as system:node:NAME.",
        valueName: "FILE"))
    var bootstrapKubeconfig: String?

    @Option(name: .customLong("node-kubeconfig"), help: ArgumentHelp(
        "With --bootstrap-kubeconfig: where to write the kubeconfig that uses the node client certificate (NodeKubeconfig, default CERT_DIR/node.kubeconfig).",
        valueName: "FILE"))
    var nodeKubeconfig: String?

    @Option(name: .customLong("client-ca"), help: "Require client certificates from this CA bundle (ClientCAFile).")
    var clientCA: String?

    @Option(help: "Relay decrypted connections to this host:port (the provider's plain-HTTP server).")
    var upstream: String?

    @Option(help: "host:port for /healthz and /metrics over plain HTTP, or 'off' (default 127.0.0.1:10248).")
    var metrics: String?

    @Flag(help: "Debug logging.")
    var verbose = false

    func configuration() throws -> VKConfiguration {
        var config = VKConfiguration()
        if let path = self.config {
            do {
                config = try VKConfiguration.load(path)
            } catch let error as ConfigurationError {
                throw CLIFailure.input("\(error)")
            }
        }
        do {
            try config.applyEnvironment(ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw CLIFailure.input("\(error)")
        }
        if let node { config.nodeName = node }
        if !nodeIPs.isEmpty { config.nodeIPs = nodeIPs }
        config.dnsNames += dns
        if let listen {
            guard let address = HostPort.parse(listen) else {
                throw CLIFailure.input("--listen \"\(listen)\" is not host:port (e.g. :10250, [::]:10250, 0.0.0.0:10250, 10.0.0.5:10250)")
            }
            config.listenAddress = address.host.isEmpty ? "::" : address.host
            config.listenPort = address.port
        }
        if let certDir { config.certDir = certDir }
        if let kubeconfig { config.kubeconfig = kubeconfig }
        if let bootstrapKubeconfig { config.bootstrapKubeconfig = bootstrapKubeconfig }
        if let nodeKubeconfig { config.nodeKubeconfig = nodeKubeconfig }
        if let clientCA { config.clientCAFile = clientCA }
        if let upstream { config.upstream = upstream }
        if let metrics {
            guard metrics == "off" || HostPort.parse(metrics) != nil else {
                throw CLIFailure.input("--metrics \"\(metrics)\" is not host:port (e.g. 127.0.0.1:10248, :10248) or off")
            }
            config.metricsAddress = metrics == "off" ? nil : metrics
        }
        if verbose { config.verboseLogging = true }
        return config
    }
}

/// Runs the kubelet HTTPS endpoint for a configuration until SIGTERM/SIGINT (bounded drain).
struct Serving {
    let config: VKConfiguration
    let logger: Logger
    var clientFactory: (@Sendable () throws -> KubeClient)? = nil
    /// Called once listening: the HTTPS port, the metrics port (nil when off or failed), the source.
    var onStarted: (@Sendable (Int, Int?, CertificateManager.Started) -> Void)? = nil
    /// Files mode: keep these files current (renewals then keep the key, see CertificateFileWriter).
    var fileTargets = CertificateFileWriter.Targets()
    /// Whether to run the HTTPS listener (files mode may leave serving to the other server).
    var serveTLS = true
    /// Where every series of `/metrics` is recorded (swift-metrics over swift-prometheus; one per run).
    let metricsFactory = CatalogPrometheusFactory()

    func run() async throws {
        let started: CertificateManager.Started
        do {
            started = try CertificateManager.make(
                config, logger: logger, client: clientFactory, keepKeyAcrossRenewals: !fileTargets.isEmpty, metricsFactory: metricsFactory
            )
        } catch let error as ConfigurationError {
            throw CLIFailure.input("\(error)")
        } catch let error as KubeAPIError {
            throw CLIFailure.input("\(error)")
        }
        var options = KubeletServer.Options()
        options.host = config.listenAddress
        options.port = config.listenPort
        options.upstream = config.upstream
        options.metricsFactory = metricsFactory
        if let ca = config.clientCAFile {
            // Parsed (strictly, errors naming the file) by our X.509 code before BoringSSL sees it as trust roots.
            let roots = try loadCertificates(ca)
            options.clientCA = Array(roots.map(\.pemRepresentation).joined().utf8)
        }
        if let policy = config.kubeletAccess {
            options.access = KubeletAccessControl(policy: policy, node: config.nodeName!, reviewer: started.reviewClient, logger: logger)
            logger.info("kubelet API requests are authenticated and authorized", metadata: [
                "authorization": "\(policy.authorization.rawValue)", "tokenReview": "\(policy.webhookAuthentication)", "anonymous": "\(policy.anonymous)",
                "clientCA": "\(config.clientCAFile ?? "none")",
            ])
        }
        if config.upstream != nil, config.clientCAFile == nil, config.kubeletAccess == nil {
            // Only reachable with AllowUnauthenticatedUpstream: true (validate() refuses it otherwise).
            logger.warning("relaying to Upstream WITHOUT client authentication (AllowUnauthenticatedUpstream: true): anyone who reaches this port gets the provider's API; set ClientCAFile", metadata: ["upstream": "\(config.upstream!)"])
        }
        var server: KubeletServer? = nil
        var port = 0
        if serveTLS {
            let s = KubeletServer(source: started.source, options: options, logger: logger)
            do {
                port = try await s.start()
            } catch {
                throw CLIFailure.input("cannot listen on \(HostPort(host: config.listenAddress, port: config.listenPort)): \(error)")
            }
            server = s
        }
        var writer: CertificateFileWriter? = nil
        if !fileTargets.isEmpty {
            let w = CertificateFileWriter(source: started.source, targets: fileTargets, logger: logger)
            do {
                try w.sync()
            } catch {
                throw CLIFailure.input("cannot write the certificate files (\(fileTargets.paths.joined(separator: ", "))): \(error)")
            }
            writer = w
        }
        var metricsServer: MetricsServer? = nil
        var metricsPort: Int? = nil
        if let text = config.metricsAddress, let address = HostPort.parse(text) {
            let source = started.source
            let csr = started.csrManager
            let gauges = CertificateGauges(mode: started.mode.description, factory: metricsFactory)
            let registry = metricsFactory.registry
            let relaying = config.upstream != nil && config.clientCAFile == nil
            let m = MetricsServer(
                render: {
                    gauges.refresh(identity: source.current(), snapshot: csr?.metrics.snapshot, loadProblem: source.loadProblem,
                                   unauthenticatedUpstream: relaying, now: Date())
                    return MetricsServer.exposition(registry)
                },
                healthy: { source.current() != nil },
                detail: { source.loadProblem?.healthDetail }
            )
            do {
                let bound = try await m.start(host: address.host.isEmpty ? "::" : address.host, port: address.port)
                metricsServer = m
                logger.info("serving /healthz and /metrics over HTTP", metadata: ["address": "\(HostPort(host: address.host.isEmpty ? "::" : address.host, port: bound))"])
                metricsPort = bound
            } catch {
                logger.error("metrics listener failed; continuing without it", metadata: ["address": "\(text)", "reason": "\(error)"])
            }
        }
        onStarted?(port, metricsPort, started)
        var services: [any Service] = []
        if let server { services.append(server) }
        if started.csrManager != nil { services.append(CancellableLoop { try await started.runManagers() }) }
        if let writer { services.append(CancellableLoop { try await writer.run() }) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        await metricsServer?.stop()
        logger.info("stopped")
    }
}

/// A loop that runs until graceful shutdown cancels it (the CSR workflow, files mode's writer): the
/// cancellation is the normal stop, not an error.
struct CancellableLoop: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await body()
            }
        } catch is CancellationError {
            // Graceful shutdown: a normal stop.
        }
    }
}

func makeLogger(verbose: Bool) -> Logger {
    var logger = Logger(label: "vkcert")
    logger.logLevel = verbose ? .debug : .info
    return logger
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the kubelet HTTPS API with certificates from the configured mode (manual > self-signed > CSR).",
        discussion: """
            Reads an InterLink Virtual Kubelet configuration unchanged (KubeletCertFile/KubeletKeyFile, DisableCSR, \
            KubeletCSRSignerName, …); flags override the file, NODENAME, POD_IP, KUBELET_URL and KUBELET_PORT fill \
            gaps. SIGTERM/SIGINT stop accepting and drain open connections for up to 10 s.

            CSR mode requests as the kubeconfig's identity (a ServiceAccount in a pod), or, with \
            --bootstrap-kubeconfig, as the node itself after TLS bootstrapping — the identity kubelet-serving \
            approvers (kubelet-csr-approver and the like) require. Example:
              vkcert serve --config vk.yaml --bootstrap-kubeconfig /etc/vkcert/bootstrap.kubeconfig --cert-dir /var/lib/vkcert
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let config = try options.configuration()
        try await Serving(config: config, logger: makeLogger(verbose: config.verboseLogging)).run()
    }
}
