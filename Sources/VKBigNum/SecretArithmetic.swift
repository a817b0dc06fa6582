// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

/// Arithmetic on secret values (RSA primes, private exponents, blinding factors) in time and memory-access
/// pattern that depend only on the operands' *sizes*, never on their values.
///
/// Everything here runs on GMP's `mpn_sec_*` / `mpn_cnd_*` layer with fixed-width limb vectors and
/// **caller-owned scratch**: the scratch is allocated here, handed to GMP, and wiped before it is freed,
/// so intermediate values (the exponentiation's window table b·R, b²·R, … mod p included) never linger.
/// (`mpz_powm_sec` takes the same scratch from `TMP_ALLOC`, i.e. the stack, where nothing wipes it.)
///
/// What sizes reveal: the limb count of each operand's *modulus* (public: it follows from n) and, when a
/// value is converted from a ``BigInt``, whether its top limbs are zero. Operand widths are always the
/// modulus width, so the values themselves are not visible through loop counts.
public enum SecretArithmetic {
    /// `base^exponent mod modulus` (odd modulus) in constant time, the exponent processed over
    /// `exponentBits` bits (default: the modulus' bit length; never fewer than the exponent has), so a
    /// secret exponent's actual length does not show either. Pass a smaller `exponentBits` only for a
    /// public exponent (e in rᵉ).
    public static func power(_ base: BigInt, _ exponent: BigInt, modulus: BigInt, exponentBits: Int? = nil) throws(BigNumError) -> BigInt {
        try power(base, exponent, modulus: modulus, exponentBits: exponentBits, scratch: nil)
    }

    /// `(a · b) mod modulus` in constant time (a, b non-negative; any size up to the modulus width is
    /// reduced as well).
    public static func product(_ a: BigInt, _ b: BigInt, modulo modulus: BigInt) -> BigInt {
        precondition(modulus.signum > 0, "modulus must be positive")
        let n = modulus.limbCount
        let x = SecretLimbs(reducing: a, modulo: modulus)
        let y = SecretLimbs(reducing: b, modulo: modulus)
        let m = SecretLimbs(modulus, width: n)
        let wide = SecretLimbs(count: 2 * n)
        withScratch(max(__gmpn_sec_mul_itch(n, n), __gmpn_sec_div_r_itch(2 * n, n))) { tp in
            __gmpn_sec_mul(wide.pointer, x.pointer, n, y.pointer, n, tp)
            __gmpn_sec_div_r(wide.pointer, 2 * n, m.pointer, n, tp)
        }
        return wide.bigInt(limbs: n)
    }

    /// `a² mod modulus` in constant time (`mpn_sec_sqr`, cheaper than a general product).
    public static func square(_ a: BigInt, modulo modulus: BigInt) -> BigInt {
        precondition(modulus.signum > 0, "modulus must be positive")
        let n = modulus.limbCount
        let x = SecretLimbs(reducing: a, modulo: modulus)
        let m = SecretLimbs(modulus, width: n)
        let wide = SecretLimbs(count: 2 * n)
        withScratch(max(__gmpn_sec_sqr_itch(n), __gmpn_sec_div_r_itch(2 * n, n))) { tp in
            __gmpn_sec_sqr(wide.pointer, x.pointer, n, tp)
            __gmpn_sec_div_r(wide.pointer, 2 * n, m.pointer, n, tp)
        }
        return wide.bigInt(limbs: n)
    }

    /// `a mod modulus` in constant time (a non-negative, of at most `width` limbs; default its own size).
    public static func remainder(_ a: BigInt, modulo modulus: BigInt) -> BigInt {
        SecretLimbs(reducing: a, modulo: modulus).bigInt(limbs: modulus.limbCount)
    }

    /// `a⁻¹ mod modulus` for an odd modulus, in constant time; nil when no inverse exists.
    public static func inverse(_ a: BigInt, modulo modulus: BigInt) -> BigInt? {
        precondition(modulus.signum > 0 && modulus.isOdd, "constant-time inversion needs an odd positive modulus")
        let n = modulus.limbCount
        let x = SecretLimbs(reducing: a, modulo: modulus)
        let m = SecretLimbs(modulus, width: n)
        let result = SecretLimbs(count: n)
        let found = withScratch(__gmpn_sec_invert_itch(n)) { tp in
            __gmpn_sec_invert(result.pointer, x.pointer, m.pointer, n, UInt(2 * n * 64), tp)
        }
        return found == 1 ? result.bigInt(limbs: n) : nil
    }

