// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import Foundation
import VKHash
import VKRSA
import TestSupport
import Testing

/// RSA judged by OpenSSL: keys we generate pass `openssl pkey -check` and FIPS 186-5's criteria,
/// OpenSSL verifies our signatures.
@Suite("RSA interoperability with OpenSSL")
struct RSAInteropTests {
    /// FIPS 186-5 A.1.1 / A.1.3 criteria for nlen-bit keys, checked from p, q, d.
    static func checkFIPS(_ key: RSAPrivateKey, bits: Int) {
        let p = key.prime1, q = key.prime2, d = key.privateExponent, e = key.publicKey.publicExponent
        let half = bits / 2
        #expect(key.publicKey.modulus.bitLength == bits && p * q == key.publicKey.modulus)
        #expect(e == 65537)
        #expect(p.bitLength == half && q.bitLength == half)
        #expect(p * p >= BigInt.powerOfTwo(bits - 1) && q * q >= BigInt.powerOfTwo(bits - 1), "p, q ≥ √2·2^(nlen/2−1)")
        #expect((p - q).magnitude > BigInt.powerOfTwo(half - 100), "|p − q| > 2^(nlen/2 − 100)")
        #expect(BigInt.gcd(p - 1, e) == 1 && BigInt.gcd(q - 1, e) == 1)
        let lambda = BigInt.lcm(p - 1, q - 1)
        #expect(d > BigInt.powerOfTwo(half) && d < lambda, "2^(nlen/2) < d < λ")
        #expect(e.inverse(modulo: lambda) == d, "d = e⁻¹ mod lcm(p−1, q−1)")
        #expect(key.exponent1 == d.modulo(p - 1) && key.exponent2 == d.modulo(q - 1))
        #expect(key.coefficient == q.inverse(modulo: p))
    }

