// SPDX-License-Identifier: Apache-2.0
//
// The object identifiers vkcert uses, grouped by family. Values from RFC 8017 (PKCS#1), RFC 5280,
// RFC 5480, RFC 8410, RFC 2985 (PKCS#9) and NIST CSOR; names as OpenSSL 3.0 prints them.

extension OID {
    /// Hash algorithms (NIST CSOR 2.16.840.1.101.3.4.2.*, OIW 1.3.14.3.2.26).
    public enum Hash {
        public static let sha1 = OID(1, 3, 14, 3, 2, 26)
        public static let sha224 = OID(2, 16, 840, 1, 101, 3, 4, 2, 4)
        public static let sha256 = OID(2, 16, 840, 1, 101, 3, 4, 2, 1)
        public static let sha384 = OID(2, 16, 840, 1, 101, 3, 4, 2, 2)
        public static let sha512 = OID(2, 16, 840, 1, 101, 3, 4, 2, 3)
    }

    /// Public-key algorithms.
    public enum PublicKey {
        /// RFC 8017 A.1: rsaEncryption, parameters NULL.
        public static let rsaEncryption = OID(1, 2, 840, 113549, 1, 1, 1)
        /// RFC 4055: id-RSASSA-PSS (also a signature algorithm).
        public static let rsassaPSS = OID(1, 2, 840, 113549, 1, 1, 10)
        /// RFC 5480: id-ecPublicKey.
        public static let ecPublicKey = OID(1, 2, 840, 10045, 2, 1)
        /// RFC 8410: id-Ed25519.
        public static let ed25519 = OID(1, 3, 101, 112)
        /// RFC 8410: id-Ed448.
        public static let ed448 = OID(1, 3, 101, 113)
        /// RFC 3279 §2.3.2: id-dsa (named only: vkcert does not verify DSA).
        public static let dsa = OID(1, 2, 840, 10040, 4, 1)
    }

    /// Named elliptic curves (RFC 5480 §2.1.1.1).
    public enum Curve {
        public static let p256 = OID(1, 2, 840, 10045, 3, 1, 7)
        public static let p384 = OID(1, 3, 132, 0, 34)
        public static let p521 = OID(1, 3, 132, 0, 35)
    }

    /// Signature algorithms.
    public enum Signature {
        public static let sha1WithRSAEncryption = OID(1, 2, 840, 113549, 1, 1, 5)
        public static let sha224WithRSAEncryption = OID(1, 2, 840, 113549, 1, 1, 14)
        public static let sha256WithRSAEncryption = OID(1, 2, 840, 113549, 1, 1, 11)
        public static let sha384WithRSAEncryption = OID(1, 2, 840, 113549, 1, 1, 12)
        public static let sha512WithRSAEncryption = OID(1, 2, 840, 113549, 1, 1, 13)
        public static let rsassaPSS = OID.PublicKey.rsassaPSS
        /// RFC 8017 B.2.1: id-mgf1.
        public static let mgf1 = OID(1, 2, 840, 113549, 1, 1, 8)
        public static let ecdsaWithSHA1 = OID(1, 2, 840, 10045, 4, 1)
        public static let ecdsaWithSHA224 = OID(1, 2, 840, 10045, 4, 3, 1)
        public static let ecdsaWithSHA256 = OID(1, 2, 840, 10045, 4, 3, 2)
        public static let ecdsaWithSHA384 = OID(1, 2, 840, 10045, 4, 3, 3)
        public static let ecdsaWithSHA512 = OID(1, 2, 840, 10045, 4, 3, 4)
        public static let ed25519 = OID.PublicKey.ed25519
    }

    /// X.520 / PKCS#9 attribute types used in distinguished names.
    public enum Attribute {
        public static let commonName = OID(2, 5, 4, 3)
        public static let surname = OID(2, 5, 4, 4)
        public static let serialNumber = OID(2, 5, 4, 5)
        public static let countryName = OID(2, 5, 4, 6)
        public static let localityName = OID(2, 5, 4, 7)
        public static let stateOrProvinceName = OID(2, 5, 4, 8)
        public static let streetAddress = OID(2, 5, 4, 9)
        public static let organizationName = OID(2, 5, 4, 10)
        public static let organizationalUnitName = OID(2, 5, 4, 11)
        public static let title = OID(2, 5, 4, 12)
        public static let postalCode = OID(2, 5, 4, 17)
        public static let givenName = OID(2, 5, 4, 42)
        public static let initials = OID(2, 5, 4, 43)
        public static let generationQualifier = OID(2, 5, 4, 44)
        public static let dnQualifier = OID(2, 5, 4, 46)
        public static let pseudonym = OID(2, 5, 4, 65)
        public static let organizationIdentifier = OID(2, 5, 4, 97)
        public static let domainComponent = OID(0, 9, 2342, 19200300, 100, 1, 25)
        public static let userID = OID(0, 9, 2342, 19200300, 100, 1, 1)
        public static let emailAddress = OID(1, 2, 840, 113549, 1, 9, 1)
        /// PKCS#9 extensionRequest (CSR attribute carrying requested extensions).
        public static let extensionRequest = OID(1, 2, 840, 113549, 1, 9, 14)
        public static let challengePassword = OID(1, 2, 840, 113549, 1, 9, 7)
    }

