// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// The judge is valgrind (callgrind with its cache simulator): for secrets of very different Hamming
/// weight and length (1, 2^(k−1), 2^(k−1)−1, random), deriving the public key — the secret scalar
/// multiplication, the constant-time inversion, the range checks — must execute exactly the same
/// number of instructions, data reads and data writes, and the same D1 and LL cache misses, in every
/// function of the ECC module. A secret-dependent branch, early exit, table index or loop bound shows
/// up as a difference (the first version of `carryBit`, `flag ? 1 : 0`, was a conditional jump in
/// debug builds and failed here).
@Suite("Constant time (valgrind instruction and memory-access counts)")
struct ConstantTimeTests {
    static let secrets = [0, 1, 2, 5]

    /// Per-function event counts of the ECC module's functions (file paths under Sources/VKECC/).
    static func profile(curve: String, secret: Int) throws -> [String: [Int]] {
        let directory = try TemporaryDirectory("vkcert-ct")
        defer { directory.cleanup() }
        let output = directory.path("callgrind.out")
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_DETERMINISTIC_HASHING"] = "1"
        let run = try Run.process(
            "valgrind", ["--tool=callgrind", "--cache-sim=yes", "--callgrind-out-file=\(output)", Run.builtExecutable("ECCTimingProbe"), curve, String(secret)],
            environment: environment
        )
        #expect(run.status == 0, "valgrind: \(run.stderrText.suffix(600))")
        let annotated = try Run.process("callgrind_annotate", ["--auto=no", "--threshold=100", output])
        #expect(annotated.status == 0)
        var functions: [String: [Int]] = [:]
        for line in annotated.stdoutText.split(separator: "\n") where line.contains("Sources/VKECC/") {
            // "55,885,119 (25.14%) 20,323,525 (28.44%) … .  Sources/VKECC/File.swift:function [object]":
            // the counts ("." is zero; percentages skipped), then the function.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let nameIndex = fields.firstIndex(where: { $0.contains("Sources/VKECC/") }) else { continue }
            let counts = fields[..<nameIndex].compactMap { field -> Int? in
                if field == "." { return 0 }
                if field.hasPrefix("(") || field.hasSuffix("%)") { return nil }
                return Int(field.replacingOccurrences(of: ",", with: ""))
            }
            functions[String(fields[nameIndex]), default: []] = counts
        }
        return functions
    }

    @Test("Public-key derivation does the same work for every secret", arguments: ["p256", "p384", "ed25519"])
    func sameWorkForEverySecret(curve: String) throws {
        guard (try? Run.process("valgrind", ["--version"]).status) == 0 else {
            Issue.record("valgrind is not installed: the constant-time judge is missing (.ci/run installs it)")
            return
        }
        let profiles = try Self.secrets.map { try Self.profile(curve: curve, secret: $0) }
        let reference = profiles[0]
        #expect(reference.count >= 10, "too few ECC functions profiled (\(reference.count)): the probe did not run the arithmetic")
        print("[\(curve)] \(reference.count) ECC functions; events Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw; multiply: \(reference.first { $0.key.contains("MontgomeryDomain") && $0.key.contains("multiply") }?.value ?? [])")
        for (secret, profile) in zip(Self.secrets.dropFirst(), profiles.dropFirst()) {
            for (function, counts) in reference where counts != profile[function] {
                Issue.record("\(curve) secret #\(secret): \(function) counts \(profile[function] ?? []) ≠ \(counts) for secret #0")
            }
            #expect(Set(profile.keys) == Set(reference.keys), "different functions ran for secret #\(secret)")
        }
    }
}
