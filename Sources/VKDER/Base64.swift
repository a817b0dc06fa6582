// SPDX-License-Identifier: Apache-2.0

/// Standard base64 (RFC 4648 §4) with canonical padding, for PEM. Private keys travel through here, so
/// symbol↔value mapping is arithmetic (no secret-indexed table) and temporaries are wiped.
public enum Base64 {
    /// The alphabet (RFC 4648 Table 1), kept for tests of the table-free mapping.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = encodeBytes(bytes)
        defer { DERSecure.wipe(&out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The base64 text as bytes (callers holding key material wipe them after use). Symbols come from
    /// arithmetic on the 6-bit value, not a table lookup, so no cache line depends on key bytes.
    public static func encodeBytes(_ bytes: some Collection<UInt8>) -> [UInt8] {
        // An Array argument is used in place (no copy); the caller wipes its own buffer.
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(symbol(v >> 18)); out.append(symbol(v >> 12 & 63)); out.append(symbol(v >> 6 & 63)); out.append(symbol(v & 63))
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let v = UInt32(input[i]) << 16
            out.append(symbol(v >> 18)); out.append(symbol(v >> 12 & 63)); out.append(0x3D); out.append(0x3D)
        } else if rest == 2 {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(symbol(v >> 18)); out.append(symbol(v >> 12 & 63)); out.append(symbol(v >> 6 & 63)); out.append(0x3D)
        }
        return out
    }

    /// The base64 symbol of a 6-bit value, branch- and table-free (the ranges A–Z, a–z, 0–9, +, / are
    /// selected with masks).
    @inline(__always)
    static func symbol(_ v: UInt32) -> UInt8 {
        let x = Int32(v)
        // mask(cond) = all ones when cond holds: (a − b) >> 31 is −1 when a < b.
        let lt26 = (x - 26) >> 31, lt52 = (x - 52) >> 31, lt62 = (x - 62) >> 31, lt63 = (x - 63) >> 31
        var c = x + 71  // 26…51 → 'a'…'z' (97 − 26)
        c += lt26 & (65 - 71)  // 0…25 → 'A'…'Z'
        c += ~lt52 & lt62 & (-4 - 71)  // 52…61 → '0'…'9' (48 − 52)
        c += ~lt62 & lt63 & (43 - 62 - 71)  // 62 → '+'
        c += ~lt63 & (47 - 63 - 71)  // 63 → '/'
        return UInt8(truncatingIfNeeded: c)
    }

    /// The 6-bit value of a base64 symbol, or 0xFF for any other byte, branch- and table-free.
    @inline(__always)
    static func value(_ c: UInt8) -> UInt8 {
        let x = Int32(c)
        func inRange(_ low: Int32, _ high: Int32) -> Int32 { ((low - 1 - x) & (x - high - 1)) >> 31 }  // all ones when low ≤ x ≤ high
        var v: Int32 = 0
        var valid: Int32 = 0
        let upper = inRange(65, 90), lower = inRange(97, 122), digit = inRange(48, 57), plus = inRange(43, 43), slash = inRange(47, 47)
        v |= upper & (x - 65); v |= lower & (x - 71); v |= digit & (x + 4); v |= plus & 62; v |= slash & 63
        valid = upper | lower | digit | plus | slash
        return UInt8(truncatingIfNeeded: (v & valid) | (~valid & 0xFF))
    }

    /// Why decoding failed: the index of the offending character in the input, and a reason.
    public struct DecodingFailure: Error, Sendable {
        public let index: Int
        public let reason: String
    }

    /// Decodes base64 without whitespace. Padding must be canonical: total length a multiple of 4,
    /// `=` only at the end, unused bits of the last symbol zero.
    public static func decode(_ text: some Collection<UInt8>) -> Result<[UInt8], DecodingFailure> {
        let input = Array(text)  // an Array argument is used in place; PEM wipes its own buffer
        guard input.count % 4 == 0 else {
            return .failure(DecodingFailure(index: input.count, reason: "base64 length \(input.count) is not a multiple of 4"))
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            var values: [UInt32] = [0, 0, 0, 0]
            var padding = 0
            for j in 0..<4 {
                let c = input[i + j]
                if c == 0x3D {
                    guard i + 4 == input.count, j >= 2 else {
                        return .failure(DecodingFailure(index: i + j, reason: "'=' padding in the middle of base64"))
                    }
                    padding += 1
                    values[j] = 0
                } else {
                    guard padding == 0 else {
                        return .failure(DecodingFailure(index: i + j, reason: "data after '=' padding"))
                    }
                    let v = value(c)
                    guard v != 0xFF else {
                        return .failure(DecodingFailure(index: i + j, reason: "character \(describe(c)) is not base64"))
                    }
                    values[j] = UInt32(v)
                }
            }
            let v = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            out.append(UInt8(v >> 16))
            if padding < 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if padding < 1 { out.append(UInt8(v & 0xFF)) }
            if padding == 2 && v & 0xFFFF != 0 || padding == 1 && v & 0xFF != 0 {
                return .failure(DecodingFailure(index: i + 3 - padding, reason: "non-canonical base64 (unused bits set)"))
            }
            i += 4
        }
        return .success(out)
    }

    static func describe(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "0x" + String(c, radix: 16)
    }
}
