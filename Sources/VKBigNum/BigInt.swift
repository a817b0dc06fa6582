// SPDX-License-Identifier: Apache-2.0

internal import CVKGMP

/// An arbitrary-precision signed integer backed by GMP.
///
/// `BigInt` is a value type: copies share one GMP number until one of them is mutated (copy-on-write).
/// The backing storage owns the `mpz_t`; every block GMP frees is zeroed first (see
/// ``SecureMemory``), so secret values such as RSA primes do not linger on the heap.
///
/// Operations whose running time must not depend on a secret (RSA private-key arithmetic, key
/// generation) go through ``SecretArithmetic`` (GMP's `mpn_sec_*` layer with wiped scratch).
/// Everything else uses GMP's ordinary, variable-time algorithms and must only see public values.
public struct BigInt: Sendable {
    @usableFromInline
    internal var storage: Storage

    /// Zero.
    public init() {
        self.storage = Storage()
    }

    internal init(storage: Storage) {
        self.storage = storage
    }

    /// The value of a machine integer.
    public init(_ value: Int) {
        self.storage = Storage()
        __gmpz_set_si(storage.pointer, value)
    }

    /// The value of an unsigned machine integer.
    public init(_ value: UInt) {
        self.storage = Storage()
        __gmpz_set_ui(storage.pointer, value)
    }

    /// Read access to the GMP number.
    internal func withPointer<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R) rethrows -> R {
        try body(storage.pointer)
    }

    /// Write access: copies the storage first when it is shared.
    internal mutating func withMutablePointer<R>(
        _ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        return try body(storage.pointer)
    }

    /// Runs `body` on a fresh result number and wraps it.
    internal static func make(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> Void) rethrows -> BigInt {
        let result = Storage()
        try body(result.pointer)
        return BigInt(storage: result)
    }
}

/// Owns one `mpz_t`. Never mutated while shared: ``BigInt`` copies before writing.
@usableFromInline
internal final class Storage: @unchecked Sendable {
    // @unchecked: the pointer is owned exclusively by this object; BigInt only writes through it after
    // `isKnownUniquelyReferenced` proved no other value (and so no other thread) can see it.
    let pointer: UnsafeMutablePointer<__mpz_struct>

    init() {
        SecureMemory.ensureInstalled()
        pointer = .allocate(capacity: 1)
        __gmpz_init(pointer)
    }

    func copy() -> Storage {
        let other = Storage()
        __gmpz_set(other.pointer, pointer)
        return other
    }

    deinit {
        // The zeroing allocator wipes the limbs inside __gmpz_clear.
        __gmpz_clear(pointer)
        pointer.deallocate()
    }
}

/// Installs GMP memory functions that zero every block before it is freed or moved.
public enum SecureMemory {
    private static let installed: Bool = {
        cgmp_install_zeroing_allocator()
        return true
    }()

    /// Installs the zeroing allocator once; called before the first GMP allocation.
    public static func ensureInstalled() {
        _ = installed
    }

    /// Zeroes a buffer in a way the optimiser keeps.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        cgmp_wipe(buffer.baseAddress, buffer.count)
    }

    /// Zeroes a byte array in place (its storage, not a copy).
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}
