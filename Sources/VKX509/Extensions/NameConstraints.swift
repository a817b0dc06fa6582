// SPDX-License-Identifier: Apache-2.0

import VKDER

/// `NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
/// excludedSubtrees [1] GeneralSubtrees OPTIONAL }` (RFC 5280 §4.2.1.10).
/// `GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] OPTIONAL }`.
/// RFC 5280 obliges the issuer to include at least one list, minimum 0 and no maximum; like Go, the parser
/// reads the other forms (and subtree bases in GeneralName forms past [8]), records them as defects, and the
/// chain verifier refuses a certificate carrying them (they would be unhandled constraints).
public struct NameConstraints: Sendable, Hashable {
    public let permitted: [GeneralName]
    public let excluded: [GeneralName]

    init(extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws {
        (permitted, excluded) = try DERReader.parse(extnValue) { r in
            let permitted = try r.readOptional(.contextConstructed(0)).map { try NameConstraints.subtrees($0, "permittedSubtrees", &defects) }
            let excluded = try r.readOptional(.contextConstructed(1)).map { try NameConstraints.subtrees($0, "excludedSubtrees", &defects) }
            if permitted == nil && excluded == nil {
                defects.append(ToleratedDefect(.nameConstraintEmpty, field: "extensions.nameConstraints", "neither permittedSubtrees nor excludedSubtrees is present"))
            }
            return (permitted ?? [], excluded ?? [])
        }
    }

    private static func subtrees(_ element: DERElement, _ what: String, _ defects: inout [ToleratedDefect]) throws -> [GeneralName] {
        let field = "extensions.nameConstraints.\(what)"
        var count = 0
        let list = try element.parseContent { r in
            var list: [GeneralName] = []
            while !r.isAtEnd {
                count += 1
                if let base = try r.nested(.sequence, what: "GeneralSubtree", { s -> GeneralName? in
                    var base: GeneralName? = nil
                    // Go reads only the forms it enforces (dNSName, rfc822Name, iPAddress, URI; and vkcert also
                    // directoryName) and marks any other subtree unhandled without decoding it: so do we, for
                    // forms past [8] and for otherName, x400Address, ediPartyName and registeredID bases that
                    // do not decode.
                    if let tag = s.peekTag(), tag.isContextSpecific, ![1, 2, 4, 6, 7].contains(tag.number) {
                        var attempt = s
                        if tag.number <= 8, let decoded = try? GeneralName(from: &attempt, context: .constraint) {
                            base = decoded
                            s = attempt
                        } else {
                            let unknown = try s.readElement()
                            defects.append(ToleratedDefect(.nameConstraintUnknownForm, field: field,
                                unknown.tag.number > 8 ? "a subtree base is GeneralName [\(unknown.tag.number)], a form RFC 5280 does not define"
                                    : "a subtree base of form [\(unknown.tag.number)] does not decode; the constraint cannot be enforced"))
                        }
                    } else {
                        base = try GeneralName(from: &s, context: .constraint)
                    }
                    if s.peekTag() == .contextPrimitive(0) {
                        let minimum = try s.readIntegerBytes(.contextPrimitive(0), "GeneralSubtree minimum")
                        defects.append(ToleratedDefect(.nameConstraintMinimum, field: field,
                            minimum.allSatisfy { $0 == 0 } ? "minimum encodes its DEFAULT 0" : "minimum is not 0 (RFC 5280 §4.2.1.10)"))
                    }
                    if s.peekTag() == .contextPrimitive(1) {
                        _ = try s.readIntegerBytes(.contextPrimitive(1), "GeneralSubtree maximum")
                        defects.append(ToleratedDefect(.nameConstraintMaximum, field: field, "maximum is present (RFC 5280 §4.2.1.10: MUST be absent)"))
                    }
                    return base
                }) {
                    list.append(base)
                }
            }
            return list
        }
        guard count > 0 else { throw X509Error(.invalidExtension, "GeneralSubtrees is empty") }
        return list
    }
}

/// `PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL,
/// inhibitPolicyMapping [1] SkipCerts OPTIONAL }`; RFC 5280 §4.2.1.11 forbids issuing it empty (tolerated, linted).
enum PolicyConstraintsParser {
    static func validate(_ extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws {
        try DERReader.parse(extnValue) { r in
            let a = try r.readOptional(.contextPrimitive(0)).map { try $0.integerContent() }
            let b = try r.readOptional(.contextPrimitive(1)).map { try $0.integerContent() }
            if a == nil && b == nil {
                defects.append(ToleratedDefect(.policyConstraintsEmpty, field: "extensions.policyConstraints", "policyConstraints is an empty sequence (RFC 5280 §4.2.1.11)"))
            }
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
