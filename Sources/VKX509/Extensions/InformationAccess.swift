// SPDX-License-Identifier: Apache-2.0

import VKDER

/// `AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription`,
/// `AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }`.
public struct AccessDescription: Sendable, Hashable {
    public let method: OID
    public let location: GeneralName

    static func parseList(_ extnValue: ArraySlice<UInt8>, _ what: String) throws -> [AccessDescription] {
        let list = try DERReader.parse(extnValue) { r in
            var list: [AccessDescription] = []
            while !r.isAtEnd {
                list.append(try r.nested(.sequence, what: "\(what) AccessDescription") { a in
                    AccessDescription(method: try a.readOID("accessMethod"), location: try GeneralName(from: &a))
                })
            }
            return list
        }
        guard !list.isEmpty else { throw X509Error(.invalidExtension, "\(what) is empty") }
        return list
    }
}

/// `DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL,
/// reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames OPTIONAL }` (RFC 5280 §4.2.1.13).
public struct DistributionPoint: Sendable, Hashable {
    /// `fullName [0] GeneralNames`, when that form is used.
    public let fullName: [GeneralName]?
    /// `nameRelativeToCRLIssuer [1]`, raw, when that form is used.
    public let relativeName: ArraySlice<UInt8>?
    public let reasons: BitString?
    public let crlIssuer: [GeneralName]?

    static func parseList(_ extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect], _ what: String = "cRLDistributionPoints") throws -> [DistributionPoint] {
        let list = try DERReader.parse(extnValue) { r in
            var list: [DistributionPoint] = []
            while !r.isAtEnd {
                list.append(try r.nested(.sequence, what: "DistributionPoint") { d in
                    var full: [GeneralName]? = nil
                    var relative: ArraySlice<UInt8>? = nil
                    if let name = try d.readOptional(.contextConstructed(0)) {
                        try name.parseContent { n in
                            if let f = try n.readOptional(.contextConstructed(0)) {
                                full = try GeneralName.sequence(f, "fullName")
                            } else {
                                relative = try n.read(.contextConstructed(1), "nameRelativeToCRLIssuer").content
                            }
                        }
                    }
                    let reasons = try d.readOptional(.contextPrimitive(1)).map { try $0.bitStringContent("reasons") }
                    let issuer = try d.readOptional(.contextConstructed(2)).map { try GeneralName.sequence($0, "cRLIssuer") }
                    if full == nil && relative == nil && issuer == nil {
                        defects.append(ToleratedDefect(.distributionPointIncomplete, field: "extensions.\(what)",
                            "a DistributionPoint has neither a distributionPoint name nor a cRLIssuer\(reasons != nil ? " (reasons only)" : "")"))
                    }
                    return DistributionPoint(fullName: full, relativeName: relative, reasons: reasons, crlIssuer: issuer)
                })
            }
            return list
        }
        guard !list.isEmpty else { throw X509Error(.invalidExtension, "\(what) is empty") }
        return list
    }
}

/// `PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers SEQUENCE SIZE (1..MAX)
/// OF PolicyQualifierInfo OPTIONAL }` (RFC 5280 §4.2.1.4). Qualifiers are kept raw after their
/// structure (`SEQUENCE { policyQualifierId OID, qualifier ANY }`) is checked.
public struct PolicyInformation: Sendable, Hashable {
    public let identifier: OID
    public let qualifiers: [(OID, ArraySlice<UInt8>)]

    public static func == (a: PolicyInformation, b: PolicyInformation) -> Bool {
        a.identifier == b.identifier && a.qualifiers.elementsEqual(b.qualifiers, by: { $0.0 == $1.0 && $0.1 == $1.1 })
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    static func parseList(_ extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws -> [PolicyInformation] {
        let list = try DERReader.parse(extnValue) { r in
            var list: [PolicyInformation] = []
            var seen = Set<OID>()
            while !r.isAtEnd {
                let info = try r.nested(.sequence, what: "PolicyInformation") { p in
                    let id = try p.readOID("policyIdentifier")
                    var qualifiers: [(OID, ArraySlice<UInt8>)] = []
                    if let q = try p.readOptional(.sequence) {
                        try q.parseContent { qs in
                            while !qs.isAtEnd {
                                qualifiers.append(try qs.nested(.sequence, what: "PolicyQualifierInfo") { pq in
                                    let qid = try pq.readOID("policyQualifierId")
                                    guard !pq.isAtEnd else { throw X509Error(.invalidExtension, "PolicyQualifierInfo is missing its qualifier") }
                                    return (qid, try pq.readElement().encoded)
                                })
                            }
                        }
                        guard !qualifiers.isEmpty else { throw X509Error(.invalidExtension, "policyQualifiers is an empty sequence") }
                    }
                    return PolicyInformation(identifier: id, qualifiers: qualifiers)
                }
                if !seen.insert(info.identifier).inserted {
                    defects.append(ToleratedDefect(.duplicatePolicy, field: "extensions.certificatePolicies", "policy \(info.identifier) is listed more than once"))
                }
                list.append(info)
            }
            return list
        }
        guard !list.isEmpty else { throw X509Error(.invalidExtension, "certificatePolicies is empty") }
        return list
    }
}
