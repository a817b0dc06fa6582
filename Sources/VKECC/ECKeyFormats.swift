// SPDX-License-Identifier: Apache-2.0

import VKDER

/// The encodings an EC or Ed25519 key file can have.
public enum ECKeyFormat: String, Sendable, Hashable {
    /// SEC 1 / RFC 5915 `ECPrivateKey` (PEM `EC PRIVATE KEY`).
    case sec1
    /// PKCS#8 `PrivateKeyInfo` (PEM `PRIVATE KEY`): EC (RFC 5915 §3) or Ed25519 (RFC 8410 §7).
    case pkcs8
    /// X.509 `SubjectPublicKeyInfo` (PEM `PUBLIC KEY`).
    case spki
}

extension PEM.Label {
    public static let ecPrivateKey = "EC PRIVATE KEY"
}

extension ECDSACurve {
    /// The namedCurve OID (RFC 5480 §2.1.1.1).
    public var oid: OID {
        switch self {
        case .p256: OID.Curve.p256
        case .p384: OID.Curve.p384
        }
    }

    public init?(oid: OID) {
        switch oid {
        case OID.Curve.p256: self = .p256
        case OID.Curve.p384: self = .p384
        default: return nil
        }
    }
}

/// ```
/// ECPrivateKey ::= SEQUENCE {                 -- RFC 5915 §3
///     version        INTEGER { ecPrivkeyVer1(1) },
///     privateKey     OCTET STRING,
///     parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
///     publicKey  [1] BIT STRING OPTIONAL }
/// ```
struct ECPrivateKeyStructure {
    var privateKey: ArraySlice<UInt8>
    var curve: OID?
    var publicKey: ArraySlice<UInt8>?

    init(privateKey: ArraySlice<UInt8>, curve: OID?, publicKey: ArraySlice<UInt8>?) {
        self.privateKey = privateKey
        self.curve = curve
        self.publicKey = publicKey
    }

    init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DERReader.parse(bytes) { r in
            let version = try r.readInt(.integer, "ECPrivateKey version")
            guard version == 1 else { throw DERError(.invalidValue, "ECPrivateKey version \(version) is not 1 (RFC 5915)", offset: r.offset) }
            let key = try r.readOctetString("ECPrivateKey privateKey")
            var curve: OID? = nil
            if let parameters = try r.readOptional(.contextConstructed(0)) {
                var p = parameters.contentReader()
                guard p.peekTag() == .objectIdentifier else {
                    throw ECCError(.unsupportedKeyFormat, "EC key with explicit or implicit curve parameters; only named curves are supported")
                }
                curve = try p.readOID("ECPrivateKey namedCurve")
                try p.expectEnd("ECPrivateKey parameters")
            }
            var publicKey: ArraySlice<UInt8>? = nil
            if let element = try r.readOptional(.contextConstructed(1)) {
                var p = element.contentReader()
                let bits = try p.readBitString(.bitString, "ECPrivateKey publicKey")
                try p.expectEnd("ECPrivateKey publicKey")
                guard bits.unusedBits == 0 else { throw DERError(.invalidValue, "ECPrivateKey publicKey has unused bits", offset: element.offset) }
                publicKey = bits.bytes
            }
            return ECPrivateKeyStructure(privateKey: key, curve: curve, publicKey: publicKey)
        }
    }

    /// DER; `includeCurve` writes [0] (SEC 1 files do, PKCS#8's inner key does not, as OpenSSL writes them).
    func derEncoded(includeCurve: Bool) -> [UInt8] {
        DERWriter.build(reservingCapacity: 160) { w in
            w.appendConstructed { s in
                s.appendInteger(1)
                s.appendOctetString(privateKey)
                if includeCurve, let curve { s.appendConstructed(.contextConstructed(0)) { $0.appendOID(curve) } }
                if let publicKey { s.appendConstructed(.contextConstructed(1)) { $0.appendBitString(publicKey) } }
            }
        }
    }
}

extension ECDSAPrivateKey {
    /// A SEC 1 `ECPrivateKey`; `curve` is required when the structure has no [0] parameters (the
    /// PKCS#8 algorithm names it) and must agree when both are present.
    public init(sec1DER bytes: ArraySlice<UInt8>, curve given: ECDSACurve? = nil) throws {
        let structure = try ECPrivateKeyStructure(derEncoded: bytes)
        var curve = given
        if let oid = structure.curve {
            guard let named = ECDSACurve(oid: oid) else {
                throw ECCError(.unsupportedKeyFormat, "EC curve \(oid.name ?? oid.dotted) is not supported (P-256 and P-384 are)")
            }
            if let given, given != named {
                throw ECCError(.invalidKey, "the EC key names \(named.rawValue) in its parameters but \(given.rawValue) in its algorithm")
            }
            curve = named
        }
        guard let curve else { throw ECCError(.unsupportedKeyFormat, "the EC private key does not name its curve") }
        guard structure.privateKey.count == curve.byteCount else {
            throw ECCError(.invalidKey, "an \(curve.rawValue) private key is \(curve.byteCount) bytes (RFC 5915 §3), found \(structure.privateKey.count)")
        }
        try self.init(curve: curve, scalar: structure.privateKey, publicPoint: structure.publicKey.map { Array($0) })
    }

