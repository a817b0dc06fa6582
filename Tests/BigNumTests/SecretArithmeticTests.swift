// SPDX-License-Identifier: Apache-2.0

@testable import VKBigNum
import Foundation
import TestSupport
import Testing

/// The constant-time layer (issue 12 item 7): results equal GMP's variable-time functions (an
/// independent code path), the exponentiation's scratch is wiped after use, and no variable-time call on
/// a secret is left in the RSA module.
@Suite("Secret arithmetic (mpn_sec_* with wiped scratch)")
struct SecretArithmeticTests {
    static func random(bits: Int, odd: Bool = false) -> BigInt {
        var v = BigInt.random(bits: bits)
        if odd && !v.isOdd { v = v + BigInt(1) }
        return v
    }

    @Test func agreesWithVariableTimeGMP() throws {
        for bits in [64, 127, 521, 1024, 2048] {
            for _ in 0..<8 {
                let m = Self.random(bits: bits, odd: true) + BigInt.powerOfTwo(bits)  // odd, bits+1 bits
                let a = Self.random(bits: bits + 64), b = Self.random(bits: bits - 1)
                #expect(SecretArithmetic.remainder(a, modulo: m) == a.modulo(m))
                #expect(SecretArithmetic.product(a, b, modulo: m) == a.multiplied(by: b, modulo: m))
                #expect(SecretArithmetic.square(a, modulo: m) == a.multiplied(by: a, modulo: m))
                let e = Self.random(bits: bits) + BigInt(1)
                #expect(try SecretArithmetic.power(a, e, modulus: m) == a.power(e, modulus: m))
                #expect(try SecretArithmetic.power(a, BigInt(65537), modulus: m, exponentBits: 17) == a.power(BigInt(65537), modulus: m))
                #expect(SecretArithmetic.inverse(b, modulo: m) == b.inverse(modulo: m))
                #expect(SecretArithmetic.isLess(a, than: b) == (a < b) && SecretArithmetic.isLess(b, than: a) == (b < a))
                #expect(!SecretArithmetic.isLess(a, than: a))
                let x = Self.random(bits: bits) + BigInt(1), y = Self.random(bits: bits / 2) + BigInt(1)
                #expect(SecretArithmetic.quotient(of: x, times: y, dividedBy: b + BigInt(1)) == (x * y) / (b + BigInt(1)))
            }
        }
        // No inverse: a multiple of a factor of the modulus.
        #expect(SecretArithmetic.inverse(BigInt(21), modulo: BigInt(35)) == nil)
        #expect(SecretArithmetic.inverse(BigInt(0), modulo: BigInt(35)) == nil)
    }

    /// Binary GCD with even inputs sharing a large power of two, as p − 1 and q − 1 always do.
    @Test func gcdMatchesGMP() {
        for bits in [8, 64, 65, 200, 1024] {
            for shift in [0, 1, 5, 63, 64, 100] where shift < bits {
                let common = Self.random(bits: bits / 3) + BigInt(1)
                let a = (Self.random(bits: bits) + BigInt(1)) * common << shift
                let b = (Self.random(bits: bits) + BigInt(1)) * common << shift
                #expect(SecretArithmetic.gcd(a, b) == BigInt.gcd(a, b), "bits \(bits) shift \(shift)")
                #expect(SecretArithmetic.gcd(a, a) == a)
                #expect(SecretArithmetic.gcd(a, BigInt(1)) == BigInt(1))
            }
        }
    }

    /// Garner's recombination equals s computed without CRT, for real RSA primes.
    @Test func recombinationIsCRT() async throws {
        let key = try await RSAKeyFixture.primes()
        for _ in 0..<10 {
            let s = Self.random(bits: 2040)
            let sp = s.modulo(key.p), sq = s.modulo(key.q)
            let qInv = key.q.inverse(modulo: key.p)!
            #expect(SecretArithmetic.recombine(sp: sp, sq: sq, p: key.p, q: key.q, qInverse: qInv) == s)
            // And with p < q (the other order some keys use).
            let pInv = key.p.inverse(modulo: key.q)!
            #expect(SecretArithmetic.recombine(sp: sq, sq: sp, p: key.q, q: key.p, qInverse: pInv) == s)
        }
    }

