// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKHash

/// EMSA-PSS (RFC 8017 §9.1) with MGF1 (§B.2.1).
enum PSS {
    /// MGF1: `T = Hash(seed || C(0)) || Hash(seed || C(1)) || …` truncated to `length`.
    static func mgf1(seed: [UInt8], length: Int, hash: HashAlgorithm) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length + hash.digestByteCount)
        var counter: UInt32 = 0
        while out.count < length {
            var h = hash.makeHasher()
            h.update(seed)
            h.update([UInt8(counter >> 24), UInt8(truncatingIfNeeded: counter >> 16), UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter)])
            out += h.finalize()
            counter += 1
        }
        return Array(out.prefix(length))
    }

    /// `H = Hash(0x00×8 || mHash || salt)`.
    static func mPrimeHash(_ digest: [UInt8], _ salt: some Collection<UInt8>, _ hash: HashAlgorithm) -> [UInt8] {
        var h = hash.makeHasher()
        h.update([UInt8](repeating: 0, count: 8))
        h.update(digest)
        h.update(salt)
        return h.finalize()
    }

    /// The longest salt EMSA-PSS can carry for a `modulusBits`-bit key and `hash`: emLen − hLen − 2
    /// (RFC 8017 §9.1.1 step 3), negative when not even an empty salt fits. No input-derived sum is
    /// formed, so no salt length, however large, can overflow the comparison callers make with it.
    static func maximumSaltLength(modulusBits: Int, hash: HashAlgorithm) -> Int {
        let emLen = (modulusBits - 1 + 7) / 8
        return emLen - hash.digestByteCount - 2
    }

    /// EMSA-PSS-ENCODE for a modulus of `modulusBits` (emBits = modBits − 1).
    static func encode(digest: [UInt8], salt: [UInt8], modulusBits: Int, parameters: PSSParameters) throws -> [UInt8] {
        let emBits = modulusBits - 1
        let emLen = (emBits + 7) / 8
        let hLen = parameters.hash.digestByteCount
        guard salt.count <= maximumSaltLength(modulusBits: modulusBits, hash: parameters.hash) else {
            throw RSAError(.encodingError, "salt of \(salt.count) bytes is too long for a \(modulusBits)-bit key with \(parameters.hash.displayName)")
        }
        let h = mPrimeHash(digest, salt, parameters.hash)
        var db = [UInt8](repeating: 0, count: emLen - hLen - 1)
        db[emLen - salt.count - hLen - 2] = 0x01
        db.replaceSubrange((db.count - salt.count)..<db.count, with: salt)
        let mask = mgf1(seed: h, length: db.count, hash: parameters.mgfHash)
        for i in 0..<db.count { db[i] ^= mask[i] }
        db[0] &= UInt8(0xFF >> (8 * emLen - emBits))
        return db + h + [0xBC]
    }

    /// EMSA-PSS-VERIFY on the integer `m = s^e mod n`.
    static func verify(digest: [UInt8], encodedMessage m: BigInt, modulusBits: Int, parameters: PSSParameters) -> Bool {
        let emBits = modulusBits - 1
        let emLen = (emBits + 7) / 8
        let hLen = parameters.hash.digestByteCount
        // I2OSP(m, emLen) fails when m has more than emBits bits (RFC 8017 §8.1.2 step 2c).
        guard m.bitLength <= emBits, let em = m.magnitudeBytes(paddedTo: emLen) else { return false }
        let minimumSalt: Int
        switch parameters.saltLength {
        case .exactly(let n): minimumSalt = n
        case .recover: minimumSalt = 0
        }
        // Compared without forming hLen + salt + 2: the salt length may come from hostile parameters.
        guard minimumSalt >= 0, minimumSalt <= maximumSaltLength(modulusBits: modulusBits, hash: parameters.hash),
            em[emLen - 1] == 0xBC
        else { return false }
        var db = Array(em[0..<(emLen - hLen - 1)])
        let h = Array(em[(emLen - hLen - 1)..<(emLen - 1)])
        let topMask = UInt8(0xFF >> (8 * emLen - emBits))
        guard db[0] & ~topMask == 0 else { return false }
        let mask = mgf1(seed: h, length: db.count, hash: parameters.mgfHash)
        for i in 0..<db.count { db[i] ^= mask[i] }
        db[0] &= topMask
        let saltLength: Int
        switch parameters.saltLength {
        case .exactly(let n):
            let separator = emLen - hLen - n - 2
            guard db[0..<separator].allSatisfy({ $0 == 0 }), db[separator] == 0x01 else { return false }
            saltLength = n
        case .recover:
            guard let separator = db.firstIndex(where: { $0 != 0 }), db[separator] == 0x01 else { return false }
            saltLength = db.count - separator - 1
        }
        let salt = db.suffix(saltLength)
        return constantTimeEquals(mPrimeHash(digest, salt, parameters.hash), h)
    }
}
