// SPDX-License-Identifier: Apache-2.0

/// A point of edwards25519, −x² + y² = 1 + d·x²·y² over GF(2²⁵⁵ − 19), in extended coordinates
/// (X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z (Hisil–Wong–Carter–Dawson 2008), Montgomery form.
struct EdwardsPoint: Sendable {
    var x: Limbs<4>
    var y: Limbs<4>
    var z: Limbs<4>
    var t: Limbs<4>
}

/// An affine point prepared for mixed addition: (y + x, y − x, 2d·x·y).
struct EdwardsCachedPoint: Sendable {
    var yPlusX: Limbs<4>
    var yMinusX: Limbs<4>
    var t2d: Limbs<4>
}

/// The curve of Ed25519 (RFC 8032 §5.1; RFC 7748 §4.1). With a = −1 square and d non-square the
/// unified addition law is complete, so the scalar multiplications below have no exceptional cases.
struct Edwards25519: Sendable {
    let field = MontgomeryDomain<4>(hex: "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed")
    /// L = 2²⁵² + 27742317777372353535851937790883648493, the prime order of the base point.
    let order = MontgomeryDomain<4>(hex: "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed")
    /// d = −121665/121666 and 2d, Montgomery form.
    let d: Limbs<4>
    let d2: Limbs<4>
    /// √−1 = 2^((p−1)/4), Montgomery form.
    let sqrtMinusOne: Limbs<4>
    let base: EdwardsPoint
    /// (j+1)·16^w·B for 64 windows, j in 0..<15.
    private(set) var baseTable: [EdwardsCachedPoint] = []

    init() {
        let f = MontgomeryDomain<4>(hex: "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed")
        d = f.toMontgomery(Limbs<4>(hex: "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"))
        d2 = f.add(d, d)
        sqrtMinusOne = f.toMontgomery(Limbs<4>(hex: "2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0"))
        let bx = f.toMontgomery(Limbs<4>(hex: "216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a"))
        let by = f.toMontgomery(Limbs<4>(hex: "6666666666666666666666666666666666666666666666666666666666666658"))
        base = EdwardsPoint(x: bx, y: by, z: f.one, t: f.multiply(bx, by))
        baseTable = makeBaseTable()
    }

    var identity: EdwardsPoint { EdwardsPoint(x: .zero, y: field.one, z: field.one, t: .zero) }

    // MARK: - Group law

    /// P + Q (add-2008-hwcd-3 with k = 2d: 8M + 1m_2d).
    @inline(__always)
    func add(_ p: EdwardsPoint, _ q: EdwardsPoint) -> EdwardsPoint {
        let f = field
        let a = f.multiply(f.subtract(p.y, p.x), f.subtract(q.y, q.x))
        let b = f.multiply(f.add(p.y, p.x), f.add(q.y, q.x))
        let c = f.multiply(f.multiply(p.t, d2), q.t)
        let zz = f.multiply(p.z, q.z)
        let dd = f.add(zz, zz)
        return combine(a: a, b: b, c: c, d: dd)
    }

    /// P + Q for an affine cached Q (7M).
    @inline(__always)
    func add(_ p: EdwardsPoint, _ q: EdwardsCachedPoint) -> EdwardsPoint {
        let f = field
        let a = f.multiply(f.subtract(p.y, p.x), q.yMinusX)
        let b = f.multiply(f.add(p.y, p.x), q.yPlusX)
        let c = f.multiply(p.t, q.t2d)
        let dd = f.add(p.z, p.z)
        return combine(a: a, b: b, c: c, d: dd)
    }

    @inline(__always)
    private func combine(a: Limbs<4>, b: Limbs<4>, c: Limbs<4>, d dd: Limbs<4>) -> EdwardsPoint {
        let f = field
        let e = f.subtract(b, a)
        let ff = f.subtract(dd, c)
        let g = f.add(dd, c)
        let h = f.add(b, a)
        return EdwardsPoint(x: f.multiply(e, ff), y: f.multiply(g, h), z: f.multiply(ff, g), t: f.multiply(e, h))
    }

