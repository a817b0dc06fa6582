// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKDER
import FoundationEssentials
import Glibc
import VKRSA
import VKX509

/// What the TLS server presents: the certificate chain (leaf first) and the leaf's private key.
public struct ServingIdentity: Sendable {
    public let chain: [Certificate]
    public let key: PrivateKey
    public var leaf: Certificate { chain[0] }

    /// Checks that the key belongs to the leaf and that the handshake signer will sign with it: a pair
    /// whose every handshake would fail is refused here, where its file can be named, instead of being
    /// served.
    public init(chain: [Certificate], key: RSAPrivateKey) throws {
        try self.init(chain: chain, key: .rsa(key))
    }

    /// The same for a key of any type (RSA ≥ 2048 bits, ECDSA P-256/P-384, Ed25519).
    public init(chain: [Certificate], key: PrivateKey) throws {
        guard let leaf = chain.first else { throw IdentityError("no certificate") }
        guard leaf.publicKey.spki == key.spki else { throw IdentityError("the private key does not match the certificate's public key") }
        if let problem = Self.signingPolicyProblem(key) { throw IdentityError(problem) }
        self.chain = chain
        self.key = key
    }

    /// Why vkcert's signer would refuse `key` (the same rule ``RSAPrivateKey`` applies per signature).
    static func signingPolicyProblem(_ key: PrivateKey) -> String? {
        guard case .rsa(let rsa) = key else { return nil }
        let bits = rsa.publicKey.modulusBits
        guard bits >= RSAPrivateKey.minimumSigningBits else {
            return "the key is RSA-\(bits); vkcert signs TLS handshakes only with RSA keys of at least \(RSAPrivateKey.minimumSigningBits) bits"
        }
        return nil
    }

    /// Whether the leaf is within its validity period at `time`.
    public func isValid(at time: Date) -> Bool {
        leaf.isValid(at: DERTime(secondsSinceEpoch: Int64(time.timeIntervalSince1970)))
    }

    public var notBefore: Date { Date(timeIntervalSince1970: TimeInterval(leaf.notBefore.secondsSinceEpoch)) }
    public var notAfter: Date { Date(timeIntervalSince1970: TimeInterval(leaf.notAfter.secondsSinceEpoch)) }

    /// notBefore + fraction × lifetime.
    public func renewalPoint(fraction: Double) -> Date {
        notBefore.addingTimeInterval(notAfter.timeIntervalSince(notBefore) * fraction)
    }

    /// Loads PEM text holding CERTIFICATE blocks and one private-key block (client-go's store format),
    /// or certificate and key from separate texts. With `certFile`/`keyFile`, every error names the file
    /// it is about.
    public static func load(certificatePEM: [UInt8], keyPEM: [UInt8]? = nil, certFile: String? = nil, keyFile: String? = nil) throws -> ServingIdentity {
        func about(_ file: String?, _ message: String) -> IdentityError { IdentityError(file.map { "\($0): \(message)" } ?? message) }
        let certificates: [Certificate]
        do {
            let blocks = try PEM.decodeAll(certificatePEM)
            certificates = try blocks.filter { $0.label == PEM.Label.certificate }.map { try Certificate(derEncoded: $0.der) }
        } catch {
            throw about(certFile, "\(error)")
        }
        guard let leaf = certificates.first else { throw about(certFile, "no CERTIFICATE block") }
        let key: PrivateKey
        do {
            key = try PrivateKey.load(keyPEM ?? certificatePEM).key
        } catch {
            throw about(keyFile ?? certFile, "\(error)")
        }
        guard leaf.publicKey.spki == key.spki else {
            throw about(keyFile, "the private key does not match the certificate" + (certFile.map { " in \($0)" } ?? "'s public key"))
        }
        if let problem = signingPolicyProblem(key) { throw about(keyFile ?? certFile, problem) }
        return try ServingIdentity(chain: certificates, key: key)
    }

    /// Certificates then the PKCS#8 key, as client-go's file store writes them. Holds the private key:
    /// the caller wipes it after writing (the key's own PEM bytes are wiped here).
    public var combinedPEM: [UInt8] {
        var keyPEM = key.pkcs8PEMBytes
        defer { SecureMemory.wipe(&keyPEM) }
        let certificates = Array(chain.map(\.pemRepresentation).joined().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(certificates.count + keyPEM.count)
        out.append(contentsOf: certificates)
        out.append(contentsOf: keyPEM)
        return out
    }
}

public struct IdentityError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The time source of the manager (injectable so tests reach the renewal point without waiting a year).
public protocol ManagerClock: Sendable {
    func now() -> Date
    func sleep(for seconds: TimeInterval) async throws
}

public struct WallClock: ManagerClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for seconds: TimeInterval) async throws {
        // Clamped before the conversion (Int64(_:) traps on infinity or ≥ 2^63): a certificate's notAfter
        // sets `seconds`, and at most a year passes before the state is looked at again anyway.
        let bounded = seconds.isFinite ? min(max(0, seconds), 366 * 86_400) : 0
        try await Task.sleep(for: .milliseconds(Int64(bounded * 1000)))
    }
}
