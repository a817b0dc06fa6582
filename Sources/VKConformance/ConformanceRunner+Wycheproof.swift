// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKHash
import VKRSA

extension ConformanceRunner {
    /// PKCS#1 v1.5 verification. Policy on `acceptable`: tcId 8 (`MissingNull`, DigestInfo without the
    /// NULL parameters) is **rejected**, because vkcert re-encodes the one DER DigestInfo and compares.
    /// The e = 3 groups run too: verification accepts any odd e ≥ 3.
    func pkcs1Verify(_ file: String, suiteName: String) -> SuiteResult {
        var result = SuiteResult(name: suiteName)
        guard let data = load(file, as: PKCS1VerifyGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            guard let hash = Self.hash(named: group.sha), let der = Hex.decode(group.publicKeyDer),
                let asn = Hex.decode(group.publicKeyAsn)
            else {
                result.fail("group with \(group.sha): undecodable fields")
                continue
            }
            let key: RSAPublicKey
            do {
                key = try RSAPublicKey(spkiDER: der[...])
                let fromPKCS1 = try RSAPublicKey(pkcs1DER: asn[...])
                guard fromPKCS1 == key, key.modulus == BigInt(hexString: group.publicKey.modulus) else {
                    result.fail("group key: SPKI, PKCS#1 and the modulus field disagree")
                    continue
                }
            } catch {
                result.fail("group key does not load: \(error)")
                continue
            }
            // Policy on acceptable cases: a DigestInfo without NULL (MissingNull) must be rejected.
            runVerdicts(group.tests, into: &result, acceptableMustReject: ["MissingNull"]) { msg, sig in
                key.isValidSignature(sig, for: msg, scheme: .pkcs1v15(hash))
            }
        }
        return result
    }

    /// PSS verification with the group's hash, MGF1 hash and salt length; with `parametersFromKey`
    /// the parameters come from the id-RSASSA-PSS SubjectPublicKeyInfo and must equal the group's.
    func pssVerify(_ file: String, suiteName: String, parametersFromKey: Bool = false) -> SuiteResult {
        var result = SuiteResult(name: suiteName)
        guard let data = load(file, as: PSSVerifyGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            guard group.mgf == "MGF1", let hash = Self.hash(named: group.sha), let mgfHash = Self.hash(named: group.mgfSha),
                let der = Hex.decode(group.publicKeyDer)
            else {
                for _ in group.tests { result.skip("unsupported MGF or hash in group (\(group.mgf), \(group.sha), \(group.mgfSha))") }
                continue
            }
            var parameters = PSSParameters(hash: hash, mgfHash: mgfHash, saltLength: .exactly(group.sLen))
            let key: RSAPublicKey
            do {
                let loaded = try RSAPublicKey.from(spki: SubjectPublicKeyInfo(derEncoded: der[...]))
                key = loaded.key
                if parametersFromKey {
                    guard let restriction = loaded.pssRestriction, restriction == parameters else {
                        result.fail("group key: PSS parameters in the SPKI do not match the group (\(String(describing: loaded.pssRestriction)))")
                        continue
                    }
                    parameters = restriction
                }
            } catch {
                result.fail("group key does not load: \(error)")
                continue
            }
            runVerdicts(group.tests, into: &result, acceptableMustReject: []) { msg, sig in
                key.isValidSignature(sig, for: msg, scheme: .pss(parameters))
            }
        }
        return result
    }

    /// Checks one group's verdicts: `valid` must verify, `invalid` must not; `acceptable` cases are passes
    /// with the decision recorded, except those flagged in `acceptableMustReject`, which must be rejected.
    func runVerdicts(
        _ tests: [WycheproofSignatureTest], into result: inout SuiteResult, acceptableMustReject: Set<String>,
        _ verify: ([UInt8], [UInt8]) -> Bool
    ) {
        for test in tests {
            guard let msg = Hex.decode(test.msg), let sig = Hex.decode(test.sig) else {
                result.fail("tcId \(test.tcId): undecodable hex")
                continue
            }
            let valid = verify(msg, sig)
            switch test.result {
            case "valid": result.check(valid, "tcId \(test.tcId) (\(test.comment)): valid signature rejected")
            case "invalid": result.check(!valid, "tcId \(test.tcId) (\(test.comment)): invalid signature accepted")
            default:
                result.check(
                    !valid || acceptableMustReject.isDisjoint(with: test.flags),
                    "tcId \(test.tcId) acceptable case decided against policy",
                    decision: "acceptable \(test.flags.joined(separator: ",")) → \(valid ? "accepted" : "rejected")"
                )
            }
        }
    }

