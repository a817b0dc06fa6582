// SPDX-License-Identifier: Apache-2.0

/// An error from the RSA layer: a stable ``Code`` and a reason naming the field or rule.
/// Equality and hashing use the code only.
public struct RSAError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The key's numbers are inconsistent or out of policy (e.g. n ≠ p·q, even e, too small).
        public static let invalidKey = Code("invalidKey")
        /// The key is too small for the operation (signing needs ≥ 2048 bits).
        public static let keyTooSmall = Code("keyTooSmall")
        /// The key encoding is not a supported RSA key format.
        public static let unsupportedKeyFormat = Code("unsupportedKeyFormat")
        /// A message or parameter cannot be encoded with this key (e.g. salt too long).
        public static let encodingError = Code("encodingError")
        /// The signature computed did not verify: a fault (hardware or software) was caught.
        public static let faultDetected = Code("faultDetected")
        /// Unsupported parameters (e.g. a PSS trailer field other than 1, an unknown hash).
        public static let unsupportedParameters = Code("unsupportedParameters")
        /// Key generation exhausted its candidate budget.
        public static let generationFailed = Code("generationFailed")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    public static func == (lhs: RSAError, rhs: RSAError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
