// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER

/// How a key vkcert cannot use is still described the way `openssl x509 -text` describes it, so an auditor
/// sees every key named and sized: other named curves (secp224r1, secp256k1, brainpoolP256r1, …), explicit
/// EC parameters (size = the order's bits), DSA (size = p's bits), X25519/X448, and algorithms known only by
/// name (GOST, DH). Sizes come from OpenSSL's own curve table (OID+OpenSSLNames.swift) or the parameters.
extension CertificatePublicKey {
    /// The named curve's OID, for any id-ecPublicKey key with namedCurve parameters.
    var namedCurveOID: OID? {
        guard spki.algorithm.algorithm == OID.PublicKey.ecPublicKey, let params = spki.algorithm.parameters,
            params.first == ASN1Tag.objectIdentifier.rawValue
        else { return nil }
        var reader = DERReader(params[...])
        return try? reader.readOID("namedCurve")
    }

    /// OpenSSL's short name for the key's curve ("prime256v1", "secp224r1", …), or the dotted OID of a
    /// curve it does not know; nil for keys without a named curve.
    public var curveName: String? {
        if let curve { return curve.rawValue }
        guard let oid = namedCurveOID else { return nil }
        return oid.openSSLNames?.short ?? oid.dotted
    }

    /// The size OpenSSL prints for a key vkcert does not use (nil when OpenSSL prints none, or the
    /// parameters are unreadable).
    var unsupportedKeyBits: Int? {
        let algorithm = spki.algorithm.algorithm
        if algorithm == OID.PublicKey.ecPublicKey {
            if let oid = namedCurveOID {
                guard let name = oid.openSSLNames?.short else { return nil }
                return OID.openSSLCurveBits(name)
            }
            // ECParameters ::= SEQUENCE { version, fieldID, curve, base ECPoint, order INTEGER, cofactor OPTIONAL }
            guard let params = spki.algorithm.parameters, params.first == ASN1Tag.sequence.rawValue else { return nil }
            return try? DERReader.parse(params[...]) { r -> Int in
                for _ in 0..<4 { _ = try r.readElement() }
                let order = try r.readIntegerBytes(.integer, "ECParameters order")
                while !r.isAtEnd { _ = try r.readElement() }
                return BigInt(magnitudeBytes: order.drop { $0 == 0 }).bitLength
            }
        }
        if algorithm == OID.PublicKey.dsa {
            // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2)
            guard let params = spki.algorithm.parameters, params.first == ASN1Tag.sequence.rawValue else { return nil }
            return try? DERReader.parse(params[...]) { r -> Int in
                let p = try r.readIntegerBytes(.integer, "Dss-Parms p")
                while !r.isAtEnd { _ = try r.readElement() }
                return BigInt(magnitudeBytes: p.drop { $0 == 0 }).bitLength
            }
        }
        return nil
    }
}

