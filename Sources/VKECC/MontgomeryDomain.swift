// SPDX-License-Identifier: Apache-2.0

/// Arithmetic modulo an odd m < 2^(64N) in Montgomery form (R = 2^(64N)), in constant time.
///
/// Every operation on residues is straight-line code over all N limbs: the carries come from the
/// hardware, the final conditional subtraction is a masked select, and no loop bound or memory index
/// depends on a residue. Only the exponent of ``power(_:exponent:)`` (public: p − 2, (p+1)/4, …) and
/// the constants computed at set-up are allowed to steer control flow.
///
/// Why fixed-width Swift limbs rather than GMP's `mpn_sec_*` layer (what Nettle does): the operands
/// are 4 or 6 limbs, where a call into GMP with its scratch-space contract costs more than the
/// arithmetic; the whole multiplication inlines here, and its constant-time property can be read off
/// one page of code instead of relying on a C library's build.
struct MontgomeryDomain<let N: Int>: Sendable {
    /// m, little-endian limbs.
    let modulus: Limbs<N>
    /// −m⁻¹ mod 2⁶⁴.
    let inverse: UInt64
    /// R mod m: the Montgomery form of 1.
    let one: Limbs<N>
    /// R² mod m: multiplying by it converts into Montgomery form.
    let rSquared: Limbs<N>
    /// m − 2, the exponent of Fermat inversion (m prime).
    let inversionExponent: Limbs<N>
    /// Whether m is P-256's field prime, whose Montgomery reduction needs two word products per
    /// round instead of N + 1 (a public property of the domain: the branch on it never varies).
    let isP256Field: Bool

    init(modulus: Limbs<N>) {
        precondition(modulus[0] & 1 == 1, "Montgomery arithmetic needs an odd modulus")
        self.modulus = modulus
        // Newton's iteration doubles the correct low bits each step: 1 → 2 → … → 64 after 6 steps.
        var x: UInt64 = 1
        for _ in 0..<6 { x = x &* (2 &- modulus[0] &* x) }
        inverse = 0 &- x
        // R mod m and R² mod m by doubling 1 (public constants; set-up only).
        var r = Limbs<N>.word(1)
        for _ in 0..<(64 * N) { r = MontgomeryDomain.add(r, r, modulus: modulus) }
        one = r
        var r2 = r
        for _ in 0..<(64 * N) { r2 = MontgomeryDomain.add(r2, r2, modulus: modulus) }
        rSquared = r2
        inversionExponent = modulus.subtractingWithBorrow(.word(2)).0
        isP256Field = N == 4 && modulus.equalMask(Limbs<N>(hex: p256FieldPrimeHex)) != 0
    }

    init(hex: String) { self.init(modulus: Limbs<N>(hex: hex)) }

    // MARK: - Addition

    @inline(__always)
    private static func add(_ a: Limbs<N>, _ b: Limbs<N>, modulus: Limbs<N>) -> Limbs<N> {
        let (sum, carry) = a.addingWithCarry(b)
        let (reduced, borrow) = sum.subtractingWithBorrow(modulus)
        // Keep the reduced value when the sum overflowed or did not borrow (sum ≥ m).
        return .select(mask(carry | (borrow ^ 1)), reduced, sum)
    }

    /// (a + b) mod m for a, b < m.
    @inline(__always)
    func add(_ a: Limbs<N>, _ b: Limbs<N>) -> Limbs<N> { Self.add(a, b, modulus: modulus) }

    /// (a − b) mod m for a, b < m.
    @inline(__always)
    func subtract(_ a: Limbs<N>, _ b: Limbs<N>) -> Limbs<N> {
        let (difference, borrow) = a.subtractingWithBorrow(b)
        var correction = modulus
        let m = mask(borrow)
        for i in 0..<N { correction[i] &= m }
        return difference.addingWithCarry(correction).0
    }

    /// (−a) mod m.
    @inline(__always)
    func negate(_ a: Limbs<N>) -> Limbs<N> { subtract(.zero, a) }

    // MARK: - Multiplication

    /// a·b·R⁻¹ mod m (CIOS Montgomery multiplication) for a·b < R·m.
    @inline(__always)
    func multiply(_ a: Limbs<N>, _ b: Limbs<N>) -> Limbs<N> {
        if isP256Field { return multiplyP256(a, b) }
        return multiplyGeneric(a, b)
    }

    /// CIOS for any odd modulus (and the oracle the P-256 specialisation is tested against).
    @inline(__always)
    func multiplyGeneric(_ a: Limbs<N>, _ b: Limbs<N>) -> Limbs<N> {
        var t = Limbs<N>.zero
        var top: UInt64 = 0
        for i in 0..<N {
            // t += a · b[i]
            var carry: UInt64 = 0
            let bi = b[i]
            for j in 0..<N {
                let (high, low) = a[j].multipliedFullWidth(by: bi)
                let (s1, c1) = t[j].addingReportingOverflow(low)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                t[j] = s2
                carry = high &+ carryBit(c1) &+ carryBit(c2)
            }
            let (sTop, cTop) = top.addingReportingOverflow(carry)
            let topCarry = carryBit(cTop)
            // t = (t + q·m) / 2⁶⁴ with q chosen so the low limb vanishes.
            let q = t[0] &* inverse
            let (high0, low0) = q.multipliedFullWidth(by: modulus[0])
            carry = high0 &+ carryBit(t[0].addingReportingOverflow(low0).overflow)
            for j in 1..<N {
                let (high, low) = q.multipliedFullWidth(by: modulus[j])
                let (s1, c1) = t[j].addingReportingOverflow(low)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                t[j - 1] = s2
                carry = high &+ carryBit(c1) &+ carryBit(c2)
            }
            let (last, cLast) = sTop.addingReportingOverflow(carry)
            t[N - 1] = last
            top = topCarry &+ carryBit(cLast)
        }
        // (top, t) < 2m: subtract m once when it is ≥ m.
        let (reduced, borrow) = t.subtractingWithBorrow(modulus)
        return .select(mask(top | (borrow ^ 1)), reduced, t)
    }

