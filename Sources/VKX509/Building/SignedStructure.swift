// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKRSA

/// The shape shared by certificates and CSRs: `SEQUENCE { toBeSigned, signatureAlgorithm, signature BIT STRING }`.
enum SignedStructure {
    /// Signs `toBeSigned` (a complete DER element) with `key` under `algorithm` and wraps the three parts.
    static func sign(_ toBeSigned: [UInt8], algorithm: SignatureAlgorithm, key: PrivateKey) throws -> [UInt8] {
        let signature = try key.sign(toBeSigned, algorithm: algorithm)
        return DERWriter.build { w in
            w.appendConstructed { s in
                s.appendEncoded(toBeSigned)
                algorithm.identifier.write(to: &s)
                s.appendBitString(signature)
            }
        }
    }
}
