// SPDX-License-Identifier: Apache-2.0

/// Text and JSON renderings of conformance results (hand-written JSON: stable key order, no Foundation).
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
        let suites = results.map { r in
            let skips = r.skipReasons.sorted(by: { $0.key < $1.key }).map { "{\"reason\":\(quote($0.key)),\"count\":\($0.value)}" }
            let decisions = r.decisions.sorted(by: { $0.key < $1.key }).map { "{\"decision\":\(quote($0.key)),\"count\":\($0.value)}" }
            return "{\"suite\":\(quote(r.name)),\"total\":\(r.total),\"passed\":\(r.passed),\"failed\":\(r.failed),\"skipped\":\(r.skipped),"
                + "\"skipReasons\":[\(skips.joined(separator: ","))],\"decisions\":[\(decisions.joined(separator: ","))],"
                + "\"failures\":[\(r.failures.map(quote).joined(separator: ","))]}"
        }
        let failed = results.reduce(0) { $0 + $1.failed }
        return "{\"ok\":\(failed == 0),\"suites\":[\(suites.joined(separator: ","))]}\n"
    }

    /// A JSON string literal (RFC 8259 escaping).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
