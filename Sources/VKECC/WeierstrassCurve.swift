// SPDX-License-Identifier: Apache-2.0

/// A point of y² = x³ − 3x + b in homogeneous projective coordinates (X : Y : Z), x = X/Z, y = Y/Z,
/// coordinates in Montgomery form. The identity is (0 : 1 : 0).
struct ProjectivePoint<let N: Int>: Sendable {
    var x: Limbs<N>
    var y: Limbs<N>
    var z: Limbs<N>
}

/// A NIST prime-order curve (a = −3) over GF(p), with the constant-time group law of Renes,
/// Costello and Batina, "Complete addition formulas for prime order elliptic curves" (EUROCRYPT 2016,
/// algorithms 4 and 6): one formula for every pair of inputs, identity and doubling included, so a
/// scalar multiplication has no exceptional cases to branch on.
///
/// Parameters: SEC 2 v2 §2.4.2 and §2.5.1 (= FIPS 186-5 / SP 800-186 §3.2.1.3–4), as printed by
/// `openssl ecparam -name <curve> -param_enc explicit -text`; tests check G on the curve and n·G = O.
struct WeierstrassCurve<let N: Int>: Sendable {
    let field: MontgomeryDomain<N>
    let order: MontgomeryDomain<N>
    /// b in Montgomery form.
    let b: Limbs<N>
    let generator: ProjectivePoint<N>
    /// Field element and scalar size in bytes (32 for P-256, 48 for P-384).
    let byteCount: Int
    /// Bit length of the group order n.
    let orderBits: Int
    /// G's fixed-base table (``makeTable(_:)``): signing's k·G and verification with a key table.
    private(set) var baseTable: [Limbs<N>] = []
    /// G, 3G, …, 63G affine (x, y) in Montgomery form: verification's width-7 NAF table.
    private(set) var generatorOddMultiples: [Limbs<N>] = []

    init(p: String, b: String, n: String, gx: String, gy: String, byteCount: Int) {
        let field = MontgomeryDomain<N>(hex: p)
        self.field = field
        self.order = MontgomeryDomain<N>(hex: n)
        self.b = field.toMontgomery(Limbs<N>(hex: b))
        self.generator = ProjectivePoint(x: field.toMontgomery(Limbs<N>(hex: gx)), y: field.toMontgomery(Limbs<N>(hex: gy)), z: field.one)
        self.byteCount = byteCount
        self.orderBits = Limbs<N>(hex: n).bitLength
        baseTable = makeBaseTable()
        generatorOddMultiples = oddMultiples(generator, count: 32)
    }

    var identity: ProjectivePoint<N> { ProjectivePoint(x: .zero, y: field.one, z: .zero) }

    // MARK: - Group law

    /// P + Q for any P, Q (RCB16 algorithm 4: 12M + 2m_b).
    @inline(__always)
    func add(_ p: ProjectivePoint<N>, _ q: ProjectivePoint<N>) -> ProjectivePoint<N> {
        let f = field
        var t0 = f.multiply(p.x, q.x)
        var t1 = f.multiply(p.y, q.y)
        var t2 = f.multiply(p.z, q.z)
        var t3 = f.add(p.x, p.y)
        var t4 = f.add(q.x, q.y)
        t3 = f.multiply(t3, t4)
        t4 = f.add(t0, t1)
        t3 = f.subtract(t3, t4)
        t4 = f.add(p.y, p.z)
        var x3 = f.add(q.y, q.z)
        t4 = f.multiply(t4, x3)
        x3 = f.add(t1, t2)
        t4 = f.subtract(t4, x3)
        x3 = f.add(p.x, p.z)
        var y3 = f.add(q.x, q.z)
        x3 = f.multiply(x3, y3)
        y3 = f.add(t0, t2)
        y3 = f.subtract(x3, y3)
        var z3 = f.multiply(b, t2)
        x3 = f.subtract(y3, z3)
        z3 = f.add(x3, x3)
        x3 = f.add(x3, z3)
        z3 = f.subtract(t1, x3)
        x3 = f.add(t1, x3)
        y3 = f.multiply(b, y3)
        t1 = f.add(t2, t2)
        t2 = f.add(t1, t2)
        y3 = f.subtract(y3, t2)
        y3 = f.subtract(y3, t0)
        t1 = f.add(y3, y3)
        y3 = f.add(t1, y3)
        t1 = f.add(t0, t0)
        t0 = f.add(t1, t0)
        t0 = f.subtract(t0, t2)
        t1 = f.multiply(t4, y3)
        t2 = f.multiply(t0, y3)
        y3 = f.multiply(x3, z3)
        y3 = f.add(y3, t2)
        x3 = f.multiply(t3, x3)
        x3 = f.subtract(x3, t1)
        z3 = f.multiply(t4, z3)
        t1 = f.multiply(t3, t0)
        z3 = f.add(z3, t1)
        return ProjectivePoint(x: x3, y: y3, z: z3)
    }

