// SPDX-License-Identifier: Apache-2.0

import DER
import ECC
import Hash
import X509

/// Wycheproof ECDSA and EdDSA groups (ecdsa_verify_schema_v1, ecdsa_p1363_verify_schema_v1,
/// eddsa_verify_schema_v1).
struct ECVerifyGroup: Decodable {
    let publicKey: Key
    let publicKeyDer: String
    let sha: String?
    let tests: [WycheproofSignatureTest]

    struct Key: Decodable {
        let curve: String
        let uncompressed: String?
        let pk: String?
    }
}

extension ConformanceRunner {
    /// DER-signature ECDSA files, through the same path certificates take: the group's SPKI parsed by
    /// X509, `SignatureVerifier` choosing the implementation (P-256/P-384: ECC; P-521: BigNum).
    func ecdsaVerify(_ file: String, suiteName: String) -> SuiteResult {
        var result = SuiteResult(name: suiteName)
        guard let data = load(file, as: ECVerifyGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            guard let sha = group.sha, let hash = Self.hash(named: sha), let der = Hex.decode(group.publicKeyDer) else {
                result.fail("group on \(group.publicKey.curve): undecodable fields")
                continue
            }
            let key: CertificatePublicKey
            do {
                key = try CertificatePublicKey(spki: SubjectPublicKeyInfo(derEncoded: der[...]))
            } catch {
                result.fail("group key on \(group.publicKey.curve) does not load: \(error)")
                continue
            }
            let algorithm = SignatureAlgorithm.ecdsa(hash)
            runVerdicts(group.tests, into: &result, acceptableMustReject: []) { msg, sig in
                SignatureVerifier.isValid(signature: sig, over: msg, algorithm: algorithm, key: key)
            }
        }
        return result
    }

    /// r‖s (IEEE P1363) signatures straight to the ECC module: any length but 2·|n| is invalid.
    func ecdsaP1363Verify(_ file: String, suiteName: String) -> SuiteResult {
        var result = SuiteResult(name: suiteName)
        guard let data = load(file, as: ECVerifyGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            let curve: ECDSACurve? = switch group.publicKey.curve {
            case "secp256r1": .p256
            case "secp384r1": .p384
            default: nil
            }
            guard let curve, let sha = group.sha, let hash = Self.hash(named: sha),
                  let point = group.publicKey.uncompressed.flatMap({ Hex.decode($0) }),
                  let key = try? ECDSAPublicKey(curve: curve, point: point)
            else {
                result.fail("group on \(group.publicKey.curve): key does not load")
                continue
            }
            runVerdicts(group.tests, into: &result, acceptableMustReject: []) { msg, sig in
                guard let value = try? ECDSASignature(rawRepresentation: sig, byteCount: curve.byteCount) else { return false }
                return key.isValidSignature(value, for: msg, hash: hash)
            }
        }
        return result
    }

    /// Ed25519 through both doors: the raw key in ECC and the SPKI through X509; the two must agree.
    func ed25519Verify() -> SuiteResult {
        let name = "wycheproof/ed25519 (Ed25519 verify)"
        var result = SuiteResult(name: name)
        guard let data = load("wycheproof/ed25519_test.json", as: ECVerifyGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            guard let raw = group.publicKey.pk.flatMap({ Hex.decode($0) }), let der = Hex.decode(group.publicKeyDer),
                  let key = try? Ed25519PublicKey(rawRepresentation: raw),
                  let spkiKey = try? CertificatePublicKey(spki: SubjectPublicKeyInfo(derEncoded: der[...]))
            else {
                result.fail("group: Ed25519 key does not load")
                continue
            }
            var disagreements: [Int] = []
            runVerdicts(group.tests, into: &result, acceptableMustReject: []) { msg, sig in
                let direct = key.isValidSignature(sig, for: msg)
                let viaX509 = SignatureVerifier.isValid(signature: sig, over: msg, algorithm: .ed25519, key: spkiKey)
                if direct != viaX509 { disagreements.append(0) }
                return direct && viaX509
            }
            if !disagreements.isEmpty { result.fail("\(disagreements.count) verdicts differ between the raw key and the SPKI path") }
        }
        return result
    }
}
