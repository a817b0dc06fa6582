// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKHash
import VKRSA

/// Builds and signs X.509 v3 certificates with vkcert's RSA: self-signed or issued by a CA key.
///
/// Serial numbers are 128 bits from the CSPRNG with the top bit cleared (positive, 16 octets, within
/// RFC 5280's 20-octet limit). The issued certificate is parsed back and its signature verified with
/// the issuer's key before it is returned.
public struct CertificateBuilder: Sendable {
    public var subject: DistinguishedName
    public var publicKey: CertificatePublicKey
    public var notBefore: DERTime
    public var notAfter: DERTime
    public var serialNumber: [UInt8]
    public var extensions: [Extension] = []
    /// nil: the signing key's default (sha256WithRSAEncryption, ecdsa-with-SHA256/384, Ed25519).
    public var signatureAlgorithm: SignatureAlgorithm? = nil

    public init(subject: DistinguishedName, publicKey: CertificatePublicKey, notBefore: DERTime, notAfter: DERTime) {
        self.subject = subject
        self.publicKey = publicKey
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serialNumber = CertificateBuilder.randomSerial()
    }

    /// 16 random octets, top bit clear, never all zero.
    public static func randomSerial() -> [UInt8] {
        while true {
            var bytes = SecureRandom.bytes(16)
            bytes[0] &= 0x7F
            if bytes.contains(where: { $0 != 0 }) { return bytes }
        }
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value.
    public static func keyIdentifier(_ key: CertificatePublicKey) -> [UInt8] {
        SHA1.hash(key.spki.publicKey.bytes)
    }

    // MARK: extensions

    public mutating func add(_ ext: Extension) {
        extensions.removeAll { $0.oid == ext.oid }
        extensions.append(ext)
    }

    public mutating func addBasicConstraints(isCA: Bool, pathLength: Int? = nil) {
        add(Extension(oid: OID.Extension.basicConstraints, critical: true, value: BasicConstraints(isCA: isCA, pathLength: pathLength).derEncoded))
    }

    public mutating func addKeyUsage(_ usage: KeyUsage) {
        add(Extension(oid: OID.Extension.keyUsage, critical: true, value: usage.derEncoded))
    }

    public mutating func addExtendedKeyUsage(_ purposes: [OID]) {
        add(Extension(oid: OID.Extension.extendedKeyUsage, critical: false, value: ExtendedKeyUsage(purposes).derEncoded))
    }

    /// SAN; critical when the subject is empty (RFC 5280 §4.2.1.6).
    public mutating func addSubjectAltNames(_ names: [GeneralName]) {
        guard !names.isEmpty else { return }
        let value = DERWriter.build { w in w.appendConstructed { s in for n in names { n.write(to: &s) } } }
        add(Extension(oid: OID.Extension.subjectAltName, critical: subject.isEmpty, value: value))
    }

    public mutating func addSubjectKeyIdentifier() {
        let id = CertificateBuilder.keyIdentifier(publicKey)
        add(Extension(oid: OID.Extension.subjectKeyIdentifier, critical: false, value: DERWriter.build { $0.appendOctetString(id) }))
    }

    public mutating func addAuthorityKeyIdentifier(_ keyIdentifier: [UInt8]) {
        add(Extension(oid: OID.Extension.authorityKeyIdentifier, critical: false, value: AuthorityKeyIdentifier(keyIdentifier: keyIdentifier).derEncoded))
    }

    // MARK: signing

    /// The TBSCertificate for `issuer`.
    func tbs(issuer: DistinguishedName, algorithm signatureAlgorithm: SignatureAlgorithm) -> [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { t in
                t.appendConstructed(.contextConstructed(0)) { $0.appendInteger(2) }
                t.appendInteger(twosComplement: serialNumber)
                signatureAlgorithm.identifier.write(to: &t)
                t.appendEncoded(issuer.der)
                t.appendConstructed { v in
                    v.appendTime(notBefore)
                    v.appendTime(notAfter)
                }
                t.appendEncoded(subject.der)
                t.appendEncoded(publicKey.der)
                if !extensions.isEmpty {
                    t.appendConstructed(.contextConstructed(3)) { Extension.writeList(extensions, to: &$0) }
                }
            }
        }
    }

    /// Signs as `issuer` with `issuerKey`; the result is parsed and verified with `issuerPublicKey`.
    public func sign(issuer: DistinguishedName, issuerKey: RSAPrivateKey) throws -> Certificate {
        try sign(issuer: issuer, issuerKey: .rsa(issuerKey))
    }

