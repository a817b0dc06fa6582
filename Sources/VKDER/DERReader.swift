// SPDX-License-Identifier: Apache-2.0

/// One decoded TLV: its tag, its content octets and its whole encoding, both as zero-copy slices of the
/// input (slice indices are offsets into the original buffer, which errors report).
public struct DERElement: Sendable {
    public let tag: ASN1Tag
    public let content: ArraySlice<UInt8>
    public let encoded: ArraySlice<UInt8>
    /// Nesting depth of this element (0 for a top-level element).
    public let depth: Int

    /// Byte offset of the element's first octet in the original input.
    public var offset: Int { encoded.startIndex }
}

/// A strict, zero-copy DER reader over a byte slice.
///
/// Enforces what X.690 §10 requires of DER and what hostile input must not get past: single-octet
/// tags, definite lengths in their shortest form (≤ 4 length octets), lengths inside the input, a
/// nesting limit, and — through ``nested(_:_:)`` and ``parse(_:_:)`` — no trailing bytes after a
/// complete structure. It never traps: every problem is a thrown ``DERError`` with the byte offset.
public struct DERReader: Sendable {
    /// Deepest nesting accepted. X.509 certificates need about 10; 32 leaves room and stops depth bombs.
    public static let maximumDepth = 32

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// Depth of the elements this reader yields.
    public let depth: Int

    public init(_ bytes: ArraySlice<UInt8>, depth: Int = 0) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.depth = depth
    }

    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    /// Whether every byte has been consumed.
    public var isAtEnd: Bool { position >= bytes.endIndex }

    /// Offset of the next unread byte in the original input.
    public var offset: Int { position }

    /// The tag of the next element without consuming it, or nil at the end.
    public func peekTag() -> ASN1Tag? {
        isAtEnd ? nil : ASN1Tag(rawValue: bytes[position])
    }

    /// Reads the next element, whatever its tag.
    public mutating func readElement() throws -> DERElement {
        let start = position
        guard start < bytes.endIndex else {
            throw DERError(.truncated, "expected an element but the input ended", offset: start)
        }
        guard depth <= Self.maximumDepth else {
            throw DERError(.tooDeep, "nesting deeper than \(Self.maximumDepth) levels", offset: start)
        }
        let tagByte = bytes[start]
        guard tagByte & 0x1F != 0x1F else {
            throw DERError(.unsupportedTag, "high-tag-number form is not used in DER structures vkcert reads", offset: start)
        }
        var index = start + 1
        guard index < bytes.endIndex else {
            throw DERError(.truncated, "input ended before the length octets", offset: index)
        }
        let first = bytes[index]
        index += 1
        var length: Int
        if first < 0x80 {
            length = Int(first)
        } else if first == 0x80 {
            throw DERError(.invalidLength, "indefinite length is BER, not DER", offset: index - 1)
        } else {
            let count = Int(first & 0x7F)
            guard count <= 4 else {
                throw DERError(.invalidLength, "length uses \(count) octets (at most 4 accepted)", offset: index - 1)
            }
            guard bytes.endIndex - index >= count else {
                throw DERError(.truncated, "input ended inside the length octets", offset: index)
            }
            guard bytes[index] != 0 else {
                throw DERError(.invalidLength, "length has a leading zero octet (not minimal)", offset: index)
            }
            length = 0
            for i in 0..<count { length = length << 8 | Int(bytes[index + i]) }
            index += count
            guard length >= 0x80 else {
                throw DERError(.invalidLength, "long-form length \(length) must use the short form", offset: index - count - 1)
            }
        }
        guard bytes.endIndex - index >= length else {
            throw DERError(
                .truncated,
                "length \(length) runs past the end of the input (\(bytes.endIndex - index) bytes left)",
                offset: start
            )
        }
        let end = index + length
        position = end
        return DERElement(tag: ASN1Tag(rawValue: tagByte), content: bytes[index..<end], encoded: bytes[start..<end], depth: depth)
    }

    /// Reads the next element and requires `tag`.
    public mutating func read(_ tag: ASN1Tag, _ what: @autoclosure () -> String = "") throws -> DERElement {
        guard let next = peekTag() else {
            throw DERError(.truncated, "expected \(Self.label(what(), tag)) but the structure ended", offset: position)
        }
        guard next == tag else {
            throw DERError(.unexpectedTag, "expected \(Self.label(what(), tag)), found \(next)", offset: position)
        }
        return try readElement()
    }

    /// Reads the next element if it has `tag`, else returns nil without consuming anything.
    public mutating func readOptional(_ tag: ASN1Tag) throws -> DERElement? {
        guard peekTag() == tag else { return nil }
        return try readElement()
    }

    /// The complete encoding of the next element without consuming it, or nil when it does not parse.
    public func peekElementEncoding() -> ArraySlice<UInt8>? {
        var copy = self
        return (try? copy.readElement())?.encoded
    }

    /// Reads a constructed element with `tag` and parses its content with `body`, which must consume
    /// all of it.
    public mutating func nested<T>(
        _ tag: ASN1Tag = .sequence,
        what: @autoclosure () -> String = "",
        _ body: (inout DERReader) throws -> T
    ) throws -> T {
        let element = try read(tag, what())
        return try element.parseContent(body)
    }

    /// Throws unless every byte was consumed.
    public func expectEnd(_ what: @autoclosure () -> String = "structure") throws {
        guard isAtEnd else {
            throw DERError(.trailingData, "\(bytes.endIndex - position) unexpected byte(s) after the \(what())", offset: position)
        }
    }

    /// Parses exactly one top-level element with `tag`: no bytes may follow it.
    public static func parse<T>(
        _ input: ArraySlice<UInt8>,
        _ tag: ASN1Tag = .sequence,
        _ body: (inout DERReader) throws -> T
    ) throws -> T {
        var reader = DERReader(input)
        let value = try reader.nested(tag, body)
        try reader.expectEnd("top-level element")
        return value
    }

    private static func label(_ what: String, _ tag: ASN1Tag) -> String {
        what.isEmpty ? "\(tag)" : "\(what) (\(tag))"
    }
}

extension DERElement {
    /// A reader over this element's content, one level deeper.
    public func contentReader() -> DERReader {
        DERReader(content, depth: depth + 1)
    }

    /// Parses the content with `body`, which must consume all of it.
    public func parseContent<T>(_ body: (inout DERReader) throws -> T) throws -> T {
        guard tag.isConstructed else {
            throw DERError(.unexpectedTag, "\(tag) must be constructed", offset: offset)
        }
        var reader = contentReader()
        let value = try body(&reader)
        try reader.expectEnd("content of \(tag)")
        return value
    }
}

extension DERReader {
    /// Checks that `input` is exactly one DER element whose constructed descendants are all well-formed
    /// DER (tags, lengths, depth, nothing trailing anywhere). Returns the number of elements seen.
    /// Content of primitive elements is not interpreted.
    @discardableResult
    public static func validateStructure(_ input: ArraySlice<UInt8>) throws -> Int {
        var reader = DERReader(input)
        let root = try reader.readElement()
        try reader.expectEnd("top-level element")
        return try count(root)
    }

    private static func count(_ element: DERElement) throws -> Int {
        guard element.tag.isConstructed else { return 1 }
        var reader = element.contentReader()
        var total = 1
        while !reader.isAtEnd {
            total += try count(reader.readElement())
        }
        return total
    }
}
