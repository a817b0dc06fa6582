// SPDX-License-Identifier: Apache-2.0

/// Key material owned by one allocation that is zeroed when the last reference goes away.
///
/// Immutable after construction (hence Sendable); readers get a scoped view, never a copy, unless
/// they ask for one with ``copyBytes()`` (whose result they must wipe).
final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<UInt8>

    init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(capacity: Swift.max(bytes.count, 1))
        storage.initialize(repeating: 0)
        _ = UnsafeMutableBufferPointer(rebasing: storage[0..<bytes.count]).initialize(from: bytes)
        count = bytes.count
    }

    let count: Int

    /// `count` zero bytes filled in place by `body` (no intermediate copy of the secret).
    init(count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        storage = .allocate(capacity: Swift.max(count, 1))
        storage.initialize(repeating: 0)
        self.count = count
        body(UnsafeMutableBufferPointer(rebasing: storage[0..<count]))
    }

    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(rebasing: storage[0..<count]))
    }

    func copyBytes() -> [UInt8] { withBytes { Array($0) } }

    /// The bytes as big-endian limbs; the caller wipes the result.
    func limbs<let N: Int>() -> Limbs<N> { withBytes { Limbs<N>(bigEndian: $0)! } }

    deinit {
        for i in storage.indices { storage[i] = 0 }
        keepStores(UnsafeMutableRawPointer(storage.baseAddress))
        storage.deallocate()
    }
}
