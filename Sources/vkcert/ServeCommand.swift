// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertCommands
import CertManager
import Foundation
import KubeAPI
import KubeletTLS
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
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw CLIFailure.input("--listen \"\(listen)\" is not host:port")
            }
            config.listenAddress = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.listenPort = port
        }
        if let certDir { config.certDir = certDir }
        if let kubeconfig { config.kubeconfig = kubeconfig }
        if let clientCA { config.clientCAFile = clientCA }
        if let upstream { config.upstream = upstream }
        if let metrics { config.metricsAddress = metrics == "off" ? nil : metrics }
        if verbose { config.verboseLogging = true }
        return config
    }
}

/// Runs the kubelet HTTPS endpoint for a configuration until SIGTERM/SIGINT (bounded drain).
struct Serving {
    let config: VKConfiguration
    let logger: Logger
    var clientFactory: (@Sendable () throws -> KubeClient)? = nil
    var onStarted: (@Sendable (Int, CertificateManager.Started) -> Void)? = nil

    func run() async throws {
        let started: CertificateManager.Started
        do {
            started = try CertificateManager.make(config, logger: logger, client: clientFactory)
        } catch let error as ConfigurationError {
            throw CLIFailure.input("\(error)")
        } catch let error as KubeAPIError {
            throw CLIFailure.input("\(error)")
        }
        var options = KubeletServer.Options()
        options.host = config.listenAddress
        options.port = config.listenPort
        options.upstream = config.upstream
        if let ca = config.clientCAFile {
            // Parsed (strictly, errors naming the file) by our X.509 code before BoringSSL sees it as trust roots.
            let roots = try loadCertificates(ca)
            options.clientCA = Array(roots.map(\.pemRepresentation).joined().utf8)
        }
        let server = KubeletServer(source: started.source, options: options, logger: logger)
        let port: Int
        do {
            port = try await server.start()
        } catch {
            throw CLIFailure.input("cannot listen on \(config.listenAddress):\(config.listenPort): \(error)")
        }
        var metricsServer: MetricsServer? = nil
        if let address = config.metricsAddress, let colon = address.lastIndex(of: ":"), let metricsPort = Int(address[address.index(after: colon)...]) {
            let source = started.source
            let csr = started.csrManager
            let mode = started.mode.description
            let counters = server.counters
            let m = MetricsServer(
                render: {
                    MetricsServer.exposition(
                        mode: mode, identity: source.current(), snapshot: csr?.metrics.snapshot, counters: counters, now: Date(),
                        loadProblem: source.loadProblem, loadFailures: source.loadFailures
                    )
                },
                healthy: { source.current() != nil },
                detail: { source.loadProblem?.healthDetail }
            )
            do {
                try await m.start(host: String(address[..<colon]), port: metricsPort)
                metricsServer = m
            } catch {
                logger.error("metrics listener failed; continuing without it", metadata: ["address": "\(address)", "reason": "\(error)"])
            }
        }
        onStarted?(port, started)
        var services: [any Service] = [server]
        if let manager = started.csrManager { services.append(CSRService(manager: manager)) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        await metricsServer?.stop()
        logger.info("stopped")
    }
}

struct CSRService: Service {
    let manager: CSRCertificateManager
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await manager.run()
            }
        } catch is CancellationError {
            // Graceful shutdown cancels the workflow: that is a normal stop.
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
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let config = try options.configuration()
        try await Serving(config: config, logger: makeLogger(verbose: config.verboseLogging)).run()
    }
}
