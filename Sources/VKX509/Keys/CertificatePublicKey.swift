// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKRSA

/// The named curves vkcert recognises (RFC 5480).
public enum NamedCurve: String, Sendable, Hashable, CaseIterable {
    case p256 = "prime256v1"
    case p384 = "secp384r1"
    case p521 = "secp521r1"

    public var oid: OID {
        switch self {
        case .p256: OID.Curve.p256
        case .p384: OID.Curve.p384
        case .p521: OID.Curve.p521
        }
    }

    public var bits: Int {
        switch self {
        case .p256: 256
        case .p384: 384
        case .p521: 521
        }
    }

    /// Field element size in bytes.
    public var coordinateBytes: Int { (bits + 7) / 8 }

    public init?(oid: OID) {
        guard let match = NamedCurve.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = match
    }
}

/// A certificate's subject public key, classified from its SubjectPublicKeyInfo.
///
/// Structure is checked at parse time (rsaEncryption parameters NULL, RSAPublicKey well formed with
/// nothing trailing, EC named curve and point length, Ed25519 32 bytes). Key *policy* (size, exponent)
/// is not a parse error: ``rsaPublicKey()`` applies the verification policy, lint reports the rest.
public struct CertificatePublicKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// rsaEncryption (or id-RSASSA-PSS, with its parameters when present).
        case rsa(modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>, pss: PSSParameters?)
        /// id-ecPublicKey on a named curve, with the encoded point.
        case ec(NamedCurve, point: ArraySlice<UInt8>)
        case ed25519(ArraySlice<UInt8>)
        case ed448(ArraySlice<UInt8>)
        /// Anything else (unknown algorithm, explicit curve parameters, …): kept, not usable.
        case unsupported(reason: String)
    }

    public let spki: SubjectPublicKeyInfo
    /// The complete DER of the SubjectPublicKeyInfo.
    public let der: ArraySlice<UInt8>
    public let kind: Kind

    public init(from reader: inout DERReader) throws {
        let element = try reader.read(.sequence, "subjectPublicKeyInfo")
        var r = DERReader(element.encoded, depth: element.depth)
        let spki = try SubjectPublicKeyInfo(from: &r)
        self.spki = spki
        self.der = element.encoded
        self.kind = try CertificatePublicKey.classify(spki)
    }

    public init(spki: SubjectPublicKeyInfo) throws {
        self.spki = spki
        self.der = spki.derEncoded[...]
        self.kind = try CertificatePublicKey.classify(spki)
    }

    /// The SPKI of an RSA key.
    public init(rsa key: RSAPublicKey) {
        let spki = key.spki
        self.spki = spki
        self.der = spki.derEncoded[...]
        self.kind = .rsa(modulus: key.modulus.magnitudeBytes()[...], exponent: key.publicExponent.magnitudeBytes()[...], pss: nil)
    }

    private static func classify(_ spki: SubjectPublicKeyInfo) throws -> Kind {
        let algorithm = spki.algorithm
        switch algorithm.algorithm {
        case OID.PublicKey.rsaEncryption, OID.PublicKey.rsassaPSS:
            var pss: PSSParameters? = nil
            if algorithm.algorithm == OID.PublicKey.rsaEncryption {
                guard algorithm.hasNullParameters else {
                    throw X509Error(.invalidField, "rsaEncryption key parameters must be NULL (RFC 3279 §2.3.1)")
                }
            } else if let params = algorithm.parameters {
                pss = try PSSParameters(derEncoded: params[...])
            }
            guard spki.publicKey.unusedBits == 0 else {
                throw X509Error(.invalidField, "RSA subjectPublicKey BIT STRING has unused bits")
            }
            return try DERReader.parse(spki.publicKey.bytes) { r in
                let n = try r.readUnsignedIntegerBytes("RSAPublicKey modulus")
                let e = try r.readUnsignedIntegerBytes("RSAPublicKey publicExponent")
                guard !n.isEmpty, !e.isEmpty else { throw X509Error(.invalidField, "RSA modulus and exponent must be positive") }
                return .rsa(modulus: n, exponent: e, pss: pss)
            }
        case OID.PublicKey.ecPublicKey:
            guard let params = algorithm.parameters, params.first == ASN1Tag.objectIdentifier.rawValue else {
                return .unsupported(reason: "EC key without a named curve (explicit or implicit parameters)")
            }
            var pr = DERReader(params[...])
            let curveOID = try pr.readOID("namedCurve")
            try pr.expectEnd("EC parameters")
            guard let curve = NamedCurve(oid: curveOID) else { return .unsupported(reason: "EC curve \(curveOID) is not supported") }
            let point = spki.publicKey.bytes
            let l = curve.coordinateBytes
            let valid = spki.publicKey.unusedBits == 0
                && ((point.first == 0x04 && point.count == 1 + 2 * l) || ((point.first == 0x02 || point.first == 0x03) && point.count == 1 + l))
            guard valid else { throw X509Error(.invalidField, "EC public key is not a \(curve.rawValue) point encoding") }
            return .ec(curve, point: point)
        case OID.PublicKey.ed25519, OID.PublicKey.ed448:
            let isEd25519 = algorithm.algorithm == OID.PublicKey.ed25519
            guard algorithm.parameters == nil else { throw X509Error(.invalidField, "EdDSA key parameters must be absent (RFC 8410)") }
            let length = isEd25519 ? 32 : 57
            guard spki.publicKey.unusedBits == 0, spki.publicKey.bytes.count == length else {
                throw X509Error(.invalidField, "EdDSA public key must be \(length) bytes")
            }
            return isEd25519 ? .ed25519(spki.publicKey.bytes) : .ed448(spki.publicKey.bytes)
        default:
            return .unsupported(reason: "public key algorithm \(algorithm.algorithm.name ?? algorithm.algorithm.dotted) is not supported")
        }
    }

    /// OpenSSL's name for the algorithm: rsaEncryption, rsassaPss, id-ecPublicKey, ED25519, ED448, and for
    /// keys vkcert cannot use OpenSSL's long name (dsaEncryption, X25519, …) or the dotted OID.
    public var algorithmName: String {
        let oid = spki.algorithm.algorithm
        return oid.name ?? oid.openSSLNames?.long ?? oid.dotted
    }

    /// Key size in bits: RSA modulus bits, EC curve bits, 256 / 456 for Ed25519 / Ed448; for keys vkcert
    /// cannot use, the size OpenSSL prints (other curves, explicit parameters, DSA), else nil.
    public var bits: Int? {
        switch kind {
        case .rsa(let n, _, _): BigInt(magnitudeBytes: n).bitLength
        case .ec(let curve, _): curve.bits
        case .ed25519: 256
        case .ed448: 456
        case .unsupported: unsupportedKeyBits
        }
    }

    /// The RSA public exponent when it fits in 64 bits.
    public var rsaExponent: UInt64? {
        guard case .rsa(_, let e, _) = kind, e.count <= 8 else { return nil }
        return e.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Whether this is an RSA key (rsaEncryption or id-RSASSA-PSS).
    public var isRSA: Bool {
        if case .rsa = kind { return true }
        return false
    }

    public var curve: NamedCurve? {
        if case .ec(let curve, _) = kind { return curve }
        return nil
    }

    /// The RSA key for verification (moduli 1024–8192 bits, odd e ≥ 3).
    public func rsaPublicKey() throws -> RSAPublicKey {
        guard case .rsa(let n, let e, _) = kind else {
            throw X509Error(.unsupportedAlgorithm, "the key is \(algorithmName), not RSA")
        }
        return try RSAPublicKey(modulus: BigInt(magnitudeBytes: n), publicExponent: BigInt(magnitudeBytes: e))
    }
}
