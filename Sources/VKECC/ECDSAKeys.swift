// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKHash

/// An ECDSA public key: a validated point on P-256 or P-384.
public struct ECDSAPublicKey: Sendable, Hashable {
    public let curve: ECDSACurve
    /// The uncompressed SEC 1 encoding 04‖X‖Y.
    public let uncompressedPoint: [UInt8]

    /// From a compressed or uncompressed SEC 1 point; refused when off the curve or the identity.
    public init(curve: ECDSACurve, point: some Collection<UInt8>) throws {
        let bytes = Array(point)
        // An uncompressed point is kept as given once validated; a compressed one is expanded.
        let uncompressed: [UInt8]?
        switch curve {
        case .p256: uncompressed = p256Curve.decodePoint(bytes).flatMap { bytes.first == 0x04 ? bytes : p256Curve.encodeUncompressed($0) }
        case .p384: uncompressed = p384Curve.decodePoint(bytes).flatMap { bytes.first == 0x04 ? bytes : p384Curve.encodeUncompressed($0) }
        }
        guard let uncompressed else {
            throw ECCError(.invalidPoint, "the public key is not a valid \(curve.rawValue) point (SEC 1 §2.3.4)")
        }
        self.curve = curve
        self.uncompressedPoint = uncompressed
    }

    /// Verifies (r, s) over a message digest. Any hash is accepted (its leftmost bits are used).
    public func isValidSignature(_ signature: ECDSASignature, digest: some Collection<UInt8>) -> Bool {
        curve.verify(point: uncompressedPoint, digest: Array(digest), signature: signature)
    }

    /// Verifies (r, s) over a digest with an encoded point that is decoded (and checked) once, without
    /// making a key first: the certificate verifier's path.
    public static func isValidSignature(_ signature: ECDSASignature, digest: some Collection<UInt8>, curve: ECDSACurve, point: some Collection<UInt8>) -> Bool {
        curve.verify(point: Array(point), digest: Array(digest), signature: signature)
    }

    /// Verifies (r, s) over `message` hashed with `hash`.
    public func isValidSignature(_ signature: ECDSASignature, for message: some Collection<UInt8>, hash: HashAlgorithm) -> Bool {
        isValidSignature(signature, digest: hash.hash(message))
    }
}

/// An ECDSA private key d ∈ [1, n−1] with its public point; d is held in memory wiped on release.
///
/// Signing is constant time in d and in the nonce (signed-window table scans, complete formulas,
/// blinded inversions), uses hedged RFC 6979 nonces, and verifies each signature with the public key
/// before returning it.
public struct ECDSAPrivateKey: Sendable {
    public let curve: ECDSACurve
    public let publicKey: ECDSAPublicKey
    let secret: SecretBytes
    /// The public point's fixed-base table, for verify-after-sign without doublings.
    let verificationTable: VerificationTable

    /// From the scalar (big-endian, at most the curve's size). When `publicPoint` is given (SEC 1 keys
    /// usually carry it) it must equal d·G.
    public init(curve: ECDSACurve, scalar: some Collection<UInt8>, publicPoint: [UInt8]? = nil) throws {
        var bytes = Array(scalar)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        // Extra leading bytes must be zero: checked by OR-ing them all (no early exit on the value).
        let excess = max(bytes.count - curve.byteCount, 0)
        var leading: UInt8 = 0
        for i in 0..<excess { leading |= bytes[i] }
        guard leading == 0 else {
            throw ECCError(.invalidKey, "the private scalar is longer than \(curve.byteCount) bytes")
        }
        let secret = SecretBytes(count: curve.byteCount) { buffer in
            let used = bytes.count - excess
            for i in 0..<used { buffer[curve.byteCount - used + i] = bytes[excess + i] }
        }
        let derived: [UInt8]?
        switch curve {
        case .p256: derived = Self.derive(p256Curve, secret)
        case .p384: derived = Self.derive(p384Curve, secret)
        }
        guard let derived else {
            throw ECCError(.invalidKey, "the private scalar is not in [1, n−1] for \(curve.rawValue)")
        }
        let publicKey = try ECDSAPublicKey(curve: curve, point: derived)
        if let publicPoint {
            guard let given = try? ECDSAPublicKey(curve: curve, point: publicPoint) else {
                throw ECCError(.invalidKey, "the key's public point is not a valid \(curve.rawValue) point")
            }
            guard given == publicKey else {
                throw ECCError(.invalidKey, "the key's public point does not match its private scalar (Q ≠ d·G)")
            }
        }
        self.curve = curve
        self.publicKey = publicKey
        self.secret = secret
        self.verificationTable = VerificationTable(publicKey)
    }

    private static func derive<let N: Int>(_ curve: WeierstrassCurve<N>, _ secret: SecretBytes) -> [UInt8]? {
        var d: Limbs<N> = secret.limbs()
        defer { wipe(&d) }
        guard curve.isValidScalarMask(d) != 0 else { return nil }  // the outcome is public: load or refuse
        return curve.encodeUncompressed(curve.publicPoint(secret: d))
    }

