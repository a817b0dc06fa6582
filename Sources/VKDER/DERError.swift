// SPDX-License-Identifier: Apache-2.0

/// An error from the DER or PEM layer: a stable ``Code``, a reason naming the field, and where in the
/// input it happened (byte offset for DER, line for PEM).
///
/// Equality and hashing use the code only, so tests can assert on `error.code`.
public struct DERError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An open set of stable error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The input ended inside an element (or a length points past the end).
        public static let truncated = Code("truncated")
        /// Bytes remain after a complete element where none may.
        public static let trailingData = Code("trailingData")
        /// The tag is not the one the structure requires.
        public static let unexpectedTag = Code("unexpectedTag")
        /// A length is in a non-DER form (indefinite, non-minimal, too many octets).
        public static let invalidLength = Code("invalidLength")
        /// A tag in high-tag-number form (not used by any structure vkcert reads).
        public static let unsupportedTag = Code("unsupportedTag")
        /// The content of a primitive is not valid DER for its type.
        public static let invalidValue = Code("invalidValue")
        /// Nesting deeper than ``DERReader/maximumDepth``.
        public static let tooDeep = Code("tooDeep")
        /// Input larger than a parser's size limit.
        public static let tooLarge = Code("tooLarge")
        /// PEM framing or base64 is wrong.
        public static let invalidPEM = Code("invalidPEM")
        /// A PEM block has a different label from the one required.
        public static let wrongPEMLabel = Code("wrongPEMLabel")
        /// No PEM block was found.
        public static let noPEMBlock = Code("noPEMBlock")
    }

    public let code: Code
    public let reason: String
    /// Byte offset in the outermost input where the problem is, when known.
    public let offset: Int?
    /// 1-based line for PEM problems, when known.
    public let line: Int?

    public init(_ code: Code, _ reason: String, offset: Int? = nil, line: Int? = nil) {
        self.code = code
        self.reason = reason
        self.offset = offset
        self.line = line
    }

    public var description: String {
        var text = reason
        if let line { text += " (line \(line))" }
        if let offset { text += " (at byte offset \(offset))" }
        return text
    }

    public static func == (lhs: DERError, rhs: DERError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
