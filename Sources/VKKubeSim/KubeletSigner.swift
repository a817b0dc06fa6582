// SPDX-License-Identifier: Apache-2.0

import VKDER
import Dispatch
import FoundationEssentials
import Glibc
import VKKubeAPI
import VKRSA
import VKX509

/// kube-controller-manager's kubelet signers (pkg/controller/certificates/signer): `kubernetes.io/kubelet-
/// serving` (the default profile) and `kubernetes.io/kube-apiserver-client-kubelet` (the node client
/// certificates of TLS bootstrapping, with its own CA as `--cluster-signing-kube-apiserver-client-kubelet-
/// cert-file` allows). Each signs Approved requests for its signer name, or marks them
/// `Failed`/`SignerValidationFailure` with the real messages. Requests for other signers stay pending, as
/// in a real cluster.
public final class KubeletSigner: Sendable {
    public static let signerName = "kubernetes.io/kubelet-serving"
    public static let clientSignerName = "kubernetes.io/kube-apiserver-client-kubelet"

    public enum Profile: Sendable {
        case kubeletServing
        case kubeletClient
    }

    public let profile: Profile
    public let caCertificate: Certificate
    let caKey: RSAPrivateKey
    /// `--cluster-signing-duration` (default one year).
    public let defaultDuration: TimeInterval
    private let queue = DispatchQueue(label: "vkcert.kubesim.signer")

    public var name: String { profile == .kubeletServing ? Self.signerName : Self.clientSignerName }

    public init(caCertificate: Certificate, caKey: RSAPrivateKey, defaultDuration: TimeInterval = 365 * 86_400, profile: Profile = .kubeletServing) {
        self.caCertificate = caCertificate
        self.caKey = caKey
        self.defaultDuration = defaultDuration
        self.profile = profile
    }

    /// Watches `store` and handles every approved, unsigned request for this signer, in order, off the
    /// request path (like the controller's work queue).
    public func attach(to store: CSRStore) {
        store.addObserver { [self] event in
            guard event.type != "DELETED", self.needsSigning(event.object) else { return }
            queue.async { self.handle(event.object.metadata.name!, store: store) }
        }
    }

    func needsSigning(_ csr: CertificateSigningRequestObject) -> Bool {
        csr.spec.signerName == name && csr.isApproved && !csr.isDenied && !csr.isFailed && !csr.isIssued
    }

    /// Signs or fails one request (re-read from the store, so a stale event is harmless).
    func handle(_ name: String, store: CSRStore) {
        guard var csr = try? store.get(name), needsSigning(csr) else { return }
        let now = store.clock.now()
        do {
            let request = try CertificateSigningRequest(pemEncoded: [UInt8](csr.spec.request))
            let usages = csr.spec.usages ?? []
            if profile == .kubeletServing { try Self.validate(request, usages: usages) } else { try Self.validateClient(request, usages: usages) }
            let certificate = try sign(request, usages: usages, expirationSeconds: csr.spec.expirationSeconds, now: now)
            var status = csr.status ?? CSRStatus()
            status.certificate = Data(certificate.pemRepresentation.utf8)
            csr.status = status
        } catch {
            let message = (error as? SignerFailure)?.message ?? "\(error)"
            var status = csr.status ?? CSRStatus()
            status.conditions = (status.conditions ?? []) + [
                CSRCondition(type: CSRCondition.failed, status: "True", reason: "SignerValidationFailure", message: message, lastUpdateTime: now),
            ]
            csr.status = status
        }
        _ = try? store.updateStatus(name, csr)
    }

    struct SignerFailure: Error {
        let message: String
    }

    /// `ValidateKubeletServingCSR`, checks in upstream order with upstream messages.
    static func validate(_ request: CertificateSigningRequest, usages: [String]) throws {
        let sans = request.extensions.subjectAlternativeNames ?? []
        if request.subject.organizations != ["system:nodes"] { throw SignerFailure(message: "subject organization is not system:nodes") }
        let hasDNSorIP = sans.contains { if case .dns = $0 { true } else if case .ipAddress = $0 { true } else { false } }
        if !hasDNSorIP { throw SignerFailure(message: "DNS or IP subjectAltName is required") }
        if sans.contains(where: { if case .email = $0 { true } else { false } }) { throw SignerFailure(message: "Email subjectAltNames are not allowed") }
        if sans.contains(where: { if case .uri = $0 { true } else { false } }) { throw SignerFailure(message: "URI subjectAltNames are not allowed") }
        let set = Set(usages)
        if set != ["digital signature", "key encipherment", "server auth"] && set != ["digital signature", "server auth"] {
            throw SignerFailure(message: "usages did not match [digital signature key encipherment server auth]")
        }
        if !(request.subject.commonNames.first ?? "").hasPrefix("system:node:") {
            throw SignerFailure(message: "subject common name does not begin with system:node:")
        }
    }

