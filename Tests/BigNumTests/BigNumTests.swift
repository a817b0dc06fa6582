// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import Foundation
import TestSupport
import Testing

@Suite("BigInt over GMP")
struct BigNumTests {
    @Test func bytesRoundTrip() {
        let bytes: [UInt8] = [0x00, 0x00, 0x80, 0x01, 0xff]
        let value = BigInt(magnitudeBytes: bytes)
        #expect(value.hexString == "8001ff")
        #expect(value.magnitudeBytes() == [0x80, 0x01, 0xff])
        #expect(value.magnitudeBytes(paddedTo: 5) == bytes)
        #expect(value.magnitudeBytes(paddedTo: 2) == nil)
        #expect(BigInt().magnitudeBytes() == [])
        #expect(BigInt(magnitudeBytes: []).isZero)
    }

    /// Two's complement as DER INTEGER uses it (X.690 §8.3; examples checked by hand).
    @Test("two's complement encodings", arguments: [
        (0, "00"), (1, "01"), (127, "7f"), (128, "0080"), (255, "00ff"), (256, "0100"),
        (-1, "ff"), (-128, "80"), (-129, "ff7f"), (-256, "ff00"), (-32768, "8000"), (-32769, "ff7fff"),
    ])
    func twosComplement(value: Int, hex: String) {
        let big = BigInt(value)
        #expect(Hex.encode(big.twosComplementBytes()) == hex)
        #expect(BigInt(twosComplementBytes: Hex.decode(hex)) == big)
    }

    @Test func hexAndDecimal() {
        let v = BigInt(hexString: "-DEADbeef")!
        #expect(v.hexString == "-deadbeef")
        #expect(v.description == "-3735928559")
        #expect(BigInt(hexString: "") == nil)
        #expect(BigInt(hexString: "12g") == nil)
        #expect(BigInt(hexString: "-") == nil)
    }

    @Test func arithmetic() throws {
        let a = BigInt.powerOfTwo(200) + 12345
        let b = BigInt(hexString: "fedcba9876543210fedcba98765")!
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        #expect(q * b + r == a)
        #expect(r < b && r.signum >= 0)
        #expect((a << 17) >> 17 == a)
        #expect(BigInt(-7).modulo(BigInt(5)) == 3)
        #expect(BigInt.gcd(BigInt(84), BigInt(36)) == 12)
        #expect(BigInt.lcm(BigInt(4), BigInt(6)) == 12)
        let inv = try #require(BigInt(17).inverse(modulo: BigInt(3120)))
        #expect(inv == 2753)
        #expect(BigInt(6).inverse(modulo: BigInt(9)) == nil)
        #expect(BigInt(10).inverse(modulo: BigInt()) == nil)
    }

    /// The textbook RSA example (p = 61, q = 53) and Fermat on the Mersenne prime 2^127 − 1.
    @Test func modularExponentiation() throws {
        let n = BigInt(3233)
        let c = try BigInt(65).power(BigInt(17), modulus: n)
        #expect(c == 2790)
        #expect(try c.securePower(BigInt(2753), modulus: n) == 65)
        let m127 = BigInt.powerOfTwo(127) - 1
        let base = BigInt(hexString: "123456789abcdef")!
        #expect(try base.securePower(m127 - 1, modulus: m127) == 1)
        #expect(try base.power(m127 - 1, modulus: m127) == 1)
    }

    /// GMP raises SIGFPE for mpz_powm_sec with an even or zero modulus; the guards must throw instead.
    @Test func securePowerGuards() {
        #expect(throws: BigNumError(.invalidModulus, "")) { try BigInt(3).securePower(BigInt(5), modulus: BigInt(10)) }
        #expect(throws: BigNumError(.invalidModulus, "")) { try BigInt(3).securePower(BigInt(5), modulus: BigInt()) }
        #expect(throws: BigNumError(.invalidModulus, "")) { try BigInt(3).securePower(BigInt(5), modulus: BigInt(-7)) }
        #expect(throws: BigNumError(.invalidExponent, "")) { try BigInt(3).securePower(BigInt(), modulus: BigInt(7)) }
        #expect(throws: BigNumError(.invalidModulus, "")) { try BigInt(3).power(BigInt(5), modulus: BigInt()) }
    }

    @Test func randomness() {
        let a = BigInt.random(bits: 256)
        let b = BigInt.random(bits: 256)
        #expect(a != b)
        #expect(a.bitLength <= 256)
        for _ in 0..<200 {
            let r = BigInt.random(in: BigInt(10)...BigInt(13))
            #expect(r >= 10 && r <= 13)
        }
        #expect(BigInt.random(bits: 3).bitLength <= 3)
    }

    @Test func smallPrimes() {
        #expect(SmallPrimes.odd.count == 6541)
        #expect(SmallPrimes.odd.first == 3 && SmallPrimes.odd.last == 65521)
        #expect(BigInt(65521).isProbablePrime())
        #expect(!BigInt(65523).isProbablePrime())  // 3 × 21841
        #expect(BigInt(2).isProbablePrime() && BigInt(3).isProbablePrime())
        #expect(!BigInt(1).isProbablePrime() && !BigInt(0).isProbablePrime() && !BigInt(-7).isProbablePrime())
    }

    /// Carmichael numbers and strong pseudoprimes to small bases fool Fermat tests, not Miller–Rabin.
    @Test func pseudoprimes() {
        let composites = [
            "561", "41041", "3215031751", "2152302898747", "3474749660383", "341550071728321",
            "3825123056546413051",
        ]
        for text in composites {
            let value = BigInt(hexString: String(UInt64(text)!, radix: 16))!
            #expect(!value.isProbablePrime(), "\(text)")
        }
        // 318665857834031151167461 is a strong pseudoprime to the first 12 prime bases (> 2^64).
        let big = BigInt(hexString: "437ae92817f9fc85b7e5")!
        #expect(big.description == "318665857834031151167461")
        #expect(!big.isProbablePrime())
        #expect((BigInt.powerOfTwo(521) - 1).isProbablePrime())
        #expect(!(BigInt.powerOfTwo(523) - 1).isProbablePrime())
    }

    /// OpenSSL's `prime` command as the oracle on random odd 512-bit numbers near primes.
    @Test func primalityAgreesWithOpenSSL() async throws {
        var candidates: [BigInt] = []
        var found = 0
        while candidates.count < 60 {
            var c = BigInt.random(bits: 512) + BigInt.powerOfTwo(511)
            if c.isEven { c = c + 1 }
            let prime = c.isProbablePrime()
            if prime { found += 1 }
            // Keep all primes we meet and a sample of composites.
            if prime || candidates.count < 40 { candidates.append(c) }
        }
        let result = try await Run.openssl(["prime", "-hex"] + candidates.map(\.hexString))
        #expect(result.status == 0)
        let lines = result.stdoutText.split(separator: "\n")
        try #require(lines.count == candidates.count)
        for (c, line) in zip(candidates, lines) {
            let opensslSaysPrime = line.hasSuffix(" is prime")
            #expect(opensslSaysPrime == c.isProbablePrime(), "\(c.hexString): \(line)")
        }
        #expect(found > 0)
    }

    @Test func copyOnWrite() {
        let a = BigInt(5)
        var b = a
        b += BigInt(1)
        #expect(a == 5 && b == 6)
    }
}
