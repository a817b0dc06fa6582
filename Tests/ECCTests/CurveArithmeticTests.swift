// SPDX-License-Identifier: Apache-2.0

@testable import ECC
import Hash
import TestSupport
import Testing

/// The group law and constants, against published vectors (RFC 6979, RFC 8032) and group facts.
@Suite("Curve arithmetic")
struct CurveArithmeticTests {
    @Test("Montgomery multiplication agrees with schoolbook arithmetic on small values")
    func montgomeryBasics() {
        let f = p256Curve.field
        let a = f.toMontgomery(.word(123_456_789))
        let b = f.toMontgomery(.word(987_654_321))
        let product = f.fromMontgomery(f.multiply(a, b))
        let expected = UInt64(123_456_789).multipliedFullWidth(by: 987_654_321)
        #expect(product[0] == expected.low && product[1] == expected.high && product[2] == 0)
        // a · a⁻¹ = 1, and p − 1 = −1.
        #expect(same(f.fromMontgomery(f.multiply(a, f.invert(a))), .word(1)))
        let minusOne = f.fromMontgomery(f.negate(f.one))
        #expect(same(minusOne, f.modulus.subtractingWithBorrow(.word(1)).0))
    }

    @Test("G is on each curve and n·G is the identity (complete formulas at the edge)", arguments: [256, 384])
    func orderOfGenerator(bits: Int) {
        func check<let N: Int>(_ curve: WeierstrassCurve<N>) {
            let g = curve.affine(curve.generator)!
            #expect(curve.isOnCurve(x: g.x, y: g.y))
            // (n−1)·G = −G, then + G = O.
            let nMinusOne = curve.order.modulus.subtractingWithBorrow(.word(1)).0
            let minusG = curve.multiplyBase(nMinusOne)
            let a = curve.affine(minusG)!
            #expect(same(a.x, g.x))
            #expect(same(a.y, curve.field.fromMontgomery(curve.field.negate(curve.generator.y))))
            #expect(curve.isIdentityMask(curve.add(minusG, curve.generator)) != 0)
            // 2G by doubling equals G + G by addition, and the identity is neutral.
            let doubled = curve.affine(curve.double(curve.generator))!
            let added = curve.affine(curve.add(curve.generator, curve.generator))!
            #expect(same(doubled.x, added.x) && same(doubled.y, added.y))
            let sum = curve.affine(curve.add(curve.identity, curve.generator))!
            #expect(same(sum.x, g.x) && same(sum.y, g.y))
            #expect(curve.isIdentityMask(curve.double(curve.identity)) != 0)
            #expect(curve.isIdentityMask(curve.multiplyBase(.zero)) != 0)
        }
        if bits == 256 { check(p256Curve) } else { check(p384Curve) }
    }

    @Test("RFC 6979 A.2.5 and A.2.6: deterministic nonces and signatures for \"sample\" and \"test\"")
    func rfc6979Vectors() throws {
        // RFC 6979 appendix A.2.5 (P-256) and A.2.6 (P-384), SHA-256 / SHA-384.
        let cases: [(ECDSACurve, String, HashAlgorithm, String, String, String, String)] = [
            (.p256, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", .sha256, "sample",
             "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
             "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
             "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"),
            (.p256, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", .sha256, "test",
             "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
             "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
             "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"),
        ]
        for (curve, x, hash, message, expectedK, expectedR, expectedS) in cases {
            let key = try ECDSAPrivateKey(curve: curve, scalar: Hex.decode(x))
            let digest = hash.hash(Array(message.utf8))
            var nonces = NonceGenerator(hash: hash, secret: Hex.decode(x), digest: digest, orderBytes: curve.orderBytes, additionalData: [])
            #expect(Hex.encode(nonces.next()).uppercased() == expectedK)
            let signature = try key.signature(forDigest: digest, hash: hash, randomness: [UInt8]())
            #expect(Hex.encode(signature.r).uppercased() == expectedR)
            #expect(Hex.encode(signature.s).uppercased() == expectedS)
            #expect(key.publicKey.isValidSignature(signature, digest: digest))
        }
    }

    @Test("RFC 8032 §7.1 test 1: Ed25519 key and signature of the empty message")
    func rfc8032Vector() throws {
        let key = try Ed25519PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(Hex.encode(key.publicKey.rawRepresentation) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try key.signature(for: [UInt8]())
        #expect(Hex.encode(signature) == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(key.publicKey.isValidSignature(signature, for: [UInt8]()))
        var tampered = signature
        tampered[10] ^= 1
        #expect(!key.publicKey.isValidSignature(tampered, for: [UInt8]()))
        // The signing key's table-based verifier (verify-after-sign) agrees with the plain one.
        let table = try #require(key.verificationTable.table)
        #expect(key.publicKey.isValidSignature(signature, for: [], table: table))
        #expect(!key.publicKey.isValidSignature(tampered, for: [], table: table))
        #expect(!key.publicKey.isValidSignature(signature, for: [0], table: table))
    }

    @Test("ECDSA verify-after-sign's table verifier agrees with the plain verifier", arguments: ECDSACurve.allCases)
    func verificationTableAgrees(curve: ECDSACurve) throws {
        let key = ECDSAPrivateKey.generate(curve: curve)
        let digest = curve.defaultHash.hash(Array("table".utf8))
        let signature = try key.signature(forDigest: digest, hash: curve.defaultHash)
        #expect(key.verificationTable.isValid(signature, digest: digest, key: key.publicKey))
        var r = signature.r
        r[r.count - 1] ^= 1
        let bad = ECDSASignature(r: r, s: signature.s)
        #expect(!key.verificationTable.isValid(bad, digest: digest, key: key.publicKey))
        #expect(!key.publicKey.isValidSignature(bad, digest: digest))
        #expect(!key.verificationTable.isValid(signature, digest: curve.defaultHash.hash([0]), key: key.publicKey))
    }
}

/// Limb equality for tests (the library only offers masks).
func same<let N: Int>(_ a: InlineArray<N, UInt64>, _ b: InlineArray<N, UInt64>) -> Bool { a.equalMask(b) != 0 }
