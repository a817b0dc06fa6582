// SPDX-License-Identifier: Apache-2.0
//
// The ASN.1 character-string types found in X.509 names and extensions, decoded with their charset
// rules (X.680 §41, RFC 5280 §4.1.2.4).

/// Which character-string type an element had: kept so re-encoding and auditing can show it.
public enum StringKind: String, Sendable, Hashable, CaseIterable {
    case printable = "PrintableString"
    case utf8 = "UTF8String"
    case ia5 = "IA5String"
    case teletex = "TeletexString"
    case bmp = "BMPString"
    case universal = "UniversalString"
    case visible = "VisibleString"
    case numeric = "NumericString"

    public var tag: ASN1Tag {
        switch self {
        case .printable: .printableString
        case .utf8: .utf8String
        case .ia5: .ia5String
        case .teletex: .teletexString
        case .bmp: .bmpString
        case .universal: .universalString
        case .visible: .visibleString
        case .numeric: .numericString
        }
    }

    public init?(tag: ASN1Tag) {
        guard let kind = StringKind.allCases.first(where: { $0.tag == tag }) else { return nil }
        self = kind
    }

    /// Whether `byte` is in the PrintableString repertoire (X.680 §41.4: A–Z a–z 0–9 space ' ( ) + , - . / : = ?).
    public static func isPrintable(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: true
        case 0x20, 0x27, 0x28, 0x29, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A, 0x3D, 0x3F: true
        default: false
        }
    }
}

/// A decoded character string with the type it was encoded as.
public struct DERString: Hashable, Sendable, CustomStringConvertible {
    public let kind: StringKind
    public let value: String

    public init(kind: StringKind, value: String) {
        self.kind = kind
        self.value = value
    }

    public var description: String { value }

    /// A PrintableString holding `*` (X.680 §41.4 leaves it out; the parser tolerates it).
    public var hasAsteriskInPrintableString: Bool { kind == .printable && value.utf8.contains(0x2A) }

    /// Decodes `element` as the string type its tag names, enforcing that type's repertoire.
    public init(element: DERElement) throws {
        guard let kind = StringKind(tag: element.tag) else {
            throw DERError(.unexpectedTag, "expected a character string, found \(element.tag)", offset: element.offset)
        }
        let bytes = element.content
        func bad(_ why: String) -> DERError {
            DERError(.invalidValue, "\(kind.rawValue) \(why)", offset: element.offset)
        }
        switch kind {
        case .printable:
            // `*` is outside the repertoire but tolerated as Go tolerates it (wildcard names seen in the wild);
            // ``hasAsteriskInPrintableString`` lets lint report it.
            guard bytes.allSatisfy({ StringKind.isPrintable($0) || $0 == 0x2A }) else { throw bad("contains a character outside its repertoire") }
            value = String(decoding: bytes, as: UTF8.self)
        case .ia5:
            guard bytes.allSatisfy({ $0 < 0x80 }) else { throw bad("contains a byte above 0x7F") }
            value = String(decoding: bytes, as: UTF8.self)
        case .visible:
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw bad("contains a non-visible character") }
            value = String(decoding: bytes, as: UTF8.self)
        case .numeric:
            guard bytes.allSatisfy({ $0 == 0x20 || ($0 >= 0x30 && $0 <= 0x39) }) else { throw bad("contains a non-digit") }
            value = String(decoding: bytes, as: UTF8.self)
        case .utf8:
            guard let text = String(validating: bytes, as: UTF8.self) else { throw bad("is not valid UTF-8") }
            value = text
        case .teletex:
            // T.61 is treated as ISO 8859-1, as OpenSSL, Go and BoringSSL do in practice.
            value = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .bmp:
            guard bytes.count % 2 == 0 else { throw bad("has an odd number of octets") }
            var scalars = String.UnicodeScalarView()
            var i = bytes.startIndex
            while i < bytes.endIndex {
                let unit = UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
                guard let scalar = Unicode.Scalar(unit) else { throw bad("contains a surrogate code unit") }
                scalars.append(scalar)
                i += 2
            }
            value = String(scalars)
        case .universal:
            guard bytes.count % 4 == 0 else { throw bad("length is not a multiple of 4") }
            var scalars = String.UnicodeScalarView()
            var i = bytes.startIndex
            while i < bytes.endIndex {
                let unit = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
                guard let scalar = Unicode.Scalar(unit) else { throw bad("contains an invalid code point") }
                scalars.append(scalar)
                i += 4
            }
            value = String(scalars)
        }
        self.kind = kind
    }

    /// The content octets for `value` in `kind` (for the writer).
    public func encodedContent() -> [UInt8] {
        switch kind {
        case .printable, .ia5, .visible, .numeric, .utf8: Array(value.utf8)
        case .teletex: value.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        case .bmp: value.unicodeScalars.flatMap { [UInt8(truncatingIfNeeded: $0.value >> 8), UInt8(truncatingIfNeeded: $0.value)] }
        case .universal:
            value.unicodeScalars.flatMap { s in (0..<4).map { UInt8(truncatingIfNeeded: s.value >> (24 - 8 * UInt32($0))) } }
        }
    }
}
