// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKFileIO
import FoundationEssentials
import Glibc
import VKKubeAPI
import Logging
import Synchronization
import VKX509

/// TLS bootstrapping, as the kubelet does it (pkg/kubelet/certificate/bootstrap: LoadClientConfig,
/// LoadClientCert; pkg/kubelet/certificate/kubelet.go: the client certificate manager), so that vkcert
/// talks to the API server as `system:node:<node>` and its serving CSR is one the usual approvers accept.
///
/// - The node client certificate lives in `CertDir` as `kubelet-client-current.pem` (the kubelet's file
///   store name; certificate chain + key, 0600), written by a ``CSRCertificateManager`` with purpose
///   ``CertificatePurpose/nodeClient``: one `kubernetes.io/kube-apiserver-client-kubelet` CSR at a time,
///   its key and name persisted before it is created, resumed after a restart, renewed at the same
///   fraction of the lifetime as the serving certificate.
/// - `NodeKubeconfig` is (re)written to point at that file, as the kubelet's `--kubeconfig`, for the
///   operator's kubectl and for the next start.
/// - Every API call is made with the node's certificate while it is valid; the bootstrap credential
///   (`BootstrapKubeconfig`) is used only when there is none or it has expired — so an expired bootstrap
///   token changes nothing once the node has its certificate, and renewals are made by the node itself
///   (the csrapproving controller's `selfnodeclient` rule).
/// - The serving manager runs after the first client certificate is installed, with the node client.
public final class NodeBootstrap: Sendable {
    public let bootstrapClient: KubeClient
    /// Authenticates with the node client certificate, swapped in on each issuance.
    public let nodeClient: KubeClient
    public let manager: CSRCertificateManager
    public let nodeKubeconfig: String
    public let store: CertificateStore
    let nodeConfiguration: ClientConfiguration
    let logger: Logger

    /// The file store prefix the kubelet uses for its client certificate (`kubelet-client-current.pem`).
    public static let storePrefix = "kubelet-client"

    /// - Parameters:
    ///   - bootstrapKubeconfig: the bootstrap credential (a bootstrap token, usually) and the cluster.
    ///   - nodeKubeconfig: where the kubeconfig using the node certificate is written; one that already
    ///     holds a valid client certificate (provisioned by other means) is imported into the store.
    ///   - configFile: the vkcert configuration file, for errors.
    public init(node: String, bootstrapKubeconfig: String, nodeKubeconfig: String, certDir: String, settings base: CSRCertificateManager.Settings,
                logger: Logger, clock: any ManagerClock = WallClock(), configFile: String? = nil, bootstrapClient injected: KubeClient? = nil) throws {
        self.logger = logger
        self.nodeKubeconfig = nodeKubeconfig
        store = try CertificateStore(directory: certDir, prefix: Self.storePrefix)
        NodeBootstrap.importProvisioned(nodeKubeconfig, into: store, node: node, now: clock.now(), logger: logger)
        // As the kubelet (LoadClientCert returns before reading the bootstrap file when the node
        // kubeconfig is valid): once the node has a valid certificate, the bootstrap kubeconfig may be
        // gone (operators delete the token after joining); the cluster then comes from the node kubeconfig.
        let cluster: ClientConfiguration
        var bootstrapConfiguration: ClientConfiguration?
        do {
            bootstrapConfiguration = try ClientConfiguration.load(kubeconfig: bootstrapKubeconfig)
            cluster = bootstrapConfiguration!
        } catch let error as KubeAPIError {
            guard store.loadCurrent()?.isValid(at: clock.now()) == true, let written = try? ClientConfiguration.load(kubeconfig: nodeKubeconfig) else {
                // The message names the kubeconfig file; the error names the configuration file and key.
                throw ConfigurationError(file: configFile, key: "BootstrapKubeconfig", "\(error.message)")
            }
            logger.notice("the bootstrap kubeconfig cannot be read; the node client certificate is valid, so it is not needed until that expires",
                          metadata: ["bootstrapKubeconfig": "\(bootstrapKubeconfig)", "reason": "\(error.message)"])
            cluster = written
        }
        var nodeConfiguration = cluster
        nodeConfiguration.credentials = .none
        self.nodeConfiguration = nodeConfiguration
        // Without a bootstrap credential the fallback is an anonymous client, which the API server refuses:
        // the node then logs API errors until a bootstrap kubeconfig is provided again.
        bootstrapClient = try injected ?? KubeClient(configuration: bootstrapConfiguration ?? nodeConfiguration)
        nodeClient = try KubeClient(configuration: nodeConfiguration)

        var settings = base
        settings.purpose = .nodeClient
        settings.signerName = CertificatePurpose.nodeClientSignerName
        settings.ips = []
        settings.dnsNames = []
        // The node may not delete CSRs, and a bootstrap token may not either (system:node-bootstrapper).
        settings.cleanUpStaleRequests = false
        // The key is the node's identity for the life of each certificate; a new one on every renewal.
        settings.reuseKeyOnRenewal = false
        let valid = Mutex<Date?>(nil)
        let nodeClient = self.nodeClient, bootstrapClient = self.bootstrapClient
        let path = store.currentPath
        let configuration = nodeConfiguration
        manager = CSRCertificateManager(
            settings: settings,
            clientForCall: {
                let now = clock.now()
                return valid.withLock { $0.map { $0 > now } ?? false } ? nodeClient : bootstrapClient
            },
            store: store, logger: logger, clock: clock,
            onInstall: { identity in
                do {
                    try NodeBootstrap.authenticate(nodeClient, with: identity)
                    valid.withLock { $0 = identity.notAfter }
                } catch {
                    logger.error("the node client certificate does not load into the TLS client; keeping the previous credential", metadata: ["reason": "\(error)"])
                }
                NodeBootstrap.writeKubeconfig(configuration, to: nodeKubeconfig, certificateFile: path, logger: logger)
            }
        )
    }

