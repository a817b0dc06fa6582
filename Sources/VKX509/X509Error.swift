// SPDX-License-Identifier: Apache-2.0

/// An error from the X.509 layer: a stable ``Code`` and a reason naming the field.
/// Structural DER problems surface as ``DER/DERError``; this type covers X.509 rules on top of DER.
/// Equality and hashing use the code only.
public struct X509Error: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A field breaks RFC 5280 (or RFC 2986 for CSRs) although the DER is well formed.
        public static let invalidField = Code("invalidField")
        /// An extension's content is malformed or breaks its rules (e.g. critical AKI).
        public static let invalidExtension = Code("invalidExtension")
        /// The same extension appears twice.
        public static let duplicateExtension = Code("duplicateExtension")
        /// An algorithm or key type this toolkit cannot use for the operation.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// A signature does not verify.
        public static let badSignature = Code("badSignature")
        /// A name string does not parse ("CN=…,O=…").
        public static let invalidName = Code("invalidName")
        /// Building a certificate or CSR failed (bad input).
        public static let buildFailed = Code("buildFailed")
    }

    public let code: Code
    public let reason: String
    public let offset: Int?

    public init(_ code: Code, _ reason: String, offset: Int? = nil) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        offset.map { "\(reason) (at byte offset \($0))" } ?? reason
    }

    public static func == (lhs: X509Error, rhs: X509Error) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
