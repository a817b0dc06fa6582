// SPDX-License-Identifier: Apache-2.0

import VKDER

/// What an RSA public key may verify, from its SubjectPublicKeyInfo algorithm (RFC 4055 §1.2, §3.3).
///
/// An rsaEncryption key verifies any scheme. An id-RSASSA-PSS key verifies RSASSA-PSS only; when its
/// algorithm carries `RSASSA-PSS-params` they bind: the same message hash and MGF1 hash, and a salt at
/// least as long as the key's (the key's saltLength is a minimum, RFC 4055 §3.3).
public enum RSAKeyRestriction: Sendable, Hashable {
    /// rsaEncryption: every scheme.
    case none
    /// id-RSASSA-PSS: PSS only, with these parameters when the key names them.
    case pssOnly(PSSParameters?)

    /// The restriction an RSA SubjectPublicKeyInfo carries (the algorithm must be an RSA one).
    public init(spki: SubjectPublicKeyInfo) throws {
        self = try RSAPublicKey.from(spki: spki).pssRestriction.map { .pssOnly($0) }
            ?? (spki.algorithm.algorithm == OID.PublicKey.rsassaPSS ? .pssOnly(nil) : .none)
    }

    /// Why `scheme` may not be used with this key, or nil when it may.
    public func refusal(of scheme: RSASignatureScheme) -> String? {
        guard case .pssOnly(let parameters) = self else { return nil }
        guard let pss = scheme.pssParameters else { return "an id-RSASSA-PSS key verifies RSASSA-PSS signatures only" }
        guard let parameters else { return nil }
        if pss.hash != parameters.hash {
            return "the key is restricted to PSS with \(parameters.hash.displayName), not \(pss.hash.displayName)"
        }
        if pss.mgfHash != parameters.mgfHash {
            return "the key is restricted to MGF1 with \(parameters.mgfHash.displayName), not \(pss.mgfHash.displayName)"
        }
        guard case .exactly(let minimum) = parameters.saltLength else { return nil }
        switch pss.saltLength {
        case .exactly(let n) where n < minimum:
            return "the key requires a PSS salt of at least \(minimum) bytes, not \(n)"
        case .recover where minimum > 0:
            return "the key requires a PSS salt of at least \(minimum) bytes; give the salt length instead of recovering it"
        default:
            return nil
        }
    }

    /// Whether `scheme` may be used with this key.
    public func permits(_ scheme: RSASignatureScheme) -> Bool { refusal(of: scheme) == nil }
}