    /// What TLS bootstrapping needs bound in the cluster: deploy/bootstrap-rbac.yaml's three
    /// ClusterRoleBindings (a test checks the two are the same policy), kept here for the sandbox, which
    /// runs from any directory.
    public static let clusterBindings = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "vkcert:node-bootstrapper"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node-bootstrapper"}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:bootstrappers:vkcert"}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "vkcert:node-autoapprove-bootstrap"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient"}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:bootstrappers:vkcert"}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "vkcert:node-autoapprove-certificate-rotation"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:nodes"}]
        """

    /// Hands the identity's chain and key to the client (as PEM, wiped afterwards).
    static func authenticate(_ client: KubeClient, with identity: ServingIdentity) throws {
        var keyPEM = identity.key.pkcs8PEMBytes
        defer { SecureMemory.wipe(&keyPEM) }
        let chainPEM = Array(identity.chain.map(\.pemRepresentation).joined().utf8)
        try client.useClientCertificate(certificatePEM: chainPEM, keyPEM: keyPEM)
    }

    /// Writes the node kubeconfig (0600, atomically) unless it already says the same.
    static func writeKubeconfig(_ configuration: ClientConfiguration, to path: String, certificateFile: String, logger: Logger) {
        let text = Array(configuration.kubeconfigYAML(clientCertificateFile: certificateFile, clientKeyFile: certificateFile).utf8)
        if (try? FileSystem.read(path, limit: ClientConfiguration.maximumKubeconfigSize)) == text { return }
        do {
            try FileSystem.writeAtomically(path, text, mode: 0o600)
            logger.info("wrote the node kubeconfig", metadata: ["path": "\(path)", "clientCertificate": "\(certificateFile)"])
        } catch {
            logger.warning("could not write the node kubeconfig (vkcert keeps working; kubectl as the node cannot use it)", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
    }

    /// A node kubeconfig with a valid client certificate for this node that the store lacks (provisioned
    /// by other means, as a kubelet given `--kubeconfig` without bootstrapping) is taken into the store.
    static func importProvisioned(_ path: String, into store: CertificateStore, node: String, now: Date, logger: Logger) {
        guard store.loadCurrent().map({ !$0.isValid(at: now) }) ?? true, FileManager.default.fileExists(atPath: path) else { return }
        guard let configuration = try? ClientConfiguration.load(kubeconfig: path),
              case .clientCertificate(let certificatePEM, var keyPEM) = configuration.credentials else { return }
        defer { SecureMemory.wipe(&keyPEM) }
        guard let identity = try? ServingIdentity.load(certificatePEM: certificatePEM, keyPEM: keyPEM), identity.isValid(at: now),
              identity.leaf.subject.commonNames == ["system:node:\(node)"] else { return }
        do {
            try store.save(identity, now: now)
            logger.info("imported the node client certificate from the node kubeconfig", metadata: ["path": "\(path)", "notAfter": "\(identity.leaf.notAfter)"])
        } catch {
            logger.warning("could not import the node kubeconfig's client certificate", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
    }

    public func shutdown() async {
        await bootstrapClient.shutdown()
        await nodeClient.shutdown()
    }
}
