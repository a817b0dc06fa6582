// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// A JSON value for field management: objects compared by content, integers kept exact.
indirect enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// `value` as the API's JSON (KubeJSON: RFC 3339 times, base64 bytes).
    static func of<T: Encodable>(_ value: T) -> JSONValue {
        guard let data = try? KubeJSON.encoder().encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return json
    }

    func decode<T: Decodable>(as type: T.Type) throws -> T {
        try KubeJSON.decoder().decode(T.self, from: try JSONEncoder().encode(self))
    }
}

/// One step of a field path: an object field, or the element of a list-map with the given key value
/// (CSR conditions are a list-map keyed by `type`; other lists are atomic, owned as a whole).
enum PathElement: Sendable, Hashable, Comparable {
    case field(String)
    case key(name: String, value: String)

    /// FieldsV1 spelling: `f:name`, `k:{"type":"Approved"}`.
    var serialized: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let name, let value):
            let json = (try? JSONEncoder().encode([name: value])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return "k:" + json
        }
    }

    /// The path notation of conflict messages: `.spec.signerName`, `.status.conditions[type="Approved"]`.
    var display: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let name, let value): return "[\(name)=\"\(value)\"]"
        }
    }

    static func < (a: PathElement, b: PathElement) -> Bool { a.serialized < b.serialized }
}

typealias FieldPath = [PathElement]

/// The schema facts field management needs: which lists are list-maps (and their key), and which
/// top-level and metadata fields are never owned (sigs.k8s.io/structured-merge-diff with the apiserver's
/// ignored fields: apiVersion, kind, and the server-managed metadata).
struct FieldSchema: Sendable {
    /// Dotted paths of list-maps with their key field.
    var listMaps: [String: String]

    static let certificateSigningRequest = FieldSchema(listMaps: ["status.conditions": "type"])
    static let plain = FieldSchema(listMaps: [:])

    static let ignoredMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
        "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    /// Every owned path of `value`: scalar and atomic-list leaves, and each list-map element itself.
    func leaves(_ value: JSONValue) -> Set<FieldPath> {
        var out = Set<FieldPath>()
        guard case .object(let top) = value else { return out }
        for (key, child) in top where key != "apiVersion" && key != "kind" {
            if key == "metadata", case .object(let meta) = child {
                for (m, v) in meta where !Self.ignoredMetadata.contains(m) { collect(v, [.field("metadata"), .field(m)], "metadata.\(m)", &out, depth: 2) }
            } else {
                collect(child, [.field(key)], key, &out, depth: 1)
            }
        }
        return out
    }

    private func collect(_ value: JSONValue, _ path: FieldPath, _ dotted: String, _ out: inout Set<FieldPath>, depth: Int) {
        guard depth <= FieldsV1.maximumDepthForPaths else { out.insert(path); return }
        switch value {
        case .null: return
        case .object(let object):
            if object.isEmpty { return }
            for (k, v) in object { collect(v, path + [.field(k)], dotted + "." + k, &out, depth: depth + 1) }
        case .array(let items):
            if let keyName = listMaps[dotted] {
                for item in items {
                    guard case .object(let element) = item, case .string(let keyValue)? = element[keyName] else { continue }
                    let elementPath = path + [.key(name: keyName, value: keyValue)]
                    out.insert(elementPath)
                    for (k, v) in element { collect(v, elementPath + [.field(k)], dotted + "[]." + k, &out, depth: depth + 2) }
                }
            } else {
                out.insert(path)
            }
        default:
            out.insert(path)
        }
    }

    /// The value at `path` (nil when absent).
    func value(at path: FieldPath, in root: JSONValue) -> JSONValue? {
        var current = root
        for element in path {
            switch (element, current) {
            case (.field(let name), .object(let object)):
                guard let next = object[name] else { return nil }
                current = next
            case (.key(let name, let value), .array(let items)):
                guard let found = items.first(where: { if case .object(let o) = $0, o[name] == .string(value) { return true } else { return false } }) else { return nil }
                current = found
            default:
                return nil
            }
        }
        return current
    }

