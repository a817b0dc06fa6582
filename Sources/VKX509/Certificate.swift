// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

/// An X.509 certificate (RFC 5280), parsed eagerly and strictly, immutable, and keeping its original
/// bytes: ``der`` is exactly the input, ``tbsBytes`` the signed part, so verification and
/// re-serialisation never depend on a re-encoding.
///
/// ```
/// Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
///                            signatureValue BIT STRING }
/// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, serialNumber INTEGER,
///     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
///     subjectPublicKeyInfo SubjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT BIT STRING OPTIONAL,
///     subjectUniqueID [2] IMPLICIT BIT STRING OPTIONAL, extensions [3] EXPLICIT Extensions OPTIONAL }
/// ```
///
/// Two levels (README "Parse and lint"). Rejected at parse time — the bytes would not mean anything:
/// anything that is not DER (but see below); an explicit v1 version; versions other than v1–v3; unique
/// identifiers in v1 or extensions before v3; an outer signature algorithm that differs byte for byte
/// from the TBS one; malformed known extensions; duplicate extensions; empty `SIZE (1..MAX)` sequences.
/// Tolerated and listed in ``defects`` (issuer obligations, reported by `lint --profile rfc5280`; the
/// verifier refuses the ones that matter to a relying party): an empty issuer, an empty subject without a
/// critical subjectAltName, empty RDN SETs, critical AKI/SKI/AIA, explicit `cA FALSE`, keyUsage without
/// bits or with bits past decipherOnly, reasons-only distribution points, duplicate policies, signature
/// unused bits, ECDSA algorithms with NULL parameters, `*` in a PrintableString, name-constraint forms
/// RFC 5280 forbids. Also tolerated and linted: zero, negative and over-long serial numbers, small RSA keys,
/// GeneralizedTime before 2050 (year 0000 too), unknown (also critical) extensions.
public struct Certificate: Sendable, Hashable {
    /// The complete DER encoding, exactly as given.
    public let der: [UInt8]
    /// The encoded TBSCertificate (what the signature covers).
    public let tbsBytes: ArraySlice<UInt8>
    /// 1, 2 or 3.
    public let version: Int
    /// The serial number's INTEGER content octets (two's complement, as encoded).
    public let serialNumber: ArraySlice<UInt8>
    public let signatureAlgorithm: SignatureAlgorithm
    public let issuer: DistinguishedName
    public let notBefore: DERTime
    public let notAfter: DERTime
    public let subject: DistinguishedName
    public let publicKey: CertificatePublicKey
    public let issuerUniqueID: BitString?
    public let subjectUniqueID: BitString?
    public let extensions: Extensions
    /// The signature value (BIT STRING content; see ``signatureUnusedBits``).
    public let signature: ArraySlice<UInt8>
    /// Unused bits of the signature BIT STRING: 0 in every well-formed certificate; otherwise the
    /// signature cannot verify (``defects`` lists it).
    public let signatureUnusedBits: Int
    /// Issuer obligations this certificate breaks that the parser tolerated, in the order found.
    public let defects: [ToleratedDefect]
    /// Whether notBefore/notAfter used the RFC 5280 time type for their year.
    public let validityEncodingIsCanonical: Bool
    /// The time types notBefore and notAfter were encoded with (UTCTime or GeneralizedTime).
    public let validityTags: (notBefore: ASN1Tag, notAfter: ASN1Tag)

