// SPDX-License-Identifier: Apache-2.0
//
// Codable shapes of the Wycheproof files vkcert runs (C2SP/wycheproof testvectors_v1 schemas).

import FoundationEssentials

struct WycheproofFile<Group: Decodable>: Decodable {
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]
}

struct WycheproofSignatureTest: Decodable {
    let tcId: Int
    let comment: String
    let flags: [String]
    let msg: String
    let sig: String
    let result: String
}

struct PKCS1VerifyGroup: Decodable {
    let sha: String
    let publicKeyDer: String
    let publicKeyAsn: String
    let publicKey: PublicNumbers
    let tests: [WycheproofSignatureTest]

    struct PublicNumbers: Decodable {
        let modulus: String
        let publicExponent: String
    }
}

struct PSSVerifyGroup: Decodable {
    let sha: String
    let mgf: String
    let mgfSha: String
    let sLen: Int
    let publicKeyDer: String
    let tests: [WycheproofSignatureTest]
}

struct SigGenGroup: Decodable {
    let sha: String
    let privateKeyPem: String
    let privateKeyPkcs8: String
    let tests: [WycheproofSignatureTest]
}

struct DecryptGroup: Decodable {
    let privateKey: PrivateNumbers
    let privateKeyPkcs8: String
    let privateKeyPem: String
    let tests: [Test]

    struct PrivateNumbers: Decodable {
        let modulus, privateExponent, publicExponent, prime1, prime2, exponent1, exponent2, coefficient: String
    }

    struct Test: Decodable {
        let tcId: Int
        let result: String
    }
}

struct PrimalityGroup: Decodable {
    let tests: [Test]

    struct Test: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let value: String
        let result: String
    }
}

enum HexCoding {
    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
