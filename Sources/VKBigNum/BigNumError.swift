// SPDX-License-Identifier: Apache-2.0

/// An error from the bignum layer: a stable ``Code`` plus a human-readable reason.
///
/// Equality and hashing use the code only, so tests can match `error.code`.
public struct BigNumError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of stable values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidModulus = Code("invalidModulus")
        public static let invalidExponent = Code("invalidExponent")
        public static let invalidEncoding = Code("invalidEncoding")
        public static let doesNotFit = Code("doesNotFit")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "BigNumError.\(code): \(reason)" }

    public static func == (lhs: BigNumError, rhs: BigNumError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
