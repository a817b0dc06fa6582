// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER

/// Short Weierstrass curves y² = x³ − 3x + b over GF(p) on BigNum — P-521 only, which vkcert verifies but
/// does not sign with — for **signature verification only**: the arithmetic is variable time, which is
/// fine for public inputs. P-256 and P-384 are the ECC module's (fixed-width, constant-time limbs).
///
/// Parameters from `openssl ecparam -name <curve> -param_enc explicit -text` (OpenSSL 3.0.19), which
/// reproduces SEC 2 / FIPS 186-4 D.1.2; Wycheproof's P-521 file (232 valid, 310 invalid) checks them in use.
struct WeierstrassCurve: Sendable {
    let p: BigInt
    let b: BigInt
    let n: BigInt
    let gx: BigInt
    let gy: BigInt

    static let p521 = WeierstrassCurve(
        p: "1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b: "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        n: "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        gx: "c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        gy: "11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"
    )

    init(p: String, b: String, n: String, gx: String, gy: String) {
        self.p = BigInt(hexString: p)!
        self.b = BigInt(hexString: b)!
        self.n = BigInt(hexString: n)!
        self.gx = BigInt(hexString: gx)!
        self.gy = BigInt(hexString: gy)!
    }

    /// Jacobian point (X : Y : Z); Z = 0 is the identity.
    struct Point {
        var x: BigInt
        var y: BigInt
        var z: BigInt
        var isIdentity: Bool { z.isZero }
        static let identity = Point(x: BigInt(1), y: BigInt(1), z: BigInt())
    }

    private func mul(_ a: BigInt, _ b: BigInt) -> BigInt { a.multiplied(by: b, modulo: p) }
    private func sub(_ a: BigInt, _ b: BigInt) -> BigInt { (a - b).modulo(p) }
    private func add(_ a: BigInt, _ b: BigInt) -> BigInt { (a + b).modulo(p) }

    /// Whether the affine point (x, y) lies on the curve with coordinates in [0, p).
    func isOnCurve(x: BigInt, y: BigInt) -> Bool {
        guard x.signum >= 0, y.signum >= 0, x < p, y < p else { return false }
        let rhs = add(sub(mul(mul(x, x), x), mul(BigInt(3), x)), b)
        return mul(y, y) == rhs
    }

    /// Decodes an uncompressed (04‖X‖Y) or compressed (02/03‖X) point and checks it is on the curve.
    func decodePoint(_ bytes: some Collection<UInt8>) -> Point? {
        let data = Array(bytes)
        let length = (p.bitLength + 7) / 8
        guard let prefix = data.first else { return nil }
        let x = BigInt(magnitudeBytes: data[1..<min(data.count, 1 + length)])
        let y: BigInt
        switch prefix {
        case 0x04 where data.count == 1 + 2 * length:
            y = BigInt(magnitudeBytes: data[(1 + length)...])
        case 0x02 where data.count == 1 + length, 0x03 where data.count == 1 + length:
            // y = (x³ − 3x + b)^((p+1)/4): p ≡ 3 (mod 4) for P-521.
            guard x < p else { return nil }
            let rhs = add(sub(mul(mul(x, x), x), mul(BigInt(3), x)), b)
            guard var root = try? rhs.power((p + 1) >> 2, modulus: p), mul(root, root) == rhs else { return nil }
            if root.isOdd != (prefix == 0x03) { root = sub(BigInt(), root) }
            y = root
        default:
            return nil
        }
        guard isOnCurve(x: x, y: y) else { return nil }
        return Point(x: x, y: y, z: BigInt(1))
    }

    func double(_ q: Point) -> Point {
        if q.isIdentity || q.y.isZero { return .identity }
        // dbl-2001-b (a = −3).
        let delta = mul(q.z, q.z)
        let gamma = mul(q.y, q.y)
        let beta = mul(q.x, gamma)
        let alpha = mul(mul(BigInt(3), sub(q.x, delta)), add(q.x, delta))
        let x3 = sub(mul(alpha, alpha), mul(BigInt(8), beta))
        let z3 = sub(sub(mul(add(q.y, q.z), add(q.y, q.z)), gamma), delta)
        let y3 = sub(mul(alpha, sub(mul(BigInt(4), beta), x3)), mul(BigInt(8), mul(gamma, gamma)))
        return Point(x: x3, y: y3, z: z3)
    }

