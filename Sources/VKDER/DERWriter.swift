// SPDX-License-Identifier: Apache-2.0

/// Builds DER encodings. Constructed elements are written in place and their length patched in
/// afterwards, so nesting costs one shift of the nested bytes, not a copy per level.
public struct DERWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// A writer whose buffer already has room for `capacity` bytes: an encoding of key material that
    /// fits never reallocates, so no stale copy of it is left in freed memory.
    public init(reservingCapacity capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Encodes a length in DER's shortest form.
    static func lengthOctets(_ length: Int) -> [UInt8] {
        precondition(length >= 0)
        if length < 0x80 { return [UInt8(length)] }
        var out: [UInt8] = []
        var rest = length
        while rest > 0 {
            out.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(out.count)] + out
    }

    /// Appends one primitive element.
    public mutating func append(_ tag: ASN1Tag, content: some Collection<UInt8>) {
        bytes.append(tag.rawValue)
        bytes.append(contentsOf: Self.lengthOctets(content.count))
        bytes.append(contentsOf: content)
    }

    /// Appends bytes that are already a complete DER encoding (e.g. a kept original).
    public mutating func appendEncoded(_ encoded: some Collection<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    /// Appends a constructed element whose content `body` writes.
    public mutating func appendConstructed(_ tag: ASN1Tag = .sequence, _ body: (inout DERWriter) throws -> Void) rethrows {
        let headerStart = bytes.count
        bytes.append(tag.rawValue)
        bytes.append(0)  // placeholder length
        let contentStart = bytes.count
        try body(&self)
        let length = bytes.count - contentStart
        let octets = Self.lengthOctets(length)
        bytes.replaceSubrange((headerStart + 1)..<contentStart, with: octets)
    }

    /// Appends a SET OF whose members are sorted by their encodings, as DER requires (X.690 §11.6).
    public mutating func appendSetOf(_ members: [[UInt8]], tag: ASN1Tag = .set) {
        let sorted = members.sorted { $0.lexicographicallyPrecedes($1) }
        appendConstructed(tag) { writer in
            for member in sorted { writer.appendEncoded(member) }
        }
    }

    /// INTEGER from minimal or non-minimal two's-complement octets (re-minimised here).
    public mutating func appendInteger(twosComplement content: some Collection<UInt8>, tag: ASN1Tag = .integer) {
        var octets = Array(content)
        if octets.isEmpty { octets = [0] }
        while octets.count > 1,
            (octets[0] == 0 && octets[1] & 0x80 == 0) || (octets[0] == 0xFF && octets[1] & 0x80 != 0)
        {
            octets.removeFirst()
        }
        append(tag, content: octets)
    }

    /// INTEGER from a non-negative magnitude (big-endian, leading zeros allowed).
    /// Written straight into the buffer (no temporary copy of the magnitude: it may be a private-key
    /// component).
    public mutating func appendUnsignedInteger(magnitude: some Collection<UInt8>, tag: ASN1Tag = .integer) {
        let digits = magnitude.drop { $0 == 0 }
        let pad = digits.isEmpty || digits.first! & 0x80 != 0
        bytes.append(tag.rawValue)
        bytes.append(contentsOf: Self.lengthOctets(digits.count + (pad ? 1 : 0)))
        if pad { bytes.append(0) }
        bytes.append(contentsOf: digits)
    }

    public mutating func appendInteger(_ value: Int, tag: ASN1Tag = .integer) {
        var octets: [UInt8] = []
        var rest = value
        repeat {
            octets.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        } while rest != 0 && rest != -1
        if value >= 0 && octets[0] & 0x80 != 0 { octets.insert(0, at: 0) }
        if value < 0 && octets[0] & 0x80 == 0 { octets.insert(0xFF, at: 0) }
        append(tag, content: octets)
    }

    public mutating func appendBoolean(_ value: Bool) {
        append(.boolean, content: [value ? 0xFF : 0x00])
    }

    public mutating func appendNull() {
        append(.null, content: [])
    }

    public mutating func appendOID(_ oid: OID) {
        append(.objectIdentifier, content: oid.der)
    }

    public mutating func appendOctetString(_ content: some Collection<UInt8>, tag: ASN1Tag = .octetString) {
        append(tag, content: content)
    }

    /// BIT STRING; for named-bit lists pass the trimmed bytes and their unused-bit count.
    public mutating func appendBitString(_ content: some Collection<UInt8>, unusedBits: Int = 0, tag: ASN1Tag = .bitString) {
        precondition((0...7).contains(unusedBits))
        append(tag, content: [UInt8(unusedBits)] + Array(content))
    }

    public mutating func appendString(_ string: DERString) {
        append(string.kind.tag, content: string.encodedContent())
    }

    public mutating func appendTime(_ time: DERTime) {
        let encoding = time.derEncoding
        append(encoding.tag, content: encoding.content)
    }

    /// One-shot helper: the bytes `body` writes.
    public static func build(_ body: (inout DERWriter) throws -> Void) rethrows -> [UInt8] {
        var writer = DERWriter()
        try body(&writer)
        return writer.bytes
    }

    /// ``build(_:)`` into a buffer reserved up front (for key material; see ``init(reservingCapacity:)``).
    public static func build(reservingCapacity capacity: Int, _ body: (inout DERWriter) throws -> Void) rethrows -> [UInt8] {
        var writer = DERWriter(reservingCapacity: capacity)
        try body(&writer)
        return writer.bytes
    }
}
