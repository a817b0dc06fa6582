// SPDX-License-Identifier: Apache-2.0

internal import CGMP

extension BigInt {
    /// The non-negative integer whose big-endian unsigned encoding is `bytes` (leading zeros allowed;
    /// empty means zero).
    public init(magnitudeBytes bytes: some Collection<UInt8>) {
        self.storage = Storage()
        let p = storage.pointer
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            if buffer.count > 0 {
                __gmpz_import(p, buffer.count, 1, 1, 1, 0, buffer.baseAddress)
            }
        }
        if done == nil {
            var copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in
                if buffer.count > 0 { __gmpz_import(p, buffer.count, 1, 1, 1, 0, buffer.baseAddress) }
            }
            SecureMemory.wipe(&copy)
        }
    }

    /// The integer whose big-endian two's-complement encoding is `bytes` (DER INTEGER contents,
    /// Wycheproof `BigInt` hex). Empty means zero.
    public init(twosComplementBytes bytes: some Collection<UInt8>) {
        self.init(magnitudeBytes: bytes)
        if let first = bytes.first, first & 0x80 != 0 {
            self = self - BigInt.powerOfTwo(8 * bytes.count)
        }
    }

    /// The magnitude as minimal big-endian bytes; empty for zero.
    public func magnitudeBytes() -> [UInt8] {
        let count = byteLength
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buffer in
            var written = 0
            _ = __gmpz_export(buffer.baseAddress, &written, 1, 1, 1, 0, storage.pointer)
            precondition(written == count)
        }
        return out
    }

    /// The magnitude as big-endian bytes left-padded with zeros to exactly `length` bytes (I2OSP),
    /// or nil when it needs more than `length` bytes.
    public func magnitudeBytes(paddedTo length: Int) -> [UInt8]? {
        let count = byteLength
        guard count <= length else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        if count > 0 {
            out.withUnsafeMutableBytes { buffer in
                var written = 0
                _ = __gmpz_export(buffer.baseAddress! + (length - count), &written, 1, 1, 1, 0, storage.pointer)
                precondition(written == count)
            }
        }
        return out
    }

    /// The minimal big-endian two's-complement encoding (at least one byte), as DER INTEGER wants.
    public func twosComplementBytes() -> [UInt8] {
        if isZero { return [0] }
        if signum > 0 {
            var bytes = magnitudeBytes()
            if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
            return bytes
        }
        // Negative: find the smallest n with -2^(8n-1) <= self, encode self + 2^(8n).
        var n = (magnitude.bitLength + 7) / 8
        if self < -BigInt.powerOfTwo(8 * n - 1) { n += 1 }
        let shifted = self + BigInt.powerOfTwo(8 * n)
        return shifted.magnitudeBytes(paddedTo: n)!
    }

    /// Parses hexadecimal digits with an optional leading `-`; nil for empty or invalid text.
    public init?(hexString text: some StringProtocol) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0.isHexDigitASCII }) else { return nil }
        self.storage = Storage()
        let p = storage.pointer
        let status = String(digits).withCString { __gmpz_set_str(p, $0, 16) }
        guard status == 0 else { return nil }
        if negative { __gmpz_neg(p, p) }
    }

    /// Lower-case hexadecimal, no leading zeros, `-` for negative values, "0" for zero.
    public var hexString: String { string(radix: 16) }

    private func string(radix: Int32) -> String {
        withPointer { z in
            let capacity = __gmpz_sizeinbase(z, radix) + 2
            var buffer = [CChar](repeating: 0, count: capacity)
            _ = buffer.withUnsafeMutableBufferPointer { __gmpz_get_str($0.baseAddress, radix, z) }
            let digits = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: digits, as: UTF8.self)
        }
    }
}

extension BigInt: CustomStringConvertible {
    /// Decimal.
    public var description: String { string(radix: 10) }
}

extension UInt8 {
    var isHexDigitASCII: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66)
    }
}
