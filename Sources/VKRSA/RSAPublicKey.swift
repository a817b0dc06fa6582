// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKHash

/// An RSA public key (n, e) accepted for **verification**: modulus 1024–8192 bits, odd e ≥ 3, e < n,
/// e of at most 33 bits.
///
/// Policy (≥ 2048 bits, e = 65537) is reported separately by linting; verification of legacy
/// signatures must still be possible.
public struct RSAPublicKey: Sendable, Hashable {
    public let modulus: BigInt
    public let publicExponent: BigInt

    /// Smallest and largest modulus sizes accepted for verification.
    public static let verificationModulusBits = 1024...8192

    /// Largest public exponent accepted, in bits (BoringSSL's bound).
    public static let maximumExponentBits = 33

    public init(modulus: BigInt, publicExponent: BigInt) throws {
        guard modulus.signum > 0, modulus.isOdd else {
            throw RSAError(.invalidKey, "RSA modulus must be odd and positive")
        }
        guard Self.verificationModulusBits.contains(modulus.bitLength) else {
            throw RSAError(.invalidKey, "RSA modulus of \(modulus.bitLength) bits is outside 1024–8192")
        }
        guard publicExponent.isOdd, publicExponent >= BigInt(3), publicExponent < modulus else {
            throw RSAError(.invalidKey, "RSA public exponent must be odd, at least 3 and below the modulus")
        }
        // A huge e makes every verification a full-size exponentiation (an 8192-bit e costs as much as
        // a private-key operation): bounded as BoringSSL bounds it (kMaxExponentBits = 33 in
        // crypto/fipsmodule/rsa/rsa_impl.c); Go's crypto/rsa is stricter (e < 2^31).
        guard publicExponent.bitLength <= Self.maximumExponentBits else {
            throw RSAError(.invalidKey, "RSA public exponent of \(publicExponent.bitLength) bits exceeds \(Self.maximumExponentBits) bits")
        }
        self.modulus = modulus
        self.publicExponent = publicExponent
    }

    /// Size of the modulus in bits.
    public var modulusBits: Int { modulus.bitLength }

    /// Size of the modulus in bytes (the signature length k).
    public var modulusBytes: Int { modulus.byteLength }

    /// The longest RSASSA-PSS salt a signature with `hash` can carry under this key (emLen − hLen − 2;
    /// negative when the key is too small for the hash).
    public func maximumPSSSaltLength(hash: HashAlgorithm) -> Int {
        PSS.maximumSaltLength(modulusBits: modulusBits, hash: hash)
    }

    /// RSAVP1 (RFC 8017 §5.2.2): `s^e mod n` for a signature representative `s < n`.
    func verificationPrimitive(_ signature: some Collection<UInt8>) -> BigInt? {
        guard signature.count == modulusBytes else { return nil }
        let s = BigInt(magnitudeBytes: signature)
        guard s < modulus else { return nil }
        return try? s.power(publicExponent, modulus: modulus)  // public: verification; cannot throw (modulus > 0, e > 0)
    }

    /// Whether `signature` is a valid signature of `message` under `scheme`. Never throws: any
    /// malformed input is simply not valid.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>, scheme: RSASignatureScheme) -> Bool {
        let digest = scheme.hash.hash(message)
        return isValidSignature(signature, forDigest: digest, scheme: scheme)
    }

    /// Verification over a precomputed digest of the message.
    public func isValidSignature(_ signature: some Collection<UInt8>, forDigest digest: [UInt8], scheme: RSASignatureScheme) -> Bool {
        guard digest.count == scheme.hash.digestByteCount, let m = verificationPrimitive(signature) else { return false }
        switch scheme.backing {
        case .pkcs1v15(let hash):
            // RFC 8017 §8.2.2: compare with the expected encoding; the padding is never parsed.
            return m.withMagnitudeBytes(paddedTo: modulusBytes) { em in
                guard let em else { return false }
                return PKCS1v15.matches(em, digest: digest, hash: hash)
            }
        case .pss(let parameters):
            return PSS.verify(digest: digest, encodedMessage: m, modulusBits: modulusBits, parameters: parameters)
        }
    }
}

/// Compares two byte sequences in time independent of where they differ.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
