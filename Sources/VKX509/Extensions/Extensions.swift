// SPDX-License-Identifier: Apache-2.0

import VKDER

/// One extension as it was encoded: `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
/// extnValue OCTET STRING }`.
public struct Extension: Sendable, Hashable {
    public let oid: OID
    public let critical: Bool
    /// The content of extnValue (the DER of the extension-specific structure).
    public let value: ArraySlice<UInt8>

    public init(oid: OID, critical: Bool, value: [UInt8]) {
        self.oid = oid
        self.critical = critical
        self.value = value[...]
    }

    init(oid: OID, critical: Bool, slice: ArraySlice<UInt8>) {
        self.oid = oid
        self.critical = critical
        self.value = slice
    }

    /// The name OpenSSL uses, or nil for an unrecognised OID.
    public var name: String? { oid.name }
}

/// The extensions of a certificate or CSR, in order, with every extension vkcert knows decoded
/// eagerly and strictly (so a certificate that parses has no latent malformed extension), and the
/// unknown critical ones recorded so path validation can refuse them.
public struct Extensions: Sendable, Hashable {
    /// Cap on the number of extensions (a DoS bound; real certificates carry about ten).
    public static let maximumCount = 64

    public let all: [Extension]
    public let basicConstraints: BasicConstraints?
    public let keyUsage: KeyUsage?
    public let extendedKeyUsage: ExtendedKeyUsage?
    public let subjectAlternativeNames: [GeneralName]?
    public let subjectKeyIdentifier: ArraySlice<UInt8>?
    public let authorityKeyIdentifier: AuthorityKeyIdentifier?
    public let crlDistributionPoints: [DistributionPoint]?
    public let authorityInformationAccess: [AccessDescription]?
    public let certificatePolicies: [PolicyInformation]?
    public let nameConstraints: NameConstraints?
    /// Critical extensions vkcert does not process: a verifier must reject the certificate.
    public let unhandledCritical: [OID]
    /// Issuer obligations the extensions break but the parser tolerates (reported by lint).
    public let defects: [ToleratedDefect]

    public static let empty = Extensions()

    private init() {
        all = []
        basicConstraints = nil
        keyUsage = nil
        extendedKeyUsage = nil
        subjectAlternativeNames = nil
        subjectKeyIdentifier = nil
        authorityKeyIdentifier = nil
        crlDistributionPoints = nil
        authorityInformationAccess = nil
        certificatePolicies = nil
        nameConstraints = nil
        unhandledCritical = []
        defects = []
    }

