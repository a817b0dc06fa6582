// SPDX-License-Identifier: Apache-2.0

import VKDER

extension GeneralName {
    /// The contract's text form: `DNS:…`, `IP:…` (RFC 5952 for IPv6), `email:…`, `URI:…`,
    /// `dirName:<RFC 4514>`, `otherName:<oid>:<hex>`, `RID:<oid>`, `X400:<hex>`, `EdiPartyName:<hex>`.
    public var text: String {
        switch self {
        case .dns(let s): "DNS:\(s)"
        case .ipAddress(let b): "IP:\(IPAddressText.format(b))"
        case .email(let s): "email:\(s)"
        case .uri(let s): "URI:\(s)"
        case .directoryName(let n): "dirName:\(n.rfc2253)"
        case .otherName(let oid, let value): "otherName:\(oid.dotted):\(Hex.encode(value))"
        case .registeredID(let oid): "RID:\(oid.dotted)"
        case .x400Address(let raw): "X400:\(Hex.encode(raw))"
        case .ediPartyName(let raw): "EdiPartyName:\(Hex.encode(raw))"
        }
    }
}

extension CertificatePublicKey {
    /// `{"algorithm", "bits", "exponent" (RSA), "curve" (EC)}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("algorithm", .string(algorithmName))]
        members.append(("bits", bits.map { .int($0) } ?? .null))
        if case .rsa = kind { members.append(("exponent", rsaExponent.map { .int(Int(clamping: $0)) } ?? .null)) }
        if let curveName { members.append(("curve", .string(curveName))) }
        return .object(members)
    }
}

extension Extensions {
    var jsonBasicConstraints: JSONValue {
        guard let bc = basicConstraints else { return .null }
        return .object([
            ("ca", .bool(bc.isCA)), ("pathLen", bc.pathLength.map { .int($0) } ?? .null),
            ("critical", .bool(self[OID.Extension.basicConstraints]?.critical ?? false)),
        ])
    }

    var jsonList: JSONValue {
        .array(all.map { .object([("oid", .string($0.oid.dotted)), ("name", JSONValue($0.name)), ("critical", .bool($0.critical))]) })
    }
}

extension Certificate {
    /// The `inspect --json` object for this certificate (see the CLI contract).
    public func json(file: String, index: Int) -> JSONValue {
        .object([
            ("kind", .string("certificate")), ("file", .string(file)), ("index", .int(index)),
            ("version", .int(version)),
            ("serial", .string(serialHex)),
            ("signatureAlgorithm", .string(signatureAlgorithm.name)),
            ("issuer", .string(issuer.rfc2253)),
            ("subject", .string(subject.rfc2253)),
            ("notBefore", .string(notBefore.rfc3339)),
            ("notAfter", .string(notAfter.rfc3339)),
            ("publicKey", publicKey.json),
            ("basicConstraints", extensions.jsonBasicConstraints),
            ("keyUsage", JSONValue(extensions.keyUsage?.names)),
            ("extendedKeyUsage", JSONValue(extensions.extendedKeyUsage?.names)),
            ("subjectAltNames", .array((extensions.subjectAlternativeNames ?? []).map { .string($0.text) })),
            ("subjectKeyIdentifier", JSONValue(extensions.subjectKeyIdentifier.map { Hex.encode($0) })),
            ("authorityKeyIdentifier", JSONValue(extensions.authorityKeyIdentifier?.keyIdentifier.map { Hex.encode($0) })),
            ("extensions", extensions.jsonList),
            ("fingerprintSHA256", .string(Hex.encode(fingerprintSHA256))),
            ("selfSigned", .bool(isSelfIssued && isSelfSigned)),
            ("defects", .array(defects.map(\.json))),
        ])
    }
}