    /// Signs as `issuer` with a key of any type; the result is parsed and verified with the key's public half.
    public func sign(issuer: DistinguishedName, issuerKey: PrivateKey) throws -> Certificate {
        guard !serialNumber.isEmpty, serialNumber.count <= 20 else {
            throw X509Error(.buildFailed, "serial number must be 1–20 octets")
        }
        guard notBefore <= notAfter else { throw X509Error(.buildFailed, "notBefore is after notAfter") }
        let algorithm = signatureAlgorithm ?? issuerKey.defaultSignatureAlgorithm
        let der = try SignedStructure.sign(tbs(issuer: issuer, algorithm: algorithm), algorithm: algorithm, key: issuerKey)
        let certificate = try Certificate(derEncoded: der)
        guard certificate.isSignature(validFor: issuerKey.publicKey) else {
            throw X509Error(.buildFailed, "the new certificate's signature does not verify")
        }
        return certificate
    }

    /// Self-signs with `key` (whose public key must be the certificate's).
    public func selfSign(with key: RSAPrivateKey) throws -> Certificate {
        try selfSign(with: .rsa(key))
    }

    /// Self-signs with a key of any type (whose public key must be the certificate's).
    public func selfSign(with key: PrivateKey) throws -> Certificate {
        guard publicKey.spki == key.spki else {
            throw X509Error(.buildFailed, "the signing key does not match the certificate's public key")
        }
        return try sign(issuer: subject, issuerKey: key)
    }
}

/// The certificate profiles vkcert issues.
public enum CertificateProfile: String, Sendable, CaseIterable {
    /// Kubelet serving: KU digitalSignature + keyEncipherment (critical), EKU serverAuth, CA:false.
    case kubeletServing = "kubelet-serving"
    /// TLS client: KU digitalSignature + keyEncipherment, EKU clientAuth, CA:false.
    case client
    /// Certificate authority: CA:true, KU keyCertSign + cRLSign.
    case ca

    /// Applies the profile's extensions (plus SKI and, when given, AKI) to `builder`. keyEncipherment
    /// is included only for RSA subject keys (RFC 5280 §4.2.1.3; an EC or Ed25519 key cannot encipher).
    public func apply(to builder: inout CertificateBuilder, authorityKeyIdentifier: [UInt8]?) {
        let leafUsage: KeyUsage = builder.publicKey.isRSA ? [.digitalSignature, .keyEncipherment] : [.digitalSignature]
        switch self {
        case .kubeletServing:
            builder.addBasicConstraints(isCA: false)
            builder.addKeyUsage(leafUsage)
            builder.addExtendedKeyUsage([OID.KeyPurpose.serverAuth])
        case .client:
            builder.addBasicConstraints(isCA: false)
            builder.addKeyUsage(leafUsage)
            builder.addExtendedKeyUsage([OID.KeyPurpose.clientAuth])
        case .ca:
            builder.addBasicConstraints(isCA: true)
            builder.addKeyUsage([.keyCertSign, .cRLSign, .digitalSignature])
        }
        builder.addSubjectKeyIdentifier()
        if let authorityKeyIdentifier { builder.addAuthorityKeyIdentifier(authorityKeyIdentifier) }
    }
}

extension Certificate {
    /// A self-signed kubelet serving certificate (the "self-signed mode" identity).
    public static func selfSignedKubeletServing(
        key: RSAPrivateKey, node: String, ipAddresses: [[UInt8]], dnsNames: [String], validFor seconds: Int64, now: DERTime = .now()
    ) throws -> Certificate {
        try selfSignedKubeletServing(key: .rsa(key), node: node, ipAddresses: ipAddresses, dnsNames: dnsNames, validFor: seconds, now: now)
    }

    /// The same for a key of any type (keyEncipherment only for RSA).
    public static func selfSignedKubeletServing(
        key: PrivateKey, node: String, ipAddresses: [[UInt8]], dnsNames: [String], validFor seconds: Int64, now: DERTime = .now()
    ) throws -> Certificate {
        let publicKey = key.publicKey
        var builder = CertificateBuilder(subject: .kubeletNode(node), publicKey: publicKey, notBefore: now.adding(seconds: -300), notAfter: now.adding(seconds: seconds))
        builder.addSubjectAltNames(dnsNames.map { .dns($0) } + ipAddresses.map { .ipAddress($0[...]) })
        CertificateProfile.kubeletServing.apply(to: &builder, authorityKeyIdentifier: CertificateBuilder.keyIdentifier(publicKey))
        return try builder.selfSign(with: key)
    }
}
