// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

extension BigInt {
    /// The non-negative integer whose big-endian unsigned encoding is `bytes` (leading zeros allowed;
    /// empty means zero).
    public init(magnitudeBytes bytes: some Collection<UInt8>) {
        self.storage = Storage()
        let p = storage.pointer
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            BigInt.importBigEndian(UnsafeRawBufferPointer(buffer), into: p)
        }
        if done == nil {
            var copy = Array(bytes)
            copy.withUnsafeBytes { BigInt.importBigEndian($0, into: p) }
            SecureMemory.wipe(&copy)
        }
    }

    /// Imports big-endian bytes as whole 64-bit words (GMP's byte-swapping fast path) after left-padding
    /// to a multiple of 8 in a wiped stack buffer; byte-at-a-time import is several times slower.
    private static func importBigEndian(_ bytes: UnsafeRawBufferPointer, into p: UnsafeMutablePointer<__mpz_struct>) {
        guard bytes.count > 0 else {
            __gmpz_set_ui(p, 0)
            return
        }
        let words = (bytes.count + 7) / 8
        withUnsafeTemporaryAllocation(byteCount: words * 8, alignment: 8) { padded in
            let pad = words * 8 - bytes.count
            for i in 0..<pad { padded[i] = 0 }
            UnsafeMutableRawBufferPointer(rebasing: padded[pad...]).copyMemory(from: bytes)
            __gmpz_import(p, words, 1, 8, 1, 0, padded.baseAddress)
            SecureMemory.wipe(padded)
        }
    }

    /// Exports the magnitude into exactly `length` bytes (big-endian, left-padded with zeros); the
    /// caller guarantees `byteLength <= length`.
    private func exportBigEndian(into out: UnsafeMutableRawBufferPointer) {
        let length = out.count
        let count = byteLength
        guard count > 0 else {
            out.initializeMemory(as: UInt8.self, repeating: 0)
            return
        }
        let words = (count + 7) / 8
        withUnsafeTemporaryAllocation(byteCount: words * 8, alignment: 8) { buffer in
            var written = 0
            _ = __gmpz_export(buffer.baseAddress, &written, 1, 8, 1, 0, storage.pointer)
            // `written` words, big-endian; the value's bytes are the last `count` of them.
            let used = written * 8
            let zeros = length - count
            for i in 0..<zeros { out[i] = 0 }
            UnsafeMutableRawBufferPointer(rebasing: out[zeros...]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: buffer[(used - count)..<used])
            )
            SecureMemory.wipe(buffer)
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
        magnitudeBytes(paddedTo: byteLength)!
    }

    /// The magnitude as big-endian bytes left-padded with zeros to exactly `length` bytes (I2OSP),
    /// or nil when it needs more than `length` bytes.
    public func magnitudeBytes(paddedTo length: Int) -> [UInt8]? {
        guard byteLength <= length else { return nil }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            exportBigEndian(into: UnsafeMutableRawBufferPointer(buffer))
            count = length
        }
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

extension BigInt {
    /// Calls `body` with the magnitude as exactly `length` big-endian bytes in a temporary (stack)
    /// buffer, or with nil when it needs more than `length` bytes. The buffer is wiped afterwards.
    /// For hot paths that only need to look at the bytes (signature verification).
    public func withMagnitudeBytes<R>(paddedTo length: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard byteLength <= length else { return try body(nil) }
        return try withUnsafeTemporaryAllocation(byteCount: max(length, 1), alignment: 8) { buffer in
            let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            exportBigEndian(into: bytes)
            defer { SecureMemory.wipe(bytes) }
            return try body(UnsafeRawBufferPointer(bytes))
        }
    }
}
