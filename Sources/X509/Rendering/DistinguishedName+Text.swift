// SPDX-License-Identifier: Apache-2.0

import DER

extension OID {
    /// The attribute-type label OpenSSL prints in names (its short names, else the dotted OID).
    public var attributeLabel: String {
        switch self {
        case OID.Attribute.commonName: "CN"
        case OID.Attribute.countryName: "C"
        case OID.Attribute.localityName: "L"
        case OID.Attribute.stateOrProvinceName: "ST"
        case OID.Attribute.organizationName: "O"
        case OID.Attribute.organizationalUnitName: "OU"
        case OID.Attribute.streetAddress: "street"
        case OID.Attribute.domainComponent: "DC"
        case OID.Attribute.userID: "UID"
        case OID.Attribute.surname: "SN"
        case OID.Attribute.givenName: "GN"
        case OID.Attribute.serialNumber: "serialNumber"
        case OID.Attribute.title: "title"
        case OID.Attribute.initials: "initials"
        case OID.Attribute.generationQualifier: "generationQualifier"
        case OID.Attribute.dnQualifier: "dnQualifier"
        case OID.Attribute.pseudonym: "pseudonym"
        case OID.Attribute.emailAddress: "emailAddress"
        case OID.Attribute.organizationIdentifier: "organizationIdentifier"
        case OID.Attribute.postalCode: "postalCode"
        case OID(2, 5, 4, 15): "businessCategory"
        case OID(2, 5, 4, 13): "description"
        case OID(2, 5, 4, 41): "name"
        case OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1): "jurisdictionL"
        case OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2): "jurisdictionST"
        case OID(1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3): "jurisdictionC"
        default: dotted
        }
    }

    /// Attribute type from a label ("CN", "O", "emailAddress", or a dotted OID), for name strings.
    public init?(attributeLabel label: String) {
        let known: [String: OID] = [
            "CN": OID.Attribute.commonName, "C": OID.Attribute.countryName, "L": OID.Attribute.localityName,
            "ST": OID.Attribute.stateOrProvinceName, "O": OID.Attribute.organizationName,
            "OU": OID.Attribute.organizationalUnitName, "STREET": OID.Attribute.streetAddress,
            "DC": OID.Attribute.domainComponent, "UID": OID.Attribute.userID, "SN": OID.Attribute.surname,
            "GN": OID.Attribute.givenName, "SERIALNUMBER": OID.Attribute.serialNumber, "TITLE": OID.Attribute.title,
            "EMAILADDRESS": OID.Attribute.emailAddress, "E": OID.Attribute.emailAddress,
            "POSTALCODE": OID.Attribute.postalCode, "ORGANIZATIONIDENTIFIER": OID.Attribute.organizationIdentifier,
        ]
        if let oid = known[label.uppercased()] {
            self = oid
        } else if let oid = OID(dotted: label) {
            self = oid
        } else {
            return nil
        }
    }
}

extension DistinguishedName {
    /// The name as `openssl x509 -nameopt RFC2253,-esc_msb` prints it: RDNs in reverse order joined by
    /// ",", multi-valued RDNs joined by "+", OpenSSL's short type names, RFC 2253 escaping of
    /// `, + " \ < > ;`, a leading `#` or space and a trailing space, control characters as `\XX`,
    /// non-ASCII characters as UTF-8, and values that are not character strings as `#` + DER hex.
    public var rfc2253: String {
        rdns.reversed().map { rdn in
            rdn.attributes.map { "\($0.type.attributeLabel)=\(DistinguishedName.escape($0.value))" }.joined(separator: "+")
        }.joined(separator: ",")
    }

    static func escape(_ value: AttributeValue) -> String {
        guard let string = value.string else {
            return "#" + value.encoded.map { hexByte($0) }.joined()
        }
        let scalars = Array(string.value.unicodeScalars)
        var out = ""
        for (i, s) in scalars.enumerated() {
            switch s {
            case ",", "+", "\"", "\\", "<", ">", ";":
                out += "\\" + String(s)
            case "#" where i == 0, " " where i == 0 || i == scalars.count - 1:
                out += "\\" + String(s)
            default:
                if s.value < 0x20 || s.value == 0x7F {
                    out += "\\" + hexByte(UInt8(s.value))
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out
    }
}

/// Two upper-case hex digits (OpenSSL's style for escapes and colon-separated hex).
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
