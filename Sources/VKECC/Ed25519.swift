// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKHash

/// An Ed25519 public key (RFC 8032 §5.1.5): the 32-byte encoding of A, checked to decode.
public struct Ed25519PublicKey: Sendable, Hashable {
    public let rawRepresentation: [UInt8]

    public init(rawRepresentation bytes: some Collection<UInt8>) throws {
        let raw = Array(bytes)
        guard raw.count == 32 else { throw ECCError(.invalidKey, "an Ed25519 public key is 32 bytes, found \(raw.count)") }
        guard edwards25519.decode(raw) != nil else {
            throw ECCError(.invalidPoint, "the Ed25519 public key does not decode to a curve point (RFC 8032 §5.1.3)")
        }
        rawRepresentation = raw
    }

    /// A point this module just computed (d·B, encoded): no decoding check needed. Decoding is
    /// variable time — fine for public inputs, but skipping it keeps key derivation's trace
    /// independent of the secret (ConstantTimeTests).
    init(derived raw: [UInt8]) {
        rawRepresentation = raw
    }

    /// RFC 8032 §5.1.7 verification, cofactorless ([S]B = R + [k]A checked as an equality of
    /// encodings), with S < L required and non-canonical encodings of A and R refused. These are
    /// the rules of Go's crypto/ed25519 except that Go accepts a non-canonical A; Wycheproof's
    /// verdicts hold under both (see Vectors/README.md).
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        let sig = Array(signature)
        guard sig.count == 64, let a = edwards25519.decode(rawRepresentation) else { return false }
        let curve = edwards25519
        guard let s = Limbs<4>(littleEndian: sig[32..<64]), curve.order.isReducedMask(s) != 0 else { return false }
        // R is not decoded: the final comparison with a canonical encoding rejects any R that is
        // non-canonical or no point at all.
        var hasher = SHA512()
        hasher.update(sig[0..<32])
        hasher.update(rawRepresentation)
        hasher.update(message)
        let k = curve.reduceWide(hasher.finalize())
        let check = curve.multiplyPublic(base: s, k, curve.negate(a))
        return curve.encode(check) == Array(sig[0..<32])
    }

    /// The same check with A's fixed-base table (a signing key's verify-after-sign).
    func isValidSignature(_ sig: [UInt8], for message: [UInt8], table: [EdwardsCachedPoint]) -> Bool {
        let curve = edwards25519
        guard sig.count == 64, let s = Limbs<4>(littleEndian: sig[32..<64]), curve.order.isReducedMask(s) != 0 else { return false }
        var hasher = SHA512()
        hasher.update(sig[0..<32])
        hasher.update(rawRepresentation)
        hasher.update(message)
        let k = curve.reduceWide(hasher.finalize())
        return curve.encode(curve.multiplyPublic(base: s, minus: k, table: table)) == Array(sig[0..<32])
    }
}

/// An Ed25519 private key: the 32-byte seed (RFC 8032 §5.1.5), its expansion held in wiped memory.
///
/// Signing is deterministic (RFC 8032), constant time in the secret scalar and the per-message r, and
/// verifies every signature before returning it.
public struct Ed25519PrivateKey: Sendable {
    public let publicKey: Ed25519PublicKey
    /// seed ‖ clamped scalar a (little-endian) ‖ prefix: 96 bytes.
    let secret: SecretBytes
    /// A's fixed-base table, built with the key.
    let verificationTable: EdwardsVerificationTable

    public init(seed bytes: some Collection<UInt8>) throws {
        var seed = Array(bytes)
        defer { for i in seed.indices { seed[i] = 0 } }
        guard seed.count == 32 else { throw ECCError(.invalidKey, "an Ed25519 private key (seed) is 32 bytes, found \(seed.count)") }
        var h = SHA512.hash(seed)
        defer { for i in h.indices { h[i] = 0 } }
        h[0] &= 248
        h[31] &= 127
        h[31] |= 64
        var a = Limbs<4>(littleEndian: h[0..<32])!
        defer { wipe(&a) }
        let point = edwards25519.multiplyBase(a)
        let encoded = edwards25519.encode(point)
        publicKey = Ed25519PublicKey(derived: encoded)
        secret = SecretBytes(seed + h)
        verificationTable = EdwardsVerificationTable(point)
    }

    /// From the seed, checking that the stored public key (PKCS#8 v2 / OpenSSL files carry it) matches.
    public init(seed: some Collection<UInt8>, publicKey given: [UInt8]) throws {
        try self.init(seed: seed)
        guard given == publicKey.rawRepresentation else {
            throw ECCError(.invalidKey, "the key's public key does not match its seed")
        }
    }

    public static func generate() -> Ed25519PrivateKey {
        var seed = SecureRandom.bytes(32)
        defer { for i in seed.indices { seed[i] = 0 } }
        return try! Ed25519PrivateKey(seed: seed)
    }

    /// The 32-byte seed (for key files); the caller wipes the copy.
    public func seedBytes() -> [UInt8] { secret.withBytes { Array($0[0..<32]) } }

    /// RFC 8032 §5.1.6 (PureEdDSA).
    public func signature(for message: some Collection<UInt8>) throws -> [UInt8] {
        let curve = edwards25519
        let message = Array(message)
        var (a, prefix) = secret.withBytes { (Limbs<4>(littleEndian: $0[32..<64])!, Array($0[64..<96])) }
        defer { wipe(&a); for i in prefix.indices { prefix[i] = 0 } }
        var hasher = SHA512()
        hasher.update(prefix)
        hasher.update(message)
        var rHash = hasher.finalize()
        var r = curve.reduceWide(rHash)
        for i in rHash.indices { rHash[i] = 0 }
        defer { wipe(&r) }
        let rEncoded = curve.encode(curve.multiplyBase(r))
        var challenge = SHA512()
        challenge.update(rEncoded)
        challenge.update(publicKey.rawRepresentation)
        challenge.update(message)
        let k = curve.reduceWide(challenge.finalize())
        let o = curve.order
        // S = r + k·a mod L: (k·R)·a·R⁻¹ = k·a.
        var ka = o.multiply(o.toMontgomery(k), o.reduce(a))
        let s = o.add(r, ka)
        wipe(&ka)
        let signature = rEncoded + s.littleEndianBytes(count: 32)
        guard let table = verificationTable.table, publicKey.isValidSignature(signature, for: message, table: table) else {
            throw ECCError(.faultDetected, "the Ed25519 signature just computed does not verify with the public key; it was withheld")
        }
        return signature
    }
}

/// A signing key's A as a fixed-base table (90 KiB), built with the key.
final class EdwardsVerificationTable: Sendable {
    let table: [EdwardsCachedPoint]?

    /// From A as computed (not decoded: decoding is variable time, and key derivation must not be).
    init(_ point: EdwardsPoint) {
        table = edwards25519.makeTable(point)
    }
}
