// SPDX-License-Identifier: Apache-2.0

/// An error from the elliptic-curve layer: a stable ``Code`` and a reason naming the field or rule.
/// Equality and hashing use the code only.
public struct ECCError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The key's numbers are out of range or do not belong together (d ∉ [1, n−1], Q ≠ d·G, …).
        public static let invalidKey = Code("invalidKey")
        /// A point is not a valid encoding of a point on the curve.
        public static let invalidPoint = Code("invalidPoint")
        /// The key encoding is not a supported format (wrong PEM label, unknown curve, explicit parameters).
        public static let unsupportedKeyFormat = Code("unsupportedKeyFormat")
        /// A signature encoding is malformed.
        public static let invalidSignatureEncoding = Code("invalidSignatureEncoding")
        /// The signature computed did not verify: a fault (hardware or software) was caught.
        public static let faultDetected = Code("faultDetected")
        /// The hash is not usable with this key (Ed25519 signs messages, not digests).
        public static let unsupportedParameters = Code("unsupportedParameters")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    public static func == (lhs: ECCError, rhs: ECCError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
