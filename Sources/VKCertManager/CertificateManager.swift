// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import Logging
import Metrics

/// Builds the certificate source for a configuration, by the InterLink priority: manual > self-signed > CSR.
public enum CertificateManager {
    public struct Started: Sendable {
        public let mode: VKConfiguration.Mode
        public let source: any CertificateSource
        /// For CSR mode: the workflow to run (as a service) until shutdown.
        public let csrManager: CSRCertificateManager?
        /// CSR mode with `BootstrapKubeconfig`: the node client certificate's workflow, which the serving
        /// one waits for.
        public var bootstrap: NodeBootstrap? = nil
        /// The client for the kubelet API's TokenReviews and SubjectAccessReviews (`Authentication` /
        /// `Authorization` with webhooks): the node client after bootstrapping, else the CSR client, else
        /// one from `Kubeconfig` or the in-cluster account.
        public var reviewClient: KubeClient? = nil

        /// Closes the Kubernetes clients the bootstrap made (after the workflows have stopped).
        public func shutdown() async {
            await bootstrap?.shutdown()
        }

        /// Runs the CSR workflows until cancelled: the node client certificate's (bootstrapping) and,
        /// once a node client certificate is installed, the serving certificate's.
        public func runManagers() async throws {
            guard let csrManager else { return }
            guard let bootstrap else { return try await csrManager.run() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bootstrap.manager.run() }
                group.addTask {
                    try await bootstrap.manager.waitForCertificate()
                    try await csrManager.run()
                }
                defer { group.cancelAll() }
                try await group.next()
                try await group.next()
            }
        }
    }

    /// The client for the kubelet API's reviews in manual and self-signed modes, with an error that says
    /// which setting needs it.
    static func reviewClient(_ config: VKConfiguration, injected: (() throws -> KubeClient)?) throws -> KubeClient {
        do {
            return try apiClient(config, injected: injected)
        } catch let error as KubeAPIError {
            throw ConfigurationError(file: config.sourceFile, key: "Authorization",
                                     "webhook authentication or authorization asks the API server (TokenReview, SubjectAccessReview), which needs Kubeconfig or the in-cluster account: \(error.message)")
        }
    }

    /// The API client for a configuration: injected (tests), `Kubeconfig`, the in-cluster account, or the
    /// default kubeconfig (`KUBECONFIG`, ~/.kube/config).
    static func apiClient(_ config: VKConfiguration, injected: (() throws -> KubeClient)?) throws -> KubeClient {
        if let injected { return try injected() }
        if let path = config.kubeconfig { return try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: path)) }
        if ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil { return try KubeClient(configuration: try ClientConfiguration.inCluster()) }
        return try KubeClient(configuration: try ClientConfiguration.load())
    }

    /// - Parameter keepKeyAcrossRenewals: files mode (``CertificateFileWriter``): renewals and
    ///   regenerations keep the key, so a reader loading certificate and key separately never mixes keys.
    /// - Parameter metricsFactory: where the serving certificate's events go (rotations, renewal errors,
    ///   failed loads; ``MetricCatalog``); the default records nothing.
    public static func make(
        _ config: VKConfiguration, logger: Logger, clock: any ManagerClock = WallClock(), client: (() throws -> KubeClient)? = nil,
        keepKeyAcrossRenewals: Bool = false, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws -> Started {
        let ips = try config.validate()
        for (key, suggestion) in config.suspiciousKeys {
            logger.info("configuration key \(key) is not one vkcert uses; did you mean \(suggestion)?", metadata: ["file": "\(config.sourceFile ?? "-")"])
        }
        let quiet = Set(config.suspiciousKeys.map(\.key))
        let ignored = config.ignoredKeys.filter { !quiet.contains($0) }
        if !ignored.isEmpty {
            logger.debug("ignoring configuration keys vkcert does not use", metadata: ["keys": "\(ignored.sorted().joined(separator: ", "))"])
        }
        let mode = config.mode
        logger.info("certificate mode: \(mode)")
        if config.bootstrapKubeconfig != nil, mode != .csr(signerName: config.signerName) {
            logger.info("BootstrapKubeconfig is not used in \(mode) mode (it gives CSR mode the node's identity)")
        }
        switch mode {
        case .manual(let cert, let key):
            let source = ManualCertificateSource(certFile: cert, keyFile: key, logger: logger, clock: clock, metricsFactory: metricsFactory)
            do {
                try source.start()
            } catch {
                throw ConfigurationError(file: config.sourceFile, key: nil, "manual mode: cannot load the kubelet certificate: \(error)")
            }
            var started = Started(mode: mode, source: source, csrManager: nil)
            if config.kubeletAccess?.needsAPIServer == true { started.reviewClient = try reviewClient(config, injected: client) }
            return started
        case .selfSigned:
            let source = try SelfSignedCertificateSource(
                node: config.nodeName!, ips: ips, dnsNames: config.dnsNames, logger: logger, clock: clock, keepKey: keepKeyAcrossRenewals,
                algorithm: config.keyAlgorithm
            )
            var started = Started(mode: mode, source: source, csrManager: nil)
            if config.kubeletAccess?.needsAPIServer == true { started.reviewClient = try reviewClient(config, injected: client) }
            return started
        case .csr(let signer):
            var settings = CSRCertificateManager.Settings(node: config.nodeName!, ips: ips, dnsNames: config.dnsNames)
            settings.signerName = signer
            settings.renewalFraction = config.renewalFraction
            settings.pollInterval = config.pollInterval
            settings.expirationSeconds = config.csrExpirationSeconds
            settings.watch = config.watchCSR
            settings.reuseKeyOnRenewal = keepKeyAcrossRenewals
            settings.keyAlgorithm = config.keyAlgorithm
            let store = try CertificateStore(directory: config.certDir)
            if let bootstrapKubeconfig = config.bootstrapKubeconfig {
                // TLS bootstrapping: every call as the node; the injected client (tests) is the bootstrap credential.
                let bootstrap = try NodeBootstrap(
                    node: config.nodeName!, bootstrapKubeconfig: bootstrapKubeconfig, nodeKubeconfig: config.resolvedNodeKubeconfig,
                    certDir: config.certDir, settings: settings, logger: logger, clock: clock, configFile: config.sourceFile, bootstrapClient: try client?()
                )
                logger.info("TLS bootstrapping: requests are made as system:node:\(config.nodeName!) with the node client certificate", metadata: [
                    "bootstrapKubeconfig": "\(bootstrapKubeconfig)", "nodeKubeconfig": "\(bootstrap.nodeKubeconfig)",
                ])
                settings.cleanUpStaleRequests = false
                let manager = CSRCertificateManager(settings: settings, client: bootstrap.nodeClient, store: store, logger: logger, clock: clock, metricsFactory: metricsFactory)
                var started = Started(mode: mode, source: manager, csrManager: manager)
                started.bootstrap = bootstrap
                started.reviewClient = bootstrap.nodeClient
                return started
            }
            let kubeClient = try apiClient(config, injected: client)
            let secretStore = config.certSecret.flatMap(SecretCertificateStore.parse).map {
                SecretCertificateStore(namespace: $0.namespace, name: $0.name, client: kubeClient, logger: logger)
            }
            let manager = CSRCertificateManager(
                settings: settings, client: kubeClient, store: store, logger: logger, clock: clock, secretStore: secretStore, metricsFactory: metricsFactory
            )
            var started = Started(mode: mode, source: manager, csrManager: manager)
            started.reviewClient = kubeClient
            return started
        }
    }
}
