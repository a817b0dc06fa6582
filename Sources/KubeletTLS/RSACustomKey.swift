// SPDX-License-Identifier: Apache-2.0

import Hash
import NIOCore
import NIOPosix
import NIOSSL
import RSA

/// The serving key as swift-nio-ssl sees it: every handshake signature (TLS 1.3 and 1.2 with ECDHE) is
/// made by vkcert's RSA — CRT, blinding, constant-time exponentiation, verify-after-sign — on a thread
/// pool, so a 1 ms signature never stalls the event loop that other connections share.
/// RSA key exchange (`decrypt`) is not offered: only ECDHE suites are negotiated.
struct RSACustomKey: NIOSSLCustomPrivateKey, Hashable {
    let key: RSAPrivateKey
    let pool: NIOThreadPool
    /// Identity for Hashable (the modulus).
    let fingerprint: String

    init(key: RSAPrivateKey, pool: NIOThreadPool) {
        self.key = key
        self.pool = pool
        self.fingerprint = key.publicKey.modulus.hexString
    }

    static func == (a: RSACustomKey, b: RSACustomKey) -> Bool { a.fingerprint == b.fingerprint }
    func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    var signatureAlgorithms: [SignatureAlgorithm] {
        [.rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512, .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512]
    }

    static func scheme(_ algorithm: SignatureAlgorithm) -> RSASignatureScheme? {
        switch algorithm {
        case .rsaPssRsaeSha256: .pss(.sha256)
        case .rsaPssRsaeSha384: .pss(.sha384)
        case .rsaPssRsaeSha512: .pss(.sha512)
        case .rsaPkcs1Sha256: .pkcs1v15(.sha256)
        case .rsaPkcs1Sha384: .pkcs1v15(.sha384)
        case .rsaPkcs1Sha512: .pkcs1v15(.sha512)
        default: nil
        }
    }

    struct UnsupportedAlgorithm: Error {}

    func sign(channel: any Channel, algorithm: SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        guard let scheme = Self.scheme(algorithm) else { return channel.eventLoop.makeFailedFuture(UnsupportedAlgorithm()) }
        let message = Array(data.readableBytesView)
        let key = self.key
        let allocator = channel.allocator
        return pool.runIfActive(eventLoop: channel.eventLoop) {
            let signature = try key.signature(for: message, scheme: scheme)
            var buffer = allocator.buffer(capacity: signature.count)
            buffer.writeBytes(signature)
            return buffer
        }
    }

    func decrypt(channel: any Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(UnsupportedAlgorithm())
    }
}
