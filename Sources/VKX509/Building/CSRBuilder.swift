// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKRSA

/// Builds and signs PKCS#10 requests with vkcert's RSA.
public struct CSRBuilder: Sendable {
    public var subject: DistinguishedName
    public var subjectAltNames: [GeneralName] = []
    public var keyUsage: KeyUsage? = nil
    public var extendedKeyUsage: [OID] = []
    /// nil: the signing key's default (sha256WithRSAEncryption, ecdsa-with-SHA256/384, Ed25519).
    public var signatureAlgorithm: SignatureAlgorithm? = nil

    public init(subject: DistinguishedName) {
        self.subject = subject
    }

    /// The kubelet-serving request: subject `CN=system:node:<node>,O=system:nodes`, SANs = IPs and DNS
    /// names. Like kubelet's own CSRs it carries no KU/EKU: those come from `spec.usages`.
    public static func kubeletServing(node: String, ipAddresses: [[UInt8]], dnsNames: [String]) -> CSRBuilder {
        var builder = CSRBuilder(subject: .kubeletNode(node))
        builder.subjectAltNames = dnsNames.map { .dns($0) } + ipAddresses.map { .ipAddress($0[...]) }
        return builder
    }

    /// The kubelet's client request (TLS bootstrapping and client rotation, as the kubelet's
    /// requestNodeCertificate builds it): the same subject, no SANs (the client-kubelet signer refuses any).
    public static func kubeletClient(node: String) -> CSRBuilder {
        CSRBuilder(subject: .kubeletNode(node))
    }

    var requestedExtensions: [Extension] {
        var list: [Extension] = []
        if !subjectAltNames.isEmpty {
            list.append(Extension(oid: OID.Extension.subjectAltName, critical: false, value: DERWriter.build { w in
                w.appendConstructed { s in for name in subjectAltNames { name.write(to: &s) } }
            }))
        }
        if let keyUsage {
            list.append(Extension(oid: OID.Extension.keyUsage, critical: true, value: keyUsage.derEncoded))
        }
        if !extendedKeyUsage.isEmpty {
            list.append(Extension(oid: OID.Extension.extendedKeyUsage, critical: false, value: ExtendedKeyUsage(extendedKeyUsage).derEncoded))
        }
        return list
    }

    /// Encodes the CertificationRequestInfo, signs it with `key`, checks the result parses and its
    /// signature verifies, and returns it.
    public func sign(with key: RSAPrivateKey) throws -> CertificateSigningRequest {
        try sign(with: .rsa(key))
    }

    /// Signs with a key of any type (its public key becomes the request's).
    public func sign(with key: PrivateKey) throws -> CertificateSigningRequest {
        let extensions = requestedExtensions
        let info = DERWriter.build { w in
            w.appendConstructed { s in
                s.appendInteger(0)
                s.appendEncoded(subject.der)
                key.spki.write(to: &s)
                s.appendConstructed(.contextConstructed(0)) { attrs in
                    guard !extensions.isEmpty else { return }
                    attrs.appendConstructed { attr in
                        attr.appendOID(OID.Attribute.extensionRequest)
                        attr.appendConstructed(.set) { set in Extension.writeList(extensions, to: &set) }
                    }
                }
            }
        }
        let der = try SignedStructure.sign(info, algorithm: signatureAlgorithm ?? key.defaultSignatureAlgorithm, key: key)
        let csr = try CertificateSigningRequest(derEncoded: der)
        guard csr.isSignatureValid else { throw X509Error(.buildFailed, "the new CSR's signature does not verify") }
        return csr
    }
}

extension Extension {
    /// `Extensions ::= SEQUENCE OF Extension`, `critical` written only when true (DER DEFAULT).
    static func writeList(_ list: [Extension], to w: inout DERWriter) {
        w.appendConstructed { seq in
            for ext in list {
                seq.appendConstructed { e in
                    e.appendOID(ext.oid)
                    if ext.critical { e.appendBoolean(true) }
                    e.appendOctetString(ext.value)
                }
            }
        }
    }
}
