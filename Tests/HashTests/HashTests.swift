// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKHash
import TestSupport
import Testing

@Suite("SHA-1 / SHA-2")
struct HashTests {
    /// FIPS 180-4 example digests of "abc" (NIST CSRC examples).
    @Test("FIPS 180-4 'abc' examples", arguments: [
        (HashAlgorithm.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ])
    func abc(algorithm: HashAlgorithm, expected: String) {
        #expect(Hex.encode(algorithm.hash(Array("abc".utf8))) == expected)
    }

    /// Every length 0…300 (all padding boundaries for 64- and 128-byte blocks) against `openssl dgst`.
    @Test("digests equal openssl dgst for lengths 0…300 and 1 MiB", arguments: HashAlgorithm.allCases)
    func matchesOpenSSL(algorithm: HashAlgorithm) async throws {
        var lengths = Array(0...300)
        lengths.append(1 << 20)
        // One openssl process for all lengths: write the inputs as files and digest them in one call.
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var files: [String] = []
        var inputs: [[UInt8]] = []
        for length in lengths {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length) }
            inputs.append(bytes)
            files.append(try dir.write("m\(length)", bytes))
        }
        let result = try await Run.openssl(["dgst", "-\(algorithm.rawValue)", "-r"] + files)
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n")
        try #require(lines.count == lengths.count)
        for (index, line) in lines.enumerated() {
            let expected = String(line.split(separator: " ")[0])
            #expect(Hex.encode(algorithm.hash(inputs[index])) == expected, "length \(lengths[index])")
        }
    }

    @Test("streaming in uneven chunks equals one-shot", arguments: HashAlgorithm.allCases)
    func streaming(algorithm: HashAlgorithm) {
        let message = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let oneShot = algorithm.hash(message)
        for chunk in [1, 3, 63, 64, 65, 127, 128, 129, 1000] {
            var hasher = algorithm.makeHasher()
            var index = 0
            while index < message.count {
                let end = min(index + chunk, message.count)
                hasher.update(message[index..<end])
                index = end
            }
            #expect(hasher.finalize() == oneShot, "chunk \(chunk)")
        }
    }

    @Test func namesParse() {
        #expect(HashAlgorithm(name: "SHA-256") == .sha256)
        #expect(HashAlgorithm(name: "sha512") == .sha512)
        #expect(HashAlgorithm(name: "md5") == nil)
    }
}
