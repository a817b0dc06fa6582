// SPDX-License-Identifier: Apache-2.0

import VKDER

/// An X.500 distinguished name (`Name ::= RDNSequence`, RFC 5280 §4.1.2.4), kept with its original
/// encoding: name chaining compares encodings after RFC 5280 §7.1 normalisation is not needed when
/// bytes are equal, and re-encoding must reproduce the input exactly.
public struct DistinguishedName: Sendable, Hashable {
    public let rdns: [RelativeDistinguishedName]
    /// The complete DER encoding of the Name (SEQUENCE included), a slice of the input when parsed.
    public let der: ArraySlice<UInt8>

    public init(rdns: [RelativeDistinguishedName]) {
        self.rdns = rdns
        self.der = DERWriter.build { w in
            w.appendConstructed { seq in
                for rdn in rdns {
                    let members = rdn.attributes.map { atv in
                        DERWriter.build { a in
                            a.appendConstructed { inner in
                                inner.appendOID(atv.type)
                                inner.appendEncoded(atv.value.encoded)
                            }
                        }
                    }
                    if rdn.isInDEROrder {
                        seq.appendSetOf(members)
                    } else {
                        // A parsed RDN in another order is written back as it came (the model re-encodes
                        // its input byte for byte).
                        seq.appendConstructed(.set) { for m in members { $0.appendEncoded(m) } }
                    }
                }
            }
        }[...]
    }

    /// Parses a Name: every RDN a non-empty SET, every attribute an OID and one value, string values
    /// checked against their type's repertoire.
    public init(from reader: inout DERReader, _ what: String) throws {
        let element = try reader.read(.sequence, what)
        var rdns: [RelativeDistinguishedName] = []
        var r = element.contentReader()
        while !r.isAtEnd {
            let set = try r.read(.set, "\(what) RDN")
            var attributes: [AttributeTypeAndValue] = []
            var inOrder = true
            var previous: ArraySlice<UInt8>? = nil
            var s = set.contentReader()
            while !s.isAtEnd {
                if let next = s.peekElementEncoding() {
                    if let previous, next.lexicographicallyPrecedes(previous) { inOrder = false }
                    previous = next
                }
                attributes.append(try s.nested(.sequence, what: "\(what) attribute") { a in
                    let type = try a.readOID("\(what) attribute type")
                    let value = try AttributeValue(element: a.readElement())
                    return AttributeTypeAndValue(type: type, value: value)
                })
            }
            // An empty SET breaks X.501's SIZE (1..MAX) but Go and OpenSSL read it (zlint's test certificates
            // end names with one): kept, so the name re-encodes exactly; lint reports it, names print without it.
            rdns.append(RelativeDistinguishedName(attributes: attributes, isInDEROrder: inOrder))
        }
        self.rdns = rdns
        self.der = element.encoded
    }

    /// No attribute at all (an RDNSequence of empty SETs is as empty as no SET).
    public var isEmpty: Bool { rdns.allSatisfy { $0.attributes.isEmpty } }

    /// The issuer obligations this name breaks (empty RDN SETs, PrintableStrings holding `*`).
    func defects(field: String) -> [ToleratedDefect] {
        var found: [ToleratedDefect] = []
        let empty = rdns.filter { $0.attributes.isEmpty }.count
        if empty > 0 {
            found.append(ToleratedDefect(.emptyRDN, field: field, "\(empty) RelativeDistinguishedName SET(s) are empty (X.501: SIZE (1..MAX))"))
        }
        for atv in rdns.flatMap(\.attributes) where atv.value.string?.hasAsteriskInPrintableString == true {
            found.append(ToleratedDefect(.printableStringAsterisk, field: field, "\(atv.type.attributeLabel) is a PrintableString holding '*', outside its repertoire (X.680 §41.4)"))
        }
        return found
    }

    /// All values of an attribute type, in order.
    public func values(_ type: OID) -> [String] {
        rdns.flatMap { $0.attributes.filter { $0.type == type }.map(\.value.text) }
    }

    public var commonNames: [String] { values(OID.Attribute.commonName) }
    public var organizations: [String] { values(OID.Attribute.organizationName) }

    public static func == (lhs: DistinguishedName, rhs: DistinguishedName) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

/// One RDN: a SET of attribute type-and-values (almost always one).
public struct RelativeDistinguishedName: Sendable, Hashable {
    public let attributes: [AttributeTypeAndValue]
    /// Whether the attributes were encoded in DER SET OF order (sorted by their encodings, X.690
    /// §11.6). Parsing tolerates other orders (certificates in use carry them, and names compare by
    /// content); lint reports them (`name-rdn-order`). Built names are always sorted.
    public let isInDEROrder: Bool

    public init(attributes: [AttributeTypeAndValue], isInDEROrder: Bool = true) {
        self.attributes = attributes
        self.isInDEROrder = isInDEROrder
    }
}

/// `AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }`.
public struct AttributeTypeAndValue: Sendable, Hashable {
    public let type: OID
    public let value: AttributeValue

    public init(type: OID, value: AttributeValue) {
        self.type = type
        self.value = value
    }
}

/// An attribute value: a character string of a known type (validated), or any other element kept raw.
public struct AttributeValue: Sendable, Hashable {
    /// The element's complete encoding.
    public let encoded: ArraySlice<UInt8>
    /// The decoded string when the value is one of the ASN.1 character-string types.
    public let string: DERString?

    public init(element: DERElement) throws {
        encoded = element.encoded
        string = StringKind(tag: element.tag) != nil ? try DERString(element: element) : nil
        // A constructed value of any other type ([APPLICATION 9], a SEQUENCE, …) must itself be DER all the
        // way down: kept raw, but never raw garbage behind a constructed tag.
        if string == nil, element.tag.isConstructed {
            do {
                try DERReader.validateStructure(element.encoded)
            } catch let error as DERError {
                throw X509Error(.invalidField, "attribute value \(element.tag) does not hold well-formed DER: \(error.reason)", offset: element.offset)
            }
        }
    }

    public init(_ string: DERString) {
        self.string = string
        self.encoded = DERWriter.build { $0.appendString(string) }[...]
    }

    /// The text of a string value, or `#<hex of the DER>` (RFC 4514 §2.4) for anything else.
    public var text: String {
        string?.value ?? "#" + encoded.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