    /// Garner's CRT recombination `s = sq + q · (qInv · (sp − sq) mod p)` in constant time, for sp < p,
    /// sq < q, qInv < p: the RSA signature (or its blinded form) from its two halves.
    public static func recombine(sp: BigInt, sq: BigInt, p: BigInt, q: BigInt, qInverse: BigInt) -> BigInt {
        let np = p.limbCount, nq = q.limbCount
        let wide = max(np, nq)
        let pl = SecretLimbs(p, width: np), ql = SecretLimbs(q, width: nq)
        let spl = SecretLimbs(sp, width: np), sql = SecretLimbs(sq, width: nq), qi = SecretLimbs(qInverse, width: np)
        let t = SecretLimbs(sq, width: wide)
        let diff = SecretLimbs(count: np)
        let h = SecretLimbs(count: 2 * np)
        let s = SecretLimbs(count: np + nq)
        let itch = [
            __gmpn_sec_div_r_itch(wide, np), __gmpn_sec_mul_itch(np, np), __gmpn_sec_div_r_itch(2 * np, np),
            __gmpn_sec_mul_itch(max(np, nq), min(np, nq)), __gmpn_sec_add_1_itch(np),
        ].max()!
        withScratch(itch) { tp in
            // t = sq mod p
            __gmpn_sec_div_r(t.pointer, wide, pl.pointer, np, tp)
            // diff = (sp − t) mod p: subtract, then add p back when it borrowed.
            let borrow = __gmpn_sub_n(diff.pointer, spl.pointer, t.pointer, np)
            _ = __gmpn_cnd_add_n(borrow, diff.pointer, diff.pointer, pl.pointer, np)
            // h = qInv · diff mod p
            __gmpn_sec_mul(h.pointer, qi.pointer, np, diff.pointer, np, tp)
            __gmpn_sec_div_r(h.pointer, 2 * np, pl.pointer, np, tp)
            // s = q · h + sq
            if nq >= np {
                __gmpn_sec_mul(s.pointer, ql.pointer, nq, h.pointer, np, tp)
            } else {
                __gmpn_sec_mul(s.pointer, h.pointer, np, ql.pointer, nq, tp)
            }
            let carry = __gmpn_add_n(s.pointer, s.pointer, sql.pointer, nq)
            _ = __gmpn_sec_add_1(s.pointer + nq, s.pointer + nq, np, carry, tp)
        }
        return s.bigInt(limbs: np + nq)
    }

    /// ⌊a · b / divisor⌋ in constant time in the values (lcm from a gcd, d from λ); the divisor's limb
    /// count shows (for the gcd of two RSA primes minus one: almost always one limb).
    public static func quotient(of a: BigInt, times b: BigInt, dividedBy divisor: BigInt) -> BigInt {
        precondition(divisor.signum > 0, "divisor must be positive")
        let na = max(a.limbCount, 1), nb = max(b.limbCount, 1)
        let (wa, wb) = na >= nb ? (na, nb) : (nb, na)
        let x = SecretLimbs(na >= nb ? a : b, width: wa), y = SecretLimbs(na >= nb ? b : a, width: wb)
        let nd = divisor.limbCount
        let d = SecretLimbs(divisor, width: nd)
        let product = SecretLimbs(count: wa + wb)
        let quotient = SecretLimbs(count: max(wa + wb - nd + 1, 1))
        withScratch(max(__gmpn_sec_mul_itch(wa, wb), __gmpn_sec_div_qr_itch(wa + wb, nd))) { tp in
            __gmpn_sec_mul(product.pointer, x.pointer, wa, y.pointer, wb, tp)
            let high = __gmpn_sec_div_qr(quotient.pointer, product.pointer, wa + wb, d.pointer, nd, tp)
            quotient.pointer[wa + wb - nd] = high
        }
        return quotient.bigInt(limbs: wa + wb - nd + 1)
    }