    /// Parses a DER certificate.
    public init(derEncoded input: [UInt8]) throws {
        der = input
        var outer = DERReader(input[...])
        let certificate = try outer.read(.sequence, "Certificate")
        try outer.expectEnd("Certificate")
        var c = certificate.contentReader()
        let tbsElement = try c.read(.sequence, "tbsCertificate")
        var r = tbsElement.contentReader()

        // version
        if let versionElement = try r.readOptional(.contextConstructed(0)) {
            let value = try versionElement.parseContent { try $0.readInt(.integer, "version") }
            switch value {
            case 0: throw X509Error(.invalidField, "version is explicitly v1 (DER omits the DEFAULT)", offset: versionElement.offset)
            case 1, 2: version = value + 1
            default: throw X509Error(.invalidField, "version value \(value) is not v1, v2 or v3", offset: versionElement.offset)
            }
        } else {
            version = 1
        }
        serialNumber = try r.readIntegerBytes(.integer, "serialNumber")
        let tbsSignatureStart = r.offset
        _ = try AlgorithmIdentifier(from: &r, "TBSCertificate signature")  // kept as bytes; must equal the outer one
        let tbsSignatureBytes = input[tbsSignatureStart..<r.offset]
        issuer = try DistinguishedName(from: &r, "issuer")
        (notBefore, notAfter, validityEncodingIsCanonical, validityTags) = try r.nested(.sequence, what: "validity") { v in
            let a = try v.readElement()
            let b = try v.readElement()
            let notBefore = try DERTime(element: a)
            let notAfter = try DERTime(element: b)
            func canonical(_ e: DERElement, _ t: DERTime) -> Bool { e.tag == t.derEncoding.tag }
            return (notBefore, notAfter, canonical(a, notBefore) && canonical(b, notAfter), (a.tag, b.tag))
        }
        subject = try DistinguishedName(from: &r, "subject")
        publicKey = try CertificatePublicKey(from: &r)
        issuerUniqueID = try r.readOptional(.contextPrimitive(1)).map { try $0.bitStringContent("issuerUniqueID") }
        subjectUniqueID = try r.readOptional(.contextPrimitive(2)).map { try $0.bitStringContent("subjectUniqueID") }
        if (issuerUniqueID != nil || subjectUniqueID != nil) && version == 1 {
            throw X509Error(.invalidField, "unique identifiers are not allowed in a v1 certificate")
        }
        if let extensionsElement = try r.readOptional(.contextConstructed(3)) {
            guard version == 3 else {
                throw X509Error(.invalidField, "extensions are only allowed in v3 certificates", offset: extensionsElement.offset)
            }
            let list = try extensionsElement.parseContent { inner -> [Extension] in
                try Extensions.parseList(inner.read(.sequence, "extensions"))
            }
            extensions = try Extensions(list)
        } else {
            extensions = .empty
        }
        try r.expectEnd("TBSCertificate")
        tbsBytes = tbsElement.encoded

        let outerAlgorithmStart = c.offset
        let outerAlgorithm = try AlgorithmIdentifier(from: &c, "Certificate signatureAlgorithm")
        guard input[outerAlgorithmStart..<c.offset] == tbsSignatureBytes else {
            throw X509Error(.invalidField, "signatureAlgorithm differs from the TBSCertificate signature field", offset: outerAlgorithmStart)
        }
        signatureAlgorithm = try SignatureAlgorithm(outerAlgorithm)
        let signatureBits = try c.readBitString(.bitString, "signatureValue")
        signature = signatureBits.bytes
        signatureUnusedBits = signatureBits.unusedBits
        try c.expectEnd("Certificate")

        var defects: [ToleratedDefect] = []
        if issuer.isEmpty { defects.append(ToleratedDefect(.issuerEmpty, field: "issuer", "the issuer is an empty name (RFC 5280 §4.1.2.4: MUST be non-empty)")) }
        defects += issuer.defects(field: "issuer")
        defects += subject.defects(field: "subject")
        if subject.isEmpty {
            if let san = extensions[OID.Extension.subjectAltName] {
                if !san.critical {
                    defects.append(ToleratedDefect(.sanNotCriticalWithoutSubject, field: "extensions.subjectAltName", "the subject is empty but subjectAltName is not critical (RFC 5280 §4.2.1.6)"))
                }
            } else {
                defects.append(ToleratedDefect(.subjectEmptyWithoutSAN, field: "subject", "the subject is empty and there is no subjectAltName (RFC 5280 §4.1.2.6)"))
            }
        }
        defects += extensions.defects
        if let d = signatureAlgorithm.parameterDefect { defects.append(d) }
        if signatureBits.unusedBits != 0 {
            defects.append(ToleratedDefect(.signatureUnusedBits, field: "signatureValue", "the signature BIT STRING has \(signatureBits.unusedBits) unused bit(s); no signature can verify"))
        }
        self.defects = defects
    }

