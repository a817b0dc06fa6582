// SPDX-License-Identifier: Apache-2.0
//
// SHA-1 (FIPS 180-4 §6.1). Kept for verifying legacy signatures and for fingerprints; vkcert never
// signs with it by default.

struct SHA1Core: BlockCompressor {
    static let blockByteCount = 64
    static let lengthFieldByteCount = 8

    var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0)

    mutating func compress(_ blocks: UnsafeRawBufferPointer) {
        var (h0, h1, h2, h3, h4) = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            var offset = 0
            while offset < blocks.count {
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: blocks.loadUnaligned(fromByteOffset: offset + 4 * t, as: UInt32.self))
                }
                for t in 16..<80 {
                    w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotatedLeft(1)
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for t in 0..<80 {
                    let f: UInt32
                    let k: UInt32
                    switch t {
                    case 0..<20:
                        f = (b & c) | (~b & d)
                        k = 0x5a82_7999
                    case 20..<40:
                        f = b ^ c ^ d
                        k = 0x6ed9_eba1
                    case 40..<60:
                        f = (b & c) | (b & d) | (c & d)
                        k = 0x8f1b_bcdc
                    default:
                        f = b ^ c ^ d
                        k = 0xca62_c1d6
                    }
                    let temp = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[t]
                    e = d
                    d = c
                    c = b.rotatedLeft(30)
                    b = a
                    a = temp
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e
                offset += 64
            }
        }
        h = (h0, h1, h2, h3, h4)
    }

    func output() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            out.append(UInt8(word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }
}

/// SHA-1 (FIPS 180-4). Collision-broken: for verification of old signatures and fingerprints only.
public struct SHA1: HashFunction {
    public static let digestByteCount = 20
    public static let blockByteCount = 64
    var state = MerkleDamgard(SHA1Core())
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { state.update(bytes) }
    public consuming func finalize() -> [UInt8] { state.finalize() }
}

extension FixedWidthInteger {
    @inline(__always)
    func rotatedRight(_ n: Self) -> Self { (self >> n) | (self << (Self(Self.bitWidth) &- n)) }
    @inline(__always)
    func rotatedLeft(_ n: Self) -> Self { (self << n) | (self >> (Self(Self.bitWidth) &- n)) }
}
