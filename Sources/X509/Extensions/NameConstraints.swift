// SPDX-License-Identifier: Apache-2.0

import DER

/// `NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
/// excludedSubtrees [1] GeneralSubtrees OPTIONAL }` (RFC 5280 §4.2.1.10); at least one present.
/// `GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] OPTIONAL }`:
/// minimum must be absent (0) and maximum absent, as RFC 5280 profiles them.
public struct NameConstraints: Sendable, Hashable {
    public let permitted: [GeneralName]
    public let excluded: [GeneralName]

    init(extnValue: ArraySlice<UInt8>) throws {
        (permitted, excluded) = try DERReader.parse(extnValue) { r in
            let permitted = try r.readOptional(.contextConstructed(0)).map { try NameConstraints.subtrees($0) }
            let excluded = try r.readOptional(.contextConstructed(1)).map { try NameConstraints.subtrees($0) }
            guard permitted != nil || excluded != nil else {
                throw X509Error(.invalidExtension, "nameConstraints has neither permitted nor excluded subtrees")
            }
            return (permitted ?? [], excluded ?? [])
        }
    }

    private static func subtrees(_ element: DERElement) throws -> [GeneralName] {
        let list = try element.parseContent { r in
            var list: [GeneralName] = []
            while !r.isAtEnd {
                list.append(try r.nested(.sequence, what: "GeneralSubtree") { s in
                    let base = try GeneralName(from: &s, context: .constraint)
                    if s.peekTag() == .contextPrimitive(0) {
                        let minimum = try s.readInt(.contextPrimitive(0), "GeneralSubtree minimum")
                        guard minimum != 0 else { throw X509Error(.invalidExtension, "GeneralSubtree encodes the DEFAULT minimum 0") }
                        throw X509Error(.invalidExtension, "GeneralSubtree minimum must be 0 (RFC 5280 §4.2.1.10)")
                    }
                    if s.peekTag() == .contextPrimitive(1) {
                        throw X509Error(.invalidExtension, "GeneralSubtree maximum must be absent (RFC 5280 §4.2.1.10)")
                    }
                    return base
                })
            }
            return list
        }
        guard !list.isEmpty else { throw X509Error(.invalidExtension, "GeneralSubtrees is empty") }
        return list
    }
}

/// `PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL,
/// inhibitPolicyMapping [1] SkipCerts OPTIONAL }`, not empty (RFC 5280 §4.2.1.11).
enum PolicyConstraintsParser {
    static func validate(_ extnValue: ArraySlice<UInt8>) throws {
        try DERReader.parse(extnValue) { r in
            let a = try r.readOptional(.contextPrimitive(0)).map { try $0.integerContent() }
            let b = try r.readOptional(.contextPrimitive(1)).map { try $0.integerContent() }
            guard a != nil || b != nil else { throw X509Error(.invalidExtension, "policyConstraints is an empty sequence") }
        }
    }
}

/// `InhibitAnyPolicy ::= SkipCerts ::= INTEGER (0..MAX)`.
enum InhibitAnyPolicyParser {
    static func validate(_ extnValue: ArraySlice<UInt8>) throws {
        var r = DERReader(extnValue)
        let value = try r.readInt(.integer, "inhibitAnyPolicy")
        try r.expectEnd("inhibitAnyPolicy")
        guard value >= 0 else { throw X509Error(.invalidExtension, "inhibitAnyPolicy is negative") }
    }
}
