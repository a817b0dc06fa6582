// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKECC
import VKHash
import VKRSA

/// Verifies a signature over `data` made with `algorithm` by the holder of `key`.
///
/// The key must suit the algorithm (an RSA key for RSA algorithms, the curve an ECDSA signature
/// names the hash for): a mismatch is not valid. RSA keys must satisfy the verification policy
/// (1024–8192 bits, odd e ≥ 3); RSASSA-PSS-restricted keys only verify PSS with their parameters.
public enum SignatureVerifier {
    /// `valid`, `invalid`, or `unsupported` when vkcert has no verifier for the algorithm or the key (MD5,
    /// DSA, GOST, Ed448, curves other than P-256/384/521): such a signature is neither good nor bad.
    public static func verdict(
        signature: some Collection<UInt8>, over data: some Collection<UInt8>, algorithm: SignatureAlgorithm, key: CertificatePublicKey
    ) -> SignatureVerdict {
        switch algorithm.kind {
        case .unknown: return .unsupported("signature algorithm \(algorithm.name)")
        case .ed448: return .unsupported("Ed448 signatures")
        default: break
        }
        if case .unsupported(let reason) = key.kind { return .unsupported(reason) }
        if case .ed448 = key.kind { return .unsupported("Ed448 keys") }
        return isValid(signature: signature, over: data, algorithm: algorithm, key: key) ? .valid : .invalid
    }

    public static func isValid(
        signature: some Collection<UInt8>, over data: some Collection<UInt8>, algorithm: SignatureAlgorithm, key: CertificatePublicKey
    ) -> Bool {
        switch (algorithm.kind, key.kind) {
        case (.rsaPKCS1, .rsa(_, _, let restriction)), (.rsaPSS, .rsa(_, _, let restriction)):
            guard let scheme = algorithm.rsaScheme, let rsa = try? key.rsaPublicKey() else { return false }
            // A PSS-only key never verifies PKCS#1 v1.5, and its parameters, when given, bind.
            let keyRestriction: RSAKeyRestriction = key.spki.algorithm.algorithm == OID.PublicKey.rsassaPSS ? .pssOnly(restriction) : .none
            guard keyRestriction.permits(scheme) else { return false }
            return rsa.isValidSignature(Array(signature), for: data, scheme: scheme)
        case (.ecdsa(let hash), .ec(let curve, let point)):
            let digest = hash.hash(data)
            // P-256 and P-384: the ECC module's fixed-width arithmetic; P-521: the BigNum verifier.
            let fast: ECDSACurve? = switch curve {
            case .p256: .p256
            case .p384: .p384
            case .p521: nil
            }
            guard let fast else { return WeierstrassCurve.p521.verify(signatureDER: signature, digest: digest, publicPoint: point) }
            guard let value = try? ECDSASignature(derEncoded: signature) else { return false }
            return ECDSAPublicKey.isValidSignature(value, digest: digest, curve: fast, point: point)
        case (.ed25519, .ed25519(let raw)):
            guard let key = try? Ed25519PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: data)
        default:
            return false
        }
    }
}

/// The outcome of checking one signature.
public enum SignatureVerdict: Sendable, Hashable {
    case valid
    case invalid
    /// No verifier for this algorithm or key; the reason names it.
    case unsupported(String)

    public var isSupported: Bool { if case .unsupported = self { false } else { true } }

    /// "valid", "invalid" or "unsupported" (the JSON value).
    public var text: String {
        switch self {
        case .valid: "valid"
        case .invalid: "invalid"
        case .unsupported: "unsupported"
        }
    }
}

extension Certificate {
    /// Whether `issuer`'s key verifies this certificate's signature over its TBS bytes (never with unused
    /// bits in the signature BIT STRING).
    public func isSignature(validFor issuerKey: CertificatePublicKey) -> Bool {
        signatureVerdict(for: issuerKey) == .valid
    }

    /// Valid, invalid or unsupported, with `issuerKey`.
    public func signatureVerdict(for issuerKey: CertificatePublicKey) -> SignatureVerdict {
        guard signatureUnusedBits == 0 else { return .invalid }
        return SignatureVerifier.verdict(signature: signature, over: tbsBytes, algorithm: signatureAlgorithm, key: issuerKey)
    }

    /// Whether the certificate's own key verifies its signature (a self-signed certificate).
    public var isSelfSigned: Bool { isSignature(validFor: publicKey) }
}
