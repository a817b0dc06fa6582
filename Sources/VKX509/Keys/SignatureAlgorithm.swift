// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash
import VKRSA

/// A signature algorithm identifier and what it means (RFC 5280 §4.1.1.2, RFC 4055, RFC 5758, RFC 8410).
///
/// Parameters are checked as the RFCs require: NULL or absent for the PKCS#1 v1.5 family (RFC 4055
/// §5 allows both), present and well formed for RSASSA-PSS, absent for EdDSA, absent for ECDSA — except
/// an explicit NULL, which BoringSSL accepts on purpose and Go ignores (mbedTLS and old encoders write it):
/// tolerated and reported (``parameterDefect``). An unknown OID is not a parse error (the certificate can
/// still be inspected); it cannot be verified.
public struct SignatureAlgorithm: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case rsaPKCS1(HashAlgorithm)
        case rsaPSS(PSSParameters)
        case ecdsa(HashAlgorithm)
        case ed25519
        case ed448
        case unknown
    }

    public let identifier: AlgorithmIdentifier
    public let kind: Kind

    public init(_ identifier: AlgorithmIdentifier) throws {
        self.identifier = identifier
        let oid = identifier.algorithm
        func requireNullOrAbsent() throws {
            guard identifier.parameters == nil || identifier.hasNullParameters else {
                throw X509Error(.invalidField, "\(oid.name ?? oid.dotted) parameters must be NULL or absent")
            }
        }
        func requireAbsent() throws {
            guard identifier.parameters == nil else {
                throw X509Error(.invalidField, "\(oid.name ?? oid.dotted) parameters must be absent")
            }
        }
        switch oid {
        case OID.Signature.sha1WithRSAEncryption: try requireNullOrAbsent(); kind = .rsaPKCS1(.sha1)
        case OID.Signature.sha224WithRSAEncryption: try requireNullOrAbsent(); kind = .rsaPKCS1(.sha224)
        case OID.Signature.sha256WithRSAEncryption: try requireNullOrAbsent(); kind = .rsaPKCS1(.sha256)
        case OID.Signature.sha384WithRSAEncryption: try requireNullOrAbsent(); kind = .rsaPKCS1(.sha384)
        case OID.Signature.sha512WithRSAEncryption: try requireNullOrAbsent(); kind = .rsaPKCS1(.sha512)
        case OID.Signature.rsassaPSS:
            guard let params = identifier.parameters else {
                throw X509Error(.invalidField, "RSASSA-PSS signature algorithm needs parameters")
            }
            kind = .rsaPSS(try PSSParameters(derEncoded: params[...]))
        case OID.Signature.ecdsaWithSHA1: try requireNullOrAbsent(); kind = .ecdsa(.sha1)
        case OID.Signature.ecdsaWithSHA224: try requireNullOrAbsent(); kind = .ecdsa(.sha224)
        case OID.Signature.ecdsaWithSHA256: try requireNullOrAbsent(); kind = .ecdsa(.sha256)
        case OID.Signature.ecdsaWithSHA384: try requireNullOrAbsent(); kind = .ecdsa(.sha384)
        case OID.Signature.ecdsaWithSHA512: try requireNullOrAbsent(); kind = .ecdsa(.sha512)
        case OID.PublicKey.ed25519: try requireAbsent(); kind = .ed25519
        case OID.PublicKey.ed448: try requireAbsent(); kind = .ed448
        default: kind = .unknown
        }
    }

    /// The tolerated encoding defect of this identifier: an ECDSA algorithm with explicit NULL parameters.
    public var parameterDefect: ToleratedDefect? {
        guard case .ecdsa = kind, identifier.hasNullParameters else { return nil }
        return ToleratedDefect(.ecdsaSignatureParameters, field: "signatureAlgorithm", "\(name) has NULL parameters (RFC 5758 §3.2: MUST be absent)")
    }

    /// sha256WithRSAEncryption with NULL parameters (what OpenSSL and Go write).
    public static let sha256WithRSA = try! SignatureAlgorithm(.withNullParameters(OID.Signature.sha256WithRSAEncryption))

    /// RSASSA-PKCS1-v1_5 with `hash`, NULL parameters.
    public static func rsaPKCS1(_ hash: HashAlgorithm) -> SignatureAlgorithm {
        let oid: OID
        switch hash {
        case .sha1: oid = OID.Signature.sha1WithRSAEncryption
        case .sha224: oid = OID.Signature.sha224WithRSAEncryption
        case .sha256: oid = OID.Signature.sha256WithRSAEncryption
        case .sha384: oid = OID.Signature.sha384WithRSAEncryption
        case .sha512: oid = OID.Signature.sha512WithRSAEncryption
        }
        return try! SignatureAlgorithm(.withNullParameters(oid))
    }

    /// ecdsa-with-SHA256/384/512 (RFC 5758 §3.2: parameters absent).
    public static func ecdsa(_ hash: HashAlgorithm) -> SignatureAlgorithm {
        let oid: OID
        switch hash {
        case .sha1: oid = OID.Signature.ecdsaWithSHA1
        case .sha224: oid = OID.Signature.ecdsaWithSHA224
        case .sha256: oid = OID.Signature.ecdsaWithSHA256
        case .sha384: oid = OID.Signature.ecdsaWithSHA384
        case .sha512: oid = OID.Signature.ecdsaWithSHA512
        }
        return try! SignatureAlgorithm(AlgorithmIdentifier(algorithm: oid, parameters: nil))
    }

    /// Ed25519 (RFC 8410 §3: parameters absent).
    public static let ed25519 = try! SignatureAlgorithm(AlgorithmIdentifier(algorithm: OID.PublicKey.ed25519, parameters: nil))

    /// RSASSA-PSS with `parameters` (encoded as OpenSSL does).
    public static func rsaPSS(_ parameters: PSSParameters) -> SignatureAlgorithm {
        try! SignatureAlgorithm(AlgorithmIdentifier(algorithm: OID.Signature.rsassaPSS, parameters: parameters.derEncoded))
    }

    /// OpenSSL's long name (sha256WithRSAEncryption, rsassaPss, ecdsa-with-SHA384, ED25519, and for algorithms
    /// vkcert does not verify md5WithRSAEncryption, dsa_with_SHA256, …) or the dotted OID.
    public var name: String {
        let oid = identifier.algorithm
        return oid.name ?? oid.openSSLNames?.long ?? oid.dotted
    }

    /// The RSA scheme this algorithm denotes, if it is an RSA one.
    public var rsaScheme: RSASignatureScheme? {
        switch kind {
        case .rsaPKCS1(let hash): .pkcs1v15(hash)
        case .rsaPSS(let p): .pss(p)
        default: nil
        }
    }

    /// The hash, when the algorithm has one.
    public var hash: HashAlgorithm? {
        switch kind {
        case .rsaPKCS1(let h), .ecdsa(let h): h
        case .rsaPSS(let p): p.hash
        default: nil
        }
    }
}
