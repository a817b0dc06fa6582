// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

extension BigInt {
    /// -1, 0 or 1.
    public var signum: Int {
        withPointer { Int(cgmp_sgn($0)) }
    }

    public var isZero: Bool { signum == 0 }

    public var isNegative: Bool { signum < 0 }

    public var isOdd: Bool {
        withPointer { cgmp_odd_p($0) != 0 }
    }

    public var isEven: Bool { !isOdd }

    /// Number of bits in the magnitude; 0 for zero.
    public var bitLength: Int {
        withPointer { z in
            cgmp_sgn(z) == 0 ? 0 : Int(__gmpz_sizeinbase(z, 2))
        }
    }

    /// Number of bytes in the magnitude; 0 for zero.
    public var byteLength: Int { (bitLength + 7) / 8 }

    /// Whether bit `index` of the magnitude's two's complement (GMP semantics) is set.
    public func testBit(_ index: Int) -> Bool {
        precondition(index >= 0, "bit index must be non-negative")
        return withPointer { __gmpz_tstbit($0, UInt(index)) != 0 }
    }

    /// The value as an `Int`, or nil when it does not fit.
    public var intValue: Int? {
        withPointer { z -> Int? in
            guard __gmpz_fits_slong_p(z) != 0 else { return nil }
            return __gmpz_get_si(z)
        }
    }

    /// The absolute value.
    public var magnitude: BigInt {
        BigInt.make { __gmpz_abs($0, storage.pointer) }
    }

    /// 2^exponent.
    public static func powerOfTwo(_ exponent: Int) -> BigInt {
        precondition(exponent >= 0)
        return make { __gmpz_setbit($0, UInt(exponent)) }
    }
}

// MARK: - Equatable, Comparable, Hashable

extension BigInt: Equatable {
    /// Variable-time comparison: never use it to compare secrets.
    public static func == (lhs: BigInt, rhs: BigInt) -> Bool {
        __gmpz_cmp(lhs.storage.pointer, rhs.storage.pointer) == 0
    }

    public static func == (lhs: BigInt, rhs: Int) -> Bool {
        __gmpz_cmp_si(lhs.storage.pointer, rhs) == 0
    }
}

extension BigInt: Comparable {
    public static func < (lhs: BigInt, rhs: BigInt) -> Bool {
        __gmpz_cmp(lhs.storage.pointer, rhs.storage.pointer) < 0
    }
}

extension BigInt: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        hasher.combine(magnitudeBytes())
    }
}

extension BigInt: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self.init(value)
    }
}