    /// Certificate extensions (RFC 5280 §4.2).
    public enum Extension {
        public static let subjectDirectoryAttributes = OID(2, 5, 29, 9)
        public static let subjectKeyIdentifier = OID(2, 5, 29, 14)
        public static let keyUsage = OID(2, 5, 29, 15)
        public static let subjectAltName = OID(2, 5, 29, 17)
        public static let issuerAltName = OID(2, 5, 29, 18)
        public static let basicConstraints = OID(2, 5, 29, 19)
        public static let nameConstraints = OID(2, 5, 29, 30)
        public static let crlDistributionPoints = OID(2, 5, 29, 31)
        public static let certificatePolicies = OID(2, 5, 29, 32)
        public static let policyMappings = OID(2, 5, 29, 33)
        public static let authorityKeyIdentifier = OID(2, 5, 29, 35)
        public static let policyConstraints = OID(2, 5, 29, 36)
        public static let extendedKeyUsage = OID(2, 5, 29, 37)
        public static let freshestCRL = OID(2, 5, 29, 46)
        public static let inhibitAnyPolicy = OID(2, 5, 29, 54)
        public static let authorityInfoAccess = OID(1, 3, 6, 1, 5, 5, 7, 1, 1)
        public static let subjectInfoAccess = OID(1, 3, 6, 1, 5, 5, 7, 1, 11)
        public static let ctPrecertificateSCTs = OID(1, 3, 6, 1, 4, 1, 11129, 2, 4, 2)
    }

    /// Extended key usage purposes (RFC 5280 §4.2.1.12).
    public enum KeyPurpose {
        public static let anyExtendedKeyUsage = OID(2, 5, 29, 37, 0)
        public static let serverAuth = OID(1, 3, 6, 1, 5, 5, 7, 3, 1)
        public static let clientAuth = OID(1, 3, 6, 1, 5, 5, 7, 3, 2)
        public static let codeSigning = OID(1, 3, 6, 1, 5, 5, 7, 3, 3)
        public static let emailProtection = OID(1, 3, 6, 1, 5, 5, 7, 3, 4)
        public static let timeStamping = OID(1, 3, 6, 1, 5, 5, 7, 3, 8)
        public static let ocspSigning = OID(1, 3, 6, 1, 5, 5, 7, 3, 9)
    }

    /// Access methods in AIA / SIA (RFC 5280 §4.2.2).
    public enum AccessMethod {
        public static let ocsp = OID(1, 3, 6, 1, 5, 5, 7, 48, 1)
        public static let caIssuers = OID(1, 3, 6, 1, 5, 5, 7, 48, 2)
    }

    /// The names OpenSSL 3.0 prints for the OIDs above (its "long names" where it has them, which is
    /// what `openssl x509 -text` shows for signature algorithms), or nil for unknown OIDs.
    public var name: String? { OID.names[self] }

