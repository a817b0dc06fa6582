// SPDX-License-Identifier: Apache-2.0

import DER
import ECC
import Hash
import RSA

/// Verifies a signature over `data` made with `algorithm` by the holder of `key`.
///
/// The key must suit the algorithm (an RSA key for RSA algorithms, the curve an ECDSA signature
/// names the hash for): a mismatch is not valid. RSA keys must satisfy the verification policy
/// (1024–8192 bits, odd e ≥ 3); RSASSA-PSS-restricted keys only verify PSS with their parameters.
public enum SignatureVerifier {
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

extension Certificate {
    /// Whether `issuer`'s key verifies this certificate's signature over its TBS bytes.
    public func isSignature(validFor issuerKey: CertificatePublicKey) -> Bool {
        SignatureVerifier.isValid(signature: signature, over: tbsBytes, algorithm: signatureAlgorithm, key: issuerKey)
    }

    /// Whether the certificate's own key verifies its signature (a self-signed certificate).
    public var isSelfSigned: Bool { isSignature(validFor: publicKey) }
}
