// SPDX-License-Identifier: Apache-2.0

import VKBigNum

/// Inversions faster than Fermat's ~300 products, for the two places ECDSA needs one per operation.
///
/// GMP's extended Euclid (variable time, ≈3 µs for 256 bits against ≈9 µs for m − 2 as an exponent)
/// only ever sees public values or blinded ones: for a secret a, a fresh uniformly random β ∈ [1, m−1]
/// (from getrandom, never passed to GMP) turns a into a·β, which is uniform on [1, m−1] and
/// independent of a, and the inverse is β·(a·β)⁻¹, multiplied back in constant time. Key derivation
/// keeps the Fermat inversion (it is not on a hot path, and the constant-time test profiles it).
extension MontgomeryDomain {
    /// a⁻¹ mod m for a PUBLIC a in ordinary form (nil when a ≡ 0): the result is ordinary too.
    func invertPublic(_ a: Limbs<N>) -> Limbs<N>? {
        let modulusValue = BigInt(magnitudeBytes: modulus.bigEndianBytes(count: 8 * N))
        guard let inverse = BigInt(magnitudeBytes: a.bigEndianBytes(count: 8 * N)).inverse(modulo: modulusValue),
              let bytes = inverse.magnitudeBytes(paddedTo: 8 * N)
        else { return nil }
        return Limbs<N>(bigEndian: bytes)
    }

    /// a⁻¹ for a PUBLIC a, Montgomery form in and out (0 for 0).
    func invertVariableTime(_ a: Limbs<N>) -> Limbs<N> {
        guard let inverse = invertPublic(fromMontgomery(a)) else { return .zero }
        return toMontgomery(inverse)
    }

    /// a⁻¹ in Montgomery form for a SECRET a in Montgomery form (a ≢ 0, which callers guarantee), by
    /// blinding; 0 for a ≡ 0, as ``invert(_:)``.
    func invertBlinded(_ a: Limbs<N>) -> Limbs<N> {
        var beta = randomNonZeroResidue()
        defer { wipe(&beta) }
        var betaMontgomery = toMontgomery(beta)
        defer { wipe(&betaMontgomery) }
        // aβ leaves constant-time code only in ordinary form, where it is uniform and independent of a.
        let blinded = fromMontgomery(multiply(a, betaMontgomery))
        guard let inverse = invertPublic(blinded) else { return .zero }
        // (aβ)⁻¹ · β · R = a⁻¹ · R.
        return multiply(toMontgomery(inverse), betaMontgomery)
    }

    /// Uniform on [1, m−1] by rejection (m > 2^(64N−1) for the curves here: under two draws on average).
    private func randomNonZeroResidue() -> Limbs<N> {
        while true {
            var bytes = SecureRandom.bytes(8 * N)
            defer { for i in bytes.indices { bytes[i] = 0 } }
            guard let candidate = Limbs<N>(bigEndian: bytes) else { continue }
            if candidate.zeroMask == 0, isReducedMask(candidate) != 0 { return candidate }
        }
    }
}
