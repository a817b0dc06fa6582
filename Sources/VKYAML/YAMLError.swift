// SPDX-License-Identifier: Apache-2.0

/// Why YAML text was refused: libyaml's scanner or parser problem with its position (1-based), or a
/// bound of ``YAMLComposer`` (node count with aliases expanded, document count).
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }
        /// libyaml refused the text (syntax, encoding, control characters, nesting over 1,000 levels).
        public static let syntax = Code("syntax")
        /// More nodes (aliases expanded) or documents than allowed.
        public static let limit = Code("limit")
        /// An alias to an anchor not defined before it, or several documents where one was expected.
        public static let structure = Code("structure")
    }

    public let code: Code
    public let message: String
    /// 1-based, 0 when not known.
    public let line: Int
    public let column: Int

    public init(_ code: Code, _ message: String, line: Int = 0, column: Int = 0) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { line > 0 ? "line \(line), column \(column): \(message)" : message }
}
