// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKECC
import VKHash
import VKRSA

/// The key types vkcert generates, names in configuration (`KeyAlgorithm`) and on the command line.
public enum KeyAlgorithm: String, Sendable, Hashable, CaseIterable {
    case rsa2048 = "RSA-2048"
    case rsa3072 = "RSA-3072"
    case rsa4096 = "RSA-4096"
    case ecdsaP256 = "ECDSA-P256"
    case ecdsaP384 = "ECDSA-P384"
    case ed25519 = "Ed25519"

    /// Accepts the configuration spelling ("ECDSA-P256") and the CLI's (`ec-p256`, `rsa`, `ed25519`),
    /// case-insensitively.
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" }
        switch key {
        case "rsa", "rsa2048": self = .rsa2048
        case "rsa3072": self = .rsa3072
        case "rsa4096": self = .rsa4096
        case "ecdsap256", "ecp256", "p256", "ecdsa", "ec": self = .ecdsaP256
        case "ecdsap384", "ecp384", "p384": self = .ecdsaP384
        case "ed25519": self = .ed25519
        default: return nil
        }
    }

    public var isRSA: Bool {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096: true
        default: false
        }
    }

    public var isECDSA: Bool { self == .ecdsaP256 || self == .ecdsaP384 }

    /// Whether the key can decrypt (RSA key transport): only then does a TLS serving certificate need
    /// the keyEncipherment usage (RFC 5280 §4.2.1.3; Go's kubelet drops it for ECDSA and Ed25519).
    public var supportsKeyEncipherment: Bool { isRSA }
}

/// A signing key of any supported type: RSA (PKCS#1 v1.5 / PSS), ECDSA P-256/P-384, Ed25519.
public enum PrivateKey: Sendable {
    case rsa(RSAPrivateKey)
    case ecdsa(ECDSAPrivateKey)
    case ed25519(Ed25519PrivateKey)

    /// The encodings a private key file can have.
    public enum Format: String, Sendable, Hashable {
        /// PKCS#1 `RSA PRIVATE KEY`.
        case pkcs1
        /// SEC 1 `EC PRIVATE KEY`.
        case sec1
        /// PKCS#8 `PRIVATE KEY`.
        case pkcs8
    }

