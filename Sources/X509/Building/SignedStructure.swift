// SPDX-License-Identifier: Apache-2.0

import DER
import RSA

/// The shape shared by certificates and CSRs: `SEQUENCE { toBeSigned, signatureAlgorithm, signature BIT STRING }`.
enum SignedStructure {
    /// Signs `toBeSigned` (a complete DER element) with `key` under `algorithm` and wraps the three parts.
    static func sign(_ toBeSigned: [UInt8], algorithm: SignatureAlgorithm, key: RSAPrivateKey) throws -> [UInt8] {
        guard let scheme = algorithm.rsaScheme else {
            throw X509Error(.unsupportedAlgorithm, "vkcert signs with RSA; \(algorithm.name) is not an RSA algorithm")
        }
        let signature = try key.signature(for: toBeSigned, scheme: scheme)
        return DERWriter.build { w in
            w.appendConstructed { s in
                s.appendEncoded(toBeSigned)
                algorithm.identifier.write(to: &s)
                s.appendBitString(signature)
            }
        }
    }
}
