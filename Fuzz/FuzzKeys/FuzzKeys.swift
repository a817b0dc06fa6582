// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: RSA key import in every accepted form (PKCS#1, PKCS#8, SPKI; PEM or DER),
// including the consistency checks on private keys (n = pq, e·d ≡ 1 mod λ, CRT values), and signature
// verification with an imported public key over hostile signature bytes.

import DER
import RSA
import X509

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
    // The same bytes as a certificate's SubjectPublicKeyInfo (RSA, EC, Ed25519, unknown algorithms).
    if let spki = try? SubjectPublicKeyInfo(derEncoded: bytes[...]), let key = try? CertificatePublicKey(spki: spki) {
        _ = try? key.rsaPublicKey()
    }
    return 0
}