    /// `ValidateKubeletClientCSR` (pkg/apis/certificates/helpers.go), checks in upstream order with
    /// upstream messages: O exactly system:nodes, no SANs of any kind, CN `system:node:…`, usages client
    /// auth + digital signature (+ key encipherment).
    static func validateClient(_ request: CertificateSigningRequest, usages: [String]) throws {
        if let problem = clientProblem(request, usages: usages) { throw SignerFailure(message: problem) }
    }

    static func clientProblem(_ request: CertificateSigningRequest, usages: [String]) -> String? {
        let sans = request.extensions.subjectAlternativeNames ?? []
        if request.subject.organizations != ["system:nodes"] { return "subject organization is not system:nodes" }
        if sans.contains(where: { if case .dns = $0 { true } else { false } }) { return "DNS subjectAltNames are not allowed" }
        if sans.contains(where: { if case .email = $0 { true } else { false } }) { return "Email subjectAltNames are not allowed" }
        if sans.contains(where: { if case .ipAddress = $0 { true } else { false } }) { return "IP subjectAltNames are not allowed" }
        if sans.contains(where: { if case .uri = $0 { true } else { false } }) { return "URI subjectAltNames are not allowed" }
        if !(request.subject.commonNames.first ?? "").hasPrefix("system:node:") { return "subject common name does not begin with system:node:" }
        let set = Set(usages)
        if set != ["client auth", "digital signature", "key encipherment"] && set != ["client auth", "digital signature"] {
            return "usages did not match [client auth digital signature key encipherment]"
        }
        return nil
    }

    /// The controller's PermissiveSigningPolicy: 5-minute backdate, duration from expirationSeconds
    /// (capped at the default, at least 10 minutes), "short" certificates (< 8 h) not shortened, capped at
    /// the CA's notAfter; KU/EKU from usages, CA:false, AKI = CA SKI, no SKI, SANs copied.
    func sign(_ request: CertificateSigningRequest, usages: [String], expirationSeconds: Int32?, now: Date) throws -> Certificate {
        var ttl = expirationSeconds.map { TimeInterval($0) } ?? defaultDuration
        ttl = min(ttl, defaultDuration)
        ttl = max(ttl, 600)
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let backdate: Int64 = 300
        let notBefore = DERTime(secondsSinceEpoch: nowSeconds - backdate)
        var notAfter = DERTime(secondsSinceEpoch: nowSeconds + Int64(ttl) - (ttl < 8 * 3600 ? 0 : backdate))
        if caCertificate.notAfter < DERTime(secondsSinceEpoch: nowSeconds) {
            throw SignerFailure(message: "the signer has expired: NotAfter=\(caCertificate.notAfter)")
        }
        if notAfter > caCertificate.notAfter { notAfter = caCertificate.notAfter }
        var keyUsage: KeyUsage = []
        var purposes: [OID] = []
        for usage in usages {
            switch usage {
            case "digital signature", "signing": keyUsage.insert(.digitalSignature)
            case "key encipherment": keyUsage.insert(.keyEncipherment)
            case "server auth": purposes.append(OID.KeyPurpose.serverAuth)
            case "client auth": purposes.append(OID.KeyPurpose.clientAuth)
            default: throw SignerFailure(message: "unrecognized usage values: \(usage)")
            }
        }
        var builder = CertificateBuilder(subject: request.subject, publicKey: request.publicKey, notBefore: notBefore, notAfter: notAfter)
        if !keyUsage.isEmpty { builder.addKeyUsage(keyUsage) }
        if !purposes.isEmpty { builder.addExtendedKeyUsage(purposes) }
        builder.addBasicConstraints(isCA: false)
        builder.addSubjectAltNames(request.extensions.subjectAlternativeNames ?? [])
        if let ski = caCertificate.extensions.subjectKeyIdentifier { builder.addAuthorityKeyIdentifier(Array(ski)) }
        return try builder.sign(issuer: caCertificate.subject, issuerKey: caKey)
    }
}
