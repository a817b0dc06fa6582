// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKECC
import VKFileIO
import VKHash
import VKX509

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

extension ConformanceRunner {
    /// Vectors/openssl/ec/: OpenSSL's EC and Ed25519 keys in every encoding load to the same key and
    /// re-encode byte for byte; its ECDSA signatures verify (and fail on a changed message); its Ed25519
    /// signatures are reproduced byte for byte.
    func opensslEC() -> SuiteResult {
        var result = SuiteResult(name: "openssl/ec (SEC 1, PKCS#8, SPKI; ECDSA verify; Ed25519 byte-exact)")
        func file(_ name: String) -> [UInt8]? { try? FileSystem.read(path("openssl/ec/\(name)")) }
        for name in ["ec-p256", "ec-p384"] {
            guard let pkcs8PEM = file("\(name).pkcs8.pem"), let pkcs8DER = file("\(name).pkcs8.der"), let sec1PEM = file("\(name).sec1.pem"),
                  let sec1DER = file("\(name).sec1.der"), let spkiPEM = file("\(name).spki.pem"), let spkiDER = file("\(name).spki.der")
            else {
                result.fail("\(name): a key file is missing")
                continue
            }
            do {
                guard case .ecdsa(let key) = try PrivateKey.load(pkcs8PEM).key else { result.fail("\(name): not loaded as ECDSA"); continue }
                result.check(key.pkcs8PEMBytes == pkcs8PEM, "\(name): PKCS#8 PEM re-encoding differs")
                result.check(key.pkcs8DERRepresentation == pkcs8DER, "\(name): PKCS#8 DER re-encoding differs")
                result.check(key.sec1PEMBytes == sec1PEM, "\(name): SEC 1 PEM re-encoding differs")
                result.check(key.sec1DERRepresentation == sec1DER, "\(name): SEC 1 DER re-encoding differs")
                result.check(key.publicKey.spkiDERRepresentation == spkiDER, "\(name): SPKI DER re-encoding differs")
                result.check(Array(PEM.encode(label: PEM.Label.publicKey, der: key.publicKey.spkiDERRepresentation).utf8) == spkiPEM, "\(name): SPKI PEM differs")
                for (bytes, label) in [(pkcs8DER, "PKCS#8 DER"), (sec1PEM, "SEC 1 PEM"), (sec1DER, "SEC 1 DER")] {
                    guard case .ecdsa(let other)? = try? PrivateKey.load(bytes).key else { result.fail("\(name): \(label) does not load"); continue }
                    result.check(other.publicKey == key.publicKey && other.scalarBytes() == key.scalarBytes(), "\(name): \(label) loads differently")
                }
                for (bytes, label) in [(spkiPEM, "SPKI PEM"), (spkiDER, "SPKI DER")] {
                    result.check((try? CertificatePublicKey.load(bytes).key.spki) == key.publicKey.spki, "\(name): \(label) loads differently")
                }
                let signatures = (try? FileSystem.listDirectory(path("openssl/ec")))?.filter { $0.hasPrefix("\(name).sha") && $0.hasSuffix(".sig") } ?? []
                result.check(signatures.count >= 8, "\(name): expected OpenSSL ECDSA signatures, found \(signatures.count)")
                for sigName in signatures.sorted() {
                    let parts = sigName.split(separator: ".")
                    guard parts.count == 4, let hash = HashAlgorithm(name: String(parts[1])),
                          let message = try? FileSystem.read(path("openssl/messages/\(parts[2])")), let der = file(sigName),
                          let signature = try? ECDSASignature(derEncoded: der)
                    else {
                        result.fail("\(sigName): unreadable")
                        continue
                    }
                    result.check(key.publicKey.isValidSignature(signature, for: message, hash: hash), "\(sigName): OpenSSL's ECDSA signature does not verify")
                    result.check(!key.publicKey.isValidSignature(signature, for: message + [0x01], hash: hash), "\(sigName): verifies for a different message")
                }
            } catch {
                result.fail("\(name): \(error)")
            }
        }
        guard let pkcs8PEM = file("ed25519.pkcs8.pem"), let pkcs8DER = file("ed25519.pkcs8.der"), let spkiDER = file("ed25519.spki.der"),
              case .ed25519(let key)? = try? PrivateKey.load(pkcs8PEM).key
        else {
            result.fail("ed25519: key files missing or not loaded")
            return result
        }
        result.check(key.pkcs8PEMBytes == pkcs8PEM, "ed25519: PKCS#8 PEM re-encoding differs")
        result.check(key.pkcs8DERRepresentation == pkcs8DER, "ed25519: PKCS#8 DER re-encoding differs")
        result.check(key.publicKey.spkiDERRepresentation == spkiDER, "ed25519: SPKI DER re-encoding differs")
        for message in ["abc", "bytes300", "bytes4096"] {
            guard let theirs = file("ed25519.\(message).sig"), let bytes = try? FileSystem.read(path("openssl/messages/\(message)")) else {
                result.fail("ed25519: signature of \(message) missing")
                continue
            }
            result.check((try? key.signature(for: bytes)) == theirs, "ed25519 \(message): our signature differs from OpenSSL's")
            result.check(key.publicKey.isValidSignature(theirs, for: bytes), "ed25519 \(message): OpenSSL's signature does not verify")
        }
        return result
    }
}