    /// CIOS for p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1, whose limbs are (2⁶⁴−1, 2³²−1, 0, 2⁶⁴−2³²+1): −p⁻¹ ≡ 1
    /// (mod 2⁶⁴), so q is the low limb itself; q·p₀ + t₀ = q·2⁶⁴ exactly (carry q, no product), q·p₂
    /// vanishes, and only q·p₁ and q·p₃ are real products. Same straight-line shape as the generic
    /// loop; N is 4 whenever this runs.
    @inline(__always)
    private func multiplyP256(_ a: Limbs<N>, _ b: Limbs<N>) -> Limbs<N> {
        let p1: UInt64 = 0x0000_0000_ffff_ffff, p3: UInt64 = 0xffff_ffff_0000_0001
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, top: UInt64 = 0
        let a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3]
        for i in 0..<4 {
            let bi = b[i]
            // (top, t) += a · bᵢ
            var (h, l) = a0.multipliedFullWidth(by: bi)
            var (s, c) = t0.addingReportingOverflow(l)
            t0 = s
            var carry = h &+ carryBit(c)
            (h, l) = a1.multipliedFullWidth(by: bi)
            (s, c) = t1.addingReportingOverflow(l)
            var (s2, c2) = s.addingReportingOverflow(carry)
            t1 = s2
            carry = h &+ carryBit(c) &+ carryBit(c2)
            (h, l) = a2.multipliedFullWidth(by: bi)
            (s, c) = t2.addingReportingOverflow(l)
            (s2, c2) = s.addingReportingOverflow(carry)
            t2 = s2
            carry = h &+ carryBit(c) &+ carryBit(c2)
            (h, l) = a3.multipliedFullWidth(by: bi)
            (s, c) = t3.addingReportingOverflow(l)
            (s2, c2) = s.addingReportingOverflow(carry)
            t3 = s2
            carry = h &+ carryBit(c) &+ carryBit(c2)
            let (sTop, cTop) = top.addingReportingOverflow(carry)
            let topCarry = carryBit(cTop)
            // (t + q·p) / 2⁶⁴ with q = t₀.
            let q = t0
            carry = q
            (h, l) = q.multipliedFullWidth(by: p1)
            (s, c) = t1.addingReportingOverflow(l)
            (s2, c2) = s.addingReportingOverflow(carry)
            t0 = s2
            carry = h &+ carryBit(c) &+ carryBit(c2)
            (s, c) = t2.addingReportingOverflow(carry)
            t1 = s
            carry = carryBit(c)
            (h, l) = q.multipliedFullWidth(by: p3)
            (s, c) = t3.addingReportingOverflow(l)
            (s2, c2) = s.addingReportingOverflow(carry)
            t2 = s2
            carry = h &+ carryBit(c) &+ carryBit(c2)
            let (last, cLast) = sTop.addingReportingOverflow(carry)
            t3 = last
            top = topCarry &+ carryBit(cLast)
        }
        var t = Limbs<N>.zero
        t[0] = t0; t[1] = t1; t[2] = t2; t[3] = t3
        let (reduced, borrow) = t.subtractingWithBorrow(modulus)
        return .select(mask(top | (borrow ^ 1)), reduced, t)
    }

    @inline(__always)
    func square(_ a: Limbs<N>) -> Limbs<N> { multiply(a, a) }

    /// The Montgomery form of x (any x < R): x·R mod m.
    @inline(__always)
    func toMontgomery(_ x: Limbs<N>) -> Limbs<N> { multiply(x, rSquared) }

    /// The ordinary value of a Montgomery-form residue, fully reduced.
    @inline(__always)
    func fromMontgomery(_ x: Limbs<N>) -> Limbs<N> { multiply(x, .word(1)) }

    /// a^exponent for a PUBLIC exponent (4-bit fixed window; the digits steer table indices).
    func power(_ a: Limbs<N>, exponent: Limbs<N>) -> Limbs<N> {
        var table = [Limbs<N>](repeating: one, count: 16)
        for i in 1..<16 { table[i] = multiply(table[i - 1], a) }
        var result = one
        let bits = exponent.bitLength
        var started = false
        for position in stride(from: ((bits + 3) / 4 - 1) * 4, through: 0, by: -4) {
            if started { for _ in 0..<4 { result = square(result) } }
            let digit = Int(exponent.nibble(at: position))  // public
            if digit != 0 { result = multiply(result, table[digit]); started = true }
        }
        for i in table.indices { wipe(&table[i]) }
        return result
    }

    /// a⁻¹ mod m by Fermat (m prime); 0 maps to 0.
    func invert(_ a: Limbs<N>) -> Limbs<N> { power(a, exponent: inversionExponent) }

    /// Whether x < m (x public or not: the answer is a mask).
    @inline(__always)
    func isReducedMask(_ x: Limbs<N>) -> UInt64 { mask(x.subtractingWithBorrow(modulus).1) }

    /// x mod m for x < 2^(64N), via one Montgomery round trip.
    @inline(__always)
    func reduce(_ x: Limbs<N>) -> Limbs<N> { fromMontgomery(toMontgomery(x)) }
}

/// P-256's field prime (SEC 2 §2.4.2), recognised by ``MontgomeryDomain`` for its reduction.
let p256FieldPrimeHex = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
