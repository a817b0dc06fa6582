// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

/// Randomness from the operating system's CSPRNG (`getrandom(2)`), never from GMP's generators.
public enum SecureRandom {
    /// Fills `buffer` with random bytes.
    ///
    /// A failing `getrandom` (only possible on kernels older than 3.17) stops the process: there is no
    /// safe way to continue making keys without randomness.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        let status = cgmp_getrandom(buffer.baseAddress, buffer.count)
        precondition(status == 0, "getrandom(2) failed: no operating-system randomness available")
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    /// A random 64-bit word.
    public static func word() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}

extension BigInt {
    /// A uniformly random integer in `[0, 2^bits)`.
    public static func random(bits: Int) -> BigInt {
        precondition(bits >= 0)
        guard bits > 0 else { return BigInt() }
        var bytes = SecureRandom.bytes((bits + 7) / 8)
        let excess = bytes.count * 8 - bits
        bytes[0] &= UInt8(0xFF >> excess)
        let value = BigInt(magnitudeBytes: bytes)
        SecureMemory.wipe(&bytes)
        return value
    }

    /// A uniformly random integer in `range` (rejection sampling, no modulo bias).
    public static func random(in range: ClosedRange<BigInt>) -> BigInt {
        let span = range.upperBound - range.lowerBound
        precondition(span.signum >= 0)
        let bits = span.bitLength
        while true {
            let candidate = random(bits: bits)
            if candidate <= span { return range.lowerBound + candidate }
        }
    }
}