    /// A new key from the operating system's CSPRNG.
    public static func generate(_ algorithm: KeyAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rsa2048: .rsa(try RSAPrivateKey.generate(bits: 2048))
        case .rsa3072: .rsa(try RSAPrivateKey.generate(bits: 3072))
        case .rsa4096: .rsa(try RSAPrivateKey.generate(bits: 4096))
        case .ecdsaP256: .ecdsa(ECDSAPrivateKey.generate(curve: .p256))
        case .ecdsaP384: .ecdsa(ECDSAPrivateKey.generate(curve: .p384))
        case .ed25519: .ed25519(Ed25519PrivateKey.generate())
        }
    }

    /// Loads a key from PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) or DER (PKCS#8,
    /// PKCS#1, SEC 1). Decoded PEM blocks are wiped once the key is taken from them.
    public static func load(_ bytes: [UInt8]) throws -> (key: PrivateKey, format: Format) {
        let labels = [PEM.Label.privateKey, PEM.Label.rsaPrivateKey, PEM.Label.ecPrivateKey]
        if PEM.looksLikePEM(bytes) {
            var blocks = try PEM.decodeAll(bytes)
            defer { for i in blocks.indices { blocks[i].wipe() } }
            if blocks.contains(where: { $0.label == PEM.Label.encryptedPrivateKey }) {
                throw X509Error(.unsupportedAlgorithm, "the key is encrypted (ENCRYPTED PRIVATE KEY); decrypt it first")
            }
            guard let index = blocks.firstIndex(where: { labels.contains($0.label) }) else {
                _ = try PEM.decode(bytes, labels: labels)  // throws the wrong-label error
                throw X509Error(.unsupportedAlgorithm, "no private key block")
            }
            return try from(block: blocks[index])
        }
        // DER: PKCS#8 (INTEGER 0, SEQUENCE …), SEC 1 (INTEGER 1, OCTET STRING …), else PKCS#1.
        if (try? PrivateKeyInfo(derEncoded: bytes[...])) != nil { return (try fromPKCS8(bytes[...]), .pkcs8) }
        if let key = try? ECDSAPrivateKey(sec1DER: bytes[...]) { return (.ecdsa(key), .sec1) }
        return (.rsa(try RSAPrivateKey(pkcs1DER: bytes[...])), .pkcs1)
    }

    /// The key in one decoded PEM block, by its label (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, `PRIVATE KEY`).
    /// The caller wipes the block.
    public static func from(block: PEMBlock) throws -> (key: PrivateKey, format: Format) {
        switch block.label {
        case PEM.Label.rsaPrivateKey: return (.rsa(try RSAPrivateKey(pkcs1DER: block.der[...])), .pkcs1)
        case PEM.Label.ecPrivateKey: return (.ecdsa(try ECDSAPrivateKey(sec1DER: block.der[...])), .sec1)
        case PEM.Label.privateKey: return (try fromPKCS8(block.der[...]), .pkcs8)
        default: throw X509Error(.unsupportedAlgorithm, "a \"\(block.label)\" block is not a private key")
        }
    }

    /// A PKCS#8 key of any supported algorithm.
    public static func fromPKCS8(_ der: ArraySlice<UInt8>) throws -> PrivateKey {
        let info = try PrivateKeyInfo(derEncoded: der)
        switch info.algorithm.algorithm {
        case OID.PublicKey.ecPublicKey: return .ecdsa(try ECDSAPrivateKey(pkcs8DER: der))
        case OID.PublicKey.ed25519: return .ed25519(try Ed25519PrivateKey(pkcs8DER: der))
        case OID.PublicKey.rsaEncryption, OID.PublicKey.rsassaPSS: return .rsa(try RSAPrivateKey(pkcs8DER: der))
        default:
            let name = info.algorithm.algorithm.name ?? info.algorithm.algorithm.dotted
            throw X509Error(.unsupportedAlgorithm, "PKCS#8 key algorithm \(name) is not supported (RSA, ECDSA P-256/P-384 and Ed25519 are)")
        }
    }

    /// The public half as a certificate would carry it.
    public var publicKey: CertificatePublicKey {
        switch self {
        case .rsa(let key): CertificatePublicKey(rsa: key.publicKey)
        case .ecdsa(let key): try! CertificatePublicKey(spki: key.publicKey.spki)
        case .ed25519(let key): try! CertificatePublicKey(spki: key.publicKey.spki)
        }
    }

    public var spki: SubjectPublicKeyInfo { publicKey.spki }

    /// RSA-2048, ECDSA-P256, Ed25519, … (RSA sizes other than 2048/3072/4096 report the nearest
    /// larger name only for display; `algorithm` is for keys vkcert would generate).
    public var algorithm: KeyAlgorithm {
        switch self {
        case .rsa(let key): key.modulusBits > 3072 ? .rsa4096 : key.modulusBits > 2048 ? .rsa3072 : .rsa2048
        case .ecdsa(let key): key.curve == .p256 ? .ecdsaP256 : .ecdsaP384
        case .ed25519: .ed25519
        }
    }

    /// A human description: "RSA 2048-bit", "ECDSA P-256", "Ed25519".
    public var displayName: String {
        switch self {
        case .rsa(let key): "RSA \(key.modulusBits)-bit"
        case .ecdsa(let key): "ECDSA \(key.curve.rawValue)"
        case .ed25519: "Ed25519"
        }
    }

    /// The algorithm certificates and CSRs are signed with by default: sha256WithRSAEncryption,
    /// ecdsa-with-SHA256 (P-256) / ecdsa-with-SHA384 (P-384), Ed25519 — what OpenSSL and Go choose.
    public var defaultSignatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .rsa: .sha256WithRSA
        case .ecdsa(let key): .ecdsa(key.curve.defaultHash)
        case .ed25519: .ed25519
        }
    }

    /// Signs `message` under `algorithm`, which must suit the key (an RSA scheme for RSA, ECDSA with
    /// any SHA-2 hash for ECDSA, Ed25519 for Ed25519). Returns the encoded signature value as X.509
    /// and TLS carry it (ECDSA: DER `ECDSA-Sig-Value`).
    public func sign(_ message: some Collection<UInt8>, algorithm: SignatureAlgorithm) throws -> [UInt8] {
        switch (self, algorithm.kind) {
        case (.rsa(let key), _):
            guard let scheme = algorithm.rsaScheme else {
                throw X509Error(.unsupportedAlgorithm, "an RSA key cannot sign with \(algorithm.name)")
            }
            return try key.signature(for: message, scheme: scheme)
        case (.ecdsa(let key), .ecdsa(let hash)):
            guard hash != .sha1 else { throw X509Error(.unsupportedAlgorithm, "vkcert does not sign with SHA-1") }
            return try key.signature(forDigest: hash.hash(message), hash: hash).derEncoded
        case (.ed25519(let key), .ed25519):
            return try key.signature(for: message)
        default:
            throw X509Error(.unsupportedAlgorithm, "a \(displayName) key cannot sign with \(algorithm.name)")
        }
    }

    /// PKCS#8 DER (wipe after use).
    public var pkcs8DERRepresentation: [UInt8] {
        switch self {
        case .rsa(let key): key.pkcs8DERRepresentation
        case .ecdsa(let key): key.pkcs8DERRepresentation
        case .ed25519(let key): key.pkcs8DERRepresentation
        }
    }

    /// PKCS#8 PEM bytes (what vkcert writes to key files; wipe after use).
    public var pkcs8PEMBytes: [UInt8] {
        switch self {
        case .rsa(let key): key.pkcs8PEMBytes
        case .ecdsa(let key): key.pkcs8PEMBytes
        case .ed25519(let key): key.pkcs8PEMBytes
        }
    }

    /// The key type's traditional PEM (PKCS#1 for RSA, SEC 1 for EC, PKCS#8 for Ed25519).
    public var traditionalPEMBytes: [UInt8] {
        switch self {
        case .rsa(let key): key.pkcs1PEMBytes
        case .ecdsa(let key): key.sec1PEMBytes
        case .ed25519(let key): key.pkcs8PEMBytes
        }
    }

    /// The RSA key, when it is one.
    public var rsa: RSAPrivateKey? {
        if case .rsa(let key) = self { return key }
        return nil
    }
}

