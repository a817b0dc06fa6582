// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: RSA key import in every accepted form (PKCS#1, PKCS#8, SPKI; PEM or DER),
// including the consistency checks on private keys (n = pq, e·d ≡ 1 mod λ, CRT values), and signature
// verification with an imported public key over hostile signature bytes; EC (SEC 1, PKCS#8 with a named
// curve) and Ed25519 keys through PrivateKey.load, re-encoded and reloaded; the bytes as ECDSA signatures
// (DER and r‖s) and Ed25519 signatures and points.

import VKDER
import VKECC
import VKRSA
import VKX509

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeys(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let (key, _) = try? RSAPrivateKey.load(bytes) {
        // Invariant: an accepted key re-encodes to something that loads as the same key.
        guard let (again, _) = try? RSAPrivateKey.load(key.pkcs8DERRepresentation),
              again.pkcs1DERRepresentation == key.pkcs1DERRepresentation
        else { fatalError("accepted private key does not survive PKCS#8 re-encoding") }
    }
    if let (key, _) = try? RSAPublicKey.load(bytes) {
        guard let (again, _) = try? RSAPublicKey.load(key.spkiDERRepresentation),
              again.pkcs1DERRepresentation == key.pkcs1DERRepresentation
        else { fatalError("accepted public key does not survive SPKI re-encoding") }
        // The input doubles as a signature to check with its own key: verification must just say no.
        _ = key.isValidSignature(bytes, for: bytes, scheme: .pkcs1v15())
        _ = key.isValidSignature(bytes, for: bytes, scheme: .pss())
    }
    // Any key type: an accepted key re-encodes (PKCS#8) to the same public key.
    if let (key, _) = try? PrivateKey.load(bytes) {
        guard let (again, _) = try? PrivateKey.load(key.pkcs8DERRepresentation), again.spki == key.spki
        else { fatalError("accepted private key does not survive PKCS#8 re-encoding") }
    }
    // The same bytes as a certificate's SubjectPublicKeyInfo (RSA, EC, Ed25519, unknown algorithms), and
    // as a signature checked with that key.
    if let spki = try? SubjectPublicKeyInfo(derEncoded: bytes[...]), let key = try? CertificatePublicKey(spki: spki) {
        _ = try? key.rsaPublicKey()
        for algorithm in [SignatureAlgorithm.ecdsa(.sha256), .ecdsa(.sha384), .ed25519] {
            _ = SignatureVerifier.isValid(signature: bytes, over: bytes, algorithm: algorithm, key: key)
        }
    }
    // ECDSA signature encodings and curve points from hostile bytes: parse or refuse, never trap.
    if let signature = try? ECDSASignature(derEncoded: bytes) {
        guard (try? ECDSASignature(derEncoded: signature.derEncoded)) == signature else { fatalError("ECDSA-Sig-Value does not round-trip") }
    }
    for curve in ECDSACurve.allCases {
        _ = try? ECDSASignature(rawRepresentation: bytes, byteCount: curve.byteCount)
        if let point = try? ECDSAPublicKey(curve: curve, point: bytes) {
            guard (try? ECDSAPublicKey(curve: curve, point: point.uncompressedPoint)) == point else { fatalError("EC point does not round-trip") }
        }
    }
    if bytes.count >= 32, let ed = try? Ed25519PublicKey(rawRepresentation: bytes.prefix(32)) {
        _ = ed.isValidSignature(bytes.dropFirst(32), for: bytes)
    }
    return 0
}
