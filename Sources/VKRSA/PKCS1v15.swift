// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2).
enum PKCS1v15 {
    /// The DER `DigestInfo` prefix for `hash`: SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING
    /// header }. Built from the OIDs rather than copied as hex, and checked in tests against the table
    /// in RFC 8017 §9.2 note 1.
    static func digestInfoPrefix(_ hash: HashAlgorithm) -> [UInt8] {
        switch hash {
        case .sha1: prefixes.0
        case .sha224: prefixes.1
        case .sha256: prefixes.2
        case .sha384: prefixes.3
        case .sha512: prefixes.4
        }
    }

    /// Built once: verification is a hot path (tens of thousands per second).
    private static let prefixes = (
        buildPrefix(.sha1), buildPrefix(.sha224), buildPrefix(.sha256), buildPrefix(.sha384), buildPrefix(.sha512)
    )

    private static func buildPrefix(_ hash: HashAlgorithm) -> [UInt8] {
        let oid = hash.oid
        let placeholder = [UInt8](repeating: 0, count: hash.digestByteCount)
        let full = DERWriter.build { w in
            w.appendConstructed { s in
                AlgorithmIdentifier.withNullParameters(oid).write(to: &s)
                s.appendOctetString(placeholder)
            }
        }
        return Array(full.dropLast(hash.digestByteCount))
    }

    /// `EM = 0x00 || 0x01 || PS (0xFF…, ≥ 8 bytes) || 0x00 || DigestInfo`, `length` bytes.
    static func encode(digest: [UInt8], hash: HashAlgorithm, length: Int) throws -> [UInt8] {
        let prefix = digestInfoPrefix(hash)
        let tLength = prefix.count + digest.count
        guard length >= tLength + 11 else {
            throw RSAError(.encodingError, "intended encoded message length too short for \(hash.displayName)")
        }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let start = length - tLength
            buffer[0] = 0x00
            buffer[1] = 0x01
            for i in 2..<(start - 1) { buffer[i] = 0xFF }
            buffer[start - 1] = 0x00
            for i in 0..<prefix.count { buffer[start + i] = prefix[i] }
            for i in 0..<digest.count { buffer[start + prefix.count + i] = digest[i] }
            count = length
        }
    }

    /// Whether `em` is exactly the EMSA-PKCS1-v1_5 encoding of `digest`: compared byte for byte against
    /// the expected encoding (generated in place, never parsed out of `em`), accumulating differences
    /// so the time does not depend on where they are.
    static func matches(_ em: UnsafeRawBufferPointer, digest: [UInt8], hash: HashAlgorithm) -> Bool {
        let prefix = digestInfoPrefix(hash)
        let length = em.count
        let tLength = prefix.count + digest.count
        guard digest.count == hash.digestByteCount, length >= tLength + 11 else { return false }
        let start = length - tLength
        var diff = em[0] | (em[1] ^ 0x01) | em[start - 1]
        for i in 2..<(start - 1) { diff |= em[i] ^ 0xFF }
        for i in 0..<prefix.count { diff |= em[start + i] ^ prefix[i] }
        for i in 0..<digest.count { diff |= em[start + prefix.count + i] ^ digest[i] }
        return diff == 0
    }
}
