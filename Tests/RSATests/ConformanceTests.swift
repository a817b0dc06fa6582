// SPDX-License-Identifier: Apache-2.0

import VKConformance
import TestSupport
import Testing

/// Runs every suite of `vkcert vectors` (Wycheproof and the committed OpenSSL vectors) and requires
/// zero failures. Skips are allowed only with a stated reason, and are printed.
@Suite("Conformance suites (Wycheproof, OpenSSL vectors)")
struct ConformanceTests {
    static let runner = ConformanceRunner(directory: Repository.root.appendingPathComponent("Vectors").path)

    @Test("suite passes", arguments: ConformanceRunner.suites.map(\.name))
    func suite(name: String) throws {
        let suite = try #require(ConformanceRunner.suites.first { $0.name == name })
        let result = suite.run(Self.runner)
        #expect(result.failed == 0, "\(result.failures.joined(separator: "\n"))")
        #expect(result.passed > 0)
        for (reason, count) in result.skipReasons {
            print("[\(name)] skipped \(count): \(reason)")
        }
        for (decision, count) in result.decisions {
            print("[\(name)] decided \(count): \(decision)")
        }
    }
}
