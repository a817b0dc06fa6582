// SPDX-License-Identifier: Apache-2.0

import VKX509

/// Text and JSON renderings of conformance results (JSON through X509's ordered JSONValue, no Foundation).
public enum ConformanceReport {
    public static func table(_ results: [SuiteResult]) -> String {
        let width = max(40, results.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func num(_ n: Int) -> String { let s = String(n); return String(repeating: " ", count: max(0, 7 - s.count)) + s }
        var out = pad("suite", width) + "  total passed failed skipped\n"
        for r in results {
            out += pad(r.name, width) + " " + num(r.total) + num(r.passed) + num(r.failed) + num(r.skipped) + "\n"
            for (reason, count) in r.skipReasons.sorted(by: { $0.key < $1.key }) { out += "    skipped \(count): \(reason)\n" }
            for (decision, count) in r.decisions.sorted(by: { $0.key < $1.key }) { out += "    decided \(count): \(decision)\n" }
            for failure in r.failures { out += "    FAILED: \(failure)\n" }
        }
        let total = results.reduce(into: (0, 0, 0)) { acc, r in acc.0 += r.passed; acc.1 += r.failed; acc.2 += r.skipped }
        out += "\(total.0) passed, \(total.1) failed, \(total.2) skipped\n"
        return out
    }

    public static func json(_ results: [SuiteResult]) -> String {
        let suites: [JSONValue] = results.map { r in
            .object([
                ("suite", .string(r.name)), ("total", .int(r.total)), ("passed", .int(r.passed)), ("failed", .int(r.failed)),
                ("skipped", .int(r.skipped)),
                ("skipReasons", .array(r.skipReasons.sorted { $0.key < $1.key }.map { .object([("reason", .string($0.key)), ("count", .int($0.value))]) })),
                ("decisions", .array(r.decisions.sorted { $0.key < $1.key }.map { .object([("decision", .string($0.key)), ("count", .int($0.value))]) })),
                ("failures", .array(r.failures.map { .string($0) })),
            ])
        }
        let failed = results.reduce(0) { $0 + $1.failed }
        return JSONValue.object([("ok", .bool(failed == 0)), ("suites", .array(suites))]).serialized() + "\n"
    }
}