    /// gcd(a, b) of two positive values by a constant-time binary GCD (Stein's algorithm with a fixed
    /// number of iterations and conditional swaps/subtractions; no branch or index depends on a value).
    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
        precondition(a.signum > 0 && b.signum > 0, "gcd of positive values")
        let n = max(a.limbCount, b.limbCount)
        let x = SecretLimbs(a, width: n), y = SecretLimbs(b, width: n)
        let bits = n * 64
        // k = trailing zeros of (a | b): the common power of two, found by scanning every bit.
        var k: UInt = 0
        var seenOne: UInt = 0
        for i in 0..<bits {
            let bit = ((x.pointer[i / 64] | y.pointer[i / 64]) >> UInt(i % 64)) & 1
            seenOne |= bit
            k &+= (seenOne ^ 1)
        }
        // Divide both by 2^k: `bits` conditional one-bit shifts.
        for i in 0..<bits {
            let apply = Self.mask(below: UInt(i), k)  // all ones while i < k
            x.conditionalShiftRight(mask: apply)
            y.conditionalShiftRight(mask: apply)
        }
        // Make y odd: swap when it is even (then x is odd).
        let yEven = (y.pointer[0] & 1) ^ 1
        __gmpn_cnd_swap(yEven, x.pointer, y.pointer, n)
        let difference = SecretLimbs(count: n)
        for _ in 0..<(2 * bits) {
            // Invariant: y odd. If x is odd: if x < y swap, then x −= y (x becomes even). Then x >>= 1.
            let xOdd = x.pointer[0] & 1
            let borrow = __gmpn_sub_n(difference.pointer, x.pointer, y.pointer, n)
            __gmpn_cnd_swap(xOdd & borrow, x.pointer, y.pointer, n)
            _ = __gmpn_cnd_sub_n(xOdd, x.pointer, x.pointer, y.pointer, n)
            x.conditionalShiftRight(mask: UInt.max)
        }
        // gcd = y · 2^k: `bits` conditional one-bit shifts the other way.
        for i in 0..<bits {
            y.conditionalShiftLeft(mask: Self.mask(below: UInt(i), k))
        }
        return y.bigInt(limbs: n)
    }

    /// Whether a < b, compared over the full width of both (no early exit on the first differing limb).
    public static func isLess(_ a: BigInt, than b: BigInt) -> Bool {
        precondition(a.signum >= 0 && b.signum >= 0, "comparison of non-negative values")
        let n = max(a.limbCount, b.limbCount, 1)
        let x = SecretLimbs(a, width: n), y = SecretLimbs(b, width: n), d = SecretLimbs(count: n)
        return __gmpn_sub_n(d.pointer, x.pointer, y.pointer, n) == 1
    }

    // MARK: - Internals

    /// All ones when `i < k`, else zero, without a branch (i, k < 2^63).
    static func mask(below i: UInt, _ k: UInt) -> UInt {
        0 &- (((i &- k) >> 63) & 1)
    }

    /// The exponentiation behind ``power(_:_:modulus:exponentBits:)``. A test passes its own `scratch` to
    /// see it wiped after use, and `wipeAfterUse: false` once to see that GMP really filled it (so the
    /// wiped check can fail).
    static func power(
        _ base: BigInt, _ exponent: BigInt, modulus: BigInt, exponentBits: Int?, scratch: SecretScratch?, wipeAfterUse: Bool = true
    ) throws(BigNumError) -> BigInt {
        guard modulus.signum > 0, modulus.isOdd else {
            throw BigNumError(.invalidModulus, "constant-time exponentiation needs an odd positive modulus")
        }
        guard exponent.signum > 0 else {
            throw BigNumError(.invalidExponent, "constant-time exponentiation needs a positive exponent")
        }
        guard base.signum >= 0 else { throw BigNumError(.invalidExponent, "constant-time exponentiation needs a non-negative base") }
        let enb = max(exponentBits ?? modulus.bitLength, exponent.bitLength)
        let n = modulus.limbCount
        let b = SecretLimbs(reducing: base, modulo: modulus)
        let e = SecretLimbs(exponent, width: (enb + 63) / 64)
        let m = SecretLimbs(modulus, width: n)
        let result = SecretLimbs(count: n)
        let itch = __gmpn_sec_powm_itch(n, UInt(enb), n)
        let work = scratch ?? SecretScratch(count: itch)
        precondition(work.count >= itch, "scratch too small")
        __gmpn_sec_powm(result.pointer, b.pointer, n, e.pointer, UInt(enb), m.pointer, n, work.pointer)
        if wipeAfterUse { work.wipe() }
        return result.bigInt(limbs: n)
    }

    /// Limbs of scratch an exponentiation needs (for tests that bring their own ``SecretScratch``).
    static func powerScratchLimbs(modulus: BigInt, exponentBits: Int) -> Int {
        __gmpn_sec_powm_itch(modulus.limbCount, UInt(exponentBits), modulus.limbCount)
    }

    private static func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<UInt>) -> R) -> R {
        let scratch = SecretScratch(count: count)
        defer { scratch.wipe() }
        return body(scratch.pointer)
    }
}

