// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER

/// The encodings an RSA key file can have.
public enum RSAKeyFormat: String, Sendable, Hashable {
    /// PKCS#1 `RSAPrivateKey` (PEM `RSA PRIVATE KEY`) or `RSAPublicKey` (PEM `RSA PUBLIC KEY`).
    case pkcs1
    /// PKCS#8 `PrivateKeyInfo` (PEM `PRIVATE KEY`).
    case pkcs8
    /// X.509 `SubjectPublicKeyInfo` (PEM `PUBLIC KEY`).
    case spki
}

extension RSAPrivateKey {
    /// Parses a PKCS#1 `RSAPrivateKey` DER encoding.
    public init(pkcs1DER bytes: ArraySlice<UInt8>) throws {
        let s = try RSAPrivateKeyStructure(derEncoded: bytes)
        try self.init(
            modulus: BigInt(magnitudeBytes: s.modulus), publicExponent: BigInt(magnitudeBytes: s.publicExponent),
            privateExponent: BigInt(magnitudeBytes: s.privateExponent), prime1: BigInt(magnitudeBytes: s.prime1),
            prime2: BigInt(magnitudeBytes: s.prime2), exponent1: BigInt(magnitudeBytes: s.exponent1),
            exponent2: BigInt(magnitudeBytes: s.exponent2), coefficient: BigInt(magnitudeBytes: s.coefficient)
        )
    }

    /// Parses a PKCS#8 `PrivateKeyInfo` holding an rsaEncryption key.
    public init(pkcs8DER bytes: ArraySlice<UInt8>) throws {
        let info = try PrivateKeyInfo(derEncoded: bytes)
        switch info.algorithm.algorithm {
        case OID.PublicKey.rsaEncryption:
            guard info.algorithm.hasNullParameters else {
                throw RSAError(.unsupportedKeyFormat, "PKCS#8 rsaEncryption parameters must be NULL")
            }
        case OID.PublicKey.rsassaPSS:
            throw RSAError(.unsupportedKeyFormat, "RSASSA-PSS-restricted private keys are not supported; use an rsaEncryption key")
        default:
            let name = info.algorithm.algorithm.name ?? info.algorithm.algorithm.dotted
            throw RSAError(.unsupportedKeyFormat, "PKCS#8 key is \(name), not RSA")
        }
        try self.init(pkcs1DER: info.privateKey)
    }

    /// Loads a private key from PEM (`RSA PRIVATE KEY` or `PRIVATE KEY`) or DER (PKCS#8 or PKCS#1),
    /// reporting which format it was.
    public static func load(_ bytes: [UInt8]) throws -> (key: RSAPrivateKey, format: RSAKeyFormat) {
        if PEM.looksLikePEM(bytes) {
            // Every decoded block is wiped once the key is taken from it (or parsing failed).
            var blocks = try PEM.decodeAll(bytes)
            defer { for i in blocks.indices { blocks[i].wipe() } }
            if blocks.contains(where: { $0.label == PEM.Label.encryptedPrivateKey }) {
                throw RSAError(.unsupportedKeyFormat, "the key is encrypted (ENCRYPTED PRIVATE KEY); decrypt it first")
            }
            guard let index = blocks.firstIndex(where: { [PEM.Label.privateKey, PEM.Label.rsaPrivateKey].contains($0.label) }) else {
                _ = try PEM.decode(bytes, labels: [PEM.Label.privateKey, PEM.Label.rsaPrivateKey])  // throws the wrong-label error
                throw RSAError(.unsupportedKeyFormat, "no private key block")
            }
            let isPKCS1 = blocks[index].label == PEM.Label.rsaPrivateKey
            // The slice is a temporary: released before the deferred wipe, which then zeroes the block's
            // only buffer in place (the key keeps its own GMP copies of the numbers).
            let key = try isPKCS1 ? RSAPrivateKey(pkcs1DER: blocks[index].der[...]) : RSAPrivateKey(pkcs8DER: blocks[index].der[...])
            return (key, isPKCS1 ? .pkcs1 : .pkcs8)
        }
        // DER: PKCS#8 starts SEQUENCE { INTEGER 0, SEQUENCE …; PKCS#1 starts SEQUENCE { INTEGER 0, INTEGER n ….
        if let key = try? RSAPrivateKey(pkcs8DER: bytes[...]) { return (key, .pkcs8) }
        return (try RSAPrivateKey(pkcs1DER: bytes[...]), .pkcs1)
    }

    /// PKCS#1 `RSAPrivateKey` DER. The caller should wipe it after use (``SecureMemory/wipe(_:)-(inout [UInt8])``);
    /// the component magnitudes it is built from are wiped here.
    public var pkcs1DERRepresentation: [UInt8] {
        var parts = [publicKey.modulus, publicKey.publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient]
            .map { $0.magnitudeBytes() }
        defer { for i in parts.indices { SecureMemory.wipe(&parts[i]) } }
        // Built in a closure so the structure's slices of `parts` are gone before the wipe (a wipe of a
        // shared buffer would only wipe a copy).
        return {
            RSAPrivateKeyStructure(
                modulus: parts[0][...], publicExponent: parts[1][...], privateExponent: parts[2][...], prime1: parts[3][...],
                prime2: parts[4][...], exponent1: parts[5][...], exponent2: parts[6][...], coefficient: parts[7][...]
            ).derEncoded
        }()
    }

