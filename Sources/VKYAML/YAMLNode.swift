// SPDX-License-Identifier: Apache-2.0

/// A composed YAML node: aliases are already replaced by (shared) copies of their anchors' nodes.
public indirect enum YAMLNode: Sendable {
    case scalar(Scalar)
    case sequence([YAMLNode])
    case mapping([(key: YAMLNode, value: YAMLNode)])

    public struct Scalar: Sendable, Hashable {
        public enum Style: Sendable, Hashable { case plain, singleQuoted, doubleQuoted, literal, folded }
        public let string: String
        /// The explicit tag (`!!str` → `tag:yaml.org,2002:str`), nil when none was written.
        public let tag: String?
        public let style: Style

        public init(_ string: String, tag: String? = nil, style: Style = .plain) {
            self.string = string
            self.tag = tag
            self.style = style
        }

        static let core = "tag:yaml.org,2002:"

        /// Resolved as YAML 1.1's implicit types are (and as Yams resolved them before): only plain,
        /// untagged scalars take a type from their text; quoted ones and `!!str` are strings.
        var isImplicit: Bool { style == .plain && (tag == nil || tag == "?" || tag == "!") }

        /// `~`, `null`, `Null`, `NULL` or nothing, or an explicit `!!null`.
        public var isNull: Bool {
            if tag == Self.core + "null" { return true }
            return isImplicit && ["", "~", "null", "Null", "NULL"].contains(string)
        }

        /// YAML 1.1 booleans: true/false, yes/no, on/off in any case (`!!str` and quoted scalars are not).
        public var bool: Bool? {
            guard isImplicit || tag == Self.core + "bool" else { return nil }
            switch string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: return nil
            }
        }

        /// A YAML 1.1 integer: decimal, `0x`, `0o`/leading-zero octal, `0b`, `_` separators, an optional sign.
        public var int64: Int64? {
            guard isImplicit || tag == Self.core + "int" else { return nil }
            var text = Substring(string.filter { $0 != "_" })
            var negative = false
            if let first = text.first, first == "-" || first == "+" {
                negative = first == "-"
                text = text.dropFirst()
            }
            guard !text.isEmpty else { return nil }
            let radix: Int
            if text.hasPrefix("0x") { radix = 16; text = text.dropFirst(2) }
            else if text.hasPrefix("0o") { radix = 8; text = text.dropFirst(2) }
            else if text.hasPrefix("0b") { radix = 2; text = text.dropFirst(2) }
            else if text.count > 1, text.hasPrefix("0") { radix = 8; text = text.dropFirst() }
            else { radix = 10 }
            guard !text.isEmpty, let magnitude = UInt64(text, radix: radix) else { return nil }
            if negative {
                return magnitude <= UInt64(Int64.max) + 1 ? (magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) : nil
            }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }

        /// A YAML 1.1 float (or integer): `1.5`, `1e3`, `.5`, `.inf`, `-.Inf`, `.nan`, `_` separators.
        public var double: Double? {
            guard isImplicit || tag == Self.core + "float" || tag == Self.core + "int" else { return nil }
            switch string.lowercased() {
            case ".inf", "+.inf": return .infinity
            case "-.inf": return -.infinity
            case ".nan": return .nan
            default: break
            }
            if let integer = int64 { return Double(integer) }
            let text = string.filter { $0 != "_" }
            guard let first = text.first, first.isNumber || first == "." || first == "-" || first == "+" else { return nil }
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
            return Double(text)
        }
    }

    public var scalar: Scalar? { if case .scalar(let s) = self { s } else { nil } }
    public var sequence: [YAMLNode]? { if case .sequence(let items) = self { items } else { nil } }
    public var mapping: [(key: YAMLNode, value: YAMLNode)]? { if case .mapping(let pairs) = self { pairs } else { nil } }
    public var isNull: Bool { scalar?.isNull ?? false }

    /// The value of the first pair whose key is the scalar `key`.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.string == key }?.value
    }
}
