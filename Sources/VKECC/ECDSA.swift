// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

extension WeierstrassCurve {
    /// e: the leftmost orderBits bits of the digest, reduced mod n (SEC 1 §4.1.3 step 5).
    func digestScalar(_ digest: [UInt8]) -> Limbs<N> {
        precondition(orderBits % 8 == 0)
        let e = Limbs<N>(bigEndian: digest.prefix(byteCount))!
        return order.reduce(e)
    }

    /// Q = d·G for a secret d ∈ [1, n−1].
    func publicPoint(secret d: Limbs<N>) -> ProjectivePoint<N> { multiplyBase(d) }

    /// Whether d ∈ [1, n−1] (a mask: key loading must not branch on the secret before the answer).
    func isValidScalarMask(_ d: Limbs<N>) -> UInt64 { ~d.zeroMask & order.isReducedMask(d) }

    /// ECDSA signing (FIPS 186-5 §6.4.1) with the nonce `k` in [1, n−1]; nil when r or s is zero (the
    /// caller draws another nonce). Every operation on d and k is constant time; the two inversions (of
    /// k and of k·G's Z) are blinded (Inversion.swift).
    func sign(secret d: Limbs<N>, digest: [UInt8], nonce k: Limbs<N>) -> (r: Limbs<N>, s: Limbs<N>)? {
        let point = multiplyBase(k)
        guard isIdentityMask(point) == 0 else { return nil }  // never, for k ∈ [1, n−1]
        let f = field
        var zInverse = f.invertBlinded(point.z)
        let x = f.fromMontgomery(f.multiply(point.x, zInverse))
        wipe(&zInverse)
        let r = order.reduce(x)
        guard r.zeroMask == 0 else { return nil }  // r is public
        let o = order
        var km = o.toMontgomery(k)
        var kInverse = o.invertBlinded(km)
        var dm = o.toMontgomery(d)
        var rd = o.multiply(o.toMontgomery(r), dm)
        let sum = o.add(o.toMontgomery(digestScalar(digest)), rd)
        let s = o.fromMontgomery(o.multiply(kInverse, sum))
        wipe(&km); wipe(&kInverse); wipe(&dm); wipe(&rd)
        guard s.zeroMask == 0 else { return nil }
        return (r, s)
    }

    /// ECDSA verification (FIPS 186-5 §6.4.2) against a decoded public point, or against its fixed-base
    /// table when one is given (a signing key keeps its own); all inputs public.
    func verify(publicPoint q: ProjectivePoint<N>, table: [Limbs<N>]? = nil, digest: [UInt8], r: Limbs<N>, s: Limbs<N>) -> Bool {
        guard isValidScalarMask(r) != 0, isValidScalarMask(s) != 0 else { return false }
        let o = order
        // w = s⁻¹ in ordinary form: the Montgomery product of a Montgomery-form value with it is ordinary.
        guard let w = o.invertPublic(s) else { return false }
        let u1 = o.multiply(o.toMontgomery(digestScalar(digest)), w)
        let u2 = o.multiply(o.toMontgomery(r), w)
        // x(R) mod n = r ⟺ X = r'·Z (projective) or X = r'·Z² (Jacobian) for r' ∈ {r, r + n} with
        // r' < p: no inversion needed.
        let f = field
        let x: Limbs<N>, scale: Limbs<N>
        if let table {
            let point = multiplyPublic(base: u1, u2, table: table)
            guard isIdentityMask(point) == 0 else { return false }
            (x, scale) = (point.x, point.z)
        } else {
            let point = multiplyPublicJacobian(base: u1, u2, q)
            guard point.z.zeroMask == 0 else { return false }
            (x, scale) = (point.x, f.square(point.z))
        }
        if f.multiply(f.toMontgomery(r), scale).equalMask(x) != 0 { return true }
        let (rPlusN, carry) = r.addingWithCarry(o.modulus)
        guard carry == 0, f.isReducedMask(rPlusN) != 0 else { return false }
        return f.multiply(f.toMontgomery(rPlusN), scale).equalMask(x) != 0
    }
}