    /// A new key from the operating system's CSPRNG (rejection sampling on the curve's size, FIPS
    /// 186-5 A.2.2).
    public static func generate(curve: ECDSACurve) -> ECDSAPrivateKey {
        while true {
            var candidate = SecureRandom.bytes(curve.byteCount)
            defer { for i in candidate.indices { candidate[i] = 0 } }
            if let key = try? ECDSAPrivateKey(curve: curve, scalar: candidate) { return key }
        }
    }

    /// d as exactly byteCount big-endian bytes (for key files); the caller wipes the copy.
    public func scalarBytes() -> [UInt8] { secret.copyBytes() }

    /// Signs a message digest (any length: its leftmost bits are used, SEC 1 §4.1.3). `hash` names
    /// the HMAC of the nonce derivation (RFC 6979 uses the message's hash).
    public func signature(forDigest digest: some Collection<UInt8>, hash: HashAlgorithm, randomness: some Collection<UInt8> = SecureRandom.bytes(32)) throws -> ECDSASignature {
        let digest = Array(digest)
        var extra = Array(randomness)
        defer { for i in extra.indices { extra[i] = 0 } }
        let signature: ECDSASignature?
        switch curve {
        case .p256: signature = Self.sign(p256Curve, secret, digest: digest, hash: hash, extra: extra)
        case .p384: signature = Self.sign(p384Curve, secret, digest: digest, hash: hash, extra: extra)
        }
        guard let signature, verificationTable.isValid(signature, digest: digest, key: publicKey) else {
            throw ECCError(.faultDetected, "the ECDSA signature just computed does not verify with the public key; it was withheld")
        }
        return signature
    }

    /// Signs `message` hashed with `hash` (default: the curve's hash).
    public func signature(for message: some Collection<UInt8>, hash: HashAlgorithm? = nil) throws -> ECDSASignature {
        let hash = hash ?? curve.defaultHash
        return try signature(forDigest: hash.hash(message), hash: hash)
    }

    static func sign<let N: Int>(_ curve: WeierstrassCurve<N>, _ secret: SecretBytes, digest: [UInt8], hash: HashAlgorithm, extra: [UInt8]) -> ECDSASignature? {
        var d: Limbs<N> = secret.limbs()
        defer { wipe(&d) }
        var secretCopy = secret.copyBytes()
        defer { for i in secretCopy.indices { secretCopy[i] = 0 } }
        var nonces = NonceGenerator(
            hash: hash, secret: secretCopy, digest: digest,
            orderBytes: curve.order.modulus.bigEndianBytes(count: curve.byteCount), additionalData: extra
        )
        defer { nonces.wipeState() }
        for _ in 0..<64 {
            var kBytes = nonces.next()
            var k = Limbs<N>(bigEndian: kBytes)!
            for i in kBytes.indices { kBytes[i] = 0 }
            defer { wipe(&k) }
            if let (r, s) = curve.sign(secret: d, digest: digest, nonce: k) {
                return ECDSASignature(r: r.bigEndianBytes(count: curve.byteCount), s: s.bigEndianBytes(count: curve.byteCount))
            }
        }
        return nil
    }
}

/// A signing key's public point as a fixed-base table (52 KiB for P-256, 116 KiB for P-384), built with
/// the key: verify-after-sign then costs two table walks instead of a double-scalar multiplication.
final class VerificationTable: Sendable {
    private enum Storage: Sendable {
        case p256(ProjectivePoint<4>, [Limbs<4>])
        case p384(ProjectivePoint<6>, [Limbs<6>])
    }

    private let storage: Storage?

    init(_ key: ECDSAPublicKey) {
        switch key.curve {
        case .p256: storage = p256Curve.decodePoint(key.uncompressedPoint).map { .p256($0, p256Curve.makeTable($0)) }
        case .p384: storage = p384Curve.decodePoint(key.uncompressedPoint).map { .p384($0, p384Curve.makeTable($0)) }
        }
    }

    func isValid(_ signature: ECDSASignature, digest: [UInt8], key: ECDSAPublicKey) -> Bool {
        switch storage {
        case .p256(let q, let table)?: Self.verify(p256Curve, q, table, signature, digest)
        case .p384(let q, let table)?: Self.verify(p384Curve, q, table, signature, digest)
        case nil: false
        }
    }

    private static func verify<let N: Int>(
        _ curve: WeierstrassCurve<N>, _ q: ProjectivePoint<N>, _ table: [Limbs<N>], _ signature: ECDSASignature, _ digest: [UInt8]
    ) -> Bool {
        guard signature.r.count <= curve.byteCount, signature.s.count <= curve.byteCount,
              let r = Limbs<N>(bigEndian: signature.r), let s = Limbs<N>(bigEndian: signature.s)
        else { return false }
        return curve.verify(publicPoint: q, table: table, digest: digest, r: r, s: s)
    }
}
