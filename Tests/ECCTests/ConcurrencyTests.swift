// SPDX-License-Identifier: Apache-2.0

import Dispatch
import VKECC
import Testing

/// One key signing from many threads at once (the TLS server's thread pool does this): the lazily
/// built verification tables are published once and every signature verifies.
@Suite("Concurrent signing")
struct ConcurrencyTests {
    @Test("one ECDSA and one Ed25519 key sign from 8 threads at once")
    func concurrentSigning() throws {
        // Keys that went through the file formats, as the server's do.
        let ec = try ECDSAPrivateKey(pkcs8DER: ECDSAPrivateKey.generate(curve: .p256).pkcs8DERRepresentation[...])
        let ed = try Ed25519PrivateKey(pkcs8DER: Ed25519PrivateKey.generate().pkcs8DERRepresentation[...])
        let digest = [UInt8](repeating: 7, count: 32)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do {
                let s = try ec.signature(forDigest: digest, hash: .sha256)
                if !ec.publicKey.isValidSignature(s, digest: digest) { failures.add() }
                let e = try ed.signature(for: [UInt8(i)])
                if !ed.publicKey.isValidSignature(e, for: [UInt8(i)]) { failures.add() }
            } catch {
                failures.add()
            }
        }
        #expect(failures.count == 0)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLockLike()
    private var value = 0
    func add() { lock.with { value += 1 } }
    var count: Int { lock.with { value } }
}

/// A tiny lock for the test's counter (no Foundation in this test target's imports).
final class NSLockLike: @unchecked Sendable {
    private let queue = DispatchQueue(label: "failures")
    func with<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}

@Suite("Table verification over many digests")
struct TableVerificationSweep {
    @Test func manyDigests() throws {
        let key = ECDSAPrivateKey.generate(curve: .p256)
        var failures = 0
        for i in 0..<400 {
            let digest = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 7 &+ ($0 ^ i)) }
            do { _ = try key.signature(forDigest: digest, hash: .sha256) } catch { failures += 1 }
        }
        #expect(failures == 0, "\(failures) of 400 signatures failed verify-after-sign")
    }
}