/// The NIST curves this module signs and verifies with in constant-time fixed-width arithmetic.
public enum ECDSACurve: String, Sendable, Hashable, CaseIterable {
    case p256 = "P-256"
    case p384 = "P-384"

    /// Scalar and coordinate size in bytes.
    public var byteCount: Int { self == .p256 ? 32 : 48 }
    public var bits: Int { byteCount * 8 }
    /// The hash FIPS 186-5 and TLS pair with the curve (SHA-256 / SHA-384).
    public var defaultHash: HashAlgorithm { self == .p256 ? .sha256 : .sha384 }
    /// The group order n, big-endian.
    public var orderBytes: [UInt8] {
        switch self {
        case .p256: p256Curve.order.modulus.bigEndianBytes(count: 32)
        case .p384: p384Curve.order.modulus.bigEndianBytes(count: 48)
        }
    }
}

/// An ECDSA signature (r, s), with its two encodings: DER `ECDSA-Sig-Value` (X.509, TLS) and the
/// fixed-width r‖s of IEEE P1363 (JOSE, Wycheproof's p1363 files).
public struct ECDSASignature: Sendable, Hashable {
    /// r and s as minimal big-endian magnitudes (no leading zeros).
    public let r: [UInt8]
    public let s: [UInt8]

    public init(r: some Collection<UInt8>, s: some Collection<UInt8>) {
        self.r = Array(r.drop { $0 == 0 })
        self.s = Array(s.drop { $0 == 0 })
    }

    /// r‖s, each left-padded to `byteCount`; nil when either does not fit.
    public func rawRepresentation(byteCount: Int) -> [UInt8]? {
        guard r.count <= byteCount, s.count <= byteCount else { return nil }
        return [UInt8](repeating: 0, count: byteCount - r.count) + r + [UInt8](repeating: 0, count: byteCount - s.count) + s
    }

    /// From r‖s of exactly 2·byteCount bytes.
    public init(rawRepresentation bytes: some Collection<UInt8>, byteCount: Int) throws {
        let data = Array(bytes)
        guard data.count == 2 * byteCount else {
            throw ECCError(.invalidSignatureEncoding, "a P1363 signature on this curve is \(2 * byteCount) bytes, found \(data.count)")
        }
        self.init(r: data[..<byteCount], s: data[byteCount...])
    }
}

extension ECDSACurve {
    /// Runs `body` with the curve's arithmetic, converting byte strings at the boundary.
    func verify(point: [UInt8], digest: [UInt8], signature: ECDSASignature) -> Bool {
        switch self {
        case .p256: Self.verify(p256Curve, point: point, digest: digest, signature: signature)
        case .p384: Self.verify(p384Curve, point: point, digest: digest, signature: signature)
        }
    }

    private static func verify<let N: Int>(_ curve: WeierstrassCurve<N>, point: [UInt8], digest: [UInt8], signature: ECDSASignature) -> Bool {
        guard signature.r.count <= curve.byteCount, signature.s.count <= curve.byteCount,
              let q = curve.decodePoint(point),
              let r = Limbs<N>(bigEndian: signature.r), let s = Limbs<N>(bigEndian: signature.s)
        else { return false }
        return curve.verify(publicPoint: q, digest: digest, r: r, s: s)
    }
}

extension ECDSASignature {
    /// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 §2.2 / RFC 3279 §2.2.3), strict
    /// DER: minimal non-negative integers, definite lengths, nothing trailing.
    public init(derEncoded bytes: some Collection<UInt8>) throws {
        do {
            let (r, s) = try DERReader.parse(Array(bytes)[...]) { reader in
                (try reader.readUnsignedIntegerBytes("r"), try reader.readUnsignedIntegerBytes("s"))
            }
            self.init(r: r, s: s)
        } catch {
            throw ECCError(.invalidSignatureEncoding, "ECDSA-Sig-Value: \(error)")
        }
    }

    /// The DER `ECDSA-Sig-Value`.
    public var derEncoded: [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { seq in
                seq.appendUnsignedInteger(magnitude: r)
                seq.appendUnsignedInteger(magnitude: s)
            }
        }
    }
}