    /// 2P (dbl-2008-hwcd with a = −1: 4M + 4S).
    @inline(__always)
    func double(_ p: EdwardsPoint) -> EdwardsPoint {
        let f = field
        let a = f.square(p.x)
        let b = f.square(p.y)
        let zz = f.square(p.z)
        let c = f.add(zz, zz)
        let sum = f.add(p.x, p.y)
        let e = f.subtract(f.subtract(f.square(sum), a), b)
        let g = f.subtract(b, a)          // D + B with D = −A
        let ff = f.subtract(g, c)
        let h = f.negate(f.add(a, b))     // D − B
        return EdwardsPoint(x: f.multiply(e, ff), y: f.multiply(g, h), z: f.multiply(ff, g), t: f.multiply(e, h))
    }

    func negate(_ p: EdwardsPoint) -> EdwardsPoint {
        EdwardsPoint(x: field.negate(p.x), y: p.y, z: p.z, t: field.negate(p.t))
    }

    // MARK: - Encoding

    /// RFC 8032 §5.1.2: y little-endian with the sign of x in bit 255.
    func encode(_ p: EdwardsPoint) -> [UInt8] {
        let zInverse = field.invert(p.z)
        let x = field.fromMontgomery(field.multiply(p.x, zInverse))
        var y = field.fromMontgomery(field.multiply(p.y, zInverse))
        y[3] |= (x[0] & 1) << 63
        return y.littleEndianBytes(count: 32)
    }

    /// RFC 8032 §5.1.3 decoding, strict: y ≥ p is refused, as is x = 0 with the sign bit set. Public
    /// inputs only (variable time).
    func decode(_ bytes: some Collection<UInt8>) -> EdwardsPoint? {
        guard bytes.count == 32, var y = Limbs<4>(littleEndian: bytes) else { return nil }
        let sign = y[3] >> 63
        y[3] &= ~(1 << 63)
        let f = field
        guard f.isReducedMask(y) != 0 else { return nil }
        let ym = f.toMontgomery(y)
        let yy = f.square(ym)
        let u = f.subtract(yy, f.one)
        let v = f.add(f.multiply(d, yy), f.one)
        // x = u·v³·(u·v⁷)^((p−5)/8)
        let v3 = f.multiply(f.square(v), v)
        let v7 = f.multiply(f.square(v3), v)
        let exponent = Limbs<4>(hex: "0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd")
        var x = f.multiply(f.multiply(u, v3), f.power(f.multiply(u, v7), exponent: exponent))
        let vxx = f.multiply(v, f.square(x))
        if vxx.equalMask(u) == 0 {
            guard vxx.equalMask(f.negate(u)) != 0 else { return nil }
            x = f.multiply(x, sqrtMinusOne)
        }
        var plain = f.fromMontgomery(x)
        if plain.zeroMask != 0 && sign == 1 { return nil }
        if plain[0] & 1 != sign { plain = f.negate(plain) }
        let xm = f.toMontgomery(plain)
        return EdwardsPoint(x: xm, y: ym, z: f.one, t: f.multiply(xm, ym))
    }

    /// Whether two points are equal (projectively: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1).
    func isEqual(_ p: EdwardsPoint, _ q: EdwardsPoint) -> Bool {
        let f = field
        return f.multiply(p.x, q.z).equalMask(f.multiply(q.x, p.z)) != 0
            && f.multiply(p.y, q.z).equalMask(f.multiply(q.y, p.z)) != 0
    }

    // MARK: - Scalar multiplication

    private func makeBaseTable() -> [EdwardsCachedPoint] { makeTable(base) }