    /// `root` with `value` stored at `path` (objects and list-map elements created on the way).
    func setting(_ value: JSONValue, at path: FieldPath, in root: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch first {
        case .field(let name):
            var object: [String: JSONValue] = [:]
            if case .object(let existing) = root { object = existing }
            object[name] = setting(value, at: rest, in: object[name] ?? .object([:]))
            return .object(object)
        case .key(let name, let keyValue):
            var items: [JSONValue] = []
            if case .array(let existing) = root { items = existing }
            if let index = items.firstIndex(where: { if case .object(let o) = $0, o[name] == .string(keyValue) { return true } else { return false } }) {
                items[index] = rest.isEmpty ? mergeElement(items[index], value) : setting(value, at: rest, in: items[index])
            } else {
                let element: JSONValue = .object([name: .string(keyValue)])
                items.append(rest.isEmpty ? mergeElement(element, value) : setting(value, at: rest, in: element))
            }
            return .array(items)
        }
    }

    /// A list-map element marker set from an applied element: keep what is there, add its key.
    private func mergeElement(_ existing: JSONValue, _ applied: JSONValue) -> JSONValue {
        guard case .object(var object) = existing, case .object(let new) = applied else { return existing }
        for (k, v) in new where object[k] == nil { object[k] = v }
        return .object(object)
    }

    /// `root` without the value at `path` (a list-map element is removed with its fields).
    func removing(_ path: FieldPath, from root: JSONValue) -> JSONValue {
        guard let first = path.first else { return root }
        let rest = Array(path.dropFirst())
        switch (first, root) {
        case (.field(let name), .object(var object)):
            guard let child = object[name] else { return root }
            if rest.isEmpty { object[name] = nil } else { object[name] = removing(rest, from: child) }
            return .object(object)
        case (.key(let name, let keyValue), .array(var items)):
            guard let index = items.firstIndex(where: { if case .object(let o) = $0, o[name] == .string(keyValue) { return true } else { return false } }) else { return root }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = removing(rest, from: items[index]) }
            return .array(items)
        default:
            return root
        }
    }

    /// The FieldsV1 trie of `paths` (list-map elements carry `.`).
    static func fieldsV1(_ paths: Set<FieldPath>) -> FieldsV1 {
        var root = FieldsV1()
        for path in paths { insert(path[...], into: &root) }
        return root
    }

    private static func insert(_ path: ArraySlice<PathElement>, into node: inout FieldsV1) {
        guard let first = path.first else { return }
        var child = node.children[first.serialized] ?? FieldsV1()
        if case .key = first { child.children["."] = child.children["."] ?? FieldsV1() }
        insert(path.dropFirst(), into: &child)
        node.children[first.serialized] = child
    }

    /// The paths of a FieldsV1 trie (the inverse of `fieldsV1`; unknown key forms are skipped).
    static func paths(_ fields: FieldsV1) -> Set<FieldPath> {
        var out = Set<FieldPath>()
        walk(fields, [], &out, depth: 0)
        return out
    }

    private static func walk(_ node: FieldsV1, _ prefix: FieldPath, _ out: inout Set<FieldPath>, depth: Int) {
        guard depth <= FieldsV1.maximumDepthForPaths else { return }
        if node.children.isEmpty || node.children["."] != nil, !prefix.isEmpty { out.insert(prefix) }
        for (key, child) in node.children where key != "." {
            if key.hasPrefix("f:") {
                walk(child, prefix + [.field(String(key.dropFirst(2)))], &out, depth: depth + 1)
            } else if key.hasPrefix("k:"), let data = key.dropFirst(2).data(using: .utf8),
                      let object = try? JSONDecoder().decode([String: String].self, from: data), object.count == 1, let (name, value) = object.first {
                walk(child, prefix + [.key(name: name, value: value)], &out, depth: depth + 1)
            }
        }
    }
}

extension FieldsV1 {
    /// Paths deeper than this are owned as a whole (no object the emulator serves is this deep).
    static var maximumDepthForPaths: Int { 24 }
}
