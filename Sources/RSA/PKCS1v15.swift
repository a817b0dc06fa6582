// SPDX-License-Identifier: Apache-2.0

import DER
import Hash

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2).
enum PKCS1v15 {
    /// The DER `DigestInfo` prefix for `hash`: SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING
    /// header }. Built from the OIDs rather than copied as hex, and checked in tests against the table
    /// in RFC 8017 §9.2 note 1.
    static func digestInfoPrefix(_ hash: HashAlgorithm) -> [UInt8] {
        let oid: OID
        switch hash {
        case .sha1: oid = OID.Hash.sha1
        case .sha224: oid = OID.Hash.sha224
        case .sha256: oid = OID.Hash.sha256
        case .sha384: oid = OID.Hash.sha384
        case .sha512: oid = OID.Hash.sha512
        }
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
        let t = digestInfoPrefix(hash) + digest
        guard length >= t.count + 11 else {
            throw RSAError(.encodingError, "intended encoded message length too short for \(hash.displayName)")
        }
        var em = [UInt8](repeating: 0xFF, count: length)
        em[0] = 0x00
        em[1] = 0x01
        em[length - t.count - 1] = 0x00
        em.replaceSubrange((length - t.count)..<length, with: t)
        return em
    }
}
