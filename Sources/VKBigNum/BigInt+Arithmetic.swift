// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

extension BigInt {
    public static func + (lhs: BigInt, rhs: BigInt) -> BigInt {
        make { __gmpz_add($0, lhs.storage.pointer, rhs.storage.pointer) }
    }

    public static func - (lhs: BigInt, rhs: BigInt) -> BigInt {
        make { __gmpz_sub($0, lhs.storage.pointer, rhs.storage.pointer) }
    }

    public static func * (lhs: BigInt, rhs: BigInt) -> BigInt {
        make { __gmpz_mul($0, lhs.storage.pointer, rhs.storage.pointer) }
    }

    public static func + (lhs: BigInt, rhs: UInt) -> BigInt {
        make { __gmpz_add_ui($0, lhs.storage.pointer, rhs) }
    }

    public static func - (lhs: BigInt, rhs: UInt) -> BigInt {
        make { __gmpz_sub_ui($0, lhs.storage.pointer, rhs) }
    }

    public static func * (lhs: BigInt, rhs: UInt) -> BigInt {
        make { __gmpz_mul_ui($0, lhs.storage.pointer, rhs) }
    }

    public static prefix func - (value: BigInt) -> BigInt {
        make { __gmpz_neg($0, value.storage.pointer) }
    }

    public static func += (lhs: inout BigInt, rhs: BigInt) { lhs = lhs + rhs }
    public static func -= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs - rhs }
    public static func *= (lhs: inout BigInt, rhs: BigInt) { lhs = lhs * rhs }

    /// Truncated division (quotient rounds toward zero, remainder has the dividend's sign), like `Int`.
    /// - Precondition: `divisor` is not zero (GMP would raise SIGFPE).
    public func quotientAndRemainder(dividingBy divisor: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!divisor.isZero, "division by zero")
        let q = Storage()
        let r = Storage()
        __gmpz_tdiv_qr(q.pointer, r.pointer, storage.pointer, divisor.storage.pointer)
        return (BigInt(storage: q), BigInt(storage: r))
    }

    public static func / (lhs: BigInt, rhs: BigInt) -> BigInt {
        lhs.quotientAndRemainder(dividingBy: rhs).quotient
    }

    /// The least non-negative residue modulo `modulus` (sign of `modulus` ignored).
    /// - Precondition: `modulus` is not zero.
    public func modulo(_ modulus: BigInt) -> BigInt {
        precondition(!modulus.isZero, "modulus is zero")
        return BigInt.make { __gmpz_mod($0, storage.pointer, modulus.storage.pointer) }
    }

    /// The least non-negative residue modulo a machine word.
    public func modulo(_ modulus: UInt) -> UInt {
        precondition(modulus != 0, "modulus is zero")
        return withPointer { __gmpz_fdiv_ui($0, modulus) }
    }

    /// `self << bits` for non-negative shifts (multiplication by 2^bits).
    public static func << (lhs: BigInt, bits: Int) -> BigInt {
        precondition(bits >= 0)
        return make { __gmpz_mul_2exp($0, lhs.storage.pointer, UInt(bits)) }
    }

    /// `self >> bits`, rounding toward negative infinity.
    public static func >> (lhs: BigInt, bits: Int) -> BigInt {
        precondition(bits >= 0)
        return make { __gmpz_fdiv_q_2exp($0, lhs.storage.pointer, UInt(bits)) }
    }

    /// Greatest common divisor (non-negative).
    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
        make { __gmpz_gcd($0, a.storage.pointer, b.storage.pointer) }
    }

    /// Least common multiple (non-negative).
    public static func lcm(_ a: BigInt, _ b: BigInt) -> BigInt {
        make { __gmpz_lcm($0, a.storage.pointer, b.storage.pointer) }
    }

    /// The inverse modulo `modulus`, or nil when none exists (gcd ≠ 1) or `modulus` is zero.
    public func inverse(modulo modulus: BigInt) -> BigInt? {
        guard !modulus.isZero else { return nil }
        let result = Storage()
        guard __gmpz_invert(result.pointer, storage.pointer, modulus.storage.pointer) != 0 else { return nil }
        return BigInt(storage: result)
    }

    /// `(self · other) mod modulus`, variable time.
    public func multiplied(by other: BigInt, modulo modulus: BigInt) -> BigInt {
        precondition(!modulus.isZero, "modulus is zero")
        return BigInt.make { r in
            __gmpz_mul(r, storage.pointer, other.storage.pointer)
            __gmpz_mod(r, r, modulus.storage.pointer)
        }
    }

    /// `self^exponent mod modulus` in variable time (GMP `mpz_powm`): for **public** exponents only.
    /// - Throws: ``BigNumError/invalidModulus`` for a zero modulus, ``BigNumError/invalidExponent`` for a
    ///   negative exponent.
    public func power(_ exponent: BigInt, modulus: BigInt) throws(BigNumError) -> BigInt {
        guard modulus.signum > 0 else { throw BigNumError(.invalidModulus, "modulus must be positive") }
        guard exponent.signum >= 0 else { throw BigNumError(.invalidExponent, "exponent must not be negative") }
        return BigInt.make { __gmpz_powm($0, storage.pointer, exponent.storage.pointer, modulus.storage.pointer) }
    }

    /// `self^exponent mod modulus` in time and memory-access pattern independent of the operands'
    /// values: for **secret** exponents. GMP's `mpn_sec_powm` with scratch that is wiped after use
    /// (``SecretArithmetic/power(_:_:modulus:exponentBits:)``); the exponent is processed over the
    /// modulus' bit length, so its own length does not show.
    ///
    /// - Throws: ``BigNumError/invalidModulus`` unless the modulus is odd and positive,
    ///   ``BigNumError/invalidExponent`` unless the exponent is positive.
    public func securePower(_ exponent: BigInt, modulus: BigInt) throws(BigNumError) -> BigInt {
        try SecretArithmetic.power(self, exponent, modulus: modulus)
    }
}

extension BigInt {
    /// ⌊√self⌋ for non-negative values.
    public func squareRoot() -> BigInt {
        precondition(signum >= 0, "square root of a negative number")
        return BigInt.make { __gmpz_sqrt($0, storage.pointer) }
    }
}