    /// PKCS#8 `PrivateKeyInfo` DER with rsaEncryption/NULL, as OpenSSL 3 writes it.
    public var pkcs8DERRepresentation: [UInt8] {
        var inner = pkcs1DERRepresentation
        defer { SecureMemory.wipe(&inner) }
        return PrivateKeyInfo(algorithm: .withNullParameters(OID.PublicKey.rsaEncryption), privateKey: inner[...]).derEncoded
    }

    /// PKCS#1 PEM text. A `String` cannot be wiped: to write a key, use ``pkcs1PEMBytes`` and wipe it.
    public var pkcs1PEMRepresentation: String {
        var bytes = pkcs1PEMBytes
        defer { SecureMemory.wipe(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PKCS#8 PEM text. A `String` cannot be wiped: to write a key, use ``pkcs8PEMBytes`` and wipe it.
    public var pkcs8PEMRepresentation: String {
        var bytes = pkcs8PEMBytes
        defer { SecureMemory.wipe(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PKCS#1 PEM (`RSA PRIVATE KEY`) as bytes for the caller to write and wipe; every intermediate
    /// (DER, base64) is wiped here.
    public var pkcs1PEMBytes: [UInt8] {
        var der = pkcs1DERRepresentation
        defer { SecureMemory.wipe(&der) }
        return PEM.encodeBytes(label: PEM.Label.rsaPrivateKey, der: der)
    }

    /// PKCS#8 PEM (`PRIVATE KEY`) as bytes for the caller to write and wipe; every intermediate is wiped.
    public var pkcs8PEMBytes: [UInt8] {
        var der = pkcs8DERRepresentation
        defer { SecureMemory.wipe(&der) }
        return PEM.encodeBytes(label: PEM.Label.privateKey, der: der)
    }
}

extension RSAPublicKey {
    /// Parses a PKCS#1 `RSAPublicKey` DER encoding.
    public init(pkcs1DER bytes: ArraySlice<UInt8>) throws {
        let s = try RSAPublicKeyStructure(derEncoded: bytes)
        try self.init(modulus: BigInt(magnitudeBytes: s.modulus), publicExponent: BigInt(magnitudeBytes: s.publicExponent))
    }

    /// The key inside a SubjectPublicKeyInfo, and its PSS restriction when the algorithm is
    /// id-RSASSA-PSS with parameters (RFC 4055 §1.2). rsaEncryption requires NULL parameters
    /// (RFC 3279 §2.3.1); the key BIT STRING must have no unused bits.
    public static func from(spki: SubjectPublicKeyInfo) throws -> (key: RSAPublicKey, pssRestriction: PSSParameters?) {
        var restriction: PSSParameters? = nil
        switch spki.algorithm.algorithm {
        case OID.PublicKey.rsaEncryption:
            guard spki.algorithm.hasNullParameters else {
                throw RSAError(.unsupportedKeyFormat, "rsaEncryption SubjectPublicKeyInfo parameters must be NULL")
            }
        case OID.PublicKey.rsassaPSS:
            if let params = spki.algorithm.parameters {
                restriction = try PSSParameters(derEncoded: params[...])
            }
        default:
            let name = spki.algorithm.algorithm.name ?? spki.algorithm.algorithm.dotted
            throw RSAError(.unsupportedKeyFormat, "public key algorithm is \(name), not RSA")
        }
        guard spki.publicKey.unusedBits == 0 else {
            throw RSAError(.unsupportedKeyFormat, "RSA subjectPublicKey BIT STRING has unused bits")
        }
        return (try RSAPublicKey(pkcs1DER: spki.publicKey.bytes), restriction)
    }

    /// Parses a DER SubjectPublicKeyInfo holding an RSA key.
    public init(spkiDER bytes: ArraySlice<UInt8>) throws {
        self = try RSAPublicKey.from(spki: SubjectPublicKeyInfo(derEncoded: bytes)).key
    }

    /// Loads a public key from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`) or DER (SPKI or PKCS#1).
    public static func load(_ bytes: [UInt8]) throws -> (key: RSAPublicKey, format: RSAKeyFormat) {
        if PEM.looksLikePEM(bytes) {
            let block = try PEM.decode(bytes, labels: [PEM.Label.publicKey, PEM.Label.rsaPublicKey])
            if block.label == PEM.Label.rsaPublicKey { return (try RSAPublicKey(pkcs1DER: block.der[...]), .pkcs1) }
            return (try RSAPublicKey(spkiDER: block.der[...]), .spki)
        }
        if let key = try? RSAPublicKey(spkiDER: bytes[...]) { return (key, .spki) }
        return (try RSAPublicKey(pkcs1DER: bytes[...]), .pkcs1)
    }

    public var pkcs1DERRepresentation: [UInt8] {
        RSAPublicKeyStructure(modulus: modulus.magnitudeBytes()[...], publicExponent: publicExponent.magnitudeBytes()[...]).derEncoded
    }

    /// The rsaEncryption SubjectPublicKeyInfo.
    public var spki: SubjectPublicKeyInfo {
        SubjectPublicKeyInfo(algorithm: .withNullParameters(OID.PublicKey.rsaEncryption), publicKey: BitString(bytes: pkcs1DERRepresentation[...]))
    }

    public var spkiDERRepresentation: [UInt8] { spki.derEncoded }
    public var spkiPEMRepresentation: String { PEM.encode(label: PEM.Label.publicKey, der: spkiDERRepresentation) }
    public var pkcs1PEMRepresentation: String { PEM.encode(label: PEM.Label.rsaPublicKey, der: pkcs1DERRepresentation) }
}
