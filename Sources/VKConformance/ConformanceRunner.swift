// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import VKFileIO
import FoundationEssentials
import VKHash
import VKRSA

/// Runs every conformance suite found under a `Vectors/` directory and reports per-suite counts.
///
/// Verdicts come from the vectors' authors (Wycheproof's `result`, OpenSSL's bytes); `acceptable`
/// Wycheproof cases are decided by the documented policy and counted as passes with the decision
/// recorded. A missing vector file is a failure, never a silent skip.
public struct ConformanceRunner: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// One suite: a name and the function producing its result.
    public struct Suite: Sendable {
        public let name: String
        public let run: @Sendable (ConformanceRunner) -> SuiteResult
    }

    /// Every suite vkcert knows, in report order. Later issues (X.509) append theirs.
    public static let suites: [Suite] = [
        Suite(name: "wycheproof/rsa_signature_2048_sha256 (PKCS#1 v1.5 verify)") {
            $0.pkcs1Verify("wycheproof/rsa_signature_2048_sha256_test.json", suiteName: "wycheproof/rsa_signature_2048_sha256 (PKCS#1 v1.5 verify)")
        },
        Suite(name: "wycheproof/rsa_pss_2048_sha256_mgf1_32 (PSS verify)") {
            $0.pssVerify("wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json", suiteName: "wycheproof/rsa_pss_2048_sha256_mgf1_32 (PSS verify)")
        },
        Suite(name: "wycheproof/rsa_pss_2048_sha256_mgf1_0 (PSS verify)") {
            $0.pssVerify("wycheproof/rsa_pss_2048_sha256_mgf1_0_test.json", suiteName: "wycheproof/rsa_pss_2048_sha256_mgf1_0 (PSS verify)")
        },
        Suite(name: "wycheproof/rsa_pss_2048_sha256_mgf1_32_params (PSS key parameters)") {
            $0.pssVerify(
                "wycheproof/rsa_pss_2048_sha256_mgf1_32_params_test.json",
                suiteName: "wycheproof/rsa_pss_2048_sha256_mgf1_32_params (PSS key parameters)", parametersFromKey: true
            )
        },
        Suite(name: "wycheproof/rsa_pss_misc (PSS hash/MGF/salt combinations)") {
            $0.pssVerify("wycheproof/rsa_pss_misc_test.json", suiteName: "wycheproof/rsa_pss_misc (PSS hash/MGF/salt combinations)")
        },
        Suite(name: "wycheproof/ecdsa_secp256r1_sha256 (ECDSA P-256 verify, DER)") {
            $0.ecdsaVerify("wycheproof/ecdsa_secp256r1_sha256_test.json", suiteName: "wycheproof/ecdsa_secp256r1_sha256 (ECDSA P-256 verify, DER)")
        },
        Suite(name: "wycheproof/ecdsa_secp256r1_sha256_p1363 (ECDSA P-256 verify, r‖s)") {
            $0.ecdsaP1363Verify("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", suiteName: "wycheproof/ecdsa_secp256r1_sha256_p1363 (ECDSA P-256 verify, r‖s)")
        },
        Suite(name: "wycheproof/ecdsa_secp384r1_sha384 (ECDSA P-384 verify)") {
            $0.ecdsaVerify("wycheproof/ecdsa_secp384r1_sha384_test.json", suiteName: "wycheproof/ecdsa_secp384r1_sha384 (ECDSA P-384 verify)")
        },
        Suite(name: "wycheproof/ecdsa_secp384r1_sha512 (ECDSA P-384 verify, SHA-512)") {
            $0.ecdsaVerify("wycheproof/ecdsa_secp384r1_sha512_test.json", suiteName: "wycheproof/ecdsa_secp384r1_sha512 (ECDSA P-384 verify, SHA-512)")
        },
        Suite(name: "wycheproof/ecdsa_secp521r1_sha512 (ECDSA P-521 verify, BigNum)") {
            $0.ecdsaVerify("wycheproof/ecdsa_secp521r1_sha512_test.json", suiteName: "wycheproof/ecdsa_secp521r1_sha512 (ECDSA P-521 verify, BigNum)")
        },
        Suite(name: "wycheproof/ed25519 (Ed25519 verify)") { $0.ed25519Verify() },
        Suite(name: "wycheproof/rsa_pkcs1_2048_sig_gen (PKCS#1 v1.5 signing, byte-exact)") { $0.sigGen() },
        Suite(name: "wycheproof/rsa_pkcs1_2048 (private-key parsing)") { $0.privateKeys() },
        Suite(name: "wycheproof/primality_test (Miller-Rabin)") { $0.primality() },
        Suite(name: "openssl/digests (SHA-1/2 vs openssl dgst)") { $0.opensslDigests() },
        Suite(name: "openssl/key-formats (PKCS#1, PKCS#8, SPKI re-encoding)") { $0.opensslKeyFormats() },
        Suite(name: "openssl/signatures (PKCS#1 v1.5 byte-exact, PSS verify)") { $0.opensslSignatures() },
        Suite(name: "openssl/ec (SEC 1, PKCS#8, SPKI; ECDSA verify; Ed25519 byte-exact)") { $0.opensslEC() },
        Suite(name: "openssl/x509 (certificates and CSRs vs OpenSSL facts)") { $0.opensslX509Suite() },
        Suite(name: "x509/system-roots (/etc/ssl/certs parse + self-signature)") { $0.systemRootsSuite() },
        Suite(name: "x509/boringssl-parse (single-defect certificates)") { $0.boringSSLSuite() },
        Suite(name: "x509-limbo (RSA, path validation)") { $0.limboSuite() },
    ]

    /// Runs all suites.
    public func runAll() -> [SuiteResult] {
        Self.suites.map { $0.run(self) }
    }

    // MARK: - helpers

    func path(_ relative: String) -> String { directory + "/" + relative }

    func load<Group: Decodable>(_ relative: String, as: Group.Type, into result: inout SuiteResult) -> WycheproofFile<Group>? {
        do {
            let bytes = try FileSystem.read(path(relative), limit: 64 << 20)
            return try JSONDecoder().decode(WycheproofFile<Group>.self, from: Data(bytes))
        } catch {
            result.fail("cannot load \(relative): \(error)")
            return nil
        }
    }

    static func hash(named name: String) -> HashAlgorithm? { HashAlgorithm(name: name) }
}
