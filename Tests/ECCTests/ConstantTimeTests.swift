// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// The judge is valgrind (callgrind with its cache simulator): for secrets of very different Hamming
/// weight and length (1, 2^(k−1), 2^(k−1)−1, random), deriving the public key — the secret scalar
/// multiplication, the constant-time inversion, the range checks — must execute exactly the same number of
/// instructions, data reads and data writes in every function of the ECC module (its own code, callees
/// apart), and cause the same D1 and LL cache misses within `missTolerance`, callees included (in debug
/// builds an array subscript is a call into the standard library, which is where a table read misses).
/// A secret-dependent branch, early exit or loop bound shows up as an instruction difference (the first
/// version of `carryBit`, `flag ? 1 : 0`, was a conditional jump in debug builds and failed here); a
/// secret-indexed table read as about one miss per distinct entry touched — the probe's `leaky-control`
/// shows the judge catches one.
///
/// Layout noise is removed where it can be: the probe runs under `env -i` with a fixed environment (the
/// inherited variables came in Dictionary order, which differs between launches) and without address
/// randomisation (`setarch -R`, where the kernel permits it). What remains is ≤ 3 misses in the callees of
/// the largest functions (measured for Ed25519 over the four secrets: D1 read misses 77,000 / 76,999 / 76,999
/// / 77,001 for the whole program); the control differs by 13.
@Suite("Constant time (valgrind instruction and memory-access counts)")
struct ConstantTimeTests {
    static let secrets = [0, 1, 2, 5]
    /// Callgrind's events, in its column order: instructions, data reads, data writes, then the I1, D1 read,
    /// D1 write, LL instruction, LL read and LL write misses.
    static let events = ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"]
    /// Cache misses (callees included) may differ by this many events per function and counter.
    static let missTolerance = 4

    /// Whether this kernel lets us turn address randomisation off (container seccomp profiles may refuse
    /// `personality(ADDR_NO_RANDOMIZE)`); without it the tolerance still holds, with more noise.
    static func noRandomisation() async -> [String] {
        (try? await Run.process("/usr/bin/setarch", ["-R", "/bin/true"]).status) == 0 ? ["/usr/bin/setarch", "-R"] : []
    }

    /// Per-function event counts of the functions whose file path contains `sources`: Ir, Dr and Dw of the
    /// function's own code, the six miss counts of the function and its callees.
    static func profile(curve: String, secret: Int, sources: String = "Sources/VKECC/") async throws -> [String: [Int]] {
        let directory = try TemporaryDirectory("vkcert-ct")
        defer { directory.cleanup() }
        let output = directory.path("callgrind.out")
        let noRandomisation = await Self.noRandomisation()
        if noRandomisation.isEmpty { print("constant time: setarch -R is refused here; running with address randomisation") }
        let run = try await Run.process(
            "/usr/bin/env",
            ["-i", "SWIFT_DETERMINISTIC_HASHING=1", "LC_ALL=C", "PATH=/usr/bin:/bin"] + noRandomisation +
                ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--callgrind-out-file=\(output)", Run.builtExecutable("ECCTimingProbe"), curve, String(secret)]
        )
        #expect(run.status == 0, "valgrind: \(run.stderrText.suffix(600))")
        let exclusive = try await annotate(output, inclusive: false, sources: sources)
        let inclusive = try await annotate(output, inclusive: true, sources: sources)
        var functions: [String: [Int]] = [:]
        for (function, own) in exclusive {
            guard let all = inclusive[function], own.count == events.count, all.count == events.count else { continue }
            functions[function] = Array(own.prefix(3) + all.dropFirst(3))
        }
        return functions
    }