    /// Parses PEM text holding one `CERTIFICATE` block.
    public init(pemEncoded text: some Collection<UInt8>) throws {
        try self.init(derEncoded: PEM.decode(text, labels: [PEM.Label.certificate]).der)
    }

    /// PEM text for this certificate.
    public var pemRepresentation: String { PEM.encode(label: PEM.Label.certificate, der: der) }

    /// SHA-256 over the DER.
    public var fingerprintSHA256: [UInt8] { SHA256.hash(der) }

    /// Issuer and subject encodings are equal.
    public var isSelfIssued: Bool { issuer == subject }

    /// The serial as lower-case hex of its magnitude with no leading zeros ("0" for zero; a leading
    /// "-" for the negative serials that occur in old certificates).
    public var serialHex: String {
        let negative = serialNumber.first.map { $0 & 0x80 != 0 } ?? false
        var magnitude = Array(serialNumber)
        if negative {
            // Two's complement negation.
            var carry: UInt16 = 1
            for i in stride(from: magnitude.count - 1, through: 0, by: -1) {
                let v = UInt16(~magnitude[i]) + carry
                magnitude[i] = UInt8(v & 0xFF)
                carry = v >> 8
            }
        }
        let digits = magnitude.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let trimmed = digits.drop { $0 == "0" }
        return (negative ? "-" : "") + (trimmed.isEmpty ? "0" : String(trimmed))
    }

    /// Whether `time` is within notBefore…notAfter (both inclusive, RFC 5280 §4.1.2.5).
    public func isValid(at time: DERTime) -> Bool {
        notBefore <= time && time <= notAfter
    }

    /// The DER rebuilt from the parsed fields (names from their attributes, the key from its algorithm and
    /// bits, extensions from OID/critical/value): equal to ``der`` for every certificate that parses, which
    /// tests check on real roots — proof that nothing was lost or misread.
    public func reencoded() -> [UInt8] {
        let tbs = DERWriter.build { w in
            w.appendConstructed { t in
                if version > 1 { t.appendConstructed(.contextConstructed(0)) { $0.appendInteger(version - 1) } }
                t.append(.integer, content: serialNumber)
                signatureAlgorithm.identifier.write(to: &t)
                t.appendEncoded(DistinguishedName(rdns: issuer.rdns).der)
                t.appendConstructed { v in
                    for (time, tag) in [(notBefore, validityTags.notBefore), (notAfter, validityTags.notAfter)] {
                        let c = time.components
                        func pad(_ n: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
                        let tail = pad(c.month, 2) + pad(c.day, 2) + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
                        v.append(tag, content: Array(((tag == .utcTime ? pad(c.year % 100, 2) : pad(c.year, 4)) + tail).utf8))
                    }
                }
                t.appendEncoded(DistinguishedName(rdns: subject.rdns).der)
                publicKey.spki.write(to: &t)
                if let id = issuerUniqueID { t.appendBitString(id.bytes, unusedBits: id.unusedBits, tag: .contextPrimitive(1)) }
                if let id = subjectUniqueID { t.appendBitString(id.bytes, unusedBits: id.unusedBits, tag: .contextPrimitive(2)) }
                if !extensions.all.isEmpty {
                    t.appendConstructed(.contextConstructed(3)) { Extension.writeList(extensions.all, to: &$0) }
                }
            }
        }
        return DERWriter.build { w in
            w.appendConstructed { c in
                c.appendEncoded(tbs)
                signatureAlgorithm.identifier.write(to: &c)
                c.appendBitString(signature, unusedBits: signatureUnusedBits)
            }
        }
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}
