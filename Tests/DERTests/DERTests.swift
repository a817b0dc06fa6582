// SPDX-License-Identifier: Apache-2.0

@testable import VKDER
import Foundation
import TestSupport
import Testing

@Suite("DER reader and writer")
struct DERReaderTests {
    @Test func readsNestedStructure() throws {
        // SEQUENCE { INTEGER 5, SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }, BOOLEAN TRUE }
        let bytes = Hex.decode("3015 020105 300d 06092a864886f70d010101 0500 0101ff")
        let (n, oid, flag) = try DERReader.parse(bytes[...]) { r in
            let n = try r.readInt()
            let oid = try r.nested { s -> OID in
                let oid = try s.readOID()
                try s.readNull()
                return oid
            }
            return (n, oid, try r.readBoolean())
        }
        #expect(n == 5 && flag)
        #expect(oid == OID.PublicKey.rsaEncryption)
        #expect(oid.dotted == "1.2.840.113549.1.1.1")
        #expect(try DERReader.validateStructure(bytes[...]) == 6)
    }

    /// Each case is one violation of DER that a strict reader must reject, with the code it must give.
    @Test("rejects non-DER encodings", arguments: [
        ("3080020101 0000", DERError.Code.invalidLength, "indefinite length"),
        ("308103020101", .invalidLength, "long form for a short length"),
        ("30820003020101", .invalidLength, "leading zero length octet"),
        ("3085000000000302 0101", .invalidLength, "five length octets"),
        ("3003020101 00", .trailingData, "trailing byte at top level"),
        ("3004020101 00", .truncated, "length past the end inside"),
        ("3005020101", .truncated, "length past the end"),
        ("3003 1f0100", .unsupportedTag, "high tag number form"),
        ("3004 02020001", .invalidValue, "non-minimal positive INTEGER"),
        ("3004 0202ff80", .invalidValue, "non-minimal negative INTEGER"),
        ("3002 0200", .invalidValue, "empty INTEGER"),
        ("3003 010101", .invalidValue, "BOOLEAN 01"),
        ("3004 01020000", .invalidValue, "two-octet BOOLEAN"),
        ("3003 050100", .invalidValue, "NULL with content"),
    ])
    func rejects(hex: String, code: DERError.Code, label: String) {
        let bytes = Hex.decode(hex)
        do {
            _ = try DERReader.parse(bytes[...]) { r in
                while !r.isAtEnd {
                    switch r.peekTag()! {
                    case .integer: _ = try r.readIntegerBytes()
                    case .boolean: _ = try r.readBoolean()
                    case .null: try r.readNull()
                    default: _ = try r.readElement()
                    }
                }
            }
            Issue.record("accepted \(label)")
        } catch let error as DERError {
            #expect(error.code == code, "\(label): \(error)")
            #expect(error.offset != nil, "\(label): error has no offset")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func bitStrings() throws {
        var r = DERReader(Hex.decode("030205a0")[...])
        let bits = try r.readBitString()
        #expect(bits.unusedBits == 5 && bits.bit(0) && !bits.bit(1) && bits.bit(2) && !bits.bit(3))
        var bad = DERReader(Hex.decode("030205a8")[...])  // unused bits not zero
        #expect(throws: DERError(.invalidValue, "")) { try bad.readBitString() }
        var bad2 = DERReader(Hex.decode("030108")[...])  // 8 unused bits
        #expect(throws: DERError(.invalidValue, "")) { try bad2.readBitString() }
        var bad3 = DERReader(Hex.decode("030101")[...])  // empty with unused bits
        #expect(throws: DERError(.invalidValue, "")) { try bad3.readBitString() }
    }

    @Test func oids() throws {
        let oid = try #require(OID(dotted: "2.999.3"))
        #expect(oid.der == [0x88, 0x37, 0x03])
        #expect(oid.arcs == [2, 999, 3])
        #expect(OID(dotted: "1.40") == nil && OID(dotted: "3.1") == nil && OID(dotted: "1.02") == nil && OID(dotted: "1") == nil)
        #expect(throws: DERError(.invalidValue, "")) { try OID(derContent: [0x2a, 0x80, 0x01][...]) }  // leading 0x80
        #expect(throws: DERError(.invalidValue, "")) { try OID(derContent: [0x2a, 0x86][...]) }  // unterminated
        #expect(throws: DERError(.invalidValue, "")) { try OID(derContent: [][...]) }
        #expect(OID.Signature.sha256WithRSAEncryption.name == "sha256WithRSAEncryption")
    }

    @Test func strings() throws {
        func decode(_ hex: String) throws -> DERString {
            var r = DERReader(Hex.decode(hex)[...])
            return try DERString(element: r.readElement())
        }
        #expect(try decode("1303414243").value == "ABC")
        // '*' is outside PrintableString but tolerated (Go's wildcard leniency) and flagged; '@', '&', '_' are not.
        #expect(try decode("13012a").value == "*" && decode("13012a").hasAsteriskInPrintableString)
        #expect(try !decode("1303414243").hasAsteriskInPrintableString)
        for bad in ["130140", "130126", "13015f"] { #expect(throws: DERError(.invalidValue, ""), "\(bad)") { try decode(bad) } }
        #expect(try decode("0c02c3a9").value == "é")
        #expect(throws: DERError(.invalidValue, "")) { try decode("0c01ff") }
        #expect(try decode("1e0400e90041").value == "éA")
        #expect(throws: DERError(.invalidValue, "")) { try decode("1e02d800") }  // surrogate
        #expect(try decode("1c08000000e900000041").value == "éA")
        #expect(try decode("1401e9").value == "é")  // T.61 as Latin-1
        #expect(throws: DERError(.invalidValue, "")) { try decode("160180") }
        let s = DERString(kind: .bmp, value: "éA")
        #expect(DERWriter.build { $0.appendString(s) } == Hex.decode("1e0400e90041"))
    }

    @Test func times() throws {
        func decode(_ text: String, _ tag: ASN1Tag) throws -> DERTime {
            let bytes = DERWriter.build { $0.append(tag, content: Array(text.utf8)) }
            var r = DERReader(bytes[...])
            return try DERTime(element: r.readElement())
        }
        #expect(try decode("491231235959Z", .utcTime).rfc3339 == "2049-12-31T23:59:59Z")
        #expect(try decode("500101000000Z", .utcTime).rfc3339 == "1950-01-01T00:00:00Z")
        #expect(try decode("20500101000000Z", .generalizedTime).rfc3339 == "2050-01-01T00:00:00Z")
        #expect(try decode("20240229120000Z", .generalizedTime).secondsSinceEpoch == 1_709_208_000)
        for bad in ["4912312359Z", "491231235959+0000", "491301000000Z", "490230000000Z", "49123123595aZ"] {
            #expect(throws: DERError(.invalidValue, ""), "\(bad)") { try decode(bad, .utcTime) }
        }
        for bad in ["20230229000000Z", "20500101000000.5Z", "205001010000Z", "20500101000060Z"] {
            #expect(throws: DERError(.invalidValue, ""), "\(bad)") { try decode(bad, .generalizedTime) }
        }
        let t = try #require(DERTime(year: 2050, month: 1, day: 1))
        #expect(t.derEncoding.tag == .generalizedTime)
        #expect(DERTime(year: 2049, month: 12, day: 31)!.derEncoding.tag == .utcTime)
        #expect(DERTime(rfc3339: "2026-01-02T03:04:05Z")?.rfc3339 == "2026-01-02T03:04:05Z")
        #expect(DERTime(rfc3339: "2026-01-02T05:04:05.123+02:00")?.rfc3339 == "2026-01-02T03:04:05Z")
        #expect(DERTime(rfc3339: "2026-02-30T00:00:00Z") == nil)
        #expect(DERTime(secondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
    }

    @Test func writerLengthsAndIntegers() {
        let long = [UInt8](repeating: 7, count: 300)
        let encoded = DERWriter.build { w in w.appendConstructed { $0.appendOctetString(long) } }
        #expect(Array(encoded.prefix(8)) == [0x30, 0x82, 0x01, 0x30, 0x04, 0x82, 0x01, 0x2c])
        #expect(DERWriter.build { $0.appendInteger(128) } == [2, 2, 0, 0x80])
        #expect(DERWriter.build { $0.appendInteger(-129) } == [2, 2, 0xff, 0x7f])
        #expect(DERWriter.build { $0.appendInteger(0) } == [2, 1, 0])
        #expect(DERWriter.build { $0.appendUnsignedInteger(magnitude: [0, 0, 0x80]) } == [2, 2, 0, 0x80])
        #expect(DERWriter.build { $0.appendSetOf([[5, 0], [2, 1, 1]]) } == [0x31, 5, 2, 1, 1, 5, 0])
    }

    /// A 100,000-deep nesting (a depth bomb) must fail cleanly with `tooDeep`, not overflow the stack.
    @Test func depthBomb() {
        // Headers are computed inside-out, then laid down outermost first: O(n), not O(n²).
        var headers: [[UInt8]] = []
        var length = 2  // the innermost NULL
        for _ in 0..<100_000 {
            var header: [UInt8] = [0x30]
            if length < 128 {
                header.append(UInt8(length))
            } else {
                var octets: [UInt8] = []
                var rest = length
                while rest > 0 {
                    octets.insert(UInt8(rest & 0xff), at: 0)
                    rest >>= 8
                }
                header.append(0x80 | UInt8(octets.count))
                header += octets
            }
            headers.append(header)
            length += header.count
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for header in headers.reversed() { bytes += header }
        bytes += [0x05, 0x00]
        #expect(bytes.count == length)
        #expect(throws: DERError(.tooDeep, "")) { try DERReader.validateStructure(bytes[...]) }
    }

    /// Every strict prefix of a valid structure fails cleanly.
    @Test func everyPrefixFails() throws {
        let bytes = Hex.decode("3015 020105 300d 06092a864886f70d010101 0500 0101ff")
        for length in 0..<bytes.count {
            #expect(throws: DERError.self) { try DERReader.validateStructure(bytes[0..<length]) }
        }
    }
}

@Suite("PEM")
struct PEMTests {
    let der: [UInt8] = Array(0..<200).map { UInt8($0) }

    @Test func roundTripAndLines() throws {
        let text = PEM.encode(label: "CERTIFICATE", der: der)
        #expect(text.split(separator: "\n").dropFirst().first?.count == 64)
        let blocks = try PEM.decodeAll(Array(text.utf8))
        #expect(blocks.count == 1 && blocks[0].der == der && blocks[0].label == "CERTIFICATE" && blocks[0].line == 1)
    }

    @Test func severalBlocksWithTextBetweenAndCRLF() throws {
        let a = PEM.encode(label: "CERTIFICATE", der: der)
        let b = PEM.encode(label: "PRIVATE KEY", der: [1, 2, 3])
        let text = "Certificate:\n  Data: ...\n" + a + "some text\r\n" + b.replacingOccurrences("\n", "\r\n")
        let blocks = try PEM.decodeAll(Array(text.utf8))
        #expect(blocks.map(\.label) == ["CERTIFICATE", "PRIVATE KEY"])
        #expect(blocks[1].der == [1, 2, 3] && blocks[1].index == 1 && blocks[0].line == 3)
        #expect(try PEM.decode(Array(text.utf8), labels: ["PRIVATE KEY"]).der == [1, 2, 3])
    }

    @Test func badBase64NamesTheLine() {
        let text = "-----BEGIN CERTIFICATE-----\nAAAA\nAA*A\n-----END CERTIFICATE-----\n"
        do {
            _ = try PEM.decodeAll(Array(text.utf8))
            Issue.record("accepted bad base64")
        } catch let error as DERError {
            #expect(error.code == .invalidPEM && error.line == 3, "\(error)")
            #expect(error.description.contains("'*'"))
        } catch { Issue.record("\(error)") }
    }

    @Test("rejects malformed PEM", arguments: [
        ("-----BEGIN CERTIFICATE-----\nAAAA\n", DERError.Code.invalidPEM),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n", .invalidPEM),
        ("-----BEGIN CERTIFICATE-----\nAAA=A\n-----END CERTIFICATE-----\n", .invalidPEM),
        ("-----BEGIN CERTIFICATE-----\nAAB=\n-----END CERTIFICATE-----\n", .invalidPEM),
        ("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n", .invalidPEM),
        ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----\n", .invalidPEM),
        ("no pem here", .noPEMBlock),
    ])
    func rejects(text: String, code: DERError.Code) {
        #expect(throws: DERError(code, "")) { try PEM.decodeAll(Array(text.utf8)) }
    }

    @Test func wrongLabel() {
        let text = PEM.encode(label: "CERTIFICATE", der: der)
        #expect(throws: DERError(.wrongPEMLabel, "")) { try PEM.decode(Array(text.utf8), labels: ["PRIVATE KEY"]) }
    }

    @Test func base64Vectors() throws {
        // RFC 4648 §10.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64.decode(Array(encoded.utf8)).get() == Array(plain.utf8))
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ a: String, _ b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// Base64 without secret-indexed tables (issue 12 item 7: PEM carries private keys): the arithmetic
/// mapping equals RFC 4648's alphabet for every value and byte, and encoding/decoding equals Foundation's.
@Suite("Base64 (table-free)")
struct Base64TableFreeTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    @Test func mappingMatchesTheAlphabet() {
        for v in 0..<64 {
            #expect(Base64.encodeBytes([UInt8(v << 2)]).first == Self.alphabet[v], "value \(v)")
        }
        // Every byte: base64 symbols decode to their index, everything else is refused.
        for c in 0...255 {
            let text = [UInt8(c), 0x41, 0x41, 0x41]
            let decoded = Base64.decode(text)
            if let index = Self.alphabet.firstIndex(of: UInt8(c)) {
                #expect((try? decoded.get())?.first == UInt8(index << 2), "symbol \(c)")
            } else if c != 0x3D {
                #expect((try? decoded.get()) == nil, "byte \(c) must not decode")
            }
        }
    }

    @Test func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 4, 5, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let ours = Base64.encodeBytes(bytes)
            #expect(ours == Array(Data(bytes).base64EncodedString().utf8))
            #expect((try? Base64.decode(ours).get()) == bytes)
        }
    }

    @Test func pemBlocksCanBeWipedAndEncodeBytesMatchesEncode() throws {
        let der = (0..<300).map { UInt8($0 & 0xFF) }
        let text = PEM.encodeBytes(label: "PRIVATE KEY", der: der)
        #expect(String(decoding: text, as: UTF8.self) == PEM.encode(label: "PRIVATE KEY", der: der))
        var block = try PEM.decode(text, labels: ["PRIVATE KEY"])
        #expect(block.der == der)
        block.wipe()
        #expect(block.der.count == der.count && block.der.allSatisfy { $0 == 0 })
    }
}

/// The arithmetic sweep (issue 12 item 1): time arithmetic at the ends of its range saturates or
/// refuses instead of trapping.
@Suite("DERTime at the edges")
struct DERTimeEdgeTests {
    @Test func noTrapAtTheEnds() {
        #expect(DERTime(secondsSinceEpoch: .max).adding(seconds: 1).secondsSinceEpoch == .max)
        #expect(DERTime(secondsSinceEpoch: .min).adding(seconds: -1).secondsSinceEpoch == .min)
        #expect(DERTime(secondsSinceEpoch: 10).adding(seconds: -20).secondsSinceEpoch == -10)
        // Rendering the extremes computes calendar fields without overflow.
        #expect(!DERTime(secondsSinceEpoch: .min).rfc3339.isEmpty)
        #expect(!DERTime(secondsSinceEpoch: .max).rfc3339.isEmpty)
        #expect(DERTime(secondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
        #expect(DERTime(secondsSinceEpoch: -86_400).rfc3339 == "1969-12-31T00:00:00Z")
        // Twenty-digit year fields are refused, not multiplied past Int.max.
        #expect(DERTime.digits(Array("99999999999999999999".utf8)) == nil)
        #expect(DERTime.digits(Array("9223372036854775807".utf8)) == Int.max)
    }
}