    /// P + (x, y) for any P and an affine point (x, y) ≠ O (RCB16 algorithm 5: 11M + 2m_b): the
    /// table entries of fixed-base multiplication are affine, which saves one product per addition.
    @inline(__always)
    func addAffine(_ p: ProjectivePoint<N>, x qx: Limbs<N>, y qy: Limbs<N>) -> ProjectivePoint<N> {
        let f = field
        var t0 = f.multiply(p.x, qx)
        var t1 = f.multiply(p.y, qy)
        var t3 = f.add(qx, qy)
        var t4 = f.add(p.x, p.y)
        t3 = f.multiply(t3, t4)
        t4 = f.add(t0, t1)
        t3 = f.subtract(t3, t4)
        t4 = f.multiply(qy, p.z)
        t4 = f.add(t4, p.y)
        var y3 = f.multiply(qx, p.z)
        y3 = f.add(y3, p.x)
        var z3 = f.multiply(b, p.z)
        var x3 = f.subtract(y3, z3)
        z3 = f.add(x3, x3)
        x3 = f.add(x3, z3)
        z3 = f.subtract(t1, x3)
        x3 = f.add(t1, x3)
        y3 = f.multiply(b, y3)
        t1 = f.add(p.z, p.z)
        var t2 = f.add(t1, p.z)
        y3 = f.subtract(y3, t2)
        y3 = f.subtract(y3, t0)
        t1 = f.add(y3, y3)
        y3 = f.add(t1, y3)
        t1 = f.add(t0, t0)
        t0 = f.add(t1, t0)
        t0 = f.subtract(t0, t2)
        t1 = f.multiply(t4, y3)
        t2 = f.multiply(t0, y3)
        y3 = f.multiply(x3, z3)
        y3 = f.add(y3, t2)
        x3 = f.multiply(t3, x3)
        x3 = f.subtract(x3, t1)
        z3 = f.multiply(t4, z3)
        t1 = f.multiply(t3, t0)
        z3 = f.add(z3, t1)
        return ProjectivePoint(x: x3, y: y3, z: z3)
    }

    /// 2P for any P (RCB16 algorithm 6: 8M + 3S + 2m_b).
    @inline(__always)
    func double(_ p: ProjectivePoint<N>) -> ProjectivePoint<N> {
        let f = field
        var t0 = f.square(p.x)
        let t1 = f.square(p.y)
        var t2 = f.square(p.z)
        var t3 = f.multiply(p.x, p.y)
        t3 = f.add(t3, t3)
        var z3 = f.multiply(p.x, p.z)
        z3 = f.add(z3, z3)
        var y3 = f.multiply(b, t2)
        y3 = f.subtract(y3, z3)
        var x3 = f.add(y3, y3)
        y3 = f.add(x3, y3)
        x3 = f.subtract(t1, y3)
        y3 = f.add(t1, y3)
        y3 = f.multiply(x3, y3)
        x3 = f.multiply(x3, t3)
        t3 = f.add(t2, t2)
        t2 = f.add(t2, t3)
        z3 = f.multiply(b, z3)
        z3 = f.subtract(z3, t2)
        z3 = f.subtract(z3, t0)
        t3 = f.add(z3, z3)
        z3 = f.add(z3, t3)
        t3 = f.add(t0, t0)
        t0 = f.add(t3, t0)
        t0 = f.subtract(t0, t2)
        t0 = f.multiply(t0, z3)
        y3 = f.add(y3, t0)
        t0 = f.multiply(p.y, p.z)
        t0 = f.add(t0, t0)
        z3 = f.multiply(t0, z3)
        x3 = f.subtract(x3, z3)
        z3 = f.multiply(t0, t1)
        z3 = f.add(z3, z3)
        z3 = f.add(z3, z3)
        return ProjectivePoint(x: x3, y: y3, z: z3)
    }

    func negate(_ p: ProjectivePoint<N>) -> ProjectivePoint<N> {
        ProjectivePoint(x: p.x, y: field.negate(p.y), z: p.z)
    }

    /// All ones when P is the identity (Z = 0).
    func isIdentityMask(_ p: ProjectivePoint<N>) -> UInt64 { p.z.zeroMask }

