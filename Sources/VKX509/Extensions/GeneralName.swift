// SPDX-License-Identifier: Apache-2.0

import VKDER

/// `GeneralName` (RFC 5280 §4.2.1.6). Forms vkcert does not interpret are kept with their raw bytes.
public enum GeneralName: Sendable, Hashable {
    /// `[0] OtherName`: type OID and the raw encoding of the `[0] EXPLICIT` value.
    case otherName(OID, ArraySlice<UInt8>)
    /// `[1] rfc822Name` (IA5).
    case email(String)
    /// `[2] dNSName` (IA5).
    case dns(String)
    /// `[3] x400Address`, raw.
    case x400Address(ArraySlice<UInt8>)
    /// `[4] directoryName`.
    case directoryName(DistinguishedName)
    /// `[5] ediPartyName`, raw.
    case ediPartyName(ArraySlice<UInt8>)
    /// `[6] uniformResourceIdentifier` (IA5).
    case uri(String)
    /// `[7] iPAddress`: 4 or 16 octets (in name constraints 8 or 32: address and mask).
    case ipAddress(ArraySlice<UInt8>)
    /// `[8] registeredID`.
    case registeredID(OID)

    /// Where the name appears: IP addresses carry a mask inside name constraints.
    public enum Context: Sendable {
        case name, constraint
    }

    /// Reads one GeneralName.
    public init(from reader: inout DERReader, context: Context = .name) throws {
        let element = try reader.readElement()
        let tag = element.tag
        guard tag.isContextSpecific else {
            throw X509Error(.invalidExtension, "GeneralName has a non-context tag \(tag)", offset: element.offset)
        }
        func ia5(_ what: String) throws -> String {
            guard !tag.isConstructed else { throw X509Error(.invalidExtension, "\(what) must be primitive", offset: element.offset) }
            guard element.content.allSatisfy({ $0 < 0x80 }) else {
                throw X509Error(.invalidExtension, "\(what) is not ASCII (IA5String)", offset: element.offset)
            }
            return String(decoding: element.content, as: UTF8.self)
        }
        switch (tag.number, tag.isConstructed) {
        case (0, true):
            self = try element.parseContent { r in
                let type = try r.readOID("otherName type-id")
                let value = try r.read(.contextConstructed(0), "otherName value")
                return .otherName(type, value.encoded)
            }
        case (1, false): self = .email(try ia5("rfc822Name"))
        case (2, false): self = .dns(try ia5("dNSName"))
        case (3, true): self = .x400Address(element.content)
        case (4, true):
            self = .directoryName(try element.parseContent { r in try DistinguishedName(from: &r, "directoryName") })
        case (5, true): self = .ediPartyName(element.content)
        case (6, false): self = .uri(try ia5("uniformResourceIdentifier"))
        case (7, false):
            let allowed = context == .name ? [4, 16] : [8, 32]
            guard allowed.contains(element.content.count) else {
                throw X509Error(.invalidExtension, "iPAddress has \(element.content.count) octets (expected \(allowed.map { String($0) }.joined(separator: " or ")))", offset: element.offset)
            }
            self = .ipAddress(element.content)
        case (8, false): self = .registeredID(try OID(derContent: element.content, offset: element.offset))
        default:
            throw X509Error(.invalidExtension, "GeneralName [\(tag.number)] has the wrong form", offset: element.offset)
        }
    }

    /// Reads `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName` from an element's content.
    static func sequence(_ element: DERElement, _ what: String, context: Context = .name) throws -> [GeneralName] {
        let names = try element.parseContent { r in
            var names: [GeneralName] = []
            while !r.isAtEnd { names.append(try GeneralName(from: &r, context: context)) }
            return names
        }
        guard !names.isEmpty else { throw X509Error(.invalidExtension, "\(what) is an empty GeneralNames sequence", offset: element.offset) }
        return names
    }

    /// Writes this name (the builder needs DNS, IP, email, URI).
    public func write(to w: inout DERWriter) {
        switch self {
        case .otherName(let oid, let value):
            w.appendConstructed(.contextConstructed(0)) { o in
                o.appendOID(oid)
                o.appendEncoded(value)
            }
        case .email(let s): w.append(.contextPrimitive(1), content: Array(s.utf8))
        case .dns(let s): w.append(.contextPrimitive(2), content: Array(s.utf8))
        case .x400Address(let raw): w.append(.contextConstructed(3), content: raw)
        case .directoryName(let name): w.appendConstructed(.contextConstructed(4)) { $0.appendEncoded(name.der) }
        case .ediPartyName(let raw): w.append(.contextConstructed(5), content: raw)
        case .uri(let s): w.append(.contextPrimitive(6), content: Array(s.utf8))
        case .ipAddress(let bytes): w.append(.contextPrimitive(7), content: bytes)
        case .registeredID(let oid): w.append(.contextPrimitive(8), content: oid.der)
        }
    }
}

/// IP address text forms: dotted quad and RFC 5952 IPv6.
public enum IPAddressText {
    /// "10.0.0.1" or RFC 5952 "2001:db8::1" for 4 or 16 bytes; hex otherwise.
    public static func format(_ bytes: some Collection<UInt8>) -> String {
        let b = Array(bytes)
        if b.count == 4 { return b.map { String(Int($0)) }.joined(separator: ".") }
        guard b.count == 16 else { return b.map { String($0, radix: 16) }.joined(separator: ":") }
        let groups = (0..<8).map { Int(b[2 * $0]) << 8 | Int(b[2 * $0 + 1]) }
        // RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups, the first if tied.
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                let length = i - runStart
                if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// Parses IPv4 dotted-quad or IPv6 text (with "::" and an optional embedded IPv4 tail) to bytes.
    public static func parse(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var out: [UInt8] = []
            for p in parts {
                guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCIIDigit), let v = UInt8(p), p.count == 1 || p.first != "0" else { return nil }
                out.append(v)
            }
            return out
        }
        var head = text
        var tail4: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parse(String(text[text.index(after: lastColon)...])) else { return nil }
            tail4 = v4
            head = String(text[...lastColon]) + "0:0"
        }
        let halves = head.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let first = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let second = groups(halves[1]), first.count + second.count <= 7 else { return nil }
            all = first + [UInt16](repeating: 0, count: 8 - first.count - second.count) + second
        } else {
            guard first.count == 8 else { return nil }
            all = first
        }
        var out = all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        if !tail4.isEmpty { out.replaceSubrange(12..<16, with: tail4) }
        return out
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
