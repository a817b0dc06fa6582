// SPDX-License-Identifier: Apache-2.0
//
// A probe for the constant-time tests: derives one public key from a secret chosen by index, so that
// valgrind's instruction and memory-access counts of two runs differ only by the secret. The secrets
// are fixed byte strings of equal length; the index is parsed the same way for every value.
//
//   ECCTimingProbe p256|p384|ed25519|leaky-control <index 0…5>
//
// `leaky-control` is the negative control of the judge: a lookup indexed by the secret's nibbles, the same
// instructions and data accesses for every secret, only the cache lines touched differ. The test requires
// the judge to flag it, so its tolerance for layout noise cannot hide a secret-indexed table read.

import VKECC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let index = Int(arguments[2]), (0..<6).contains(index) else {
    print("usage: ECCTimingProbe p256|p384|ed25519|leaky-control <0-5>")
    exit(2)
}

/// Secrets of very different Hamming weight and length: 1, 2^k, all-ones-ish, alternating, n−1-like, random.
/// Every candidate is built by the same `map` over its positions, so all six arrays have the same capacity
/// and history: built with `+` they differed, and copying them (`seed + h` in the Ed25519 key) took a
/// different growth path in the standard library, 3 instructions apart, whatever the secret's value.
func secret(_ index: Int, bytes: Int) -> [UInt8] {
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    return (0..<bytes).map { position -> UInt8 in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        switch index {
        case 0: return position == bytes - 1 ? 1 : 0
        case 1: return position == 0 ? 0x80 : 0
        case 2: return position == 0 ? 0x7f : 0xff
        case 3: return 0x55
        case 4: return position < bytes / 2 ? 0 : 0x01
        default: return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}

// Every candidate is built on every run (the same code whatever the index); only the choice differs.
let candidates32 = (0..<6).map { secret($0, bytes: 32) }
let candidates48 = (0..<6).map { secret($0, bytes: 48) }
/// 16 entries a cache line apart, read at the secret's nibbles: what a non-constant-time table lookup does.
/// The table is pushed out of the L1 data cache first (as a key's table is between two signatures), so each
/// distinct entry the secret selects costs one D1 read miss.
@inline(never)
func secretIndexedLookups(_ secret: [UInt8]) -> UInt8 {
    let table = [UInt8](repeating: 1, count: 16 * 64)
    var eviction = [UInt8](repeating: 0, count: 256 * 1024)
    for i in stride(from: 0, to: eviction.count, by: 64) { eviction[i] = UInt8(truncatingIfNeeded: i) }
    var sum: UInt8 = eviction[4096]
    for byte in secret {
        sum &+= table[Int(byte >> 4) &* 64]
        sum &+= table[Int(byte & 15) &* 64]
    }
    return sum
}

var sink: UInt8 = 0
switch arguments[1] {
case "p256":
    let key = try ECDSAPrivateKey(curve: .p256, scalar: candidates32[index])
    sink = key.publicKey.uncompressedPoint[1]
case "p384":
    let key = try ECDSAPrivateKey(curve: .p384, scalar: candidates48[index])
    sink = key.publicKey.uncompressedPoint[1]
case "ed25519":
    let key = try Ed25519PrivateKey(seed: candidates32[index])
    sink = key.publicKey.rawRepresentation[0]
case "leaky-control":
    sink = secretIndexedLookups(candidates32[index])
default:
    exit(2)
}
print(sink & 0 == 0 ? "ok" : "")
