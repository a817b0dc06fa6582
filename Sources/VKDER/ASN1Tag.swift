// SPDX-License-Identifier: Apache-2.0

/// A single-octet ASN.1 identifier (class, constructed bit, tag number < 31).
///
/// High-tag-number form is rejected by the reader: no structure in X.509, PKCS#1/8/10 uses it.
public struct ASN1Tag: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public var isConstructed: Bool { rawValue & 0x20 != 0 }
    public var number: UInt8 { rawValue & 0x1F }
    public var isContextSpecific: Bool { rawValue & 0xC0 == 0x80 }

    public static let boolean = ASN1Tag(rawValue: 0x01)
    public static let integer = ASN1Tag(rawValue: 0x02)
    public static let bitString = ASN1Tag(rawValue: 0x03)
    public static let octetString = ASN1Tag(rawValue: 0x04)
    public static let null = ASN1Tag(rawValue: 0x05)
    public static let objectIdentifier = ASN1Tag(rawValue: 0x06)
    public static let enumerated = ASN1Tag(rawValue: 0x0A)
    public static let utf8String = ASN1Tag(rawValue: 0x0C)
    public static let numericString = ASN1Tag(rawValue: 0x12)
    public static let printableString = ASN1Tag(rawValue: 0x13)
    public static let teletexString = ASN1Tag(rawValue: 0x14)
    public static let ia5String = ASN1Tag(rawValue: 0x16)
    public static let utcTime = ASN1Tag(rawValue: 0x17)
    public static let generalizedTime = ASN1Tag(rawValue: 0x18)
    public static let visibleString = ASN1Tag(rawValue: 0x1A)
    public static let universalString = ASN1Tag(rawValue: 0x1C)
    public static let bmpString = ASN1Tag(rawValue: 0x1E)
    public static let sequence = ASN1Tag(rawValue: 0x30)
    public static let set = ASN1Tag(rawValue: 0x31)

    /// `[number]` context-specific, constructed (EXPLICIT tagging or IMPLICIT over a constructed type).
    public static func contextConstructed(_ number: UInt8) -> ASN1Tag {
        precondition(number < 31)
        return ASN1Tag(rawValue: 0xA0 | number)
    }

    /// `[number]` context-specific, primitive (IMPLICIT over a primitive type).
    public static func contextPrimitive(_ number: UInt8) -> ASN1Tag {
        precondition(number < 31)
        return ASN1Tag(rawValue: 0x80 | number)
    }

    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .integer: "INTEGER"
        case .bitString: "BIT STRING"
        case .octetString: "OCTET STRING"
        case .null: "NULL"
        case .objectIdentifier: "OBJECT IDENTIFIER"
        case .enumerated: "ENUMERATED"
        case .utf8String: "UTF8String"
        case .numericString: "NumericString"
        case .printableString: "PrintableString"
        case .teletexString: "TeletexString"
        case .ia5String: "IA5String"
        case .utcTime: "UTCTime"
        case .generalizedTime: "GeneralizedTime"
        case .visibleString: "VisibleString"
        case .universalString: "UniversalString"
        case .bmpString: "BMPString"
        case .sequence: "SEQUENCE"
        case .set: "SET"
        default:
            if isContextSpecific { "[\(number)]\(isConstructed ? "" : " primitive")" } else { "tag 0x" + String(rawValue, radix: 16) }
        }
    }
}
