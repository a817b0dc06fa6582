// SPDX-License-Identifier: Apache-2.0

import VKConformance
import TestSupport
import Testing

/// x509-limbo (RSA build) through vkcert's chain verifier: every non-skipped case must conform except the
/// documented nonconformances, and the summary per namespace and feature is printed for the record.
@Suite("x509-limbo")
struct LimboTests {
    @Test func conformanceByNamespaceAndFeature() throws {
        let runner = ConformanceRunner(directory: Repository.root.appendingPathComponent("Vectors").path)
        let verdicts = try runner.limboVerdicts()
        #expect(verdicts.count == 208)
        var table: [String: (pass: Int, fail: Int, skip: Int)] = [:]
        var mismatches: [String] = []
        for v in verdicts {
            let namespace = String(v.id.split(separator: ":").first ?? "")
            let keys = ["ns:" + namespace] + v.features.map { "feature:" + $0 }
            for key in keys {
                var row = table[key] ?? (0, 0, 0)
                if v.actual == "SKIPPED" { row.skip += 1 } else if v.actual == v.expected { row.pass += 1 } else { row.fail += 1 }
                table[key] = row
            }
            if v.actual != "SKIPPED" && v.actual != v.expected { mismatches.append(v.id) }
        }
        for (key, row) in table.sorted(by: { $0.key < $1.key }) {
            print("limbo \(key): \(row.pass) conform, \(row.fail) differ, \(row.skip) skipped")
        }
        #expect(Set(mismatches) == Set(ConformanceRunner.limboKnownNonconformance.keys), "unexpected mismatches: \(mismatches)")
    }
}
