// SPDX-License-Identifier: Apache-2.0

import VKDER

extension OID {
    /// The attribute-type label OpenSSL prints in names: its short name (CN, GN, street, jurisdictionC,
    /// INN, …), else the dotted OID.
    public var attributeLabel: String { openSSLNames?.short ?? dotted }

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
        // OpenSSL holds a name as one flat list of attributes, each tagged with its RDN, and prints that list
        // reversed: so inside a multi-valued RDN the attributes come out in reverse DER order too
        // (`SN=Barzin+GN=Petra`), and an empty RDN SET prints nothing.
        var out = ""
        var previousRDN: Int? = nil
        for (rdnIndex, rdn) in rdns.enumerated().reversed() {
            for atv in rdn.attributes.reversed() {
                if let previousRDN { out += previousRDN == rdnIndex ? "+" : "," }
                previousRDN = rdnIndex
                out += atv.type.attributeLabel + "=" + DistinguishedName.escape(atv)
            }
        }
        return out
    }

    /// The value as OpenSSL prints it: `#` + hex of the DER when OpenSSL does not know the attribute type
    /// (XN_FLAG_DUMP_UNKNOWN_FIELDS) or the value is not a character string; otherwise RFC 2253 escaped.
    static func escape(_ atv: AttributeTypeAndValue) -> String {
        if atv.type.openSSLNames == nil { return "#" + atv.value.encoded.map { hexByte($0) }.joined() }
        return escape(atv.value)
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
