// SPDX-License-Identifier: Apache-2.0

import VKDER

extension DistinguishedName {
    /// Builds a name the way Go's crypto/x509 (and so kubelet) encodes one: each attribute its own RDN,
    /// values as PrintableString when every character fits, else UTF8String (emailAddress and DC as
    /// IA5String). `attributes` are given in encoding order (most general first: C, O, …, CN).
    public init(encoding attributes: [(OID, String)]) {
        self.init(rdns: attributes.map { type, value in
            let kind: StringKind
            if type == OID.Attribute.emailAddress || type == OID.Attribute.domainComponent {
                kind = .ia5
            } else if type == OID.Attribute.countryName || value.utf8.allSatisfy(StringKind.isPrintable) {
                kind = .printable
            } else {
                kind = .utf8
            }
            return RelativeDistinguishedName(attributes: [AttributeTypeAndValue(type: type, value: AttributeValue(DERString(kind: kind, value: value)))])
        })
    }

    /// The kubelet serving identity: `O=system:nodes`, `CN=system:node:<node>` (encoded in that order,
    /// printed as `CN=system:node:<node>,O=system:nodes`).
    public static func kubeletNode(_ node: String) -> DistinguishedName {
        DistinguishedName(encoding: [(OID.Attribute.organizationName, "system:nodes"), (OID.Attribute.commonName, "system:node:\(node)")])
    }

    /// Parses an RFC 4514-style string as people write it on command lines: `CN=…,O=…,C=…`
    /// (most specific first; `\,` escapes a comma; `+` joins multi-valued RDNs is not supported).
    /// - Throws: ``X509Error/Code/invalidName`` naming the bad component.
    public init(parsing text: String) throws {
        var components: [(OID, String)] = []
        var current = ""
        var escaped = false
        var parts: [String] = []
        for ch in text {
            if escaped {
                current.append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        if escaped { throw X509Error(.invalidName, "name \"\(text)\" ends with a lone backslash") }
        parts.append(current)
        for part in parts {
            let trimmed = part.drop { $0 == " " }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw X509Error(.invalidName, "name component \"\(part)\" has no '=' (expected TYPE=value)")
            }
            let label = String(trimmed[..<eq])
            let value = String(trimmed[trimmed.index(after: eq)...])
            guard let oid = OID(attributeLabel: label) else {
                throw X509Error(.invalidName, "unknown attribute type \"\(label)\" (use CN, O, OU, C, ST, L, DC, emailAddress or a dotted OID)")
            }
            guard !value.isEmpty else { throw X509Error(.invalidName, "attribute \(label) has an empty value") }
            if oid == OID.Attribute.countryName && (value.count != 2 || !value.utf8.allSatisfy(StringKind.isPrintable)) {
                throw X509Error(.invalidName, "C must be a two-letter country code, not \"\(value)\"")
            }
            components.append((oid, value))
        }
        self.init(encoding: components.reversed())
    }
}
