// SPDX-License-Identifier: Apache-2.0

import VKDER
@testable import VKECC
import Foundation
import VKHash
import TestSupport
import Testing

/// OpenSSL is the judge: its keys parse and re-encode byte for byte, it verifies our signatures and
/// accepts our keys (`pkey -check`), we verify its signatures, and Ed25519 signatures are identical.
@Suite("ECDSA and Ed25519 against OpenSSL")
struct ECCInteropTests {
    static func pemBytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func der(_ pem: [UInt8]) throws -> [UInt8] { try PEM.decodeAll(pem)[0].der }

    @Test("OpenSSL's SEC 1 and PKCS#8 EC keys parse and re-encode byte for byte", arguments: [("prime256v1", ECDSACurve.p256), ("secp384r1", .p384)])
    func opensslECKeys(name: String, curve: ECDSACurve) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(try await Run.openssl(["ecparam", "-name", name, "-genkey", "-noout", "-out", dir.path("sec1.pem")]).status == 0)
        #expect(try await Run.openssl(["pkey", "-in", dir.path("sec1.pem"), "-out", dir.path("p8.pem")]).status == 0)
        #expect(try await Run.openssl(["pkey", "-in", dir.path("sec1.pem"), "-pubout", "-outform", "DER", "-out", dir.path("pub.der")]).status == 0)
        let sec1 = try Self.der(dir.read("sec1.pem"))
        let pkcs8 = try Self.der(dir.read("p8.pem"))
        let fromSEC1 = try ECDSAPrivateKey(sec1DER: sec1[...])
        let fromPKCS8 = try ECDSAPrivateKey(pkcs8DER: pkcs8[...])
        #expect(fromSEC1.curve == curve)
        #expect(fromSEC1.publicKey == fromPKCS8.publicKey)
        #expect(fromSEC1.sec1DERRepresentation == sec1)
        #expect(fromPKCS8.pkcs8DERRepresentation == pkcs8)
        #expect(fromSEC1.sec1PEMBytes == (try dir.read("sec1.pem")))
        #expect(fromSEC1.publicKey.spkiDERRepresentation == (try dir.read("pub.der")))
        // Without the public key (openssl ec -no_public) the key still loads, with the same public key.
        #expect(try await Run.openssl(["ec", "-in", dir.path("sec1.pem"), "-no_public", "-out", dir.path("nopub.pem")]).status == 0)
        let noPublic = try ECDSAPrivateKey(sec1DER: Self.der(dir.read("nopub.pem"))[...])
        #expect(noPublic.publicKey == fromSEC1.publicKey)
    }

    @Test("OpenSSL's Ed25519 PKCS#8 key re-encodes byte for byte, and its signatures equal ours")
    func opensslEd25519() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(try await Run.openssl(["genpkey", "-algorithm", "ed25519", "-out", dir.path("ed.pem")]).status == 0)
        #expect(try await Run.openssl(["pkey", "-in", dir.path("ed.pem"), "-pubout", "-outform", "DER", "-out", dir.path("pub.der")]).status == 0)
        let pkcs8 = try Self.der(dir.read("ed.pem"))
        let key = try Ed25519PrivateKey(pkcs8DER: pkcs8[...])
        #expect(key.pkcs8DERRepresentation == pkcs8)
        #expect(key.publicKey.spkiDERRepresentation == (try dir.read("pub.der")))
        // (openssl pkeyutl -rawin refuses an empty file; RFC 8032 test 1 covers the empty message.)
        for (i, message) in [[0x72], Array("hello".utf8), [UInt8](repeating: 0xA5, count: 1000), (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }].enumerated() {
            let path = try dir.write("m\(i)", message)
            let sig = dir.path("s\(i)")
            #expect(try await Run.openssl(["pkeyutl", "-sign", "-inkey", dir.path("ed.pem"), "-rawin", "-in", path, "-out", sig]).status == 0)
            let theirs = try dir.read("s\(i)")
            let ours = try key.signature(for: message)
            #expect(ours == theirs, "message \(i): Ed25519 signatures differ")
            #expect(key.publicKey.isValidSignature(theirs, for: message))
        }
    }

    @Test("OpenSSL verifies our ECDSA signatures and accepts our keys; we verify OpenSSL's", arguments: [
        (ECDSACurve.p256, HashAlgorithm.sha256), (.p256, .sha512), (.p384, .sha384), (.p384, .sha512), (.p384, .sha256),
    ])
    func ecdsaBothWays(curve: ECDSACurve, hash: HashAlgorithm) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = ECDSAPrivateKey.generate(curve: curve)
        _ = try dir.write("key.pem", key.pkcs8PEMBytes)
        _ = try dir.write("sec1.pem", key.sec1PEMBytes)
        let check = try await Run.openssl(["pkey", "-in", dir.path("key.pem"), "-check", "-noout"])
        #expect(check.status == 0 && check.stdoutText.contains("Key is valid"), "\(check.stdoutText) \(check.stderrText)")
        #expect(try await Run.openssl(["ec", "-in", dir.path("sec1.pem"), "-check", "-noout"]).status == 0)
        _ = try dir.write("pub.der", key.publicKey.spkiDERRepresentation)
        let message = Array("vkcert \(curve.rawValue) \(hash.displayName)".utf8)
        let msgPath = try dir.write("msg", message)
        let signature = try key.signature(for: message, hash: hash)
        _ = try dir.write("sig", signature.derEncoded)
        let verify = try await Run.openssl(["dgst", "-\(hash.rawValue)", "-verify", dir.path("pub.der"), "-keyform", "DER", "-signature", dir.path("sig"), msgPath])
        #expect(verify.status == 0 && verify.stdoutText.contains("Verified OK"), "\(verify.stdoutText) \(verify.stderrText)")
        // OpenSSL signs with our key; we verify.
        #expect(try await Run.openssl(["dgst", "-\(hash.rawValue)", "-sign", dir.path("key.pem"), "-out", dir.path("their.sig"), msgPath]).status == 0)
        let theirs = try ECDSASignature(derEncoded: dir.read("their.sig"))
        #expect(key.publicKey.isValidSignature(theirs, for: message, hash: hash))
        #expect(!key.publicKey.isValidSignature(theirs, for: message + [0], hash: hash))
    }

    @Test("Nonces: a generator returning only zeros still gives distinct nonces per message and never repeats one")
    func zeroRandomnessNonces() throws {
        let key = ECDSAPrivateKey.generate(curve: .p256)
        let zeros = [UInt8](repeating: 0, count: 32)
        var rValues = Set<[UInt8]>()
        for i in 0..<300 {
            let digest = SHA256.hash(Array("message \(i)".utf8))
            let first = try key.signature(forDigest: digest, hash: .sha256, randomness: zeros)
            let again = try key.signature(forDigest: digest, hash: .sha256, randomness: zeros)
            // Deterministic when the randomness is stuck: the same message gives the same signature
            // (no nonce reuse across different messages, the failure that leaks the key).
            #expect(first == again)
            rValues.insert(first.r)
        }
        #expect(rValues.count == 300, "r repeated across distinct messages: a nonce was reused")
        // With working randomness the same message signs differently (hedged, not purely deterministic).
        let digest = SHA256.hash(Array("same".utf8))
        let a = try key.signature(forDigest: digest, hash: .sha256)
        let b = try key.signature(forDigest: digest, hash: .sha256)
        #expect(a != b)
        #expect(key.publicKey.isValidSignature(a, digest: digest) && key.publicKey.isValidSignature(b, digest: digest))
    }

    @Test("Key validation on import: scalar range, public-point consistency, curve membership")
    func keyValidation() throws {
        let n = ECDSACurve.p256.orderBytes
        var nPlusOne = n
        nPlusOne[31] &+= 1
        var nMinusOne = n
        nMinusOne[31] &-= 1
        #expect(throws: ECCError(.invalidKey, "")) { try ECDSAPrivateKey(curve: .p256, scalar: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: ECCError(.invalidKey, "")) { try ECDSAPrivateKey(curve: .p256, scalar: n) }
        #expect(throws: ECCError(.invalidKey, "")) { try ECDSAPrivateKey(curve: .p256, scalar: nPlusOne) }
        #expect(throws: ECCError(.invalidKey, "")) { try ECDSAPrivateKey(curve: .p256, scalar: [1] + [UInt8](repeating: 0, count: 32)) }
        let top = try ECDSAPrivateKey(curve: .p256, scalar: nMinusOne)
        // (n−1)·G = −G: same x as G.
        let g = try ECDSAPrivateKey(curve: .p256, scalar: [1])
        #expect(top.publicKey.uncompressedPoint[1...32] == g.publicKey.uncompressedPoint[1...32])
        // A mismatched public point is refused.
        #expect(throws: ECCError(.invalidKey, "")) { try ECDSAPrivateKey(curve: .p256, scalar: [2], publicPoint: g.publicKey.uncompressedPoint) }
        // Off-curve and identity points are refused; compressed points decompress to the same key.
        var offCurve = g.publicKey.uncompressedPoint
        offCurve[64] ^= 1
        #expect(throws: ECCError(.invalidPoint, "")) { try ECDSAPublicKey(curve: .p256, point: offCurve) }
        #expect(throws: ECCError(.invalidPoint, "")) { try ECDSAPublicKey(curve: .p256, point: [0]) }
        let compressed = [0x02 | (g.publicKey.uncompressedPoint[64] & 1)] + Array(g.publicKey.uncompressedPoint[1...32])
        #expect(try ECDSAPublicKey(curve: .p256, point: compressed) == g.publicKey)
        // Ed25519: a non-canonical y (≥ p) is refused.
        var nonCanonical = [UInt8](repeating: 0xFF, count: 32)
        nonCanonical[0] = 0xEE
        nonCanonical[31] = 0x7F
        #expect(throws: ECCError.self) { try Ed25519PublicKey(rawRepresentation: nonCanonical) }
    }
}
