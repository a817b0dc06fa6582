// SPDX-License-Identifier: Apache-2.0

/// Standard base64 (RFC 4648 §4) with canonical padding, for PEM.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let v = UInt32(input[i]) << 16
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], 0x3D, 0x3D]
        } else if rest == 2 {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why decoding failed: the index of the offending character in the input, and a reason.
    public struct DecodingFailure: Error, Sendable {
        public let index: Int
        public let reason: String
    }

    /// Decodes base64 without whitespace. Padding must be canonical: total length a multiple of 4,
    /// `=` only at the end, unused bits of the last symbol zero.
    public static func decode(_ text: some Collection<UInt8>) -> Result<[UInt8], DecodingFailure> {
        let input = Array(text)
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
                    let v = reverse[Int(c)]
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
