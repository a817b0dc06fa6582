// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

/// A PKCS#10 certification request (RFC 2986), parsed strictly and keeping its original bytes; the
/// signature is checked over the **received** CertificationRequestInfo bytes.
///
/// ```
/// CertificationRequest ::= SEQUENCE { certificationRequestInfo CertificationRequestInfo,
///                                     signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
/// CertificationRequestInfo ::= SEQUENCE { version INTEGER { v1(0) }, subject Name,
///                                         subjectPKInfo SubjectPublicKeyInfo, attributes [0] IMPLICIT Attributes }
/// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET SIZE(1..MAX) OF ANY }
/// ```
/// The `extensionRequest` attribute (PKCS#9, 1.2.840.113549.1.9.14) must hold exactly one
/// `Extensions` value; its extensions are decoded with the same strictness as a certificate's.
/// Versions 1 and 2 (certbot wrote 2) are tolerated and reported like the certificate's ``defects``.
public struct CertificateSigningRequest: Sendable, Hashable {
    public let der: [UInt8]
    public let infoBytes: ArraySlice<UInt8>
    public let subject: DistinguishedName
    public let publicKey: CertificatePublicKey
    /// Every attribute: type and the encodings of its values.
    public let attributes: [(type: OID, values: [ArraySlice<UInt8>])]
    /// The requested extensions (empty when there is no extensionRequest).
    public let extensions: Extensions
    public let signatureAlgorithm: SignatureAlgorithm
    public let signature: ArraySlice<UInt8>
    /// Unused bits of the signature BIT STRING (0 when well formed; otherwise the signature is invalid).
    public let signatureUnusedBits: Int
    /// The version field's value (0 = v1, the only one RFC 2986 defines).
    public let version: Int
    /// Obligations on the requester this request breaks that the parser tolerated.
    public let defects: [ToleratedDefect]

    public init(derEncoded input: [UInt8]) throws {
        der = input
        var outer = DERReader(input[...])
        let request = try outer.read(.sequence, "CertificationRequest")
        try outer.expectEnd("CertificationRequest")
        var c = request.contentReader()
        let info = try c.read(.sequence, "certificationRequestInfo")
        var r = info.contentReader()
        version = try r.readInt(.integer, "CSR version")
        guard (0...2).contains(version) else { throw X509Error(.invalidField, "CSR version \(version) is not v1 (0)") }
        subject = try DistinguishedName(from: &r, "subject")
        publicKey = try CertificatePublicKey(from: &r)
        let attributesElement = try r.read(.contextConstructed(0), "attributes [0]")
        var attributes: [(OID, [ArraySlice<UInt8>])] = []
        var extensionList: [Extension]? = nil
        try attributesElement.parseContent { a in
            while !a.isAtEnd {
                let (type, values, elements) = try a.nested(.sequence, what: "Attribute") { at -> (OID, [ArraySlice<UInt8>], [DERElement]) in
                    let type = try at.readOID("Attribute type")
                    let set = try at.read(.set, "Attribute values")
                    var elements: [DERElement] = []
                    var vr = set.contentReader()
                    while !vr.isAtEnd { elements.append(try vr.readElement()) }
                    guard !elements.isEmpty else { throw X509Error(.invalidField, "attribute \(type) has no values") }
                    return (type, elements.map(\.encoded), elements)
                }
                if type == OID.Attribute.extensionRequest {
                    guard extensionList == nil else { throw X509Error(.invalidField, "extensionRequest appears twice") }
                    guard elements.count == 1, elements[0].tag == .sequence else {
                        throw X509Error(.invalidField, "extensionRequest must hold exactly one Extensions SEQUENCE")
                    }
                    extensionList = try Extensions.parseList(elements[0])
                }
                attributes.append((type, values))
            }
        }
        try r.expectEnd("certificationRequestInfo")
        infoBytes = info.encoded
        self.attributes = attributes
        extensions = try extensionList.map { try Extensions($0) } ?? .empty
        signatureAlgorithm = try SignatureAlgorithm(AlgorithmIdentifier(from: &c, "CSR signatureAlgorithm"))
        let bits = try c.readBitString(.bitString, "CSR signature")
        signature = bits.bytes
        signatureUnusedBits = bits.unusedBits
        try c.expectEnd("CertificationRequest")
        var defects = subject.defects(field: "subject") + extensions.defects
        if version != 0 { defects.append(ToleratedDefect(.csrVersion, field: "version", "version is \(version); RFC 2986 defines only v1 (0)")) }
        if let d = signatureAlgorithm.parameterDefect { defects.append(d) }
        if bits.unusedBits != 0 {
            defects.append(ToleratedDefect(.signatureUnusedBits, field: "signature", "the signature BIT STRING has \(bits.unusedBits) unused bit(s); no signature can verify"))
        }
        self.defects = defects
    }

    public init(pemEncoded text: some Collection<UInt8>) throws {
        try self.init(derEncoded: PEM.decode(text, labels: [PEM.Label.certificateRequest, "NEW CERTIFICATE REQUEST"]).der)
    }

    public var pemRepresentation: String { PEM.encode(label: PEM.Label.certificateRequest, der: der) }

    /// Whether the request is signed by the key it carries (proof of possession).
    public var isSignatureValid: Bool { signatureVerdict == .valid }

    /// Valid, invalid, or unsupported (an algorithm or key vkcert cannot check: MD5, DSA, Ed448, …).
    public var signatureVerdict: SignatureVerdict {
        guard signatureUnusedBits == 0 else { return .invalid }
        return SignatureVerifier.verdict(signature: signature, over: infoBytes, algorithm: signatureAlgorithm, key: publicKey)
    }

    public static func == (a: CertificateSigningRequest, b: CertificateSigningRequest) -> Bool { a.der == b.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    /// The `inspect --json` object for this request.
    public func json(file: String, index: Int) -> JSONValue {
        .object([
            ("kind", .string("csr")), ("file", .string(file)), ("index", .int(index)),
            ("subject", .string(subject.rfc2253)),
            ("publicKey", publicKey.json),
            ("subjectAltNames", .array((extensions.subjectAlternativeNames ?? []).map { .string($0.text) })),
            ("keyUsage", JSONValue(extensions.keyUsage?.names)),
            ("extendedKeyUsage", JSONValue(extensions.extendedKeyUsage?.names)),
            ("signatureAlgorithm", .string(signatureAlgorithm.name)),
            ("signatureValid", signatureVerdict.isSupported ? .bool(isSignatureValid) : .null),
            ("signatureVerdict", .string(signatureVerdict.text)),
            ("defects", .array(defects.map(\.json))),
        ])
    }
}
