// SPDX-License-Identifier: Apache-2.0

import VKHash

/// ECDSA nonces by RFC 6979 §3.2 (HMAC_DRBG over the private key and the message digest), hedged with
/// fresh randomness as the "additional data k′" of §3.6 — what BoringSSL and Go do — so that neither a
/// broken random generator (k then still differs for every message) nor a fault in the deterministic
/// path alone (the random input still varies k) can make two signatures share a nonce.
struct NonceGenerator {
    private var k: [UInt8]
    private var v: [UInt8]
    private let hash: HashAlgorithm
    private let order: Limbs<8>
    private let orderBits: Int

    /// - Parameters:
    ///   - secret: int2octets(x), the private scalar as rlen/8 big-endian bytes.
    ///   - digest: H(m).
    ///   - orderBytes: the group order n, big-endian.
    ///   - additionalData: k′ (empty for the plain deterministic construction of RFC 6979).
    init(hash: HashAlgorithm, secret: [UInt8], digest: [UInt8], orderBytes: [UInt8], additionalData: [UInt8]) {
        self.hash = hash
        order = Limbs<8>(bigEndian: orderBytes)!
        orderBits = order.bitLength
        let rlen = (orderBits + 7) / 8
        // bits2octets(h1) = int2octets(bits2int(h1) mod q).
        var z = NonceGenerator.bits2int(digest, qlen: orderBits)
        let (reduced, borrow) = z.subtractingWithBorrow(order)
        if borrow == 0 { z = reduced }  // public digest: the branch reveals nothing secret
        let h1 = z.bigEndianBytes(count: 64).suffix(rlen)
        v = [UInt8](repeating: 0x01, count: hash.digestByteCount)
        k = [UInt8](repeating: 0x00, count: hash.digestByteCount)
        var seed = v + [0x00] + secret + h1 + additionalData
        k = HMAC.authenticationCode(hash, key: k, message: seed)
        v = HMAC.authenticationCode(hash, key: k, message: v)
        seed.replaceSubrange(0..<v.count, with: v)
        seed[v.count] = 0x01
        k = HMAC.authenticationCode(hash, key: k, message: seed)
        v = HMAC.authenticationCode(hash, key: k, message: v)
        for i in seed.indices { seed[i] = 0 }
    }

    /// bits2int: the leftmost qlen bits of `bytes` as an integer (up to 512 bits).
    static func bits2int(_ bytes: [UInt8], qlen: Int) -> Limbs<8> {
        let used = Array(bytes.prefix((qlen + 7) / 8))
        var value = Limbs<8>(bigEndian: used)!
        let excess = used.count * 8 - qlen
        if excess > 0 {
            for i in 0..<8 {
                value[i] = (value[i] >> UInt64(excess)) | (i + 1 < 8 ? value[i + 1] << UInt64(64 - excess) : 0)
            }
        }
        return value
    }

    /// The next candidate k in [1, q−1], as rlen big-endian bytes (§3.2 step h).
    mutating func next() -> [UInt8] {
        let rlen = (orderBits + 7) / 8
        while true {
            var t: [UInt8] = []
            while t.count < rlen {
                v = HMAC.authenticationCode(hash, key: k, message: v)
                t += v
            }
            var candidate = NonceGenerator.bits2int(t, qlen: orderBits)
            for i in t.indices { t[i] = 0 }
            // 1 ≤ k < q. Rejection happens with probability < 2⁻³² for P-256 and P-384; the branch
            // reveals only that a candidate (then discarded) was out of range.
            let inRange = (candidate.zeroMask == 0) && candidate.subtractingWithBorrow(order).1 == 1
            let bytes = Array(candidate.bigEndianBytes(count: 64).suffix(rlen))
            wipe(&candidate)
            if inRange { return bytes }
            k = HMAC.authenticationCode(hash, key: k, message: v + [0x00])
            v = HMAC.authenticationCode(hash, key: k, message: v)
        }
    }

    mutating func wipeState() {
        for i in k.indices { k[i] = 0 }
        for i in v.indices { v[i] = 0 }
    }
}