    /// (j+1)·16^w·P for 64 windows, j in 0..<15, as cached affine points (B's once; a signing key's A
    /// once, so that verify-after-sign needs no doublings).
    func makeTable(_ point: EdwardsPoint) -> [EdwardsCachedPoint] {
        var points: [EdwardsPoint] = []
        points.reserveCapacity(64 * 15)
        var window = point
        for _ in 0..<64 {
            var multiple = window
            for j in 0..<15 {
                points.append(multiple)
                if j < 14 { multiple = add(multiple, window) }
            }
            for _ in 0..<4 { window = double(window) }
        }
        var prefix = [Limbs<4>](repeating: field.one, count: points.count + 1)
        for (i, point) in points.enumerated() { prefix[i + 1] = field.multiply(prefix[i], point.z) }
        var inverse = field.invert(prefix[points.count])
        var table = [EdwardsCachedPoint](repeating: EdwardsCachedPoint(yPlusX: .zero, yMinusX: .zero, t2d: .zero), count: points.count)
        for i in stride(from: points.count - 1, through: 0, by: -1) {
            let zInverse = field.multiply(inverse, prefix[i])
            inverse = field.multiply(inverse, points[i].z)
            let x = field.multiply(points[i].x, zInverse)
            let y = field.multiply(points[i].y, zInverse)
            table[i] = EdwardsCachedPoint(yPlusX: field.add(y, x), yMinusX: field.subtract(y, x), t2d: field.multiply(field.multiply(x, y), d2))
        }
        return table
    }

    /// s·B − k·P for PUBLIC scalars with P's table: two table walks, no doublings (−Q of a cached Q
    /// swaps y+x and y−x and negates 2d·t).
    func multiplyPublic(base s: Limbs<4>, minus k: Limbs<4>, table: [EdwardsCachedPoint]) -> EdwardsPoint {
        var accumulator = identity
        for window in 0..<64 {
            let sDigit = Int(s.nibble(at: 4 * window))
            if sDigit != 0 { accumulator = add(accumulator, baseTable[15 * window + sDigit - 1]) }
            let kDigit = Int(k.nibble(at: 4 * window))
            if kDigit != 0 {
                let entry = table[15 * window + kDigit - 1]
                accumulator = add(accumulator, EdwardsCachedPoint(yPlusX: entry.yMinusX, yMinusX: entry.yPlusX, t2d: field.negate(entry.t2d)))
            }
        }
        return accumulator
    }

    /// k·B for a SECRET k < 2²⁵⁶: every table entry of each window is read, one mixed addition per window.
    func multiplyBase(_ k: Limbs<4>) -> EdwardsPoint {
        var accumulator = identity
        baseTable.withUnsafeBufferPointer { table in
            for window in 0..<64 {
                let digit = k.nibble(at: 4 * window)
                var selected = EdwardsCachedPoint(yPlusX: field.one, yMinusX: field.one, t2d: .zero)
                for j in 0..<15 {
                    let m = equalMask(digit, UInt64(j + 1))
                    let entry = table[15 * window + j]
                    selected.yPlusX = .select(m, entry.yPlusX, selected.yPlusX)
                    selected.yMinusX = .select(m, entry.yMinusX, selected.yMinusX)
                    selected.t2d = .select(m, entry.t2d, selected.t2d)
                }
                accumulator = add(accumulator, selected)
            }
        }
        return accumulator
    }

    /// s·B + k·P for PUBLIC scalars (verification).
    func multiplyPublic(base s: Limbs<4>, _ k: Limbs<4>, _ p: EdwardsPoint) -> EdwardsPoint {
        var multiples = [p]
        for _ in 1..<15 { multiples.append(add(multiples[multiples.count - 1], p)) }
        var accumulator = identity
        for window in stride(from: 63, through: 0, by: -1) {
            for _ in 0..<4 { accumulator = double(accumulator) }
            let digit = Int(k.nibble(at: 4 * window))
            if digit != 0 { accumulator = add(accumulator, multiples[digit - 1]) }
        }
        for window in 0..<64 {
            let digit = Int(s.nibble(at: 4 * window))
            if digit != 0 { accumulator = add(accumulator, baseTable[15 * window + digit - 1]) }
        }
        return accumulator
    }

    /// x mod L for a 64-byte little-endian x (SHA-512 outputs): hi·2²⁵⁶ + lo ≡ hi·R + lo.
    func reduceWide(_ bytes: [UInt8]) -> Limbs<4> {
        let lo = Limbs<4>(littleEndian: bytes[0..<32])!
        let hi = Limbs<4>(littleEndian: bytes[32..<64])!
        return order.add(order.toMontgomery(hi), order.reduce(lo))
    }
}

let edwards25519 = Edwards25519()
