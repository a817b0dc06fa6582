// SPDX-License-Identifier: Apache-2.0

import VKDER

/// Rewrites the signature AlgorithmIdentifier of a DER certificate or CSR (the outer one, and for a
/// certificate the TBS copy too), re-encoding every enclosing length. The signature bytes stay as they
/// were: the result is for tests that feed hostile algorithm parameters to parsers and verifiers.
public enum SignedObjectSurgery {
    /// The input is not a certificate-shaped or CSR-shaped signed object.
    public struct NotASignedObject: Error {}

    /// PSS parameters with SHA-256, MGF1-SHA-256 and the given raw saltLength INTEGER content.
    public static func pssAlgorithm(saltContent: [UInt8]) -> [UInt8] {
        let params = DERWriter.build { w in
            w.appendConstructed { s in
                s.appendConstructed(.contextConstructed(0)) { AlgorithmIdentifier.withNullParameters(OID.Hash.sha256).write(to: &$0) }
                s.appendConstructed(.contextConstructed(1)) { m in
                    AlgorithmIdentifier(algorithm: OID.Signature.mgf1, parameters: AlgorithmIdentifier.withNullParameters(OID.Hash.sha256).derEncoded)
                        .write(to: &m)
                }
                s.appendConstructed(.contextConstructed(2)) { $0.append(.integer, content: saltContent) }
            }
        }
        return AlgorithmIdentifier(algorithm: OID.Signature.rsassaPSS, parameters: params).derEncoded
    }

    /// `der` with its signature algorithm replaced by `algorithm` (a complete AlgorithmIdentifier).
    public static func replacingSignatureAlgorithm(in der: [UInt8], with algorithm: [UInt8], isCertificate: Bool) throws -> [UInt8] {
        var outer = DERReader(der)
        let top = try outer.readElement()
        var parts = top.contentReader()
        let info = try parts.readElement()
        _ = try parts.readElement()
        let signature = try parts.readElement()
        var infoBytes = Array(info.encoded)
        if isCertificate {
            // TBSCertificate: [0] version, serialNumber, signature, …
            var fields: [[UInt8]] = []
            var r = info.contentReader()
            while !r.isAtEnd { fields.append(Array(try r.readElement().encoded)) }
            let index = fields.first?.first == 0xA0 ? 2 : 1
            guard fields.count > index else { throw NotASignedObject() }
            fields[index] = algorithm
            infoBytes = DERWriter.build { w in w.appendConstructed { for f in fields { $0.appendEncoded(f) } } }
        }
        return DERWriter.build { w in
            w.appendConstructed { c in
                c.appendEncoded(infoBytes)
                c.appendEncoded(algorithm)
                c.appendEncoded(signature.encoded)
            }
        }
    }
}
