// SPDX-License-Identifier: Apache-2.0

/// An OBJECT IDENTIFIER, stored as its DER content octets. OIDs of up to 16 octets (nearly all of them)
/// live inline, so parsing a certificate's ~20 OIDs allocates nothing and comparing one is two word
/// compares.
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        /// Octets packed little-endian into two words, with the count.
        case inline(UInt64, UInt64, UInt8)
        case heap([UInt8])
    }

    private let storage: Storage

    /// The DER content octets (without tag and length).
    public var der: [UInt8] {
        switch storage {
        case .heap(let bytes): return bytes
        case .inline(let a, let b, let count):
            var out: [UInt8] = []
            out.reserveCapacity(Int(count))
            for i in 0..<Int(count) {
                let word: UInt64 = i < 8 ? a : b
                let shift = UInt64(8 * (i % 8))
                out.append(UInt8(truncatingIfNeeded: word >> shift))
            }
            return out
        }
    }

    private init(validated bytes: some Collection<UInt8>) {
        if bytes.count <= 16 {
            var a: UInt64 = 0, b: UInt64 = 0
            for (i, byte) in bytes.enumerated() {
                if i < 8 { a |= UInt64(byte) << (8 * UInt64(i)) } else { b |= UInt64(byte) << (8 * UInt64(i - 8)) }
            }
            storage = .inline(a, b, UInt8(bytes.count))
        } else {
            storage = .heap(Array(bytes))
        }
    }

    /// Validates DER content: non-empty, every sub-identifier minimal (no leading 0x80 octet) and
    /// terminated (last octet has bit 8 clear), each arc fitting in 64 bits.
    public init(derContent content: ArraySlice<UInt8>, offset: Int? = nil) throws {
        guard !content.isEmpty else {
            throw DERError(.invalidValue, "OBJECT IDENTIFIER has no content octets", offset: offset)
        }
        guard content.last! & 0x80 == 0 else {
            throw DERError(.invalidValue, "OBJECT IDENTIFIER ends inside a sub-identifier", offset: offset)
        }
        // Ten 7-bit groups hold 70 bits: a ten-octet arc fits in 64 bits only when its first group is 1
        // (0x81). Anything longer would lose high bits when decoded, and two different OIDs would print
        // alike, so it is refused.
        var atStart = true
        var length = 0
        var first: UInt8 = 0
        for byte in content {
            if atStart {
                if byte == 0x80 {
                    throw DERError(.invalidValue, "OBJECT IDENTIFIER sub-identifier has a leading 0x80 octet", offset: offset)
                }
                first = byte
            }
            length += 1
            if length > 10 || (length == 10 && first != 0x81) {
                throw DERError(.invalidValue, "OBJECT IDENTIFIER arc does not fit in 64 bits", offset: offset)
            }
            atStart = byte & 0x80 == 0
            if atStart { length = 0 }
        }
        self.init(validated: content)
    }

    /// Builds an OID from its arcs. Traps on an invalid arc list: for constants in code.
    public init(_ arcs: UInt64...) {
        self.init(arcs: arcs)
    }

    /// Builds an OID from its arcs (first ≤ 2, second < 40 unless the first is 2). Traps on an invalid
    /// list: for arcs known to be valid; input goes through ``init(validatingArcs:)``.
    public init(arcs: [UInt64]) {
        guard let oid = OID(validatingArcs: arcs) else { preconditionFailure("invalid OID arcs \(arcs)") }
        self = oid
    }

    /// Builds an OID from arcs taken from input; nil when they do not form one: fewer than two arcs, a
    /// first arc above 2, a second arc of 40 or more under 0 or 1, or a first sub-identifier
    /// (40 × first + second) that does not fit in 64 bits.
    public init?(validatingArcs arcs: [UInt64]) {
        guard arcs.count >= 2, arcs[0] <= 2, arcs[0] == 2 || arcs[1] < 40 else { return nil }
        let (head, overflow) = arcs[1].addingReportingOverflow(arcs[0] * 40)
        guard !overflow else { return nil }
        var out: [UInt8] = []
        func append(_ value: UInt64) {
            var groups: [UInt8] = [UInt8(value & 0x7F)]
            var rest = value >> 7
            while rest > 0 {
                groups.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            out.append(contentsOf: groups.reversed())
        }
        append(head)
        for arc in arcs.dropFirst(2) { append(arc) }
        self.init(validated: out)
    }

    /// Parses dotted-decimal text ("1.2.840.113549.1.1.11"); nil if malformed.
    public init?(dotted text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var arcs: [UInt64] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let arc = UInt64(part) else { return nil }
            guard part.count == 1 || part.first != "0" else { return nil }
            arcs.append(arc)
        }
        self.init(validatingArcs: arcs)
    }

    /// The arcs, decoded from the content octets.
    public var arcs: [UInt64] {
        var values: [UInt64] = []
        var current: UInt64 = 0
        for byte in der {
            current = current << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 {
                if values.isEmpty {
                    let first: UInt64 = current < 40 ? 0 : (current < 80 ? 1 : 2)
                    values.append(first)
                    values.append(current - first * 40)
                } else {
                    values.append(current)
                }
                current = 0
            }
        }
        return values
    }

    /// Dotted-decimal form.
    public var dotted: String { arcs.map(String.init).joined(separator: ".") }

    public var description: String { dotted }

    public static func < (lhs: OID, rhs: OID) -> Bool { lhs.der.lexicographicallyPrecedes(rhs.der) }

    public static func == (lhs: OID, rhs: OID) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}
