// SPDX-License-Identifier: Apache-2.0

import VKHash

/// An RSA signature scheme: PKCS#1 v1.5 or PSS with its parameters (RFC 8017 §8).
public struct RSASignatureScheme: Sendable, Hashable, CustomStringConvertible {
    enum Backing: Sendable, Hashable {
        case pkcs1v15(HashAlgorithm)
        case pss(PSSParameters)
    }

    let backing: Backing

    /// RSASSA-PKCS1-v1_5 with `hash` (SHA-256 by default).
    public static func pkcs1v15(_ hash: HashAlgorithm = .sha256) -> RSASignatureScheme {
        RSASignatureScheme(backing: .pkcs1v15(hash))
    }

    /// RSASSA-PSS with MGF1; the salt is as long as the hash unless given, the MGF hash is the
    /// message hash unless given.
    public static func pss(_ hash: HashAlgorithm = .sha256, mgfHash: HashAlgorithm? = nil, saltLength: Int? = nil) -> RSASignatureScheme {
        RSASignatureScheme(
            backing: .pss(PSSParameters(hash: hash, mgfHash: mgfHash ?? hash, saltLength: .exactly(saltLength ?? hash.digestByteCount)))
        )
    }

    /// RSASSA-PSS with explicit parameters (for verification, `saltLength` may be `.recover`).
    public static func pss(_ parameters: PSSParameters) -> RSASignatureScheme {
        RSASignatureScheme(backing: .pss(parameters))
    }

    /// The message hash.
    public var hash: HashAlgorithm {
        switch backing {
        case .pkcs1v15(let hash): hash
        case .pss(let p): p.hash
        }
    }

    /// PSS parameters, or nil for PKCS#1 v1.5.
    public var pssParameters: PSSParameters? {
        if case .pss(let p) = backing { return p }
        return nil
    }

    public var description: String {
        switch backing {
        case .pkcs1v15(let hash): "RSASSA-PKCS1-v1_5 with \(hash.displayName)"
        case .pss(let p): "RSASSA-PSS with \(p.hash.displayName), MGF1-\(p.mgfHash.displayName), salt \(p.saltLength)"
        }
    }
}

/// RSASSA-PSS parameters (RFC 8017 §9.1, A.2.3). Trailer field is always 0xBC.
public struct PSSParameters: Sendable, Hashable {
    /// The salt length: fixed, or (verification only) recovered from the encoded message.
    public enum SaltLength: Sendable, Hashable, CustomStringConvertible {
        case exactly(Int)
        case recover

        public var description: String {
            switch self {
            case .exactly(let n): "\(n) bytes"
            case .recover: "recovered"
            }
        }
    }

    public var hash: HashAlgorithm
    public var mgfHash: HashAlgorithm
    public var saltLength: SaltLength

    public init(hash: HashAlgorithm, mgfHash: HashAlgorithm, saltLength: SaltLength) {
        self.hash = hash
        self.mgfHash = mgfHash
        self.saltLength = saltLength
    }
}
