// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKFileIO
import VKHash
import VKRSA

extension ConformanceRunner {
    func readText(_ relative: String, into result: inout SuiteResult) -> String? {
        do {
            return String(decoding: try FileSystem.read(path(relative)), as: UTF8.self)
        } catch {
            result.fail("cannot read \(relative): \(error)")
            return nil
        }
    }

    /// Rows of a TSV file with a header line.
    func tsv(_ relative: String, into result: inout SuiteResult) -> [[String: String]]? {
        guard let text = readText(relative, into: &result) else { return nil }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// Digests of the vector messages must equal `openssl dgst`'s (digests.tsv).
    func opensslDigests() -> SuiteResult {
        var result = SuiteResult(name: "openssl/digests (SHA-1/2 vs openssl dgst)")
        guard let text = readText("openssl/digests.tsv", into: &result) else { return result }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3, let hash = HashAlgorithm(name: fields[1]),
                let message = try? FileSystem.read(path("openssl/messages/\(fields[0])"))
            else {
                result.fail("bad digests.tsv line: \(line)")
                continue
            }
            result.check(Hex.encode(hash.hash(message)) == fields[2], "\(fields[1])(\(fields[0])) differs from openssl")
        }
        return result
    }

    static let opensslKeys = ["rsa2048-a", "rsa2048-b", "rsa3072", "rsa4096", "rsa1024-verify-only", "rsa2048-e3"]

    /// Each OpenSSL key loads from all of its encodings and re-encodes byte for byte in PKCS#8 PEM/DER,
    /// PKCS#1 PEM/DER, SPKI PEM/DER and RSAPublicKey PEM/DER.
    func opensslKeyFormats() -> SuiteResult {
        var result = SuiteResult(name: "openssl/key-formats (PKCS#1, PKCS#8, SPKI re-encoding)")
        for name in Self.opensslKeys {
            func file(_ suffix: String) -> [UInt8]? { try? FileSystem.read(path("openssl/keys/\(name).\(suffix)")) }
            guard let pkcs8PEM = file("pkcs8.pem"), let pkcs8DER = file("pkcs8.der"), let pkcs1PEM = file("pkcs1.pem"),
                let pkcs1DER = file("pkcs1.der"), let spkiPEM = file("spki.pem"), let spkiDER = file("spki.der"),
                let rsapubPEM = file("rsapub.pem"), let rsapubDER = file("rsapub.der")
            else {
                result.fail("\(name): a key file is missing")
                continue
            }
            do {
                let (key, format) = try RSAPrivateKey.load(pkcs8PEM)
                result.check(format == .pkcs8, "\(name): PKCS#8 PEM detected as \(format)")
                result.check(Array(key.pkcs8PEMRepresentation.utf8) == pkcs8PEM, "\(name): PKCS#8 PEM re-encoding differs")
                result.check(key.pkcs8DERRepresentation == pkcs8DER, "\(name): PKCS#8 DER re-encoding differs")
                result.check(Array(key.pkcs1PEMRepresentation.utf8) == pkcs1PEM, "\(name): PKCS#1 PEM re-encoding differs")
                result.check(key.pkcs1DERRepresentation == pkcs1DER, "\(name): PKCS#1 DER re-encoding differs")
                result.check(Array(key.publicKey.spkiPEMRepresentation.utf8) == spkiPEM, "\(name): SPKI PEM re-encoding differs")
                result.check(key.publicKey.spkiDERRepresentation == spkiDER, "\(name): SPKI DER re-encoding differs")
                result.check(Array(key.publicKey.pkcs1PEMRepresentation.utf8) == rsapubPEM, "\(name): RSAPublicKey PEM differs")
                result.check(key.publicKey.pkcs1DERRepresentation == rsapubDER, "\(name): RSAPublicKey DER differs")
                for (bytes, label) in [(pkcs8DER, "PKCS#8 DER"), (pkcs1PEM, "PKCS#1 PEM"), (pkcs1DER, "PKCS#1 DER")] {
                    let other = try? RSAPrivateKey.load(bytes).key
                    result.check(other?.publicKey == key.publicKey && other?.privateExponent == key.privateExponent, "\(name): \(label) loads differently")
                }
                for (bytes, label) in [(spkiPEM, "SPKI PEM"), (spkiDER, "SPKI DER"), (rsapubPEM, "RSAPublicKey PEM"), (rsapubDER, "RSAPublicKey DER")] {
                    result.check((try? RSAPublicKey.load(bytes).key) == key.publicKey, "\(name): \(label) loads differently")
                }
            } catch {
                result.fail("\(name): \(error)")
            }
        }
        return result
    }

    /// Every OpenSSL signature in manifest.tsv verifies with our code; every deterministic one
    /// (PKCS#1 v1.5, PSS with salt 0) is reproduced byte for byte by our signer when the key is
    /// ≥ 2048 bits (the 1024-bit key is verify-only: vkcert refuses to sign with it).
    func opensslSignatures() -> SuiteResult {
        var result = SuiteResult(name: "openssl/signatures (PKCS#1 v1.5 byte-exact, PSS verify)")
        guard let rows = tsv("openssl/manifest.tsv", into: &result) else { return result }
        var keys: [String: RSAPrivateKey] = [:]
        for row in rows {
            guard let keyName = row["key"], let scheme = row["scheme"], let hashName = row["hash"], let hash = HashAlgorithm(name: hashName),
                let message = row["message"], let sigPath = row["signature"],
                let msg = try? FileSystem.read(path("openssl/messages/\(message)")), let sig = try? FileSystem.read(path("openssl/\(sigPath)"))
            else {
                result.fail("bad manifest row \(row)")
                continue
            }
            if keys[keyName] == nil {
                keys[keyName] = try? RSAPrivateKey.load(FileSystem.read(path("openssl/keys/\(keyName).pkcs8.pem"))).key
            }
            guard let key = keys[keyName] else {
                result.fail("\(keyName): key does not load")
                continue
            }
            let rsaScheme: RSASignatureScheme
            if scheme == "pkcs1v15" {
                rsaScheme = .pkcs1v15(hash)
            } else {
                guard let mgf = row["mgf_hash"].flatMap(HashAlgorithm.init(name:)), let salt = row["salt_length"].flatMap(Int.init) else {
                    result.fail("bad PSS row \(row)")
                    continue
                }
                rsaScheme = .pss(hash, mgfHash: mgf, saltLength: salt)
            }
            let label = "\(sigPath)"
            result.check(key.publicKey.isValidSignature(sig, for: msg, scheme: rsaScheme), "\(label): OpenSSL signature does not verify")
            if row["deterministic"] == "yes" {
                if key.modulusBits < RSAPrivateKey.minimumSigningBits {
                    result.skip("re-signing with a key below 2048 bits (vkcert refuses; verification still checked)")
                } else {
                    let ours = try? key.signature(for: msg, scheme: rsaScheme)
                    result.check(ours == sig, "\(label): our signature differs from OpenSSL's bytes")
                }
            }
        }
        return result
    }
}