    static func annotate(_ output: String, inclusive: Bool, sources: String) async throws -> [String: [Int]] {
        let annotated = try await Run.process("callgrind_annotate", ["--auto=no", "--inclusive=\(inclusive ? "yes" : "no")", "--threshold=100", output])
        #expect(annotated.status == 0)
        var functions: [String: [Int]] = [:]
        for line in annotated.stdoutText.split(separator: "\n") where line.contains(sources) {
            // "55,885,119 (25.14%) 20,323,525 (28.44%) … .  Sources/VKECC/File.swift:function [object]":
            // the counts ("." is zero; percentages skipped), then the function.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let nameIndex = fields.firstIndex(where: { $0.contains(sources) }) else { continue }
            let counts = fields[..<nameIndex].compactMap { field -> Int? in
                if field == "." { return 0 }
                if field.hasPrefix("(") || field.hasSuffix("%)") { return nil }
                return Int(field.replacingOccurrences(of: ",", with: ""))
            }
            functions[String(fields[nameIndex]), default: []] = counts
        }
        return functions
    }

    /// What differs between two profiles: any instruction or access count, or a miss count beyond the
    /// tolerance.
    static func differences(_ reference: [String: [Int]], _ profile: [String: [Int]]) -> [String] {
        reference.sorted { $0.key < $1.key }.compactMap { function, counts in
            guard let other = profile[function], other.count == counts.count else { return "\(function): not profiled for both" }
            let differing = zip(events, zip(counts, other)).enumerated().filter { index, pair in
                let (_, (a, b)) = pair
                return index < 3 ? a != b : abs(a - b) > missTolerance
            }
            guard !differing.isEmpty else { return nil }
            return "\(function): " + differing.map { _, pair in "\(pair.0) \(pair.1.1) ≠ \(pair.1.0)" }.joined(separator: ", ")
        }
    }

    @Test("Public-key derivation does the same work for every secret", arguments: ["p256", "p384", "ed25519"])
    func sameWorkForEverySecret(curve: String) async throws {
        guard (try? await Run.process("valgrind", ["--version"]).status) == 0 else {
            Issue.record("valgrind is not installed: the constant-time judge is missing (.ci/run installs it)")
            return
        }
        var profiles: [[String: [Int]]] = []
        for secret in Self.secrets { profiles.append(try await Self.profile(curve: curve, secret: secret)) }
        let reference = profiles[0]
        #expect(reference.count >= 10, "too few ECC functions profiled (\(reference.count)): the probe did not run the arithmetic")
        print("[\(curve)] \(reference.count) ECC functions; events Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw; multiply: \(reference.first { $0.key.contains("MontgomeryDomain") && $0.key.contains("multiply") }?.value ?? [])")
        for (secret, profile) in zip(Self.secrets.dropFirst(), profiles.dropFirst()) {
            for difference in Self.differences(reference, profile) {
                Issue.record("\(curve) secret #\(secret) against secret #0: \(difference)")
            }
            #expect(Set(profile.keys) == Set(reference.keys), "different functions ran for secret #\(secret)")
        }
    }

    @Test("The judge catches a secret-indexed table read (negative control)")
    func judgeCatchesASecretIndexedRead() async throws {
        guard (try? await Run.process("valgrind", ["--version"]).status) == 0 else {
            Issue.record("valgrind is not installed: the constant-time judge is missing (.ci/run installs it)")
            return
        }
        // Secret 0 selects two entries, the pseudo-random secret 5 most of the 16.
        var profiles: [[String: [Int]]] = []
        for secret in [0, 5] { profiles.append(try await Self.profile(curve: "leaky-control", secret: secret, sources: "ECCTimingProbe/main.swift")) }
        let lookup = profiles.map { $0.first { $0.key.contains("secretIndexedLookups") }?.value ?? [] }
        print("leaky control: secretIndexedLookups \(Self.events) secret #0 \(lookup[0]), secret #5 \(lookup[1])")
        #expect(lookup[0].count == Self.events.count && lookup[1].count == Self.events.count, "the control's function was not profiled")
        #expect(Array(lookup[0].prefix(3)) == Array(lookup[1].prefix(3)), "the control should differ in cache misses only")
        let flagged = Self.differences(profiles[0], profiles[1])
        #expect(flagged.contains { $0.contains("secretIndexedLookups") && $0.contains("D1mr") }, "the judge let a secret-indexed read through: \(flagged)")
    }
}
