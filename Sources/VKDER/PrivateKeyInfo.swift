// SPDX-License-Identifier: Apache-2.0

/// The PKCS#8 container every private key type shares.
///
/// ```
/// OneAsymmetricKey ::= SEQUENCE {            -- RFC 5958 §2 (PKCS#8 v1 = RFC 5208 §5 is version 0)
///     version Version, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING,
///     attributes [0] IMPLICIT Attributes OPTIONAL,
///     ..., [[2: publicKey [1] IMPLICIT BIT STRING OPTIONAL ]], ... }
/// ```
public struct PrivateKeyInfo: Sendable {
    public var algorithm: AlgorithmIdentifier
    /// The algorithm-specific key (RSAPrivateKey, ECPrivateKey, CurvePrivateKey), still encoded.
    public var privateKey: ArraySlice<UInt8>
    /// The v2 public key, when present.
    public var publicKey: BitString?

    public init(algorithm: AlgorithmIdentifier, privateKey: ArraySlice<UInt8>, publicKey: BitString? = nil) {
        self.algorithm = algorithm
        self.privateKey = privateKey
        self.publicKey = publicKey
    }

    public init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DERReader.parse(bytes) { r in
            let version = try r.readInt(.integer, "PrivateKeyInfo version")
            guard version == 0 || version == 1 else {
                throw DERError(.invalidValue, "PrivateKeyInfo version \(version) is not 0 or 1", offset: r.offset)
            }
            let algorithm = try AlgorithmIdentifier(from: &r, "privateKeyAlgorithm")
            let key = try r.readOctetString("privateKey")
            // Attributes carry nothing vkcert needs; they are skipped.
            _ = try r.readOptional(.contextConstructed(0))
            var publicKey: BitString? = nil
            if let element = try r.readOptional(.contextPrimitive(1)) {
                guard version == 1 else {
                    throw DERError(.invalidValue, "a PrivateKeyInfo publicKey needs version 1 (RFC 5958)", offset: element.offset)
                }
                publicKey = try element.bitStringContent("publicKey")
            }
            return PrivateKeyInfo(algorithm: algorithm, privateKey: key, publicKey: publicKey)
        }
    }

    /// Version 0 (no public key) as OpenSSL 3 writes RSA, EC and Ed25519 keys; version 1 when a
    /// public key is included.
    public var derEncoded: [UInt8] {
        DERWriter.build(reservingCapacity: privateKey.count + 64) { w in
            w.appendConstructed { s in
                s.appendInteger(publicKey == nil ? 0 : 1)
                algorithm.write(to: &s)
                s.appendOctetString(privateKey)
                if let publicKey { s.appendBitString(publicKey.bytes, unusedBits: publicKey.unusedBits, tag: .contextPrimitive(1)) }
            }
        }
    }
}
