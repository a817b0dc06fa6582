// SPDX-License-Identifier: Apache-2.0
//
// Fixed-width integers as N little-endian 64-bit limbs, and the branch-free primitives everything
// secret is built from. Nothing here branches on, or indexes memory by, a limb's value: carries come
// from the add/sub/multiply instructions, choices are masks.

/// N 64-bit limbs, least significant first.
typealias Limbs<let N: Int> = InlineArray<N, UInt64>

/// 0 or 1 as a word, without a branch: a Bool's storage is the byte 0 or 1, widened. (`flag ? 1 : 0`
/// is a conditional jump in unoptimised builds, which the instruction-count test caught.)
@inline(__always)
func carryBit(_ flag: Bool) -> UInt64 { UInt64(unsafeBitCast(flag, to: UInt8.self)) }

/// All ones when `word` is 1, zero when it is 0.
@inline(__always)
func mask(_ word: UInt64) -> UInt64 { 0 &- word }

/// All ones when `word` is zero, else zero: the high bit of (¬w ∧ (w − 1)).
@inline(__always)
func isZeroMask(_ word: UInt64) -> UInt64 { mask((~word & (word &- 1)) >> 63) }

/// All ones when `a == b`.
@inline(__always)
func equalMask(_ a: UInt64, _ b: UInt64) -> UInt64 { isZeroMask(a ^ b) }

extension InlineArray where Element == UInt64 {
    static var zero: Self { Self(repeating: 0) }

    /// A small value.
    static func word(_ value: UInt64) -> Self {
        var out = Self(repeating: 0)
        out[0] = value
        return out
    }

    /// `mask` all ones selects `a`, zero selects `b`.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: Self, _ b: Self) -> Self {
        var out = b
        for i in 0..<count { out[i] = (a[i] & mask) | (b[i] & ~mask) }
        return out
    }

    /// All ones when every limb is zero.
    @inline(__always)
    var zeroMask: UInt64 {
        var acc: UInt64 = 0
        for i in 0..<count { acc |= self[i] }
        return isZeroMask(acc)
    }

    /// All ones when `self == other`, limb by limb without an early exit.
    @inline(__always)
    func equalMask(_ other: Self) -> UInt64 {
        var acc: UInt64 = 0
        for i in 0..<count { acc |= self[i] ^ other[i] }
        return isZeroMask(acc)
    }

    /// `self − other` and the final borrow (0 or 1).
    @inline(__always)
    func subtractingWithBorrow(_ other: Self) -> (Self, UInt64) {
        var out = self
        var borrow: UInt64 = 0
        for i in 0..<count {
            let (d1, b1) = self[i].subtractingReportingOverflow(other[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = carryBit(b1) | carryBit(b2)
        }
        return (out, borrow)
    }

    /// `self + other` and the final carry (0 or 1).
    @inline(__always)
    func addingWithCarry(_ other: Self) -> (Self, UInt64) {
        var out = self
        var carry: UInt64 = 0
        for i in 0..<count {
            let (s1, c1) = self[i].addingReportingOverflow(other[i])
            let (s2, c2) = s1.addingReportingOverflow(carry)
            out[i] = s2
            carry = carryBit(c1) | carryBit(c2)
        }
        return (out, carry)
    }

    /// Bit `index` (public index; the value read is not branched on by callers that handle secrets).
    @inline(__always)
    func bit(at index: Int) -> UInt64 { (self[index >> 6] >> UInt64(index & 63)) & 1 }

    /// Four bits starting at `index` (a multiple of 4).
    @inline(__always)
    func nibble(at index: Int) -> UInt64 { (self[index >> 6] >> UInt64(index & 63)) & 0xF }

    /// Bits position … position + 5 (position ≥ −1 and public; bits outside the limbs are zero): the
    /// window of a Booth digit.
    @inline(__always)
    func sixBits(from position: Int) -> UInt64 {
        guard position >= 0 else { return (self[0] << 1) & 0x3F }
        let limb = position >> 6, shift = position & 63
        var value = self[limb] >> UInt64(shift)
        if shift > 58 && limb + 1 < count { value |= self[limb + 1] << UInt64(64 - shift) }
        return value & 0x3F
    }

    /// Big-endian bytes, exactly `byteCount` of them (the limbs must fit).
    func bigEndianBytes(count byteCount: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        for i in 0..<byteCount {
            out[byteCount - 1 - i] = UInt8(truncatingIfNeeded: self[i >> 3] >> UInt64(8 * (i & 7)))
        }
        return out
    }

    /// Little-endian bytes, exactly `byteCount` of them.
    func littleEndianBytes(count byteCount: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        for i in 0..<byteCount {
            out[i] = UInt8(truncatingIfNeeded: self[i >> 3] >> UInt64(8 * (i & 7)))
        }
        return out
    }

    /// From big-endian bytes; nil when they do not fit in the limbs.
    init?(bigEndian bytes: some Collection<UInt8>) {
        guard bytes.count <= 8 * Self.count else { return nil }
        self.init(repeating: 0)
        for (i, byte) in bytes.reversed().enumerated() {
            self[i >> 3] |= UInt64(byte) << UInt64(8 * (i & 7))
        }
    }

    /// From little-endian bytes; nil when they do not fit in the limbs.
    init?(littleEndian bytes: some Collection<UInt8>) {
        guard bytes.count <= 8 * Self.count else { return nil }
        self.init(repeating: 0)
        for (i, byte) in bytes.enumerated() {
            self[i >> 3] |= UInt64(byte) << UInt64(8 * (i & 7))
        }
    }

    /// From big-endian hexadecimal (constants only: traps on bad input).
    init(hex: String) {
        let digits = Array(hex.utf8)
        var bytes: [UInt8] = []
        var i = digits.count % 2 == 1 ? -1 : 0
        while i < digits.count {
            func value(_ c: UInt8) -> UInt8 {
                switch c {
                case 0x30...0x39: c - 0x30
                case 0x61...0x66: c - 0x61 + 10
                case 0x41...0x46: c - 0x41 + 10
                default: preconditionFailure("bad hex constant")
                }
            }
            let high = i < 0 ? 0 : value(digits[i])
            bytes.append(high << 4 | value(digits[i + 1]))
            i += 2
        }
        self.init(bigEndian: bytes)!
    }

    /// Number of significant bits (public values only: it branches).
    var bitLength: Int {
        for i in stride(from: count - 1, through: 0, by: -1) where self[i] != 0 {
            return 64 * i + (64 - self[i].leadingZeroBitCount)
        }
        return 0
    }

    /// Compares public values (variable time).
    func isLess(than other: Self) -> Bool {
        subtractingWithBorrow(other).1 == 1
    }
}

/// Zeroes limbs that held a secret, through an opaque call the optimiser keeps.
@inline(never)
func wipe<let N: Int>(_ limbs: inout Limbs<N>) {
    for i in 0..<N { limbs[i] = 0 }
    withUnsafeMutableBytes(of: &limbs) { keepStores($0.baseAddress) }
}

@inline(never)
func keepStores(_ pointer: UnsafeMutableRawPointer?) {
    _ = pointer?.load(as: UInt8.self)
}
