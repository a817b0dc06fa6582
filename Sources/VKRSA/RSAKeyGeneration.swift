// SPDX-License-Identifier: Apache-2.0

import VKBigNum

extension RSAPrivateKey {
    /// The key sizes vkcert generates.
    public static let generatableSizes = [2048, 3072, 4096]

    /// Miller–Rabin rounds per prime for each modulus size, from FIPS 186-5 Table B.1 (rounds for
    /// p, q of nlen/2 bits, using the column whose error probability is at most 2^−(security strength)):
    /// 2048 → 1024-bit primes, 2^−112 column: 5 rounds; 3072 → 1536-bit primes, 2^−128: 4 rounds;
    /// 4096 → 2048-bit primes, 2^−144: 4 rounds.
    public static func millerRabinRounds(forModulusBits bits: Int) -> Int {
        switch bits {
        case ...2048: 5
        default: 4
        }
    }

    /// Generates a key per FIPS 186-5 Appendix A.1.3 (random probable primes) with e = 65537:
    /// - each candidate is a fresh random nlen/2-bit odd number, redrawn if below √2·2^(nlen/2 − 1)
    ///   (tested exactly as p² ≥ 2^(nlen − 1));
    /// - gcd(p − 1, e) = 1, checked as p mod e ≠ 1 since e is prime;
    /// - trial division by the odd primes below ``trialDivisionBound``, then Miller–Rabin with
    ///   ``millerRabinRounds(forModulusBits:)`` random bases (constant-time exponentiation);
    /// - |p − q| > 2^(nlen/2 − 100); d = e⁻¹ mod lcm(p − 1, q − 1) with d > 2^(nlen/2), else new primes;
    /// - at most 20·(nlen/2) candidates per prime.
    public static func generate(bits: Int = 2048) throws -> RSAPrivateKey {
        guard generatableSizes.contains(bits) else {
            throw RSAError(.invalidKey, "RSA key size \(bits) is not supported (choose 2048, 3072 or 4096)")
        }
        let e = BigInt(65537)
        let half = bits / 2
        let rounds = millerRabinRounds(forModulusBits: bits)
        // Smallest integer B with B² ≥ 2^(nlen−1): p ≥ B ⟺ p ≥ √2·2^(nlen/2−1) for integers.
        let lowerBound = (BigInt.powerOfTwo(bits - 1) - 1).squareRoot() + 1
        let minimumDistance = BigInt.powerOfTwo(half - 100)
        var source = RandomBytes()
        for _ in 0..<16 {
            guard let p = generatePrime(half: half, lowerBound: lowerBound, rounds: rounds, source: &source, avoiding: nil, minimumDistance: minimumDistance),
                let q = generatePrime(half: half, lowerBound: lowerBound, rounds: rounds, source: &source, avoiding: p, minimumDistance: minimumDistance)
            else { continue }
            let d = privateExponent(e: e, p: p, q: q)
            guard !SecretArithmetic.isLess(d, than: BigInt.powerOfTwo(half) + 1) else { continue }
            let n = p * q
            guard n.bitLength == bits else { continue }
            // Keep p > q so the CRT coefficient is q⁻¹ mod p with the larger prime first, as OpenSSL does.
            let (p1, p2) = p > q ? (p, q) : (q, p)
            return try RSAPrivateKey(modulus: n, publicExponent: e, privateExponent: d, prime1: p1, prime2: p2)
        }
        throw RSAError(.generationFailed, "RSA key generation failed repeatedly (randomness or arithmetic fault)")
    }

    /// d = e⁻¹ mod λ, λ = lcm(p − 1, q − 1), for a prime e that divides neither p − 1 nor q − 1, in
    /// constant time in the values of p and q:
    /// λ = (p − 1)(q − 1) / gcd(p − 1, q − 1) with a constant-time binary GCD; then, since e is prime,
    /// k = −λ⁻¹ mod e (Fermat: λ^(e−2) mod e) makes 1 + kλ divisible by e, and d = (1 + kλ) / e is the
    /// inverse (e·d = 1 + kλ ≡ 1 mod λ, and d < λ because k < e). No extended Euclid runs on a secret.
    static func privateExponent(e: BigInt, p: BigInt, q: BigInt) -> BigInt {
        let pMinus1 = p - 1, qMinus1 = q - 1
        let g = SecretArithmetic.gcd(pMinus1, qMinus1)
        let lambda = SecretArithmetic.quotient(of: pMinus1, times: qMinus1, dividedBy: g)
        let lambdaModE = SecretArithmetic.remainder(lambda, modulo: e)
        // λ mod e ≠ 0: e is prime and divides neither p − 1 nor q − 1 (checked when they were drawn).
        let inverse = try! SecretArithmetic.power(lambdaModE, e - 2, modulus: e)
        let k = e - inverse
        // kλ ≡ −1 mod e, so (1 + kλ) / e = ⌊kλ / e⌋ + 1.
        return SecretArithmetic.quotient(of: lambda, times: k, dividedBy: e) + BigInt(1)
    }

    /// Odd primes below this bound are tried as divisors before any Miller–Rabin round.
    public static let trialDivisionBound: UInt = 1 << 14

    static func generatePrime(
        half: Int, lowerBound: BigInt, rounds: Int, source: inout RandomBytes, avoiding other: BigInt?, minimumDistance: BigInt
    ) -> BigInt? {
        let byteCount = (half + 7) / 8
        let excess = byteCount * 8 - half
        var attempts = 0
        while attempts < 20 * half {
            let candidate = source.withBytes(byteCount) { bytes -> BigInt in
                bytes[0] &= UInt8(0xFF >> excess)
                bytes[byteCount - 1] |= 1
                return BigInt(magnitudeBytes: UnsafeBufferPointer(bytes))
            }
            guard candidate >= lowerBound else { continue }  // A.1.3 step 4.3: redraw, not counted
            attempts += 1
            if let other, (candidate - other).magnitude <= minimumDistance { continue }
            guard candidate.modulo(UInt(65537)) != 1 else { continue }  // size-only: one-limb remainder (mpn_mod_1), time set by the limb count
            guard !candidate.hasSmallOddPrimeFactor(below: trialDivisionBound) else { continue }
            if candidate.millerRabin(rounds: rounds) { return candidate }
        }
        return nil
    }
}

/// Buffers getrandom(2) output for candidate generation (one system call per 4 KiB instead of one per
/// candidate) and wipes each chunk after use.
struct RandomBytes: ~Copyable {
    private var buffer: UnsafeMutableRawBufferPointer
    private var used: Int

    init() {
        buffer = .allocate(byteCount: 4096, alignment: 16)
        SecureRandom.fill(buffer)
        used = 0
    }

    mutating func withBytes<R>(_ count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> R) -> R {
        precondition(count <= buffer.count)
        if used + count > buffer.count {
            SecureRandom.fill(buffer)
            used = 0
        }
        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + count)])
        used += count
        let result = body(slice.bindMemory(to: UInt8.self))
        SecureMemory.wipe(slice)
        return result
    }

    deinit {
        SecureMemory.wipe(buffer)
        buffer.deallocate()
    }
}
