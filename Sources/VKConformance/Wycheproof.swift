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
