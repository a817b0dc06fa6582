// SPDX-License-Identifier: Apache-2.0

/// A cryptographic hash function usable one-shot or streaming.
public protocol HashFunction: Sendable {
    /// Output size in bytes.
    static var digestByteCount: Int { get }
    /// Input block size in bytes (64 for SHA-1/224/256, 128 for SHA-384/512), as HMAC needs it.
    static var blockByteCount: Int { get }

    /// A fresh hashing state.
    init()

    /// Absorbs `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer)

    /// Pads, finishes and returns the digest. The state is consumed.
    consuming func finalize() -> [UInt8]
}

extension HashFunction {
    /// Absorbs any contiguous bytes (arrays, slices).
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var state = Self()
        state.update(bytes)
        return state.finalize()
    }
}

/// The Merkle–Damgård frame shared by SHA-1 and SHA-2: buffering, length counting and padding.
/// `Core` supplies the compression function and the output.
protocol BlockCompressor: Sendable {
    static var blockByteCount: Int { get }
    /// Bytes of the big-endian bit-length field in the final block (8 or 16).
    static var lengthFieldByteCount: Int { get }
    mutating func compress(_ blocks: UnsafeRawBufferPointer)
    func output() -> [UInt8]
}

struct MerkleDamgard<Core: BlockCompressor>: Sendable {
    var core: Core
    // Pending input shorter than one block. Kept inline (no heap) as two 64-byte halves.
    var pending: (SIMD64<UInt8>, SIMD64<UInt8>) = (.zero, .zero)
    var pendingCount = 0
    var totalBytes: UInt64 = 0

    init(_ core: Core) {
        self.core = core
    }

    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard var base = input.baseAddress, input.count > 0 else { return }
        var remaining = input.count
        totalBytes &+= UInt64(remaining)
        let block = Core.blockByteCount
        if pendingCount > 0 {
            let take = min(block - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { buffer in
                (buffer.baseAddress! + pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            if pendingCount == block {
                withUnsafeBytes(of: pending) { core.compress(UnsafeRawBufferPointer(rebasing: $0[0..<block])) }
                pendingCount = 0
            }
        }
        let whole = remaining - remaining % block
        if whole > 0 {
            core.compress(UnsafeRawBufferPointer(start: base, count: whole))
            base += whole
            remaining -= whole
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { buffer in
                buffer.baseAddress!.copyMemory(from: base, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    consuming func finalize() -> [UInt8] {
        let block = Core.blockByteCount
        let bitLength = totalBytes &* 8
        var tail = [UInt8](repeating: 0, count: 2 * block)
        withUnsafeBytes(of: pending) { buffer in
            for i in 0..<pendingCount { tail[i] = buffer[i] }
        }
        tail[pendingCount] = 0x80
        let used = pendingCount + 1 + Core.lengthFieldByteCount
        let total = used <= block ? block : 2 * block
        for i in 0..<8 {
            tail[total - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))
        }
        tail.withUnsafeBytes { core.compress(UnsafeRawBufferPointer(rebasing: $0[0..<total])) }
        return core.output()
    }
}
