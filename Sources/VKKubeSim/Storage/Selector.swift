// SPDX-License-Identifier: Apache-2.0

import VKKubeAPI

/// Which objects a list or watch wants: `metadata.name` / `spec.signerName` field selectors (`=`, `==`, `!=`)
/// and the full label-selector grammar of k8s.io/apimachinery/pkg/labels (selector.go, Parse): `k=v`,
/// `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, comma-separated, keys and values checked
/// as label syntax; a malformed selector is a 400 "unable to parse requirement".
public struct Selector: Sendable {
    enum LabelOperator: Sendable { case equals, notEquals, exists, notExists, isIn, notIn }
    var fieldRequirements: [(field: String, equals: Bool, value: String)] = []
    var labelRequirements: [(key: String, op: LabelOperator, values: [String])] = []

    /// Whether nothing is selected on (the apiserver reports remainingItemCount only then).
    public var isEmpty: Bool { fieldRequirements.isEmpty && labelRequirements.isEmpty }

    /// `fields`: the field labels the resource supports (CSRs: `metadata.name`, `spec.signerName`).
    public init(field: String?, label: String?, fields: Set<String> = ["metadata.name", "spec.signerName"]) throws(APIStatus) {
        for part in (field ?? "").split(separator: ",").map(String.init) where !part.isEmpty {
            let (key, equals, value) = try Selector.split(part)
            guard fields.contains(key) else {
                throw APIStatus.badRequest("field label not supported: \(key)")
            }
            fieldRequirements.append((key, equals, value))
        }
        for part in try Selector.topLevelParts(label ?? "") {
            labelRequirements.append(try Selector.labelRequirement(part))
        }
    }

    /// Comma-separated parts outside parentheses.
    static func topLevelParts(_ text: String) throws(APIStatus) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            switch ch {
            case "(": depth += 1; current.append(ch)
            case ")":
                depth -= 1
                guard depth >= 0 else { throw APIStatus.badRequest("unable to parse requirement: found ')', expected: identifier or '!'") }
                current.append(ch)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(ch)
            }
        }
        guard depth == 0 else { throw APIStatus.badRequest("unable to parse requirement: found '', expected: ')'") }
        if !current.isEmpty || !parts.isEmpty { parts.append(current) }
        return parts.map { $0.trimmingSpacesAndTabs }
    }

    static func labelRequirement(_ part: String) throws(APIStatus) -> (key: String, op: LabelOperator, values: [String]) {
        func bad(_ why: String) -> APIStatus { APIStatus.badRequest("unable to parse requirement: \(why)") }
        guard !part.isEmpty else { throw bad("found '', expected: identifier") }
        if part.hasPrefix("!") {
            let key = part.dropFirst().trimmingSpacesAndTabs
            try checkKey(key)
            return (key, .notExists, [])
        }
        for (word, op) in [(" notin ", LabelOperator.notIn), (" in ", .isIn)] {
            if let range = part.firstRange(of: word) {
                let key = part[..<range.lowerBound].trimmingSpacesAndTabs
                let list = part[range.upperBound...].trimmingSpacesAndTabs
                guard list.hasPrefix("("), list.hasSuffix(")") else { throw bad("found '\(list)', expected: '('") }
                let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpacesAndTabs }
                try checkKey(key)
                for value in values { try checkValue(value) }
                return (key, op, values)
            }
        }
        if part.contains("=") {
            let (key, equals, value) = try split(part)
            let k = key.trimmingSpacesAndTabs, v = value.trimmingSpacesAndTabs
            try checkKey(k)
            try checkValue(v)
            return (k, equals ? .equals : .notEquals, [v])
        }
        guard !part.contains(" ") else { throw bad("found '\(part.split(separator: " ").last ?? "")', expected: '=', '!=', '==', 'in', notin'") }
        try checkKey(part)
        return (part, .exists, [])
    }

    /// A label key: optional DNS-subdomain prefix and "/", then a name of 1–63 characters, alphanumeric
    /// at both ends, '-', '_' and '.' inside (k8s.io/apimachinery validation IsQualifiedName).
    static func checkKey(_ key: String) throws(APIStatus) {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts.last ?? "")
        let prefixOK = parts.count == 1 || (!parts[0].isEmpty && parts[0].count <= 253 && parts[0].allSatisfy { $0.isLetter && $0.isASCII && $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." })
        guard prefixOK, isLabelName(name), !name.isEmpty else {
            throw APIStatus.badRequest("unable to parse requirement: \(key): Invalid value: \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func checkValue(_ value: String) throws(APIStatus) {
        guard value.isEmpty || isLabelName(value) else {
            throw APIStatus.badRequest("unable to parse requirement: values[0]: Invalid value: \"\(value)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func isLabelName(_ text: String) -> Bool {
        guard (0...63).contains(text.count) else { return false }
        if text.isEmpty { return true }
        let alnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return alnum(text.first!) && alnum(text.last!) && text.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    static func split(_ part: String) throws(APIStatus) -> (String, Bool, String) {
        if let range = part.firstRange(of: "!=") { return (String(part[..<range.lowerBound]), false, String(part[range.upperBound...])) }
        if let range = part.firstRange(of: "==") { return (String(part[..<range.lowerBound]), true, String(part[range.upperBound...])) }
        if let range = part.firstRange(of: "=") { return (String(part[..<range.lowerBound]), true, String(part[range.upperBound...])) }
        throw APIStatus.badRequest("invalid selector: \"\(part)\"")
    }

    /// Whether an object with `labels`, whose field values `field` gives, is selected.
    public func matches(labels: [String: String], field: (String) -> String) -> Bool {
        for r in fieldRequirements {
            if (field(r.field) == r.value) != r.equals { return false }
        }
        for r in labelRequirements {
            let value = labels[r.key]
            switch r.op {
            case .equals: if value != r.values[0] { return false }
            case .notEquals: if value == r.values[0] { return false }
            case .exists: if value == nil { return false }
            case .notExists: if value != nil { return false }
            case .isIn: if value == nil || !r.values.contains(value!) { return false }
            case .notIn: if let value, r.values.contains(value) { return false }
            }
        }
        return true
    }
}
