// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKHash

extension HashAlgorithm {
    /// The hash's OID (NIST CSOR / OIW).
    public var oid: OID {
        switch self {
        case .sha1: OID.Hash.sha1
        case .sha224: OID.Hash.sha224
        case .sha256: OID.Hash.sha256
        case .sha384: OID.Hash.sha384
        case .sha512: OID.Hash.sha512
        }
    }

    /// The hash named by `oid`, or nil.
    public init?(oid: OID) {
        guard let match = HashAlgorithm.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = match
    }

    /// The algorithm from a hash AlgorithmIdentifier whose parameters are NULL or absent (RFC 4055 §2.1).
    init(algorithmIdentifier id: AlgorithmIdentifier, _ what: String) throws {
        guard let hash = HashAlgorithm(oid: id.algorithm) else {
            throw RSAError(.unsupportedParameters, "\(what): unsupported hash algorithm \(id.algorithm)")
        }
        guard id.parameters == nil || id.hasNullParameters else {
            throw RSAError(.unsupportedParameters, "\(what): hash parameters must be NULL or absent")
        }
        self = hash
    }
}

extension PSSParameters {
    /// The longest salt accepted in encoded parameters: an 8192-bit key (the largest verified) has
    /// emLen 1024, so no salt above 1024 − 20 − 2 bytes can ever verify.
    public static let maximumEncodedSaltLength = 1024

    /// Parses `RSASSA-PSS-params` (RFC 8017 A.2.3 / RFC 4055 §3.1):
    /// ```
    /// RSASSA-PSS-params ::= SEQUENCE {
    ///     hashAlgorithm    [0] HashAlgorithm    DEFAULT sha1,
    ///     maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
    ///     saltLength       [2] INTEGER          DEFAULT 20,
    ///     trailerField     [3] TrailerField     DEFAULT trailerFieldBC }
    /// ```
    /// Only MGF1 and trailer field 1 exist; anything else is refused. DER (X.690 §11.5) omits a field
    /// equal to its DEFAULT, so an explicit SHA-1, MGF1-SHA-1, salt 20 or trailer field 1 is not DER and
    /// is refused too; a salt length above ``maximumEncodedSaltLength`` is refused before any arithmetic.
    public init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DERReader.parse(bytes) { r in
            var hash = HashAlgorithm.sha1
            var mgfHash = HashAlgorithm.sha1
            var salt = 20
            if let e = try r.readOptional(.contextConstructed(0)) {
                hash = try e.parseContent { inner in
                    try HashAlgorithm(algorithmIdentifier: AlgorithmIdentifier(from: &inner, "PSS hashAlgorithm"), "PSS hashAlgorithm")
                }
                guard hash != .sha1 else { throw RSAError(.unsupportedParameters, "PSS hashAlgorithm sha1 is the DEFAULT and must be omitted in DER") }
            }
            if let e = try r.readOptional(.contextConstructed(1)) {
                mgfHash = try e.parseContent { inner in
                    let mgf = try AlgorithmIdentifier(from: &inner, "PSS maskGenAlgorithm")
                    guard mgf.algorithm == OID.Signature.mgf1, let params = mgf.parameters else {
                        throw RSAError(.unsupportedParameters, "PSS maskGenAlgorithm must be MGF1 with a hash")
                    }
                    var pr = DERReader(params[...])
                    let id = try AlgorithmIdentifier(from: &pr, "MGF1 hash")
                    try pr.expectEnd("MGF1 parameters")
                    return try HashAlgorithm(algorithmIdentifier: id, "MGF1 hash")
                }
                guard mgfHash != .sha1 else { throw RSAError(.unsupportedParameters, "PSS maskGenAlgorithm mgf1SHA1 is the DEFAULT and must be omitted in DER") }
            }
            if let e = try r.readOptional(.contextConstructed(2)) {
                salt = try e.parseContent { try $0.readInt(.integer, "PSS saltLength") }
                guard salt >= 0 else { throw RSAError(.unsupportedParameters, "PSS saltLength is negative") }
                guard salt <= PSSParameters.maximumEncodedSaltLength else {
                    throw RSAError(
                        .unsupportedParameters,
                        "PSS saltLength \(salt) exceeds \(PSSParameters.maximumEncodedSaltLength), more than any key up to 8192 bits can carry"
                    )
                }
                guard salt != 20 else { throw RSAError(.unsupportedParameters, "PSS saltLength 20 is the DEFAULT and must be omitted in DER") }
            }
            if let e = try r.readOptional(.contextConstructed(3)) {
                let trailer = try e.parseContent { try $0.readInt(.integer, "PSS trailerField") }
                guard trailer == 1 else { throw RSAError(.unsupportedParameters, "PSS trailerField \(trailer) is not 1") }
                throw RSAError(.unsupportedParameters, "PSS trailerField 1 is the DEFAULT and must be omitted in DER")
            }
            return PSSParameters(hash: hash, mgfHash: mgfHash, saltLength: .exactly(salt))
        }
    }

    /// DER `RSASSA-PSS-params` as OpenSSL writes them (hash identifiers with NULL parameters, defaults
    /// omitted).
    public var derEncoded: [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { s in
                if hash != .sha1 {
                    s.appendConstructed(.contextConstructed(0)) { AlgorithmIdentifier.withNullParameters(hash.oid).write(to: &$0) }
                }
                if mgfHash != .sha1 {
                    s.appendConstructed(.contextConstructed(1)) { m in
                        AlgorithmIdentifier(
                            algorithm: OID.Signature.mgf1,
                            parameters: AlgorithmIdentifier.withNullParameters(mgfHash.oid).derEncoded
                        ).write(to: &m)
                    }
                }
                if case .exactly(let n) = saltLength, n != 20 {
                    s.appendConstructed(.contextConstructed(2)) { $0.appendInteger(n) }
                }
            }
        }
    }
}
