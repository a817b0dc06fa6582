// SPDX-License-Identifier: Apache-2.0

import VKDER
import FoundationEssentials
import Glibc
import VKKubeAPI
import VKBigNum
import NIOConcurrencyHelpers
import NIOSSL
import VKRSA
import Synchronization
import VKX509

/// An emulated control plane for the certificate flows: the cluster CA (signs the API server's TLS
/// certificate, kubelet-serving certificates and the client certificates it mints), the client-kubelet
/// CA, the CSR store and the generic stores (Secrets, Namespaces, RBAC objects), kube-controller-manager's
/// two kubelet signers and node-client approver, an optional serving approver, the cleaner, authentication
/// and (with `rbac`) Node,RBAC authorization, and the HTTP(S) server.
public final class KubeSimulator: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        public var tls = true
        public var autoApprove = false
        /// The serving approver's checks (kubelet-csr-approver's criteria) when `autoApprove` is on.
        public var servingApproval = ServingApprovalPolicy()
        /// `--cluster-signing-duration`.
        public var signingDuration: TimeInterval = 365 * 86_400
        /// How often the CSR cleaner runs (nil: never; tests call `store.runCleaner()` on a manual clock).
        public var cleanerInterval: TimeInterval? = 60
        /// Bearer tokens in addition to the admin token (e.g. a node's).
        public var extraTokens: [String: UserInfo] = [:]
        /// RBAC objects to authorize with, on top of the apiserver's bootstrap policy, behind the
        /// `system:masters` and node authorizers (kube-apiserver's `--authorization-mode=Node,RBAC`).
        /// nil: authorization off, every authenticated request allowed (older tests).
        public var rbac: RBACPolicy?
        /// The identity of a credential-less request over plain HTTP (the insecure port kube-apiserver had
        /// until 1.20); nil makes it `system:anonymous`, as on HTTPS.
        public var insecureUser: UserInfo? = .admin
        public var clock: any SimulatorClock = SystemClock()
        /// The signing CA to use (nil: a fresh one, see ``makeCA()``): a sandbox restarted with the same
        /// directory keeps its CA, so certificates it issued before still verify.
        public var ca: (certificate: Certificate, key: RSAPrivateKey)?
        /// The CA of the `kubernetes.io/kube-apiserver-client-kubelet` signer, for node client certificates
        /// from TLS bootstrapping, which the HTTPS listener also trusts. nil: the cluster CA, as
        /// kube-controller-manager signs for every signer with `--cluster-signing-cert-file` unless a
        /// signer-specific CA is given.
        public var clientKubeletCA: (certificate: Certificate, key: RSAPrivateKey)?

        public init() {}
    }

    /// A new sandbox CA: `CN=vkcert-sandbox-ca` (or `commonName`), ten years, RSA-2048.
    public static func makeCA(commonName: String = "vkcert-sandbox-ca") throws -> (certificate: Certificate, key: RSAPrivateKey) {
        let caKey = try RSAPrivateKey.generate()
        let now = DERTime.now()
        var caBuilder = CertificateBuilder(
            subject: DistinguishedName(encoding: [(OID.Attribute.commonName, commonName)]),
            publicKey: CertificatePublicKey(rsa: caKey.publicKey), notBefore: now.adding(seconds: -3600), notAfter: now.adding(seconds: 10 * 365 * 86_400)
        )
        CertificateProfile.ca.apply(to: &caBuilder, authorityKeyIdentifier: nil)
        return (try caBuilder.selfSign(with: caKey), caKey)
    }

    public let store: CSRStore
    public let signer: KubeletSigner
    /// The serving approver (nil unless `autoApprove`): its `refusals` say why a request stays pending.
    public let servingApprover: ServingApprover?
    /// The `kubernetes.io/kube-apiserver-client-kubelet` signer.
    public let clientSigner: KubeletSigner
    public let caCertificate: Certificate
    public let adminToken: String
    let server: APIServer
    /// The RBAC authorizer in force (nil when authorization is off): tests edit its policy.
    public let rbac: RBACAuthorizer?
    /// Signs client certificates the HTTPS listener accepts (the cluster CA doubles as the client CA,
    /// as kubeadm sets `--client-ca-file`).
    let caKey: RSAPrivateKey
    public let options: Options
    private let boundPort: Mutex<Int>

    public init(options: Options = Options()) throws {
        self.options = options
        let (ca, caKey) = try options.ca ?? Self.makeCA()
        let now = DERTime.now()
        caCertificate = ca
        self.caKey = caKey

        // The API server's serving certificate: 127.0.0.1, ::1 and localhost.
        let serverKey = try RSAPrivateKey.generate()
        var serverBuilder = CertificateBuilder(
            subject: DistinguishedName(encoding: [(OID.Attribute.commonName, "kube-apiserver")]),
            publicKey: CertificatePublicKey(rsa: serverKey.publicKey), notBefore: now.adding(seconds: -3600), notAfter: now.adding(seconds: 365 * 86_400)
        )
        serverBuilder.addSubjectAltNames([.dns("localhost"), .ipAddress([127, 0, 0, 1][...]), .ipAddress(([UInt8](repeating: 0, count: 15) + [1])[...])])
        CertificateProfile.kubeletServing.apply(to: &serverBuilder, authorityKeyIdentifier: ca.extensions.subjectKeyIdentifier.map(Array.init))
        let serverCert = try serverBuilder.sign(issuer: ca.subject, issuerKey: caKey)

        store = CSRStore(clock: options.clock)
        signer = KubeletSigner(caCertificate: ca, caKey: caKey, defaultDuration: options.signingDuration)
        signer.attach(to: store)
        let clientCA = options.clientKubeletCA ?? (ca, caKey)
        clientSigner = KubeletSigner(caCertificate: clientCA.certificate, caKey: clientCA.key, defaultDuration: options.signingDuration, profile: .kubeletClient)
        clientSigner.attach(to: store)
        servingApprover = options.autoApprove ? ServingApprover(policy: options.servingApproval) : nil
        servingApprover?.attach(to: store)
        adminToken = Hex.encode(SecureRandom.bytes(16))
        var tokens = options.extraTokens
        tokens[adminToken] = .admin
        var context: NIOSSLContext? = nil
        if options.tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: serverCert.der, format: .der))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: serverKey.pkcs8DERRepresentation, format: .der))
            )
            configuration.minimumTLSVersion = .tlsv12
            // Client certificates are optional, verified against the cluster CA when sent.
            configuration.certificateVerification = .optionalVerification
            var roots = [try NIOSSLCertificate(bytes: ca.der, format: .der)]
            if clientCA.certificate.der != ca.der { roots.append(try NIOSSLCertificate(bytes: clientCA.certificate.der, format: .der)) }
            configuration.trustRoots = .certificates(roots)
            context = try NIOSSLContext(configuration: configuration)
        }
        boundPort = Mutex(options.port)
        rbac = options.rbac.map { RBACAuthorizer(policy: $0) }
        let authorizer: (any Authorizer)? = rbac.map { AuthorizerChain.standard(rbac: $0) }
        // kube-controller-manager approves node client requests by SubjectAccessReview; without an
        // authorizer there is nothing to ask.
        if let authorizer { NodeClientApprover.attach(to: store, authorizer: authorizer) }
        let secrets = ObjectStore(strategy: SecretStrategy.strategy, clock: options.clock)
        let clock = options.clock
        let authenticator = Authenticator(tokens: tokens, bootstrapTokens: { token in BootstrapTokens.user(for: token, secrets: secrets, now: clock.now()) })
        let rbacResources = rbac.map { RBACResources(authorizer: $0, clock: options.clock) }
        server = APIServer(router: APIRouter(store: store, address: "\(options.host):\(options.port)", authorizer: authorizer, secrets: secrets, rbac: rbacResources,
                                                 tokenAuthenticator: authenticator), tls: context,
                           authenticator: authenticator, insecureUser: options.insecureUser)
    }

    /// core/v1 Secrets (bootstrap tokens are read from kube-system's).
    public var secrets: ObjectStore<Secret> { server.router.secrets }
    public var namespaces: ObjectStore<Namespace> { server.router.namespaces }

    /// A bootstrap token `<id>.<secret>` stored as kube-system's `bootstrap-token-<id>` Secret with the
    /// fields kubeadm writes (usage-bootstrap-authentication and -signing, auth-extra-groups, expiration).
    public func createBootstrapToken(extraGroups: [String] = ["system:bootstrappers:kubeadm:default-node-token"], validFor seconds: TimeInterval = 86_400) throws -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // Rejection sampling: bytes ≥ 252 (7 × 36) are dropped so every character is equally likely.
        func random(_ n: Int) -> String {
            var out: [UInt8] = []
            while out.count < n {
                for byte in SecureRandom.bytes(n) where byte < 252 && out.count < n { out.append(alphabet[Int(byte) % alphabet.count]) }
            }
            return String(decoding: out, as: UTF8.self)
        }
        let id = random(6), secret = random(16)
        var data: [String: Data] = [
            "token-id": Data(id.utf8), "token-secret": Data(secret.utf8),
            "usage-bootstrap-authentication": Data("true".utf8), "usage-bootstrap-signing": Data("true".utf8),
            "expiration": Data(KubeJSON.format(options.clock.now().addingTimeInterval(seconds)).utf8),
        ]
        if !extraGroups.isEmpty { data["auth-extra-groups"] = Data(extraGroups.joined(separator: ",").utf8) }
        _ = try secrets.create(Secret(metadata: ObjectMeta(name: "bootstrap-token-\(id)"), type: Secret.bootstrapTokenType, data: data), namespace: "kube-system")
        return "\(id).\(secret)"
    }

    /// The messages of the 403s the emulator answered (what a test names when a rule is missing).
    public var deniedRequests: [String] { server.router.deniedRequests }

    /// API requests answered so far (every verb, every resource).
    public var requestsHandled: Int { server.router.requestsHandled.load(ordering: .relaxed) }

    /// SubjectAccessReviews and TokenReviews answered so far.
    public var reviewCounts: (subjectAccess: Int, token: Int) { server.router.reviewCounts.withLock { $0 } }

    /// A bearer token for a ServiceAccount (`system:serviceaccount:<ns>:<name>` in `system:serviceaccounts`
    /// and `system:serviceaccounts:<ns>`). Opaque, not a JWT: the emulator keeps the mapping itself.
    public func serviceAccountToken(namespace: String, name: String) -> String {
        let token = Hex.encode(SecureRandom.bytes(24))
        server.authenticator.addToken(token, for: .serviceAccount(namespace: namespace, name: name))
        return token
    }

    /// Registers another bearer token for `user` while serving.
    public func addToken(_ token: String, for user: UserInfo) {
        server.authenticator.addToken(token, for: user)
    }

    /// A client certificate the HTTPS listener authenticates as `user` in `groups` (CN and O, EKU
    /// clientAuth), signed by the cluster CA: PEM certificate and PKCS#8 key.
    public func issueClientCertificate(user: String, groups: [String], validFor seconds: Int64 = 86_400) throws -> (certificatePEM: String, keyPEM: String) {
        let key = try PrivateKey.generate(.ecdsaP256)
        let now = DERTime.now()
        var builder = CertificateBuilder(
            subject: DistinguishedName(encoding: groups.map { (OID.Attribute.organizationName, $0) } + [(OID.Attribute.commonName, user)]),
            publicKey: key.publicKey, notBefore: now.adding(seconds: -300), notAfter: now.adding(seconds: seconds)
        )
        CertificateProfile.client.apply(to: &builder, authorityKeyIdentifier: caCertificate.extensions.subjectKeyIdentifier.map(Array.init))
        let certificate = try builder.sign(issuer: caCertificate.subject, issuerKey: caKey)
        return (certificate.pemRepresentation, String(decoding: key.pkcs8PEMBytes, as: UTF8.self))
    }

    private let cleaner = Mutex<Task<Void, Never>?>(nil)

    /// Starts serving (and the cleaner); returns the base URL.
    @discardableResult
    public func start() async throws -> String {
        let port = try await server.start(host: options.host, port: options.port)
        boundPort.withLock { $0 = port }
        if let interval = options.cleanerInterval {
            let store = self.store
            cleaner.withLock {
                $0 = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                        store.runCleaner()
                    }
                }
            }
        }
        return url
    }

    public func stop() async {
        cleaner.withLock { $0?.cancel() }
        await server.stop()
    }

    public var port: Int { boundPort.withLock { $0 } }

    /// Fault injection (503s, dropped answers, latency, short-lived watches) for tests.
    public var faults: NIOLockedValueBox<APIServer.Faults> { server.faults }

    public var url: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "\(options.tls ? "https" : "http")://\(host):\(port)"
    }

    /// A kubeconfig whose user authenticates with a client certificate (see ``issueClientCertificate``).
    public func kubeconfig(clientCertificatePEM: String, keyPEM: String, user: String) -> String {
        kubeconfig(user: user, credentials: [
            "client-certificate-data: \(Data(clientCertificatePEM.utf8).base64EncodedString())",
            "client-key-data: \(Data(keyPEM.utf8).base64EncodedString())",
        ])
    }

    /// A kubeconfig for kubectl and vkcert's client: this server, its CA, the admin token (or `token`).
    public func kubeconfig(token: String? = nil, user: String = "admin") -> String {
        kubeconfig(user: user, credentials: ["token: \(token ?? adminToken)"])
    }

    /// A kubeconfig with no credentials: its requests are `system:anonymous`.
    public func kubeconfigWithoutCredentials() -> String {
        kubeconfig(user: "anonymous", credentials: [])
    }

    private func kubeconfig(user: String, credentials: [String]) -> String {
        var lines = [
            "apiVersion: v1", "kind: Config", "clusters:", "- name: vkcert-sandbox", "  cluster:", "    server: \(url)",
        ]
        if options.tls {
            lines.append("    certificate-authority-data: \(Data(caCertificate.pemRepresentation.utf8).base64EncodedString())")
        }
        lines += [
            "contexts:", "- name: vkcert-sandbox", "  context:", "    cluster: vkcert-sandbox", "    user: \(user)",
            "current-context: vkcert-sandbox", "users:", "- name: \(user)", credentials.isEmpty ? "  user: {}" : "  user:",
        ]
        lines += credentials.map { "    " + $0 } + [""]
        return lines.joined(separator: "\n")
    }
}
