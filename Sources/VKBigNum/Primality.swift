// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

/// The odd primes below 2^16 and their products packed into machine words for fast trial division.
public enum SmallPrimes {
    /// The 6,541 odd primes 3 … 65,521 (sieve of Eratosthenes, computed once).
    public static let odd: [UInt] = {
        let limit = 1 << 16
        var composite = [Bool](repeating: false, count: limit)
        var primes: [UInt] = []
        var i = 3
        while i < limit {
            if !composite[i] {
                primes.append(UInt(i))
                var j = i * i
                while j < limit {
                    composite[j] = true
                    j += 2 * i
                }
            }
            i += 2
        }
        return primes
    }()

    /// Consecutive primes grouped so that each group's product fits in 64 bits: one multi-precision
    /// division by the product, then cheap word divisions.
    struct Group {
        let product: UInt
        let primes: Range<Int>  // indices into `odd`
    }

    static let groups: [Group] = {
        var result: [Group] = []
        var start = 0
        var product: UInt = 1
        for (index, p) in odd.enumerated() {
            let (next, overflow) = product.multipliedReportingOverflow(by: p)
            if overflow {
                result.append(Group(product: product, primes: start..<index))
                start = index
                product = p
            } else {
                product = next
            }
        }
        result.append(Group(product: product, primes: start..<odd.count))
        return result
    }()
}

extension BigInt {
    /// Whether `self` (> 1) has an odd prime factor among the first primes below `bound`
    /// (at most 2^16) other than itself. Variable time; the value tested is a candidate, not a secret yet.
    public func hasSmallOddPrimeFactor(below bound: UInt = 1 << 16) -> Bool {
        withPointer { z in
            let odd = SmallPrimes.odd
            for group in SmallPrimes.groups {
                if odd[group.primes.lowerBound] >= bound { return false }
                let r = __gmpz_fdiv_ui(z, group.product)
                for index in group.primes {
                    let p = odd[index]
                    if p >= bound { return false }
                    if r % p == 0 {
                        // Divisible by p: composite unless it *is* p.
                        return __gmpz_cmp_ui(z, p) != 0
                    }
                }
            }
            return false
        }
    }

    /// A primality test for values from anywhere, including adversarial ones: trial division by the
    /// primes below 2^16, then Miller–Rabin with `rounds` random bases (error ≤ 4^-rounds for any
    /// composite; 64 rounds by default, the count FIPS 186-5 Table B.1 implies for untrusted input).
    /// Negative numbers, 0 and 1 are not prime.
    public func isProbablePrime(rounds: Int = 64) -> Bool {
        guard signum > 0 else { return false }
        if let small = intValue, small < 4 { return small >= 2 }
        if isEven { return false }
        if hasSmallOddPrimeFactor() { return false }
        if let small = intValue, small < (1 << 32) { return true }  // no factor ≤ 2^16 ⇒ prime
        return millerRabin(rounds: rounds)
    }

    /// The Miller–Rabin probabilistic primality test of FIPS 186-5 B.3.1 with `rounds` bases drawn
    /// uniformly from [2, w − 2] (rejection sampling from the OS CSPRNG).
    ///
    /// Each base exponentiation and squaring is ``SecretArithmetic`` (constant time, wiped scratch), so
    /// the time spent on a number that turns out to be a secret prime does not depend on its value
    /// beyond a = the number of trailing zero bits of w − 1, which sets the number of squarings (as in
    /// every Miller–Rabin implementation). The caller guarantees `self` is odd and > 3.
    public func millerRabin(rounds: Int) -> Bool {
        precondition(isOdd && self > BigInt(3), "Miller–Rabin needs an odd candidate > 3")
        let w = storage.pointer
        let wMinus1 = BigInt.make { __gmpz_sub_ui($0, w, 1) }
        // w − 1 = 2^a · m with m odd.
        let a = Int(__gmpz_scan1(wMinus1.storage.pointer, 0))
        let m = wMinus1 >> a
        let wLength = bitLength
        for _ in 0..<rounds {
            var b: BigInt
            repeat {
                b = BigInt.random(bits: wLength)
            } while b <= BigInt(1) || b >= wMinus1
            var z = try! SecretArithmetic.power(b, m, modulus: self)  // cannot throw: w odd > 3, m ≥ 1
            if z == BigInt(1) || z == wMinus1 {
                continue
            }
            var witnessed = true
            for _ in 1..<max(a, 1) where a > 1 {
                z = SecretArithmetic.product(z, z, modulo: self)
                if z == wMinus1 {
                    witnessed = false
                    break
                }
                if z == BigInt(1) { break }
            }
            if witnessed { return false }
        }
        return true
    }
}
