// SPDX-License-Identifier: Apache-2.0

import VKECC
import VKHash
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import VKRSA
import VKX509

/// The serving key as swift-nio-ssl sees it: every handshake signature (TLS 1.3, and TLS 1.2 with
/// ECDHE) is made by vkcert's own code — RSA (CRT, blinding, constant-time exponentiation), ECDSA
/// P-256/P-384 (constant-time, hedged nonces) or Ed25519, each verified before it is returned — on a
/// thread pool, so a slow signature never stalls the event loop that other connections share.
/// RSA key exchange (`decrypt`) is not offered: only ECDHE suites are negotiated.
struct HandshakeSigningKey: NIOSSLCustomPrivateKey, Hashable {
    let key: PrivateKey
    let pool: NIOThreadPool
    /// Identity for Hashable (the SubjectPublicKeyInfo).
    let fingerprint: [UInt8]
    /// Where each signature's time goes (not part of the key's identity).
    let signatureTimer: Timer

    init(key: PrivateKey, pool: NIOThreadPool, counters: KubeletServer.Counters = KubeletServer.Counters()) {
        self.key = key
        self.pool = pool
        self.fingerprint = key.spki.derEncoded
        self.signatureTimer = counters.signatureTimer(SigningKeyKind(key))
    }

    static func == (a: HandshakeSigningKey, b: HandshakeSigningKey) -> Bool { a.fingerprint == b.fingerprint }
    func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    /// The TLS SignatureSchemes this key can make (RFC 8446 §4.2.3), preferred first. TLS 1.3 binds
    /// an ECDSA scheme to its curve (BoringSSL offers only the matching one there); TLS 1.2's
    /// SignatureAndHashAlgorithm names only the hash (RFC 5246 §7.4.1.4.1), so a P-384 key may be asked
    /// for "ecdsa_secp256r1_sha256" = ECDSA with SHA-256 by a 1.2 client.
    var signatureAlgorithms: [NIOSSL.SignatureAlgorithm] {
        switch key {
        case .rsa: [.rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512, .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512]
        case .ecdsa(let ec): ec.curve == .p256 ? [.ecdsaSecp256R1Sha256, .ecdsaSecp384R1Sha384, .ecdsaSecp521R1Sha512] : [.ecdsaSecp384R1Sha384, .ecdsaSecp256R1Sha256, .ecdsaSecp521R1Sha512]
        case .ed25519: [.ed25519]
        }
    }

    /// What to sign with for a TLS SignatureScheme, or nil when this key cannot.
    func plan(_ algorithm: NIOSSL.SignatureAlgorithm) -> VKX509.SignatureAlgorithm? {
        switch (key, algorithm) {
        case (.rsa, .rsaPssRsaeSha256): .rsaPSS(PSSParameters(hash: .sha256, mgfHash: .sha256, saltLength: .exactly(32)))
        case (.rsa, .rsaPssRsaeSha384): .rsaPSS(PSSParameters(hash: .sha384, mgfHash: .sha384, saltLength: .exactly(48)))
        case (.rsa, .rsaPssRsaeSha512): .rsaPSS(PSSParameters(hash: .sha512, mgfHash: .sha512, saltLength: .exactly(64)))
        case (.rsa, .rsaPkcs1Sha256): .rsaPKCS1(.sha256)
        case (.rsa, .rsaPkcs1Sha384): .rsaPKCS1(.sha384)
        case (.rsa, .rsaPkcs1Sha512): .rsaPKCS1(.sha512)
        case (.ecdsa, .ecdsaSecp256R1Sha256): .ecdsa(.sha256)
        case (.ecdsa, .ecdsaSecp384R1Sha384): .ecdsa(.sha384)
        case (.ecdsa, .ecdsaSecp521R1Sha512): .ecdsa(.sha512)
        case (.ed25519, .ed25519): .ed25519
        default: nil
        }
    }

    struct UnsupportedAlgorithm: Error {}

    func sign(channel: any Channel, algorithm: NIOSSL.SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        guard let plan = plan(algorithm) else { return channel.eventLoop.makeFailedFuture(UnsupportedAlgorithm()) }
        let message = Array(data.readableBytesView)
        let key = self.key
        let allocator = channel.allocator
        let timer = signatureTimer
        return pool.runIfActive(eventLoop: channel.eventLoop) {
            let start = NIODeadline.now()
            let signature = try key.sign(message, algorithm: plan)
            timer.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
            var buffer = allocator.buffer(capacity: signature.count)
            buffer.writeBytes(signature)
            return buffer
        }
    }

    func decrypt(channel: any Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(UnsupportedAlgorithm())
    }
}
