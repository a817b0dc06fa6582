// SPDX-License-Identifier: Apache-2.0
//
// HMAC (RFC 2104, FIPS 198-1), for RFC 6979's deterministic ECDSA nonces.

/// A keyed HMAC state over any of the toolkit's hash functions, chosen at run time.
///
/// The padded key blocks are kept only as long as the value; callers that key it with secrets
/// (RFC 6979's K) should call ``wipe()`` when done.
public struct HMAC: Sendable {
    public let algorithm: HashAlgorithm
    private var innerPad: [UInt8]
    private var outerPad: [UInt8]
    private var inner: StreamingHash

    public init(_ algorithm: HashAlgorithm, key: some Collection<UInt8>) {
        self.algorithm = algorithm
        let block = algorithm.blockByteCount
        var k = key.count > block ? algorithm.hash(key) : Array(key)
        k += [UInt8](repeating: 0, count: block - k.count)
        innerPad = k.map { $0 ^ 0x36 }
        outerPad = k.map { $0 ^ 0x5c }
        for i in k.indices { k[i] = 0 }
        inner = algorithm.makeHasher()
        inner.update(innerPad)
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        inner.update(bytes)
    }

    /// The MAC of everything absorbed since the key was set.
    public func finalize() -> [UInt8] {
        var outer = algorithm.makeHasher()
        outer.update(outerPad)
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The MAC of `message` under `key` in one call.
    public static func authenticationCode(_ algorithm: HashAlgorithm, key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var mac = HMAC(algorithm, key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Zeroes the padded key copies (the streaming hash state is replaced by a fresh one).
    public mutating func wipe() {
        for i in innerPad.indices { innerPad[i] = 0 }
        for i in outerPad.indices { outerPad[i] = 0 }
        inner = algorithm.makeHasher()
    }
}

extension HashAlgorithm {
    /// Input block size in bytes (HMAC's B).
    public var blockByteCount: Int {
        switch self {
        case .sha1: SHA1.blockByteCount
        case .sha224: SHA224.blockByteCount
        case .sha256: SHA256.blockByteCount
        case .sha384: SHA384.blockByteCount
        case .sha512: SHA512.blockByteCount
        }
    }
}
