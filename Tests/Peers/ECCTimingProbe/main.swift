// SPDX-License-Identifier: Apache-2.0
//
// A probe for the constant-time tests: derives one public key from a secret chosen by index, so that
// valgrind's instruction and memory-access counts of two runs differ only by the secret. The secrets
// are fixed byte strings of equal length; the index is parsed the same way for every value.
//
//   ECCTimingProbe p256|p384|ed25519 <index 0…5>

import VKECC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3, let index = Int(arguments[2]), (0..<6).contains(index) else {
    print("usage: ECCTimingProbe p256|p384|ed25519 <0-5>")
    exit(2)
}

/// Secrets of very different Hamming weight and length: 1, 2^k, all-ones-ish, alternating, n−1-like, random.
func secret(_ index: Int, bytes: Int) -> [UInt8] {
    switch index {
    case 0: return [UInt8](repeating: 0, count: bytes - 1) + [1]
    case 1: return [0x80] + [UInt8](repeating: 0, count: bytes - 1)
    case 2: return [0x7f] + [UInt8](repeating: 0xff, count: bytes - 1)
    case 3: return [UInt8](repeating: 0x55, count: bytes)
    case 4: return [UInt8](repeating: 0, count: bytes / 2) + [UInt8](repeating: 0x01, count: bytes - bytes / 2)
    default:
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        return (0..<bytes).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}

// Every candidate is built on every run (the same code whatever the index); only the choice differs.
let candidates32 = (0..<6).map { secret($0, bytes: 32) }
let candidates48 = (0..<6).map { secret($0, bytes: 48) }
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
default:
    exit(2)
}
print(sink & 0 == 0 ? "ok" : "")