    /// Affine (x, y) in ordinary (non-Montgomery) form; the identity gives nil. Constant-time inversion.
    func affine(_ p: ProjectivePoint<N>) -> (x: Limbs<N>, y: Limbs<N>)? {
        guard isIdentityMask(p) == 0 else { return nil }
        let zInverse = field.invert(p.z)
        return (field.fromMontgomery(field.multiply(p.x, zInverse)), field.fromMontgomery(field.multiply(p.y, zInverse)))
    }

    // MARK: - Encoding (public points: variable time is fine)

    /// Whether affine (x, y), ordinary form, satisfies the curve equation with x, y < p.
    func isOnCurve(x: Limbs<N>, y: Limbs<N>) -> Bool {
        guard field.isReducedMask(x) != 0, field.isReducedMask(y) != 0 else { return false }
        let f = field
        let xm = f.toMontgomery(x), ym = f.toMontgomery(y)
        let threeX = f.add(f.add(xm, xm), xm)
        let rhs = f.add(f.subtract(f.multiply(f.square(xm), xm), threeX), b)
        return f.square(ym).equalMask(rhs) != 0
    }

    /// SEC 1 §2.3.4: an uncompressed (04‖X‖Y) or compressed (02/03‖X) point on the curve; the
    /// identity and anything off the curve are refused.
    func decodePoint(_ bytes: some Collection<UInt8>) -> ProjectivePoint<N>? {
        let data = Array(bytes)
        guard let prefix = data.first else { return nil }
        let l = byteCount
        guard data.count == 1 + 2 * l && prefix == 0x04 || data.count == 1 + l && (prefix == 0x02 || prefix == 0x03) else { return nil }
        guard let x = Limbs<N>(bigEndian: data[1...l]), field.isReducedMask(x) != 0 else { return nil }
        let y: Limbs<N>
        if prefix == 0x04 {
            guard let decoded = Limbs<N>(bigEndian: data[(1 + l)...]) else { return nil }
            y = decoded
        } else {
            // y = (x³ − 3x + b)^((p+1)/4): p ≡ 3 (mod 4) for P-256 and P-384.
            let f = field
            let xm = f.toMontgomery(x)
            let rhs = f.add(f.subtract(f.multiply(f.square(xm), xm), f.add(f.add(xm, xm), xm)), b)
            let exponent = field.modulus.addingWithCarry(.word(1)).0  // p + 1 (no carry: p < 2^(64N) − 1)
            var shifted = exponent
            for i in 0..<N { shifted[i] = (exponent[i] >> 2) | (i + 1 < N ? exponent[i + 1] << 62 : 0) }
            let root = f.power(rhs, exponent: shifted)
            guard f.square(root).equalMask(rhs) != 0 else { return nil }
            var candidate = f.fromMontgomery(root)
            if UInt8(candidate[0] & 1) != prefix & 1 { candidate = f.negate(candidate) }
            y = candidate
        }
        guard isOnCurve(x: x, y: y) else { return nil }
        return ProjectivePoint(x: field.toMontgomery(x), y: field.toMontgomery(y), z: field.one)
    }

    /// The uncompressed encoding 04‖X‖Y of a non-identity point.
    func encodeUncompressed(_ p: ProjectivePoint<N>) -> [UInt8]? {
        guard let (x, y) = affine(p) else { return nil }
        return [0x04] + x.bigEndianBytes(count: byteCount) + y.bigEndianBytes(count: byteCount)
    }

    // MARK: - Scalar multiplication

    /// Signed 5-bit windows (Booth recoding): k = Σ dᵢ·32ⁱ with dᵢ ∈ [−16, 16], so a window's table
    /// holds 16 multiples (negation is free) and ⌈(bits + 1)/5⌉ windows cover the scalar: 52 for
    /// P-256, 77 for P-384.
    var windows: Int { (orderBits + 5) / 5 }

    /// Booth digit i of k, branch-free (k may be secret): from the six bits b₅ᵢ₋₁ … b₅ᵢ₊₄ (b₋₁ = 0),
    /// dᵢ = b₅ᵢ₋₁ + b₅ᵢ + 2b₅ᵢ₊₁ + 4b₅ᵢ₊₂ + 8b₅ᵢ₊₃ − 16b₅ᵢ₊₄, returned as |dᵢ| and an all-ones mask
    /// when dᵢ < 0.
    @inline(__always)
    func boothDigit(_ k: Limbs<N>, window i: Int) -> (magnitude: UInt64, negative: UInt64) {
        let v = k.sixBits(from: 5 * i - 1)
        let negative = 0 &- (v >> 5)
        var d = ((63 &- v) & negative) | (v & ~negative)
        d = (d >> 1) &+ (d & 1)
        return (d, negative)
    }

