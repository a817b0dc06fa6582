// SPDX-License-Identifier: Apache-2.0

@testable import VKECC
import VKHash
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

    /// k·P by plain double-and-add over the complete formulas: the oracle for the windowed paths.
    static func naiveMultiple<let N: Int>(_ curve: WeierstrassCurve<N>, _ k: Limbs<N>, _ p: ProjectivePoint<N>) -> ProjectivePoint<N> {
        var accumulator = curve.identity
        for i in stride(from: 64 * N - 1, through: 0, by: -1) {
            accumulator = curve.double(accumulator)
            if k.bit(at: i) == 1 { accumulator = curve.add(accumulator, p) }
        }
        return accumulator
    }

    /// Scalars at the edges of every recoding (0, 1, window boundaries ±1, n−1, n−16) and pseudo-random ones.
    static func edgeScalars<let N: Int>(_ curve: WeierstrassCurve<N>, random count: Int) -> [Limbs<N>] {
        let n = curve.order.modulus
        var scalars: [Limbs<N>] = [.zero, .word(1), .word(2), .word(3), .word(15), .word(16), .word(17), .word(31), .word(32), .word(33), .word(63), .word(64), .word(65)]
        for small in [1, 2, 16, 17, 32] as [UInt64] { scalars.append(n.subtractingWithBorrow(.word(small)).0) }
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        for _ in 0..<count {
            var k = Limbs<N>.zero
            for i in 0..<N {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                k[i] = state ^ (state >> 29)
            }
            scalars.append(curve.order.reduce(k))
        }
        return scalars
    }

    @Test("Every scalar multiplication path equals double-and-add: signing's Booth windows, the key table, verification's Jacobian wNAF", arguments: [256, 384])
    func scalarMultiplicationPaths(bits: Int) {
        func check<let N: Int>(_ curve: WeierstrassCurve<N>) {
            let f = curve.field
            func equal(_ a: ProjectivePoint<N>, _ b: ProjectivePoint<N>) -> Bool {
                if curve.isIdentityMask(a) != 0 || curve.isIdentityMask(b) != 0 { return curve.isIdentityMask(a) == curve.isIdentityMask(b) }
                return f.multiply(a.x, b.z).equalMask(f.multiply(b.x, a.z)) != 0 && f.multiply(a.y, b.z).equalMask(f.multiply(b.y, a.z)) != 0
            }
            func equal(_ a: JacobianPoint<N>, _ b: ProjectivePoint<N>) -> Bool {
                if a.z.zeroMask != 0 || curve.isIdentityMask(b) != 0 { return a.z.zeroMask != 0 && curve.isIdentityMask(b) != 0 }
                let z2 = f.square(a.z)
                return f.multiply(a.x, b.z).equalMask(f.multiply(b.x, z2)) != 0 && f.multiply(a.y, b.z).equalMask(f.multiply(b.y, f.multiply(z2, a.z))) != 0
            }
            // Q = 7G, affine (as decodePoint returns a public key).
            let q7 = Self.naiveMultiple(curve, .word(7), curve.generator)
            let zInverse = f.invert(q7.z)
            let q = ProjectivePoint(x: f.multiply(q7.x, zInverse), y: f.multiply(q7.y, zInverse), z: f.one)
            let table = curve.makeTable(q)
            let scalars = Self.edgeScalars(curve, random: 12)
            let n = curve.order.modulus
            var mismatches = 0
            for (index, k) in scalars.enumerated() {
                if !equal(curve.multiplyBase(k), Self.naiveMultiple(curve, k, curve.generator)) { mismatches += 1 }
                // u2 against u1: unrelated, equal, and n − u1 (with Q = G the sum is the identity).
                let other = scalars[(index * 7 + 3) % scalars.count]
                for u2 in [other, k, n.subtractingWithBorrow(k).0] {
                    for (point, pointTable) in [(q, table), (curve.generator, nil)] as [(ProjectivePoint<N>, [Limbs<N>]?)] {
                        let expected = curve.add(Self.naiveMultiple(curve, k, curve.generator), Self.naiveMultiple(curve, u2, point))
                        if !equal(curve.multiplyPublicJacobian(base: k, u2, point), expected) { mismatches += 1 }
                        if let pointTable, !equal(curve.multiplyPublic(base: k, u2, table: pointTable), expected) { mismatches += 1 }
                    }
                }
            }
            #expect(mismatches == 0, "\(mismatches) scalar multiplications differ from double-and-add on P-\(bits)")
        }
        if bits == 256 { check(p256Curve) } else { check(p384Curve) }
    }

    @Test("Booth digits and width-w NAF digits recompose the scalar, within their ranges")
    func recodings() {
        let curve = p256Curve
        for k in Self.edgeScalars(curve, random: 50) {
            // Σ dᵢ·32ⁱ and Σ dᵢ·2ⁱ, evaluated mod n with the order's own arithmetic (Horner, from the top).
            let o = curve.order
            func scalar(_ digit: Int64) -> Limbs<4> {
                digit >= 0 ? o.toMontgomery(.word(UInt64(digit))) : o.negate(o.toMontgomery(.word(UInt64(-digit))))
            }
            var booth = Limbs<4>.zero
            for window in stride(from: curve.windows - 1, through: 0, by: -1) {
                let (magnitude, negative) = curve.boothDigit(k, window: window)
                #expect(magnitude <= 16 && (negative == 0 || negative == ~0))
                for _ in 0..<5 { booth = o.add(booth, booth) }
                booth = o.add(booth, scalar(negative != 0 ? -Int64(magnitude) : Int64(magnitude)))
            }
            #expect(same(o.fromMontgomery(booth), k))
            for width in [5, 7] {
                let digits = nonAdjacentForm(k, width: width)
                var value = Limbs<4>.zero
                for digit in digits.reversed() {
                    #expect(digit == 0 || (digit & 1 == 1 && abs(Int(digit)) < 1 << (width - 1)))
                    value = o.add(value, value)
                    value = o.add(value, scalar(Int64(digit)))
                }
                #expect(same(o.fromMontgomery(value), k))
                // Non-adjacency: at most one non-zero digit in any `width` consecutive ones.
                for start in digits.indices.dropLast(width - 1) {
                    #expect(digits[start..<(start + width)].filter { $0 != 0 }.count <= 1)
                }
            }
        }
    }

    @Test("P-256's special reduction equals generic Montgomery multiplication")
    func p256Reduction() {
        let special = p256Curve.field
        #expect(special.isP256Field)
        let generic = MontgomeryDomain<4>(hex: p256FieldPrimeHex)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func residue() -> Limbs<4> {
            var k = Limbs<4>.zero
            for i in 0..<4 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                k[i] = state ^ (state >> 29)
            }
            return generic.reduce(k)
        }
        let pMinusOne = generic.modulus.subtractingWithBorrow(.word(1)).0
        var pairs: [(Limbs<4>, Limbs<4>)] = [(.zero, .zero), (pMinusOne, pMinusOne), (pMinusOne, .word(1)), (.word(1), .word(1))]
        for _ in 0..<2000 { pairs.append((residue(), residue())) }
        var differences = 0
        for (a, b) in pairs where special.multiply(a, b).equalMask(generic.multiplyGeneric(a, b)) == 0 { differences += 1 }
        #expect(differences == 0)
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
