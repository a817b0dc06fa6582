// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import NIOPosix
import NIOSSL
import Synchronization

/// Turns the certificate source's identity into swift-nio-ssl objects, converting a given identity only
/// once (keyed by the leaf's DER), so the per-handshake cost is a source check and a dictionary-free compare.
final class IdentityCache: Sendable {
    struct Entry: @unchecked Sendable {
        // @unchecked: NIOSSLCertificate and NIOSSLPrivateKey are immutable after creation (swift-nio-ssl
        // documents them as safe to share); the entry is replaced, never mutated.
        let leafDER: [UInt8]
        let chain: [NIOSSLCertificateSource]
        let key: NIOSSLPrivateKeySource
    }

    private let entry = Mutex<Entry?>(nil)
    let pool: NIOThreadPool
    let counters: KubeletServer.Counters

    init(pool: NIOThreadPool, counters: KubeletServer.Counters) {
        self.pool = pool
        self.counters = counters
    }

    func override(for identity: ServingIdentity) throws -> NIOSSLContextConfigurationOverride {
        let cached = entry.withLock { $0 }
        let current: Entry
        if let cached, cached.leafDER == identity.leaf.der {
            current = cached
        } else {
            let chain = try identity.chain.map { NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: $0.der, format: .der)) }
            let key = NIOSSLPrivateKeySource.privateKey(NIOSSLPrivateKey(customPrivateKey: HandshakeSigningKey(key: identity.key, pool: pool, counters: counters)))
            current = Entry(leafDER: identity.leaf.der, chain: chain, key: key)
            entry.withLock { $0 = current }
        }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = current.chain
        override.privateKey = current.key
        return override
    }
}