    @Test("20 generated 2048-bit keys meet FIPS 186-5 and pass openssl pkey -check and openssl prime")
    func generatedKeys() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var primes: [String] = []
        for i in 0..<20 {
            let key = try RSAPrivateKey.generate(bits: 2048)
            Self.checkFIPS(key, bits: 2048)
            primes += [key.prime1.hexString, key.prime2.hexString]
            let file = try dir.write("k\(i).pem", Array(key.pkcs8PEMRepresentation.utf8))
            let check = try await Run.openssl(["pkey", "-check", "-noout", "-in", file])
            #expect(check.status == 0 && check.stdoutText.contains("Key is valid"), "key \(i): \(check.stdoutText) \(check.stderrText)")
        }
        let result = try await Run.openssl(["prime", "-hex"] + primes)
        #expect(result.stdoutText.split(separator: "\n").count == 40)
        #expect(result.stdoutText.split(separator: "\n").allSatisfy { $0.hasSuffix(" is prime") }, "\(result.stdoutText)")
    }

    @Test("3072- and 4096-bit keys", arguments: [3072, 4096])
    func largerKeys(bits: Int) async throws {
        let key = try RSAPrivateKey.generate(bits: bits)
        Self.checkFIPS(key, bits: bits)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let file = try dir.write("k.pem", Array(key.pkcs1PEMRepresentation.utf8))
        let check = try await Run.openssl(["rsa", "-check", "-noout", "-in", file])
        #expect(check.stdoutText.contains("RSA key ok"), "\(check.stderrText)")
    }

    @Test func unsupportedSizesRefused() {
        #expect(throws: RSAError(.invalidKey, "")) { try RSAPrivateKey.generate(bits: 1024) }
        #expect(throws: RSAError(.invalidKey, "")) { try RSAPrivateKey.generate(bits: 2047) }
    }

    static let key: RSAPrivateKey = try! RSAPrivateKey.generate()

    /// OpenSSL verifies our PKCS#1 v1.5 and PSS signatures for every hash (and MGF1 / salt variants).
    @Test("OpenSSL verifies our signatures", arguments: [
        ("pkcs1v15", "sha1", "sha1", -1), ("pkcs1v15", "sha224", "sha224", -1), ("pkcs1v15", "sha256", "sha256", -1),
        ("pkcs1v15", "sha384", "sha384", -1), ("pkcs1v15", "sha512", "sha512", -1),
        ("pss", "sha256", "sha256", 32), ("pss", "sha256", "sha256", 0), ("pss", "sha256", "sha256", 222),
        ("pss", "sha384", "sha384", 48), ("pss", "sha512", "sha512", 64), ("pss", "sha256", "sha1", 20),
        ("pss", "sha1", "sha1", 20),
    ])
    func opensslVerifies(scheme: String, hash: String, mgf: String, salt: Int) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let message = Array("vkcert signs this \(scheme) \(hash) \(salt)".utf8)
        let h = try #require(HashAlgorithm(name: hash))
        let rsaScheme: RSASignatureScheme = scheme == "pss"
            ? .pss(h, mgfHash: HashAlgorithm(name: mgf), saltLength: salt) : .pkcs1v15(h)
        let signature = try Self.key.signature(for: message, scheme: rsaScheme)
        #expect(signature.count == 256)
        #expect(Self.key.publicKey.isValidSignature(signature, for: message, scheme: rsaScheme))
        let pub = try dir.write("pub.pem", Array(Self.key.publicKey.spkiPEMRepresentation.utf8))
        let msg = try dir.write("msg", message)
        let sig = try dir.write("sig", signature)
        var args = ["dgst", "-\(hash)", "-verify", pub, "-signature", sig]
        if scheme == "pss" {
            args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:\(salt)", "-sigopt", "rsa_mgf1_md:\(mgf)"]
        }
        let result = try await Run.openssl(args + [msg])
        #expect(result.status == 0 && result.stdoutText.contains("Verified OK"), "\(result.stdoutText)\(result.stderrText)")
        // And a different message must not verify.
        var tampered = message
        tampered[0] ^= 1
        #expect(!Self.key.publicKey.isValidSignature(signature, for: tampered, scheme: rsaScheme))
    }

    /// PKCS#1 v1.5 is deterministic: OpenSSL's signature over the same key and message is byte-equal.
    @Test func pkcs1SignatureEqualsOpenSSL() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let keyFile = try dir.write("key.pem", Array(Self.key.pkcs8PEMRepresentation.utf8))
        let msg = try dir.write("msg", Array("same bytes".utf8))
        let result = try await Run.openssl(["dgst", "-sha256", "-sign", keyFile, msg])
        #expect(result.status == 0)
        #expect(try Self.key.signature(for: Array("same bytes".utf8)) == [UInt8](result.stdout))
    }

    /// RFC 8017 §9.2 note 1 lists the DigestInfo prefixes; ours are built from OIDs and must match.
    @Test func digestInfoPrefixes() throws {
        let table: [(HashAlgorithm, String)] = [
            (.sha1, "3021300906052b0e03021a05000414"),
            (.sha224, "302d300d06096086480165030402040500041c"),
            (.sha256, "3031300d060960864801650304020105000420"),
            (.sha384, "3041300d060960864801650304020205000430"),
            (.sha512, "3051300d060960864801650304020305000440"),
        ]
        // Recover EM from a signature with the public key: it must be 00 01 FF… 00 || prefix || H.
        for (hash, prefix) in table {
            let message = Array("m".utf8)
            let sig = try Self.key.signature(for: message, scheme: .pkcs1v15(hash))
            let m = try BigInt(magnitudeBytes: sig).power(Self.key.publicKey.publicExponent, modulus: Self.key.publicKey.modulus)
            let em = try #require(m.magnitudeBytes(paddedTo: 256))
            let t = Hex.decode(prefix) + hash.hash(message)
            #expect(Array(em.suffix(t.count)) == t, "\(hash)")
            #expect(em[0] == 0 && em[1] == 1 && em[256 - t.count - 1] == 0)
            #expect(em[2..<(256 - t.count - 1)].allSatisfy { $0 == 0xFF })
        }
    }

    @Test func signingRefusesSmallKeys() throws {
        let pem = try Repository.vectorBytes("openssl/keys/rsa1024-verify-only.pkcs8.pem")
        let small = try RSAPrivateKey.load(pem).key
        #expect(small.modulusBits == 1024)
        #expect(throws: RSAError(.keyTooSmall, "")) { try small.signature(for: [1, 2, 3]) }
    }

    @Test func pssSaltTooLong() {
        #expect(throws: RSAError(.encodingError, "")) { try Self.key.signature(for: [1], scheme: .pss(.sha256, saltLength: 223)) }
    }

    @Test func verificationRejectsMalformedSignatures() throws {
        let message = Array("x".utf8)
        let sig = try Self.key.signature(for: message)
        let pub = Self.key.publicKey
        #expect(pub.isValidSignature(sig, for: message, scheme: .pkcs1v15()))
        #expect(!pub.isValidSignature(sig.dropLast(), for: message, scheme: .pkcs1v15()))  // short
        #expect(!pub.isValidSignature([0] + sig, for: message, scheme: .pkcs1v15()))  // long
        #expect(!pub.isValidSignature(pub.modulus.magnitudeBytes(), for: message, scheme: .pkcs1v15()))  // s = n
        #expect(!pub.isValidSignature([UInt8](repeating: 0, count: 256), for: message, scheme: .pkcs1v15()))
        #expect(!pub.isValidSignature(sig, for: message, scheme: .pkcs1v15(.sha384)))  // other hash
        #expect(!pub.isValidSignature(sig, for: message, scheme: .pss()))  // other scheme
        for i in stride(from: 0, to: 256, by: 17) {
            var flipped = sig
            flipped[i] ^= 0x40
            #expect(!pub.isValidSignature(flipped, for: message, scheme: .pkcs1v15()))
        }
    }

    /// A key whose numbers do not belong together is refused with the failing relation named.
    @Test func inconsistentKeysRefused() throws {
        let k = Self.key
        #expect(throws: RSAError(.invalidKey, "")) {
            try RSAPrivateKey(
                modulus: k.publicKey.modulus, publicExponent: k.publicKey.publicExponent, privateExponent: k.privateExponent,
                prime1: k.prime1, prime2: k.prime2, exponent1: k.exponent1, exponent2: k.exponent2, coefficient: k.coefficient + 1
            )
        }
        #expect(throws: RSAError(.invalidKey, "")) {
            try RSAPrivateKey(
                modulus: k.publicKey.modulus, publicExponent: k.publicKey.publicExponent, privateExponent: k.privateExponent + 2,
                prime1: k.prime1, prime2: k.prime2, exponent1: k.exponent1, exponent2: k.exponent2, coefficient: k.coefficient
            )
        }
        #expect(throws: RSAError(.invalidKey, "")) { try RSAPublicKey(modulus: BigInt.powerOfTwo(2048) + 1, publicExponent: BigInt(4)) }
        #expect(throws: RSAError(.invalidKey, "")) { try RSAPublicKey(modulus: BigInt.powerOfTwo(1000) + 1, publicExponent: BigInt(65537)) }
    }

    /// Key files with the wrong label, truncated DER or a non-RSA algorithm fail with clear errors.
    @Test func badKeyFiles() throws {
        let pem = try Repository.vectorBytes("openssl/keys/rsa2048-a.pkcs8.pem")
        let der = try Repository.vectorBytes("openssl/keys/rsa2048-a.pkcs8.der")
        let spki = try Repository.vectorBytes("openssl/keys/rsa2048-a.spki.pem")
        #expect(throws: DERError(.wrongPEMLabel, "")) { try RSAPrivateKey.load(spki) }
        for cut in [0, 1, 10, 100, der.count - 1] {
            #expect(throws: (any Error).self) { try RSAPrivateKey.load(Array(der.prefix(cut))) }
        }
        #expect(throws: (any Error).self) { try RSAPrivateKey.load(der + [0]) }
        let encrypted = Array("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n".utf8)
        #expect(throws: RSAError(.unsupportedKeyFormat, "")) { try RSAPrivateKey.load(encrypted) }
        #expect(try RSAPrivateKey.load(pem).format == .pkcs8)
    }

    /// Many concurrent signers share one key (and its blinding state) safely.
    @Test func concurrentSigning() async throws {
        let key = Self.key
        let message = Array("concurrent".utf8)
        let expected = try key.signature(for: message)
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<80 {
                group.addTask { try key.signature(for: message) }
            }
            for try await signature in group {
                #expect(signature == expected)
            }
        }
    }
}