    private func makeBaseTable() -> [Limbs<N>] { makeTable(generator) }

    /// j·32^w·P for every window w and j in 1...16, affine (x, y) in Montgomery form: the fixed-base
    /// table of P (G's is built once; a signing key builds its public point's once, so that
    /// verify-after-sign needs no doublings).
    func makeTable(_ point: ProjectivePoint<N>) -> [Limbs<N>] {
        var points: [ProjectivePoint<N>] = []
        points.reserveCapacity(windows * 16)
        var base = point
        for _ in 0..<windows {
            var multiple = base
            for j in 1...16 {
                points.append(multiple)
                if j < 16 { multiple = add(multiple, base) }
            }
            for _ in 0..<5 { base = double(base) }
        }
        return affineCoordinates(points, invert: field.invert)
    }

    /// (x, y) = (X/Z, Y/Z) of every point, interleaved, in Montgomery form, by Montgomery's simultaneous
    /// inversion: one field inversion (`invert`, chosen by the caller for the points' secrecy) and three
    /// products per point. No point may be the identity.
    func affineCoordinates(_ points: [ProjectivePoint<N>], invert: (Limbs<N>) -> Limbs<N>) -> [Limbs<N>] {
        var prefix = [Limbs<N>](repeating: field.one, count: points.count + 1)
        for (i, point) in points.enumerated() { prefix[i + 1] = field.multiply(prefix[i], point.z) }
        var inverse = invert(prefix[points.count])
        var table = [Limbs<N>](repeating: .zero, count: 2 * points.count)
        for i in stride(from: points.count - 1, through: 0, by: -1) {
            let zInverse = field.multiply(inverse, prefix[i])
            inverse = field.multiply(inverse, points[i].z)
            table[2 * i] = field.multiply(points[i].x, zInverse)
            table[2 * i + 1] = field.multiply(points[i].y, zInverse)
        }
        return table
    }

    /// k·G for a SECRET scalar k < n: per window, one scan of all 16 table entries, one conditional
    /// negation and one complete mixed addition whose result is kept or dropped by mask, whatever the
    /// digit.
    func multiplyBase(_ k: Limbs<N>) -> ProjectivePoint<N> {
        var accumulator = identity
        baseTable.withUnsafeBufferPointer { table in
            for window in 0..<windows {
                let (magnitude, negative) = boothDigit(k, window: window)
                let row = 32 * window
                var x = table[row]
                var y = table[row + 1]
                for j in 1..<16 {
                    let m = equalMask(magnitude, UInt64(j + 1))
                    x = .select(m, table[row + 2 * j], x)
                    y = .select(m, table[row + 2 * j + 1], y)
                }
                y = .select(negative, field.negate(y), y)
                let sum = addAffine(accumulator, x: x, y: y)
                let keep = isZeroMask(magnitude)
                accumulator = ProjectivePoint(
                    x: .select(keep, accumulator.x, sum.x),
                    y: .select(keep, accumulator.y, sum.y),
                    z: .select(keep, accumulator.z, sum.z)
                )
            }
        }
        return accumulator
    }

    /// u1·G + u2·Q for PUBLIC scalars with Q's fixed-base table: 2 × 52 (P-256) additions, no doublings.
    func multiplyPublic(base u1: Limbs<N>, _ u2: Limbs<N>, table: [Limbs<N>]) -> ProjectivePoint<N> {
        var accumulator = identity
        addTableMultiple(&accumulator, u1, baseTable)
        addTableMultiple(&accumulator, u2, table)
        return accumulator
    }

    /// accumulator += k·P from P's fixed-base table (public k: zero digits are skipped).
    private func addTableMultiple(_ accumulator: inout ProjectivePoint<N>, _ k: Limbs<N>, _ table: [Limbs<N>]) {
        for window in 0..<windows {
            let (magnitude, negative) = boothDigit(k, window: window)
            if magnitude != 0 {
                let index = 32 * window + 2 * Int(magnitude - 1)
                let y = negative != 0 ? field.negate(table[index + 1]) : table[index + 1]
                accumulator = addAffine(accumulator, x: table[index], y: y)
            }
        }
    }
}

/// P-256 (secp256r1, prime256v1).
let p256Curve = WeierstrassCurve<4>(
    p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    byteCount: 32
)

/// P-384 (secp384r1).
let p384Curve = WeierstrassCurve<6>(
    p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
    gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
    byteCount: 48
)
