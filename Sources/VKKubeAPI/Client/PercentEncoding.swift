// SPDX-License-Identifier: Apache-2.0

/// A query value percent-encoded as Foundation's `urlQueryAllowed` minus `&=+,` did before (RFC 3986:
/// unreserved characters, the sub-delimiters that cannot split a query, `:@/?`), so selectors such as
/// `metadata.name=x` and `a in (b,c)` reach the server intact: every other byte of the UTF-8 is `%XX`.
func percentEncodedQueryValue(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        case _ where "-._~!$'()*;:@/?".utf8.contains(byte):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let digits = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0xF)]))
        }
    }
    return out
}