    private static let names: [OID: String] = [
        Hash.sha1: "sha1", Hash.sha224: "sha224", Hash.sha256: "sha256", Hash.sha384: "sha384", Hash.sha512: "sha512",
        PublicKey.rsaEncryption: "rsaEncryption", PublicKey.rsassaPSS: "rsassaPss",
        PublicKey.ecPublicKey: "id-ecPublicKey", PublicKey.ed25519: "ED25519", PublicKey.ed448: "ED448",
        Curve.p256: "prime256v1", Curve.p384: "secp384r1", Curve.p521: "secp521r1",
        Signature.sha1WithRSAEncryption: "sha1WithRSAEncryption",
        Signature.sha224WithRSAEncryption: "sha224WithRSAEncryption",
        Signature.sha256WithRSAEncryption: "sha256WithRSAEncryption",
        Signature.sha384WithRSAEncryption: "sha384WithRSAEncryption",
        Signature.sha512WithRSAEncryption: "sha512WithRSAEncryption",
        Signature.mgf1: "mgf1",
        Signature.ecdsaWithSHA1: "ecdsa-with-SHA1", Signature.ecdsaWithSHA224: "ecdsa-with-SHA224",
        Signature.ecdsaWithSHA256: "ecdsa-with-SHA256", Signature.ecdsaWithSHA384: "ecdsa-with-SHA384",
        Signature.ecdsaWithSHA512: "ecdsa-with-SHA512",
        Attribute.commonName: "commonName", Attribute.surname: "surname", Attribute.serialNumber: "serialNumber",
        Attribute.countryName: "countryName", Attribute.localityName: "localityName",
        Attribute.stateOrProvinceName: "stateOrProvinceName", Attribute.streetAddress: "streetAddress",
        Attribute.organizationName: "organizationName", Attribute.organizationalUnitName: "organizationalUnitName",
        Attribute.title: "title", Attribute.postalCode: "postalCode", Attribute.givenName: "givenName",
        Attribute.initials: "initials", Attribute.generationQualifier: "generationQualifier",
        Attribute.dnQualifier: "dnQualifier", Attribute.pseudonym: "pseudonym",
        Attribute.organizationIdentifier: "organizationIdentifier", Attribute.domainComponent: "domainComponent",
        Attribute.userID: "userId", Attribute.emailAddress: "emailAddress",
        Attribute.extensionRequest: "extensionRequest", Attribute.challengePassword: "challengePassword",
        Extension.subjectKeyIdentifier: "subjectKeyIdentifier", Extension.keyUsage: "keyUsage",
        Extension.subjectAltName: "subjectAltName", Extension.issuerAltName: "issuerAltName",
        Extension.basicConstraints: "basicConstraints", Extension.nameConstraints: "nameConstraints",
        Extension.crlDistributionPoints: "crlDistributionPoints", Extension.certificatePolicies: "certificatePolicies",
        Extension.policyMappings: "policyMappings", Extension.authorityKeyIdentifier: "authorityKeyIdentifier",
        Extension.policyConstraints: "policyConstraints", Extension.extendedKeyUsage: "extendedKeyUsage",
        Extension.inhibitAnyPolicy: "inhibitAnyPolicy", Extension.authorityInfoAccess: "authorityInfoAccess",
        Extension.subjectInfoAccess: "subjectInfoAccess", Extension.ctPrecertificateSCTs: "ct_precert_scts",
        KeyPurpose.anyExtendedKeyUsage: "anyExtendedKeyUsage", KeyPurpose.serverAuth: "serverAuth",
        KeyPurpose.clientAuth: "clientAuth", KeyPurpose.codeSigning: "codeSigning",
        KeyPurpose.emailProtection: "emailProtection", KeyPurpose.timeStamping: "timeStamping",
        KeyPurpose.ocspSigning: "OCSPSigning",
        AccessMethod.ocsp: "OCSP", AccessMethod.caIssuers: "caIssuers",
    ]
}

extension OID {
    /// OpenSSL's short and long names for this OID (from its object table, see OID+OpenSSLNames.swift),
    /// or nil when OpenSSL does not know it — then OpenSSL prints the dotted form, and in names dumps the
    /// value as `#` + hex.
    public var openSSLNames: (short: String, long: String)? { OpenSSLObjects.byDotted[dotted] }

    /// The OID OpenSSL prints under `longName` (its object table), if any.
    public static func fromOpenSSLLongName(_ longName: String) -> OID? {
        OpenSSLObjects.byLongName[longName].flatMap { OID(dotted: $0) }
    }

    /// The OID with OpenSSL short or long name `name`, if any.
    public static func fromOpenSSLName(_ name: String) -> OID? {
        (OpenSSLObjects.byShortName[name] ?? OpenSSLObjects.byLongName[name]).flatMap { OID(dotted: $0) }
    }

    /// The size OpenSSL gives a named curve (its order's bits), by OpenSSL's short name.
    public static func openSSLCurveBits(_ shortName: String) -> Int? { OpenSSLObjects.curveBits[shortName] }
}

/// The parsed object table, built on first use.
enum OpenSSLObjects {
    /// (dotted, short, long) in the table's order (ascending OID), so that reverse lookups of a name two
    /// objects share always give the same, lowest OID.
    static let rows: [(dotted: String, short: String, long: String)] = OID.openSSLObjectTable.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        return fields.count == 3 ? (String(fields[0]), String(fields[1]), String(fields[2])) : nil
    }

    static let byDotted: [String: (short: String, long: String)] = Dictionary(rows.map { ($0.dotted, ($0.short, $0.long)) }, uniquingKeysWith: { a, _ in a })
    static let byShortName: [String: String] = Dictionary(rows.map { ($0.short, $0.dotted) }, uniquingKeysWith: { a, _ in a })
    static let byLongName: [String: String] = Dictionary(rows.map { ($0.long, $0.dotted) }, uniquingKeysWith: { a, _ in a })

    static let curveBits: [String: Int] = {
        var table: [String: Int] = [:]
        for line in OID.openSSLCurveBitsTable.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let bits = Int(fields[1]) { table[String(fields[0])] = bits }
        }
        return table
    }()
}