    /// A PKCS#8 `PrivateKeyInfo` with id-ecPublicKey on a named curve.
    public init(pkcs8DER bytes: ArraySlice<UInt8>) throws {
        let info = try PrivateKeyInfo(derEncoded: bytes)
        guard info.algorithm.algorithm == OID.PublicKey.ecPublicKey else {
            let name = info.algorithm.algorithm.name ?? info.algorithm.algorithm.dotted
            throw ECCError(.unsupportedKeyFormat, "PKCS#8 key is \(name), not an EC key")
        }
        guard let parameters = info.algorithm.parameters, parameters.first == ASN1Tag.objectIdentifier.rawValue else {
            throw ECCError(.unsupportedKeyFormat, "EC key with explicit or implicit curve parameters; only named curves are supported")
        }
        var reader = DERReader(parameters[...])
        let oid = try reader.readOID("namedCurve")
        try reader.expectEnd("EC parameters")
        guard let curve = ECDSACurve(oid: oid) else {
            throw ECCError(.unsupportedKeyFormat, "EC curve \(oid.name ?? oid.dotted) is not supported (P-256 and P-384 are)")
        }
        try self.init(sec1DER: info.privateKey, curve: curve)
    }

    private func structure() -> ECPrivateKeyStructure {
        ECPrivateKeyStructure(privateKey: scalarBytes()[...], curve: curve.oid, publicKey: publicKey.uncompressedPoint[...])
    }

    /// SEC 1 DER with the curve and the public key, byte for byte what `openssl ec` writes. Wipe after use.
    public var sec1DERRepresentation: [UInt8] {
        var s = structure()
        defer { DERSecure.wipe(&s.privateKey) }
        return s.derEncoded(includeCurve: true)
    }

    /// PKCS#8 DER (inner key with the public key, curve in the algorithm), as OpenSSL 3 writes it. Wipe after use.
    public var pkcs8DERRepresentation: [UInt8] {
        var s = structure()
        var inner = s.derEncoded(includeCurve: false)
        defer { DERSecure.wipe(&s.privateKey); DERSecure.wipe(&inner) }
        return PrivateKeyInfo(algorithm: publicKey.algorithmIdentifier, privateKey: inner[...]).derEncoded
    }

    public var sec1PEMBytes: [UInt8] {
        var der = sec1DERRepresentation
        defer { DERSecure.wipe(&der) }
        return PEM.encodeBytes(label: PEM.Label.ecPrivateKey, der: der)
    }

    public var pkcs8PEMBytes: [UInt8] {
        var der = pkcs8DERRepresentation
        defer { DERSecure.wipe(&der) }
        return PEM.encodeBytes(label: PEM.Label.privateKey, der: der)
    }
}

extension ECDSAPublicKey {
    /// id-ecPublicKey with the namedCurve parameter.
    public var algorithmIdentifier: AlgorithmIdentifier {
        AlgorithmIdentifier(algorithm: OID.PublicKey.ecPublicKey, parameters: DERWriter.build { $0.appendOID(curve.oid) })
    }

    public var spki: SubjectPublicKeyInfo {
        SubjectPublicKeyInfo(algorithm: algorithmIdentifier, publicKey: BitString(bytes: uncompressedPoint[...]))
    }

    public var spkiDERRepresentation: [UInt8] { spki.derEncoded }
}

/// ```
/// CurvePrivateKey ::= OCTET STRING            -- RFC 8410 §7, inside PrivateKeyInfo.privateKey
/// ```
extension Ed25519PrivateKey {
    public init(pkcs8DER bytes: ArraySlice<UInt8>) throws {
        let info = try PrivateKeyInfo(derEncoded: bytes)
        guard info.algorithm.algorithm == OID.PublicKey.ed25519 else {
            let name = info.algorithm.algorithm.name ?? info.algorithm.algorithm.dotted
            throw ECCError(.unsupportedKeyFormat, "PKCS#8 key is \(name), not Ed25519")
        }
        guard info.algorithm.parameters == nil else {
            throw ECCError(.unsupportedKeyFormat, "Ed25519 key parameters must be absent (RFC 8410 §3)")
        }
        var reader = DERReader(info.privateKey)
        let seed = try reader.readOctetString("CurvePrivateKey")
        try reader.expectEnd("CurvePrivateKey")
        if let publicKey = info.publicKey {
            guard publicKey.unusedBits == 0 else { throw ECCError(.invalidKey, "Ed25519 publicKey has unused bits") }
            try self.init(seed: seed, publicKey: Array(publicKey.bytes))
        } else {
            try self.init(seed: seed)
        }
    }

    /// PKCS#8 v1 (no public key), byte for byte what `openssl genpkey -algorithm ed25519` writes. Wipe after use.
    public var pkcs8DERRepresentation: [UInt8] {
        var seed = seedBytes()
        var inner = DERWriter.build { $0.appendOctetString(seed) }
        defer { DERSecure.wipe(&seed); DERSecure.wipe(&inner) }
        return PrivateKeyInfo(algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.ed25519, parameters: nil), privateKey: inner[...]).derEncoded
    }

    public var pkcs8PEMBytes: [UInt8] {
        var der = pkcs8DERRepresentation
        defer { DERSecure.wipe(&der) }
        return PEM.encodeBytes(label: PEM.Label.privateKey, der: der)
    }
}

extension Ed25519PublicKey {
    public var spki: SubjectPublicKeyInfo {
        SubjectPublicKeyInfo(algorithm: AlgorithmIdentifier(algorithm: OID.PublicKey.ed25519, parameters: nil), publicKey: BitString(bytes: rawRepresentation[...]))
    }

    public var spkiDERRepresentation: [UInt8] { spki.derEncoded }
}
