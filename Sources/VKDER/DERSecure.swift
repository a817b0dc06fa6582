// SPDX-License-Identifier: Apache-2.0

/// Zeroing of buffers that held key material (DER, PEM, base64), for the modules below BigNum's
/// ``SecureMemory``: the writes go through a volatile-like pointer the optimiser keeps.
public enum DERSecure {
    /// Zeroes `bytes` in place (its storage, not a copy).
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }

    /// Zeroes a slice's elements in place.
    public static func wipe(_ bytes: inout ArraySlice<UInt8>) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }

    /// Zeroes a raw buffer.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        for i in 0..<buffer.count { bytes[i] = 0 }
        // An opaque call the optimiser cannot see through keeps the stores (a dead-store barrier).
        withExtendedLifetime(buffer) { keepAlive(base) }
    }

    @inline(never)
    private static func keepAlive(_ pointer: UnsafeMutableRawPointer) {
        _ = pointer.load(as: UInt8.self)
    }
}
