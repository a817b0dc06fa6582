// SPDX-License-Identifier: Apache-2.0

/// The hash functions vkcert implements, for choosing one at run time (signature schemes, CLI flags).
public enum HashAlgorithm: String, Sendable, CaseIterable, Hashable {
    case sha1, sha224, sha256, sha384, sha512

    /// Output size in bytes.
    public var digestByteCount: Int {
        switch self {
        case .sha1: SHA1.digestByteCount
        case .sha224: SHA224.digestByteCount
        case .sha256: SHA256.digestByteCount
        case .sha384: SHA384.digestByteCount
        case .sha512: SHA512.digestByteCount
        }
    }

    /// The name OpenSSL and Wycheproof use ("SHA-256").
    public var displayName: String {
        switch self {
        case .sha1: "SHA-1"
        case .sha224: "SHA-224"
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        }
    }

    /// Parses "sha256", "SHA-256", "SHA256" (case-insensitive).
    public init?(name: String) {
        let key = String(name.lowercased().filter { $0 != "-" && $0 != "_" })
        self.init(rawValue: key)
    }

    /// The digest of `bytes`.
    public func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        switch self {
        case .sha1: SHA1.hash(bytes)
        case .sha224: SHA224.hash(bytes)
        case .sha256: SHA256.hash(bytes)
        case .sha384: SHA384.hash(bytes)
        case .sha512: SHA512.hash(bytes)
        }
    }

    /// A streaming state for this algorithm.
    public func makeHasher() -> StreamingHash { StreamingHash(self) }
}

/// A streaming hash whose algorithm is chosen at run time.
public struct StreamingHash: Sendable {
    private enum State: Sendable {
        case sha1(SHA1), sha224(SHA224), sha256(SHA256), sha384(SHA384), sha512(SHA512)
    }

    private var state: State
    public let algorithm: HashAlgorithm

    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha1: state = .sha1(SHA1())
        case .sha224: state = .sha224(SHA224())
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        switch state {
        case .sha1(var h): h.update(bytes); state = .sha1(h)
        case .sha224(var h): h.update(bytes); state = .sha224(h)
        case .sha256(var h): h.update(bytes); state = .sha256(h)
        case .sha384(var h): h.update(bytes); state = .sha384(h)
        case .sha512(var h): h.update(bytes); state = .sha512(h)
        }
    }

    public func finalize() -> [UInt8] {
        switch state {
        case .sha1(let h): h.finalize()
        case .sha224(let h): h.finalize()
        case .sha256(let h): h.finalize()
        case .sha384(let h): h.finalize()
        case .sha512(let h): h.finalize()
        }
    }
}
