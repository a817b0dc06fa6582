// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix
import Testing
import VKX509

/// Every key type signs on the server's NIOThreadPool threads (smaller stacks than the main thread).
@Suite("Signing on the TLS thread pool")
struct PoolSigningTests {
    @Test(arguments: [KeyAlgorithm.rsa2048, .ecdsaP256, .ecdsaP384, .ed25519])
    func signsOnThePool(algorithm: KeyAlgorithm) async throws {
        let key = try PrivateKey.generate(algorithm)
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let message = [UInt8](repeating: 0x42, count: 130)
        let algorithmToUse = key.defaultSignatureAlgorithm
        let signature = try await pool.runIfActive(eventLoop: group.next()) {
            try key.sign(message, algorithm: algorithmToUse)
        }.get()
        #expect(SignatureVerifier.isValid(signature: signature, over: message, algorithm: algorithmToUse, key: key.publicKey))
        try await pool.shutdownGracefully()
        try await group.shutdownGracefully()
    }
}
