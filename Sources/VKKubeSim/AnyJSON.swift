// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// JSON null in an untyped document (what `NSNull` was under JSONSerialization).
struct JSONNull: Sendable, Hashable {}

/// Untyped JSON documents for the patch code and the Table printers, in place of Foundation's
/// JSONSerialization (not in FoundationEssentials): parsed through ``JSONValue`` (JSONDecoder) into
/// `[String: Any]`, `[Any]`, `String`, `Bool`, `Int64`, `Double` and ``JSONNull``, and written back the
/// same way (JSONEncoder, keys sorted when asked).
enum AnyJSON {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ bytes: some Collection<UInt8>) throws -> Any {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw Invalid(description: "invalid JSON")
        }
        return untyped(value)
    }

    static func untyped(_ value: JSONValue) -> Any {
        switch value {
        case .null: JSONNull()
        case .bool(let b): b
        case .integer(let i): i
        case .number(let d): d
        case .string(let s): s
        case .array(let items): items.map(untyped)
        case .object(let members): members.mapValues(untyped)
        }
    }

    /// nil for a value that is not JSON (a non-finite number, a type JSON has no form for).
    static func typed(_ value: Any) -> JSONValue? {
        switch value {
        case is JSONNull: return .null
        case let b as Bool: return .bool(b)
        case let i as Int64: return .integer(i)
        case let i as Int: return .integer(Int64(i))
        case let i as Int32: return .integer(Int64(i))
        case let d as Double: return d.isFinite ? .number(d) : nil
        case let s as String: return .string(s)
        case let items as [Any]:
            var out: [JSONValue] = []
            for item in items {
                guard let v = typed(item) else { return nil }
                out.append(v)
            }
            return .array(out)
        case let members as [String: Any]:
            var out: [String: JSONValue] = [:]
            for (key, member) in members {
                guard let v = typed(member) else { return nil }
                out[key] = v
            }
            return .object(out)
        default: return nil
        }
    }

    static func data(_ value: Any, sortedKeys: Bool = false) throws -> Data {
        guard let json = typed(value) else { throw Invalid(description: "not a JSON value") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = sortedKeys ? [.sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        return try encoder.encode(json)
    }

    /// What JSONSerialization.isValidJSONObject accepted: a top-level object or array of JSON values.
    static func isDocument(_ value: Any) -> Bool {
        (value is [String: Any] || value is [Any]) && typed(value) != nil
    }
}
