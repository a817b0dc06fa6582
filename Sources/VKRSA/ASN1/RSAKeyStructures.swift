// SPDX-License-Identifier: Apache-2.0
//
// Wire structures of RSA keys, kept apart from the public model. Integers stay as validated DER
// content slices until the model converts them.

import VKDER

/// ```
/// RSAPrivateKey ::= SEQUENCE {                -- RFC 8017 A.1.2
///     version Version, modulus INTEGER, publicExponent INTEGER, privateExponent INTEGER,
///     prime1 INTEGER, prime2 INTEGER, exponent1 INTEGER, exponent2 INTEGER, coefficient INTEGER,
///     otherPrimeInfos OtherPrimeInfos OPTIONAL }
/// ```
/// Only version 0 (two primes) is accepted.
struct RSAPrivateKeyStructure {
    var modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient: ArraySlice<UInt8>

    init(modulus: ArraySlice<UInt8>, publicExponent: ArraySlice<UInt8>, privateExponent: ArraySlice<UInt8>, prime1: ArraySlice<UInt8>,
         prime2: ArraySlice<UInt8>, exponent1: ArraySlice<UInt8>, exponent2: ArraySlice<UInt8>, coefficient: ArraySlice<UInt8>) {
        self.modulus = modulus
        self.publicExponent = publicExponent
        self.privateExponent = privateExponent
        self.prime1 = prime1
        self.prime2 = prime2
        self.exponent1 = exponent1
        self.exponent2 = exponent2
        self.coefficient = coefficient
    }

    init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DERReader.parse(bytes) { r in
            let version = try r.readInt(.integer, "RSAPrivateKey version")
            guard version == 0 else {
                throw RSAError(.unsupportedKeyFormat, "RSAPrivateKey version \(version) (multi-prime keys) is not supported")
            }
            return RSAPrivateKeyStructure(
                modulus: try r.readUnsignedIntegerBytes("RSAPrivateKey modulus"),
                publicExponent: try r.readUnsignedIntegerBytes("RSAPrivateKey publicExponent"),
                privateExponent: try r.readUnsignedIntegerBytes("RSAPrivateKey privateExponent"),
                prime1: try r.readUnsignedIntegerBytes("RSAPrivateKey prime1"),
                prime2: try r.readUnsignedIntegerBytes("RSAPrivateKey prime2"),
                exponent1: try r.readUnsignedIntegerBytes("RSAPrivateKey exponent1"),
                exponent2: try r.readUnsignedIntegerBytes("RSAPrivateKey exponent2"),
                coefficient: try r.readUnsignedIntegerBytes("RSAPrivateKey coefficient")
            )
        }
    }

    var derEncoded: [UInt8] {
        let components = [modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient]
        return DERWriter.build(reservingCapacity: components.reduce(64) { $0 + $1.count + 6 }) { w in
            w.appendConstructed { s in
                s.appendInteger(0)
                for value in components {
                    s.appendUnsignedInteger(magnitude: value)
                }
            }
        }
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1).
struct RSAPublicKeyStructure {
    var modulus: ArraySlice<UInt8>
    var publicExponent: ArraySlice<UInt8>

    init(modulus: ArraySlice<UInt8>, publicExponent: ArraySlice<UInt8>) {
        self.modulus = modulus
        self.publicExponent = publicExponent
    }

    init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DERReader.parse(bytes) { r in
            RSAPublicKeyStructure(
                modulus: try r.readUnsignedIntegerBytes("RSAPublicKey modulus"),
                publicExponent: try r.readUnsignedIntegerBytes("RSAPublicKey publicExponent")
            )
        }
    }

    var derEncoded: [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { s in
                s.appendUnsignedInteger(magnitude: modulus)
                s.appendUnsignedInteger(magnitude: publicExponent)
            }
        }
    }
}
