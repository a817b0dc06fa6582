// SPDX-License-Identifier: Apache-2.0

import VKDER

/// One lint result.
public struct LintFinding: Sendable, Hashable {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, notice

        /// zlint's prefix convention: `e_` error, `w_` warning, `n_` notice.
        init(zlintName: String) {
            self = zlintName.hasPrefix("w_") ? .warning : zlintName.hasPrefix("n_") ? .notice : .error
        }

        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Stable rule identifier (`subject-organization`; zlint names such as `e_issuer_field_empty`).
    public let rule: String
    public let severity: Severity
    /// Where in the object ("subject", "extensions.keyUsage", …), when the rule is about one field.
    public let field: String?
    public let message: String

    public init(rule: String, severity: Severity, field: String? = nil, message: String) {
        self.rule = rule
        self.severity = severity
        self.field = field
        self.message = message
    }

    public var json: JSONValue {
        .object([
            ("rule", .string(rule)), ("severity", .string(severity.rawValue)), ("field", JSONValue(field)),
            ("message", .string(message)),
        ])
    }
}