/// Scratch limbs for GMP's `mpn_sec_*` functions: allocated by us, wiped after each use and on release.
final class SecretScratch {
    let count: Int
    let pointer: UnsafeMutablePointer<UInt>
    /// How often the scratch was wiped (tests check that a use is followed by a wipe).
    private(set) var wipes = 0

    init(count: Int) {
        self.count = max(count, 1)
        pointer = .allocate(capacity: self.count)
        pointer.initialize(repeating: 0, count: self.count)
    }

    func wipe() {
        cgmp_wipe(pointer, count * MemoryLayout<UInt>.size)
        wipes += 1
    }

    /// Whether every limb is zero (for tests).
    var isZero: Bool { (0..<count).allSatisfy { pointer[$0] == 0 } }

    deinit {
        wipe()
        pointer.deallocate()
    }
}

/// A fixed-width, little-endian limb vector holding a secret; wiped on release.
final class SecretLimbs {
    let count: Int
    let pointer: UnsafeMutablePointer<UInt>

    init(count: Int) {
        self.count = max(count, 1)
        pointer = .allocate(capacity: self.count)
        pointer.initialize(repeating: 0, count: self.count)
    }

    /// `value` (non-negative, at most `width` limbs) zero-extended to `width` limbs.
    convenience init(_ value: BigInt, width: Int) {
        precondition(value.signum >= 0, "secret limbs hold non-negative values")
        self.init(count: width)
        value.withPointer { z in
            let size = Int(__gmpz_size(z))
            precondition(size <= count, "value wider than \(count) limbs")
            if size > 0 { pointer.update(from: __gmpz_limbs_read(z), count: size) }
        }
    }

    /// `value mod modulus` at the modulus' width, reduced by `mpn_sec_div_r` (no value-dependent time).
    convenience init(reducing value: BigInt, modulo modulus: BigInt) {
        let n = modulus.limbCount
        let width = max(value.limbCount, n)
        let wide = SecretLimbs(value, width: width)
        let m = SecretLimbs(modulus, width: n)
        let scratch = SecretScratch(count: __gmpn_sec_div_r_itch(width, n))
        __gmpn_sec_div_r(wide.pointer, width, m.pointer, n, scratch.pointer)
        scratch.wipe()
        self.init(count: n)
        pointer.update(from: wide.pointer, count: n)
    }

    /// The first `limbs` limbs as a BigInt.
    func bigInt(limbs: Int) -> BigInt {
        BigInt.make { z in
            let out = __gmpz_limbs_write(z, limbs)!
            out.update(from: pointer, count: limbs)
            __gmpz_limbs_finish(z, limbs)
        }
    }

    /// Shifts right by one bit where `mask` is all ones, leaves the value where it is zero.
    func conditionalShiftRight(mask: UInt) {
        for i in 0..<count {
            let next: UInt = i + 1 < count ? pointer[i + 1] : 0
            let shifted = (pointer[i] >> 1) | (next << 63)
            pointer[i] = (shifted & mask) | (pointer[i] & ~mask)
        }
    }

    /// Shifts left by one bit where `mask` is all ones (the top bit is dropped; callers size for it).
    func conditionalShiftLeft(mask: UInt) {
        var i = count - 1
        while i >= 0 {
            let previous: UInt = i > 0 ? pointer[i - 1] : 0
            let shifted = (pointer[i] << 1) | (previous >> 63)
            pointer[i] = (shifted & mask) | (pointer[i] & ~mask)
            i -= 1
        }
    }

    deinit {
        cgmp_wipe(pointer, count * MemoryLayout<UInt>.size)
        pointer.deallocate()
    }
}

extension BigInt {
    /// Limbs of the magnitude (0 for zero).
    var limbCount: Int { withPointer { Int(__gmpz_size($0)) } }
}
