// SPDX-License-Identifier: Apache-2.0
//
// Typed readers for the primitive universal types, each enforcing its DER content rules (X.690 §8, §10, §11).

/// A BIT STRING: content octets without the leading unused-bits octet.
public struct BitString: Hashable, Sendable {
    public let bytes: ArraySlice<UInt8>
    /// Unused bits in the last octet (0…7).
    public let unusedBits: Int

    public init(bytes: ArraySlice<UInt8>, unusedBits: Int = 0) {
        self.bytes = bytes
        self.unusedBits = unusedBits
    }

    /// Bit `index` counting from the most significant bit of the first octet (named-bit lists).
    public func bit(_ index: Int) -> Bool {
        let byte = index / 8
        guard index >= 0, byte < bytes.count, index < bytes.count * 8 - unusedBits else { return false }
        return bytes[bytes.startIndex + byte] & (0x80 >> UInt8(index % 8)) != 0
    }

    /// Number of meaningful bits.
    public var bitCount: Int { bytes.count * 8 - unusedBits }
}

extension DERElement {
    /// INTEGER content after the DER checks: at least one octet, minimal two's complement.
    public func integerContent() throws -> ArraySlice<UInt8> {
        guard let first = content.first else {
            throw DERError(.invalidValue, "INTEGER has no content octets", offset: offset)
        }
        if content.count > 1 {
            let second = content[content.startIndex + 1]
            if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw DERError(.invalidValue, "INTEGER is not minimally encoded (redundant leading octet)", offset: offset)
            }
        }
        return content
    }
}

extension DERReader {
    /// INTEGER as validated two's-complement content octets.
    public mutating func readIntegerBytes(_ tag: ASN1Tag = .integer, _ what: @autoclosure () -> String = "INTEGER") throws -> ArraySlice<UInt8> {
        try read(tag, what()).integerContent()
    }

    /// A non-negative INTEGER's magnitude with the sign octet removed (empty for zero).
    /// - Throws: ``DERError/Code/invalidValue`` for a negative value.
    public mutating func readUnsignedIntegerBytes(_ what: @autoclosure () -> String = "INTEGER") throws -> ArraySlice<UInt8> {
        let element = try read(.integer, what())
        var content = try element.integerContent()
        guard content.first! & 0x80 == 0 else {
            throw DERError(.invalidValue, "\(what()) must not be negative", offset: element.offset)
        }
        while content.first == 0 { content = content.dropFirst() }
        return content
    }

    /// A small INTEGER as `Int`.
    public mutating func readInt(_ tag: ASN1Tag = .integer, _ what: @autoclosure () -> String = "INTEGER") throws -> Int {
        let element = try read(tag, what())
        let content = try element.integerContent()
        guard content.count <= 8 else {
            throw DERError(.invalidValue, "\(what()) is too large", offset: element.offset)
        }
        var value = content.first! & 0x80 != 0 ? -1 : 0
        for byte in content { value = value << 8 | Int(byte) }
        return value
    }

    /// BOOLEAN: exactly one octet, 0x00 or 0xFF.
    public mutating func readBoolean(_ what: @autoclosure () -> String = "BOOLEAN") throws -> Bool {
        let element = try read(.boolean, what())
        guard element.content.count == 1 else {
            throw DERError(.invalidValue, "\(what()) must have exactly one content octet", offset: element.offset)
        }
        switch element.content.first! {
        case 0x00: return false
        case 0xFF: return true
        default: throw DERError(.invalidValue, "\(what()) must be 0x00 or 0xFF in DER", offset: element.offset)
        }
    }

    /// NULL: no content octets.
    public mutating func readNull(_ what: @autoclosure () -> String = "NULL") throws {
        let element = try read(.null, what())
        guard element.content.isEmpty else {
            throw DERError(.invalidValue, "\(what()) must be empty", offset: element.offset)
        }
    }

    /// OCTET STRING content (primitive only).
    public mutating func readOctetString(_ what: @autoclosure () -> String = "OCTET STRING") throws -> ArraySlice<UInt8> {
        try read(.octetString, what()).content
    }

    /// BIT STRING with DER rules: unused-bits octet 0…7, 0 when empty, and unused bits zero.
    public mutating func readBitString(_ tag: ASN1Tag = .bitString, _ what: @autoclosure () -> String = "BIT STRING") throws -> BitString {
        let element = try read(tag, what())
        return try element.bitStringContent(what())
    }

    /// OBJECT IDENTIFIER.
    public mutating func readOID(_ what: @autoclosure () -> String = "OBJECT IDENTIFIER") throws -> OID {
        let element = try read(.objectIdentifier, what())
        return try OID(derContent: element.content, offset: element.offset)
    }
}

extension DERElement {
    /// This element's content as a DER BIT STRING.
    public func bitStringContent(_ what: @autoclosure () -> String = "BIT STRING") throws -> BitString {
        guard let unused = content.first else {
            throw DERError(.invalidValue, "\(what()) has no unused-bits octet", offset: offset)
        }
        guard unused <= 7 else {
            throw DERError(.invalidValue, "\(what()) declares \(unused) unused bits (0…7 allowed)", offset: offset)
        }
        let body = content.dropFirst()
        if body.isEmpty && unused != 0 {
            throw DERError(.invalidValue, "empty \(what()) must declare 0 unused bits", offset: offset)
        }
        if unused > 0, body.last! & UInt8((1 << unused) - 1) != 0 {
            throw DERError(.invalidValue, "\(what()) has non-zero unused bits (not DER)", offset: offset)
        }
        return BitString(bytes: body, unusedBits: Int(unused))
    }
}
