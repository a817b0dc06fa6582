// SPDX-License-Identifier: Apache-2.0

import VKDER

/// `AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier OPTIONAL,
/// authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }`
/// (RFC 5280 §4.2.1.1). Issuer and serial must appear together: tolerated otherwise, reported by lint.
public struct AuthorityKeyIdentifier: Sendable, Hashable {
    public let keyIdentifier: ArraySlice<UInt8>?
    public let authorityCertIssuer: [GeneralName]?
    public let authorityCertSerialNumber: ArraySlice<UInt8>?

    public init(keyIdentifier: [UInt8]) {
        self.keyIdentifier = keyIdentifier[...]
        self.authorityCertIssuer = nil
        self.authorityCertSerialNumber = nil
    }

    init(extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws {
        (keyIdentifier, authorityCertIssuer, authorityCertSerialNumber) = try DERReader.parse(extnValue) { r in
            let id = try r.readOptional(.contextPrimitive(0))?.content
            let issuer = try r.readOptional(.contextConstructed(1)).map { try GeneralName.sequence($0, "authorityCertIssuer") }
            let serial = try r.readOptional(.contextPrimitive(2)).map { try $0.integerContent() }
            if (issuer == nil) != (serial == nil) {
                defects.append(ToleratedDefect(.akiIssuerSerialMismatch, field: "extensions.authorityKeyIdentifier",
                    issuer == nil ? "authorityCertSerialNumber without authorityCertIssuer" : "authorityCertIssuer without authorityCertSerialNumber"))
            }
            return (id, issuer, serial)
        }
    }

    var derEncoded: [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { s in
                if let keyIdentifier { s.appendOctetString(keyIdentifier, tag: .contextPrimitive(0)) }
            }
        }
    }
}

enum SubjectKeyIdentifier {
    /// `SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING`.
    static func parse(_ extnValue: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        var r = DERReader(extnValue)
        let id = try r.readOctetString("subjectKeyIdentifier")
        try r.expectEnd("subjectKeyIdentifier")
        return id
    }
}