    /// PKCS#1 v1.5 signature generation must reproduce every expected signature byte for byte.
    /// `acceptable` groups (SHA-1 `WeakHash`, e = 3 `SmallPublicKey`) are signed too — vkcert signs
    /// with SHA-1 only when asked explicitly and accepts imported e = 3 keys — and must match as well.
    func sigGen() -> SuiteResult {
        var result = SuiteResult(name: "wycheproof/rsa_pkcs1_2048_sig_gen (PKCS#1 v1.5 signing, byte-exact)")
        guard let data = load("wycheproof/rsa_pkcs1_2048_sig_gen_test.json", as: SigGenGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            guard let hash = Self.hash(named: group.sha), let pkcs8 = Hex.decode(group.privateKeyPkcs8) else {
                result.fail("group \(group.sha): undecodable")
                continue
            }
            let key: RSAPrivateKey
            do {
                key = try RSAPrivateKey.load(Array(group.privateKeyPem.utf8)).key
                let other = try RSAPrivateKey(pkcs8DER: pkcs8[...])
                guard other.publicKey == key.publicKey, other.privateExponent == key.privateExponent else {
                    result.fail("group \(group.sha): PEM and PKCS#8 keys differ")
                    continue
                }
            } catch {
                result.fail("group \(group.sha): key does not load: \(error)")
                continue
            }
            for test in group.tests {
                guard let msg = Hex.decode(test.msg), let expected = Hex.decode(test.sig) else {
                    result.fail("tcId \(test.tcId): undecodable hex")
                    continue
                }
                let produced = try? key.signature(for: msg, scheme: .pkcs1v15(hash))
                let decision = test.result == "acceptable" ? "acceptable \(test.flags.joined(separator: ",")) → signed, byte-exact" : nil
                result.check(produced == expected, "tcId \(test.tcId) (\(group.sha)): signature differs from the expected bytes", decision: decision)
            }
        }
        return result
    }

    /// The 33 CRT private keys of the PKCS#1 decryption file: the PKCS#8 DER and the PEM must parse to
    /// the listed numbers and re-encode byte for byte. The decryption tests themselves are skipped:
    /// vkcert implements no RSA encryption.
    func privateKeys() -> SuiteResult {
        var result = SuiteResult(name: "wycheproof/rsa_pkcs1_2048 (private-key parsing)")
        guard let data = load("wycheproof/rsa_pkcs1_2048_test.json", as: DecryptGroup.self, into: &result) else { return result }
        for (index, group) in data.testGroups.enumerated() {
            guard let pkcs8 = Hex.decode(group.privateKeyPkcs8) else {
                result.fail("group \(index): undecodable PKCS#8 hex")
                continue
            }
            do {
                let key = try RSAPrivateKey(pkcs8DER: pkcs8[...])
                let fromPEM = try RSAPrivateKey.load(Array(group.privateKeyPem.utf8))
                let n = group.privateKey
                func big(_ s: String) -> BigInt? { BigInt(hexString: s) }
                let numbersMatch =
                    key.publicKey.modulus == big(n.modulus) && key.publicKey.publicExponent == big(n.publicExponent)
                    && key.privateExponent == big(n.privateExponent) && key.prime1 == big(n.prime1) && key.prime2 == big(n.prime2)
                    && key.exponent1 == big(n.exponent1) && key.exponent2 == big(n.exponent2) && key.coefficient == big(n.coefficient)
                result.check(numbersMatch, "group \(index): parsed numbers differ from the JSON fields")
                result.check(key.pkcs8DERRepresentation == pkcs8, "group \(index): PKCS#8 re-encoding differs")
                result.check(fromPEM.format == .pkcs8 && fromPEM.key.pkcs8PEMRepresentation == group.privateKeyPem + (group.privateKeyPem.hasSuffix("\n") ? "" : "\n"),
                             "group \(index): PEM re-encoding differs")
            } catch {
                result.fail("group \(index): key does not load: \(error)")
            }
            for _ in group.tests { result.skip("RSAES-PKCS1-v1_5 decryption is not implemented (vkcert only signs)") }
        }
        return result
    }

    /// Primality: every `valid` value must be judged prime and every `invalid` one composite.
    /// `acceptable` cases are negatives of primes (`NegativeOfPrime`): vkcert says not prime.
    func primality() -> SuiteResult {
        var result = SuiteResult(name: "wycheproof/primality_test (Miller-Rabin)")
        guard let data = load("wycheproof/primality_test.json", as: PrimalityGroup.self, into: &result) else { return result }
        for group in data.testGroups {
            for test in group.tests {
                guard let bytes = Hex.decode(test.value) else {
                    result.fail("tcId \(test.tcId): undecodable value")
                    continue
                }
                let prime = BigInt(twosComplementBytes: bytes).isProbablePrime()
                switch test.result {
                case "valid": result.check(prime, "tcId \(test.tcId) (\(test.comment)): prime judged composite")
                case "invalid": result.check(!prime, "tcId \(test.tcId) (\(test.comment)): composite judged prime")
                default: result.pass(decision: "acceptable \(test.flags.joined(separator: ",")) → \(prime ? "prime" : "not prime")")
                }
            }
        }
        return result
    }
}