extension CertificatePublicKey {
    /// The encodings a public key file can have.
    public enum Format: String, Sendable, Hashable {
        /// `SubjectPublicKeyInfo` (PEM `PUBLIC KEY`), any algorithm.
        case spki
        /// PKCS#1 `RSAPublicKey` (PEM `RSA PUBLIC KEY`).
        case pkcs1
    }

    /// Loads a public key from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`) or DER (SPKI or PKCS#1).
    public static func load(_ bytes: [UInt8]) throws -> (key: CertificatePublicKey, format: Format) {
        if PEM.looksLikePEM(bytes) {
            return try from(block: PEM.decode(bytes, labels: [PEM.Label.publicKey, PEM.Label.rsaPublicKey]))
        }
        if let key = try? fromSPKI(bytes[...]) { return (key, .spki) }
        return (try fromPKCS1(bytes[...]), .pkcs1)
    }

    /// The key in one decoded `PUBLIC KEY` or `RSA PUBLIC KEY` block.
    public static func from(block: PEMBlock) throws -> (key: CertificatePublicKey, format: Format) {
        try block.label == PEM.Label.publicKey ? (fromSPKI(block.der[...]), .spki) : (fromPKCS1(block.der[...]), .pkcs1)
    }

    static func fromSPKI(_ der: ArraySlice<UInt8>) throws -> CertificatePublicKey {
        try CertificatePublicKey(spki: SubjectPublicKeyInfo(derEncoded: der))
    }

    static func fromPKCS1(_ der: ArraySlice<UInt8>) throws -> CertificatePublicKey {
        CertificatePublicKey(rsa: try RSAPublicKey(pkcs1DER: der))
    }

    /// The SPKI as PEM (`PUBLIC KEY`).
    public var spkiPEMRepresentation: String { PEM.encode(label: PEM.Label.publicKey, der: der) }

    /// A one-line description: "RSA 2048 bit, e = 65537", "ECDSA P-256 (prime256v1)", "Ed25519".
    public var summary: String {
        switch kind {
        case .rsa(_, _, let pss): "RSA\(pss != nil || spki.algorithm.algorithm == OID.PublicKey.rsassaPSS ? "-PSS" : "") \(bits ?? 0) bit, e = \(rsaExponent.map(String.init) ?? "large")"
        case .ec(let curve, _): "ECDSA \(curve.bits == 256 ? "P-256" : curve.bits == 384 ? "P-384" : "P-521") (\(curve.rawValue))"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        case .unsupported(let reason): "unsupported: \(reason)"
        }
    }
}
