// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKHash
import Synchronization

/// A two-prime RSA private key with its CRT values (RFC 8017 §3.2, form 2).
///
/// Construction checks that the numbers belong together (n = p·q, e·d ≡ 1 mod λ(n), CRT values), so a
/// loaded key either signs correctly or is refused with the failing relation named. Signing
/// additionally requires a modulus of at least 2048 bits.
///
/// Every signature is computed with CRT on a blinded input, all in ``SecretArithmetic`` (GMP's
/// `mpn_sec_*` layer, scratch wiped), and is verified with the public key before it is returned (a fault
/// during the computation must not leak p or q).
public struct RSAPrivateKey: Sendable {
    public let publicKey: RSAPublicKey
    public let privateExponent: BigInt
    public let prime1: BigInt
    public let prime2: BigInt
    public let exponent1: BigInt
    public let exponent2: BigInt
    public let coefficient: BigInt
    let blinding: Blinding

    /// Smallest modulus this toolkit signs with.
    public static let minimumSigningBits = 2048

    /// Builds a key from all PKCS#1 components and checks their relations.
    public init(
        modulus n: BigInt, publicExponent e: BigInt, privateExponent d: BigInt, prime1 p: BigInt, prime2 q: BigInt,
        exponent1 dP: BigInt, exponent2 dQ: BigInt, coefficient qInv: BigInt
    ) throws {
        let publicKey = try RSAPublicKey(modulus: n, publicExponent: e)
        func check(_ condition: Bool, _ what: String) throws {
            if !condition { throw RSAError(.invalidKey, "RSA private key is inconsistent: \(what)") }
        }
        // Every relation is checked with SecretArithmetic (constant time in the values): the checks
        // run on every key load, and a timing trace of them must not reveal p, q or d. The outcome of
        // each check is public (the key loads or not). p·q is a plain product: GMP's multiplication
        // time depends on the operands' sizes only.
        try check(p > BigInt(2) && q > BigInt(2) && p.isOdd && q.isOdd, "primes must be odd and greater than 2")
        try check(p * q == n, "modulus ≠ prime1 × prime2")
        let pMinus1 = p - 1
        let qMinus1 = q - 1
        try check(d.signum > 0 && SecretArithmetic.isLess(d, than: n), "privateExponent out of range")
        // e·d ≡ 1 mod lcm(p−1, q−1) ⟺ e·d ≡ 1 mod (p−1) and mod (q−1): no lcm (no gcd) of secrets needed.
        let ed = e * d
        try check(
            SecretArithmetic.remainder(ed, modulo: pMinus1) == 1 && SecretArithmetic.remainder(ed, modulo: qMinus1) == 1,
            "publicExponent × privateExponent ≢ 1 mod lcm(p−1, q−1)"
        )
        try check(dP.signum > 0 && SecretArithmetic.isLess(dP, than: pMinus1) && SecretArithmetic.remainder(e * dP, modulo: pMinus1) == 1,
                  "exponent1 ≠ d mod (p−1)")
        try check(dQ.signum > 0 && SecretArithmetic.isLess(dQ, than: qMinus1) && SecretArithmetic.remainder(e * dQ, modulo: qMinus1) == 1,
                  "exponent2 ≠ d mod (q−1)")
        try check(qInv.signum > 0 && SecretArithmetic.isLess(qInv, than: p) && SecretArithmetic.product(qInv, q, modulo: p) == 1,
                  "coefficient ≠ q⁻¹ mod p")
        self.publicKey = publicKey
        self.privateExponent = d
        self.prime1 = p
        self.prime2 = q
        self.exponent1 = dP
        self.exponent2 = dQ
        self.coefficient = qInv
        self.blinding = Blinding()
    }

    /// Completes a key from n, e, d, p, q (computing the CRT values) and checks it.
    public init(modulus n: BigInt, publicExponent e: BigInt, privateExponent d: BigInt, prime1 p: BigInt, prime2 q: BigInt) throws {
        // q⁻¹ mod p and d mod (p−1), (q−1) in constant time (the CVE-2018-0737 class: a variable-time
        // inversion or reduction on a prime leaks it to a cache-timing observer).
        guard p > BigInt(2), q > BigInt(2), p.isOdd, let qInv = SecretArithmetic.inverse(q, modulo: p) else {
            throw RSAError(.invalidKey, "RSA private key is inconsistent: q has no inverse modulo p")
        }
        try self.init(
            modulus: n, publicExponent: e, privateExponent: d, prime1: p, prime2: q,
            exponent1: SecretArithmetic.remainder(d, modulo: p - 1), exponent2: SecretArithmetic.remainder(d, modulo: q - 1), coefficient: qInv
        )
    }

    public var modulusBits: Int { publicKey.modulusBits }

    /// Signs `message` (hashing it with the scheme's hash).
    public func signature(for message: some Collection<UInt8>, scheme: RSASignatureScheme = .pkcs1v15()) throws -> [UInt8] {
        try signature(forDigest: scheme.hash.hash(message), scheme: scheme)
    }

