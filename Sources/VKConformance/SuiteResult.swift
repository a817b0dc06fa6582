// SPDX-License-Identifier: Apache-2.0

/// The outcome of one conformance suite: counts, plus the reasons behind every skip and every
/// documented decision, and the first failures in detail.
public struct SuiteResult: Sendable, Hashable {
    public let name: String
    public private(set) var passed = 0
    public private(set) var failed = 0
    public private(set) var skipped = 0
    /// Why cases were skipped, with counts ("e=3 groups: …").
    public private(set) var skipReasons: [String: Int] = [:]
    /// Decisions taken on `acceptable` cases, with counts.
    public private(set) var decisions: [String: Int] = [:]
    /// Descriptions of failed cases (capped).
    public private(set) var failures: [String] = []

    public static let maximumFailuresKept = 50

    public init(name: String) {
        self.name = name
    }

    public var total: Int { passed + failed + skipped }

    mutating func pass(decision: String? = nil) {
        passed += 1
        if let decision { decisions[decision, default: 0] += 1 }
    }

    mutating func fail(_ what: String) {
        failed += 1
        if failures.count < Self.maximumFailuresKept { failures.append(what) }
    }

    mutating func skip(_ reason: String) {
        skipped += 1
        skipReasons[reason, default: 0] += 1
    }

    /// Records `condition` as a pass or a failure described by `what`.
    mutating func check(_ condition: Bool, _ what: @autoclosure () -> String, decision: String? = nil) {
        if condition { pass(decision: decision) } else { fail(what()) }
    }
}