    func add(_ a: Point, _ b: Point) -> Point {
        if a.isIdentity { return b }
        if b.isIdentity { return a }
        // add-2007-bl.
        let z1z1 = mul(a.z, a.z)
        let z2z2 = mul(b.z, b.z)
        let u1 = mul(a.x, z2z2)
        let u2 = mul(b.x, z1z1)
        let s1 = mul(mul(a.y, b.z), z2z2)
        let s2 = mul(mul(b.y, a.z), z1z1)
        let h = sub(u2, u1)
        let r = mul(BigInt(2), sub(s2, s1))
        if h.isZero { return r.isZero ? double(a) : .identity }
        let i = mul(mul(BigInt(4), h), h)
        let j = mul(h, i)
        let v = mul(u1, i)
        let x3 = sub(sub(mul(r, r), j), mul(BigInt(2), v))
        let y3 = sub(mul(r, sub(v, x3)), mul(BigInt(2), mul(s1, j)))
        let z3 = mul(sub(sub(mul(add(a.z, b.z), add(a.z, b.z)), z1z1), z2z2), h)
        return Point(x: x3, y: y3, z: z3)
    }

    /// u1·G + u2·Q by Shamir's trick.
    func linearCombination(_ u1: BigInt, _ u2: BigInt, _ q: Point) -> Point {
        let g = Point(x: gx, y: gy, z: BigInt(1))
        let gq = add(g, q)
        var result = Point.identity
        let bits = max(u1.bitLength, u2.bitLength)
        for i in stride(from: bits - 1, through: 0, by: -1) {
            result = double(result)
            switch (u1.testBit(i), u2.testBit(i)) {
            case (true, true): result = add(result, gq)
            case (true, false): result = add(result, g)
            case (false, true): result = add(result, q)
            case (false, false): break
            }
        }
        return result
    }

    /// The affine x coordinate of a Jacobian point.
    func affineX(_ point: Point) -> BigInt? {
        guard !point.isIdentity, let zInverse = point.z.inverse(modulo: p) else { return nil }
        return mul(point.x, mul(zInverse, zInverse))
    }

    /// ECDSA verification (SEC 1 §4.1.4 / FIPS 186-5 §6.4.2) of a DER `ECDSA-Sig-Value` over `digest`.
    func verify(signatureDER: some Collection<UInt8>, digest: [UInt8], publicPoint: some Collection<UInt8>) -> Bool {
        guard let q = decodePoint(publicPoint) else { return false }
        guard let (r, s) = try? ECDSASignatureDER.parse(Array(signatureDER)) else { return false }
        guard r.signum > 0, s.signum > 0, r < n, s < n, let w = s.inverse(modulo: n) else { return false }
        // e = leftmost min(bitlen(n), 8·|digest|) bits of the digest.
        var e = BigInt(magnitudeBytes: digest)
        let excess = digest.count * 8 - n.bitLength
        if excess > 0 { e = e >> excess }
        let u1 = e.multiplied(by: w, modulo: n)
        let u2 = r.multiplied(by: w, modulo: n)
        guard let x = affineX(linearCombination(u1, u2, q)) else { return false }
        return x.modulo(n) == r
    }
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 / RFC 3279 §2.2.3).
enum ECDSASignatureDER {
    /// `r` and `s`, both non-negative, nothing trailing.
    static func parse(_ bytes: [UInt8]) throws -> (BigInt, BigInt) {
        try DERReader.parse(bytes[...]) { reader in
            let r = try reader.readUnsignedIntegerBytes("r")
            let s = try reader.readUnsignedIntegerBytes("s")
            return (BigInt(magnitudeBytes: r), BigInt(magnitudeBytes: s))
        }
    }
}