    /// The window table and every other intermediate of the exponentiation live in our scratch, which
    /// is wiped before the call returns. Run once without the wipe, the same scratch holds data: so the
    /// zero check below is not vacuous.
    @Test func exponentiationScratchIsWiped() async throws {
        let key = try await RSAKeyFixture.primes()
        let base = Self.random(bits: 1000), exponent = Self.random(bits: 1000) + BigInt(1)
        let limbs = SecretArithmetic.powerScratchLimbs(modulus: key.p, exponentBits: key.p.bitLength)
        let unwiped = SecretScratch(count: limbs)
        let r1 = try SecretArithmetic.power(base, exponent, modulus: key.p, exponentBits: nil, scratch: unwiped, wipeAfterUse: false)
        #expect(!unwiped.isZero, "GMP did not use the scratch it was given")
        let nonZero = (0..<unwiped.count).filter { unwiped.pointer[$0] != 0 }.count
        print("mpn_sec_powm scratch: \(limbs) limbs, \(nonZero) non-zero after a 1024-bit exponentiation when not wiped")
        let wiped = SecretScratch(count: limbs)
        let r2 = try SecretArithmetic.power(base, exponent, modulus: key.p, exponentBits: nil, scratch: wiped)
        let expected = try base.power(exponent, modulus: key.p)
        #expect(r1 == r2 && r1 == expected)
        #expect(wiped.isZero && wiped.wipes == 1, "scratch not wiped after use")
    }

    /// Grep-level guard: the RSA module calls BigInt's variable-time operations (GMP mpz_invert, mpz_lcm,
    /// mpz_gcd, mpz_powm, mpz_mul + mpz_mod) only on lines that say why the operands are public, and
    /// neither module calls mpz_powm_sec (stack scratch) any more.
    @Test func noVariableTimeCallOnSecretsRemains() throws {
        let root = Repository.root.appendingPathComponent("Sources")
        let variableTime = [".inverse(modulo", "BigInt.lcm", "BigInt.gcd", ".multiplied(by", ".modulo(", ".power(", "securePower("]
        var offending: [String] = []
        var seen = 0
        for directory in ["VKRSA", "VKRSA/ASN1"] {
            let dir = root.appendingPathComponent(directory)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    // SecretArithmetic's own functions share some names (power, …): not what is looked for.
                    let stripped = line.replacingOccurrences(of: "SecretArithmetic.", with: "SecretArithmetic_")
                    guard !code.hasPrefix("//"), variableTime.contains(where: { stripped.contains($0) }) else { continue }
                    seen += 1
                    if !(line.contains("// public:") || line.contains("// size-only:")) { offending.append("\(directory)/\(name):\(number + 1): \(code)") }
                }
            }
        }
        #expect(offending.isEmpty, "variable-time BigInt call without a stated reason:\n\(offending.joined(separator: "\n"))")
        #expect(seen >= 3, "the scan found none of the annotated calls: it is not looking at the right files")
        for file in ["VKBigNum/SecretArithmetic.swift", "VKBigNum/Primality.swift", "VKBigNum/BigInt+Arithmetic.swift"] {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("__gmpz_powm_sec("), "\(file) still calls mpz_powm_sec")
        }
        let secret = try String(contentsOf: root.appendingPathComponent("VKBigNum/SecretArithmetic.swift"), encoding: .utf8)
        for call in ["__gmpz_invert", "__gmpz_gcd", "__gmpz_lcm", "__gmpz_powm", "__gmpz_mul", "__gmpz_mod", "__gmpz_tdiv", "__gmpz_fdiv"] {
            #expect(!secret.contains(call), "SecretArithmetic calls the variable-time \(call)")
        }
    }
}

/// The two 1024-bit primes of a committed key (Vectors/openssl/keys/rsa2048-a), as `openssl rsa -text`
/// prints them (so the RSA module is not needed here).
enum RSAKeyFixture {
    static func primes() async throws -> (p: BigInt, q: BigInt) {
        let text = try await Run.openssl(["rsa", "-in", Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path, "-noout", "-text"]).stdoutText
        func hexBlock(_ label: String) -> BigInt? {
            guard let start = text.range(of: "\(label):\n") else { return nil }
            var hex = ""
            for line in text[start.upperBound...].split(separator: "\n") {
                guard line.hasPrefix("    ") else { break }
                hex += line.filter { $0.isHexDigit }
            }
            return BigInt(hexString: hex)
        }
        guard let p = hexBlock("prime1"), let q = hexBlock("prime2") else { throw FixtureMissing() }
        return (p, q)
    }

    struct FixtureMissing: Error {}
}