    /// Signs a precomputed digest.
    /// - Throws: ``RSAError/Code/keyTooSmall`` under 2048 bits, ``RSAError/Code/encodingError`` when the
    ///   scheme does not fit the key, ``RSAError/Code/faultDetected`` if the result fails verification.
    public func signature(forDigest digest: [UInt8], scheme: RSASignatureScheme = .pkcs1v15()) throws -> [UInt8] {
        guard modulusBits >= Self.minimumSigningBits else {
            throw RSAError(.keyTooSmall, "refusing to sign with a \(modulusBits)-bit RSA key (minimum \(Self.minimumSigningBits))")
        }
        guard digest.count == scheme.hash.digestByteCount else {
            throw RSAError(.encodingError, "digest is \(digest.count) bytes, \(scheme.hash.displayName) needs \(scheme.hash.digestByteCount)")
        }
        let k = publicKey.modulusBytes
        var em: [UInt8]
        switch scheme.backing {
        case .pkcs1v15(let hash):
            em = try PKCS1v15.encode(digest: digest, hash: hash, length: k)
        case .pss(let parameters):
            guard case .exactly(let saltLength) = parameters.saltLength, saltLength >= 0 else {
                throw RSAError(.encodingError, "PSS signing needs an explicit, non-negative salt length")
            }
            // Checked before the salt is drawn, so an absurd length never allocates.
            let maximum = PSS.maximumSaltLength(modulusBits: modulusBits, hash: parameters.hash)
            guard saltLength <= maximum else {
                throw RSAError(
                    .encodingError,
                    "PSS salt of \(saltLength) bytes is too long for a \(modulusBits)-bit key with \(parameters.hash.displayName) (at most \(max(maximum, 0)))"
                )
            }
            var salt = SecureRandom.bytes(saltLength)
            defer { SecureMemory.wipe(&salt) }
            em = try PSS.encode(digest: digest, salt: salt, modulusBits: modulusBits, parameters: parameters)
        }
        defer { SecureMemory.wipe(&em) }
        let m = BigInt(magnitudeBytes: em)
        let s = try signaturePrimitive(m)
        guard let bytes = s.magnitudeBytes(paddedTo: k) else {
            throw RSAError(.faultDetected, "signature representative does not fit the modulus")
        }
        return bytes
    }

    /// RSASP1 (RFC 8017 §5.2.1) by CRT on a blinded representative, verified before returning.
    func signaturePrimitive(_ m: BigInt) throws -> BigInt {
        let n = publicKey.modulus
        guard m.signum >= 0, m < n else { throw RSAError(.encodingError, "message representative out of range") }
        let (blind, unblind) = blinding.next(for: self)
        // Every step on secrets (the blinding factors, p, q, dP, dQ, qInv and the halves) is
        // SecretArithmetic: constant time in the values, scratch wiped.
        let blinded = SecretArithmetic.product(m, blind, modulo: n)
        let sp = try SecretArithmetic.power(blinded, exponent1, modulus: prime1)
        let sq = try SecretArithmetic.power(blinded, exponent2, modulus: prime2)
        // Garner: s = sq + q · (qInv · (sp − sq) mod p).
        let sBlinded = SecretArithmetic.recombine(sp: sp, sq: sq, p: prime1, q: prime2, qInverse: coefficient)
        let s = SecretArithmetic.product(sBlinded, unblind, modulo: n)
        // Verify-after-sign: a fault in either half would otherwise reveal a prime via gcd(s^e − m, n).
        guard try s.power(publicKey.publicExponent, modulus: n) == m else {  // public: s is the signature, e and n the public key
            throw RSAError(.faultDetected, "RSA signature failed its verification check; nothing was released")
        }
        return s
    }
}

/// Base blinding state (RFC 8017 §5.2.1 note; the Kocher countermeasure): a pair (A = rᵉ, A⁻¹ = r⁻¹)
/// mod n. Each use squares both (giving r², r⁴, …), and a fresh r is drawn every
/// ``Blinding/refreshInterval`` uses, so no two signatures share a blinding factor.
final class Blinding: Sendable {
    static let refreshInterval = 32

    private struct State: Sendable {
        var blind: BigInt
        var unblind: BigInt
        var uses: Int
    }

    private let state = Mutex<State?>(nil)

    init() {}

    func next(for key: RSAPrivateKey) -> (BigInt, BigInt) {
        let n = key.publicKey.modulus
        let current: State? = state.withLock { slot in
            guard var s = slot, s.uses < Blinding.refreshInterval else {
                slot = nil
                return nil
            }
            s.blind = SecretArithmetic.square(s.blind, modulo: n)
            s.unblind = SecretArithmetic.square(s.unblind, modulo: n)
            s.uses += 1
            slot = s
            return s
        }
        if let current { return (current.blind, current.unblind) }
        let fresh = Self.fresh(n: n, e: key.publicKey.publicExponent)
        state.withLock { $0 = State(blind: fresh.0, unblind: fresh.1, uses: 1) }
        return fresh
    }

    /// A random r in [2, n − 1] with its blinding pair r^e and r⁻¹, all in constant time (n is odd).
    private static func fresh(n: BigInt, e: BigInt) -> (BigInt, BigInt) {
        while true {
            let r = BigInt.random(in: BigInt(2)...(n - 1))
            guard let rInverse = SecretArithmetic.inverse(r, modulo: n) else { continue }
            // e is public: its own bit length is the exponent width.
            guard let blind = try? SecretArithmetic.power(r, e, modulus: n, exponentBits: e.bitLength) else { continue }
            return (blind, rInverse)
        }
    }
}