    /// Decodes a list of extensions (the content of the `Extensions` SEQUENCE).
    public init(_ list: [Extension]) throws {
        var basic: BasicConstraints?, ku: KeyUsage?, eku: ExtendedKeyUsage?, san: [GeneralName]?
        var ski: ArraySlice<UInt8>?, aki: AuthorityKeyIdentifier?, crldp: [DistributionPoint]?
        var aia: [AccessDescription]?, policies: [PolicyInformation]?, nc: NameConstraints?
        var unhandled: [OID] = []
        var defects: [ToleratedDefect] = []
        for (index, ext) in list.enumerated() {
            // Linear scan: at most 64 extensions, and hashing costs more than comparing a few inline OIDs.
            guard !list[..<index].contains(where: { $0.oid == ext.oid }) else {
                throw X509Error(.duplicateExtension, "extension \(ext.oid.name ?? ext.oid.dotted) appears twice")
            }
            func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
                do { return try body() } catch let e as X509Error {
                    throw X509Error(.invalidExtension, "\(what): \(e.reason)", offset: e.offset)
                } catch let e as DERError {
                    throw X509Error(.invalidExtension, "\(what): \(e.reason)", offset: e.offset)
                }
            }
            func mustNotBeCritical(_ what: String, _ kind: ToleratedDefect.Kind) {
                if ext.critical { defects.append(ToleratedDefect(kind, field: "extensions.\(what)", "\(what) is marked critical; RFC 5280 says it MUST NOT be")) }
            }
            switch ext.oid {
            case OID.Extension.basicConstraints: basic = try wrap("basicConstraints") { try BasicConstraints(extnValue: ext.value, defects: &defects) }
            case OID.Extension.keyUsage: ku = try wrap("keyUsage") { try KeyUsage(extnValue: ext.value, defects: &defects) }
            case OID.Extension.extendedKeyUsage: eku = try wrap("extendedKeyUsage") { try ExtendedKeyUsage(extnValue: ext.value) }
            case OID.Extension.subjectAltName:
                san = try wrap("subjectAltName") {
                    var reader = DERReader(ext.value)
                    let seq = try reader.read(.sequence, "GeneralNames")
                    try reader.expectEnd("subjectAltName")
                    return try GeneralName.sequence(seq, "subjectAltName")
                }
            case OID.Extension.subjectKeyIdentifier:
                mustNotBeCritical("subjectKeyIdentifier", .skiCritical)
                ski = try wrap("subjectKeyIdentifier") { try SubjectKeyIdentifier.parse(ext.value) }
            case OID.Extension.authorityKeyIdentifier:
                mustNotBeCritical("authorityKeyIdentifier", .akiCritical)
                aki = try wrap("authorityKeyIdentifier") { try AuthorityKeyIdentifier(extnValue: ext.value, defects: &defects) }
            case OID.Extension.crlDistributionPoints:
                crldp = try wrap("cRLDistributionPoints") { try DistributionPoint.parseList(ext.value, defects: &defects) }
            case OID.Extension.authorityInfoAccess:
                mustNotBeCritical("authorityInfoAccess", .aiaCritical)
                aia = try wrap("authorityInfoAccess") { try AccessDescription.parseList(ext.value, "authorityInfoAccess") }
            case OID.Extension.certificatePolicies:
                policies = try wrap("certificatePolicies") { try PolicyInformation.parseList(ext.value, defects: &defects) }
            case OID.Extension.nameConstraints: nc = try wrap("nameConstraints") { try NameConstraints(extnValue: ext.value, defects: &defects) }
            // SEQUENCE SIZE (1..MAX) OF …, checked for shape and non-emptiness like the ones above (one rule
            // for every such extension), and otherwise not interpreted.
            case OID.Extension.issuerAltName:
                try wrap("issuerAltName") {
                    var reader = DERReader(ext.value)
                    _ = try GeneralName.sequence(reader.read(.sequence, "GeneralNames"), "issuerAltName")
                    try reader.expectEnd("issuerAltName")
                }
                if ext.critical { unhandled.append(ext.oid) }
            case OID.Extension.subjectInfoAccess:
                _ = try wrap("subjectInfoAccess") { try AccessDescription.parseList(ext.value, "subjectInfoAccess") }
                if ext.critical { unhandled.append(ext.oid) }
            case OID.Extension.freshestCRL:
                _ = try wrap("freshestCRL") { try DistributionPoint.parseList(ext.value, defects: &defects, "freshestCRL") }
                if ext.critical { unhandled.append(ext.oid) }
            case OID.Extension.policyMappings, OID.Extension.subjectDirectoryAttributes:
                let what = ext.oid == OID.Extension.policyMappings ? "policyMappings" : "subjectDirectoryAttributes"
                try wrap(what) {
                    let count = try DERReader.parse(ext.value) { r in
                        var count = 0
                        while !r.isAtEnd {
                            try r.nested(.sequence, what: "\(what) entry") { e in
                                _ = try e.readOID("\(what) type")
                                while !e.isAtEnd { _ = try e.readElement() }
                            }
                            count += 1
                        }
                        return count
                    }
                    guard count > 0 else { throw X509Error(.invalidExtension, "\(what) is empty") }
                }
                if ext.critical { unhandled.append(ext.oid) }
            case OID.Extension.policyConstraints:
                try wrap("policyConstraints") { try PolicyConstraintsParser.validate(ext.value, defects: &defects) }
                if ext.critical { unhandled.append(ext.oid) }
            case OID.Extension.inhibitAnyPolicy:
                try wrap("inhibitAnyPolicy") { try InhibitAnyPolicyParser.validate(ext.value) }
                if ext.critical { unhandled.append(ext.oid) }
            default:
                if ext.critical { unhandled.append(ext.oid) }
            }
        }
        all = list
        basicConstraints = basic
        keyUsage = ku
        extendedKeyUsage = eku
        subjectAlternativeNames = san
        subjectKeyIdentifier = ski
        authorityKeyIdentifier = aki
        crlDistributionPoints = crldp
        authorityInformationAccess = aia
        certificatePolicies = policies
        nameConstraints = nc
        unhandledCritical = unhandled
        self.defects = defects
    }

    /// Reads the content of an `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` element.
    static func parseList(_ element: DERElement) throws -> [Extension] {
        let list = try element.parseContent { r in
            var list: [Extension] = []
            while !r.isAtEnd {
                guard list.count < maximumCount else {
                    throw X509Error(.invalidField, "more than \(maximumCount) extensions", offset: r.offset)
                }
                list.append(try r.nested(.sequence, what: "Extension") { e in
                    let oid = try e.readOID("extnID")
                    var critical = false
                    if e.peekTag() == .boolean {
                        critical = try e.readBoolean("Extension critical")
                        guard critical else {
                            throw X509Error(.invalidField, "extension \(oid.name ?? oid.dotted) encodes the DEFAULT critical FALSE", offset: e.offset)
                        }
                    }
                    let value = try e.readOctetString("extnValue")
                    return Extension(oid: oid, critical: critical, slice: value)
                })
            }
            return list
        }
        guard !list.isEmpty else { throw X509Error(.invalidField, "extensions is an empty SEQUENCE (SIZE 1..MAX)", offset: element.offset) }
        return list
    }

    public subscript(oid: OID) -> Extension? { all.first { $0.oid == oid } }
}
