// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import VKYAML

/// The three PATCH bodies the apiserver accepts besides server-side apply, applied to an object's JSON:
///
/// - `application/merge-patch+json` (RFC 7386): objects merge recursively, `null` deletes, anything else
///   replaces (lists included);
/// - `application/strategic-merge-patch+json`: the same, except lists the API marks as maps merge by
///   their key — for CertificateSigningRequests `status.conditions` by `type`
///   (`+listType=map`, `+listMapKey=type` in k8s.io/api/certificates/v1/types.go) — with the `$patch:
///   delete` / `$patch: replace` directives and `$setElementOrder` lists accepted;
/// - `application/json-patch+json` (RFC 6902): add, remove, replace, move, copy and test on JSON pointers.
///
/// Bodies are bounded by the server's request limit; depth is bounded by the decoder. Failures are
/// `metav1.Status` errors as the apiserver words them.
enum Patch {
    /// `application/apply-patch+yaml`: server-side apply.
    static func isApply(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first.map { $0.trimmingSpacesAndTabs } == "application/apply-patch+yaml"
    }

    /// The configuration of an apply (YAML, which JSON is a subset of; bounded compose), checked as the
    /// apiserver checks it: an object whose apiVersion and kind name the resource, and whose
    /// metadata.name, when given, is the one on the URL.
    static func applyConfiguration(_ body: [UInt8], kind: String, apiVersion: String, name: String) throws(APIStatus) -> JSONValue {
        let node: YAMLNode?
        do {
            node = try BoundedYAML.compose(String(decoding: body, as: UTF8.self))
        } catch {
            throw APIStatus.badRequest("error decoding YAML: \(BoundedYAML.describe(error))")
        }
        guard let node, case .mapping = node, let config = try? YAMLDecoder().decode(JSONValue.self, from: node), case .object(var object) = config else {
            throw APIStatus.badRequest("the applied configuration is not an object")
        }
        guard case .string(let sentKind)? = object["kind"], !sentKind.isEmpty else { throw APIStatus.badRequest("Object 'Kind' is missing in the applied configuration") }
        guard case .string(let sentVersion)? = object["apiVersion"], !sentVersion.isEmpty else {
            throw APIStatus.badRequest("Object 'apiVersion' is missing in the applied configuration")
        }
        guard sentKind == kind, sentVersion == apiVersion else {
            throw APIStatus.badRequest("the applied configuration is a \(sentVersion) \(sentKind), not a \(apiVersion) \(kind)")
        }
        var metadata: [String: JSONValue] = [:]
        if case .object(let m)? = object["metadata"] { metadata = m }
        if case .string(let sentName)? = metadata["name"], sentName != name {
            throw APIStatus.badRequest("the name of the object (\(sentName)) does not match the name on the URL (\(name))")
        }
        if metadata["managedFields"] != nil { throw APIStatus.badRequest("metadata.managedFields must be nil") }
        metadata["name"] = .string(name)
        object["metadata"] = .object(metadata)
        return .object(object)
    }

    enum Kind: Sendable {
        case merge, strategic, json

        init?(contentType: String) {
            let type = contentType.split(separator: ";").first.map { $0.trimmingSpacesAndTabs } ?? ""
            switch type {
            case "application/merge-patch+json": self = .merge
            case "application/strategic-merge-patch+json": self = .strategic
            case "application/json-patch+json": self = .json
            default: return nil
            }
        }
    }

    /// Lists that merge by a key under strategic merge patch, by their path from the object root.
    static let strategicMergeKeys: [String: String] = ["status.conditions": "type"]

    /// Most operations a JSON patch may carry (a bound against hostile bodies).
    static let maximumOperations = 10_000

    static func apply(_ kind: Kind, patch body: [UInt8], to document: Any) throws(APIStatus) -> Any {
        let patch: Any
        do {
            patch = try AnyJSON.parse(body)
        } catch {
            throw APIStatus.badRequest("error decoding patch: \(error)")
        }
        switch kind {
        case .merge:
            guard patch is [String: Any] else { throw APIStatus.badRequest("json: cannot unmarshal \(typeName(patch)) into Go value of type map[string]interface {}") }
            return mergePatch(document, patch) ?? JSONNull()
        case .strategic:
            guard let map = patch as? [String: Any] else { throw APIStatus.badRequest("json: cannot unmarshal \(typeName(patch)) into Go value of type map[string]interface {}") }
            return try strategic(document, map, path: "")
        case .json:
            guard let operations = patch as? [Any] else { throw APIStatus.badRequest("json: cannot unmarshal \(typeName(patch)) into Go value of type jsonpatch.Patch") }
            guard operations.count <= maximumOperations else { throw APIStatus.badRequest("the JSON patch has more than \(maximumOperations) operations") }
            return try jsonPatch(document, operations)
        }
    }

    private static func typeName(_ value: Any) -> String {
        switch value {
        case is [Any]: "array"
        case is String: "string"
        case is Bool: "bool"
        case is Int64, is Double: "number"
        case is JSONNull: "null"
        default: "object"
        }
    }

    // MARK: RFC 7386

    static func mergePatch(_ target: Any?, _ patch: Any) -> Any? {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = (target as? [String: Any]) ?? [:]
        for (key, value) in patch {
            if value is JSONNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key], value)
            }
        }
        return result
    }

    // MARK: strategic merge

    private static func strategic(_ target: Any?, _ patch: [String: Any], path: String) throws(APIStatus) -> [String: Any] {
        if patch["$patch"] as? String == "replace" {
            var replaced = patch
            replaced["$patch"] = nil
            return replaced
        }
        var result = (target as? [String: Any]) ?? [:]
        for (key, value) in patch {
            if key == "$patch" || key.hasPrefix("$setElementOrder/") || key == "$retainKeys" { continue }
            let childPath = path.isEmpty ? key : path + "." + key
            if value is JSONNull {
                result[key] = nil
            } else if let mergeKey = strategicMergeKeys[childPath], let items = value as? [Any] {
                result[key] = try mergeList(result[key] as? [Any] ?? [], items, key: mergeKey, path: childPath)
            } else if let map = value as? [String: Any] {
                result[key] = try strategic(result[key], map, path: childPath)
            } else {
                result[key] = value
            }
        }
        return result
    }

    private static func mergeList(_ existing: [Any], _ patch: [Any], key: String, path: String) throws(APIStatus) -> [Any] {
        var result = existing
        for item in patch {
            guard let map = item as? [String: Any], let keyValue = map[key] as? String else {
                throw APIStatus.badRequest("map: \(item) does not contain declared merge key: \(key)")
            }
            let index = result.firstIndex { ($0 as? [String: Any])?[key] as? String == keyValue }
            if map["$patch"] as? String == "delete" {
                if let index { result.remove(at: index) }
                continue
            }
            if let index {
                result[index] = try strategic(result[index], map, path: path)
            } else {
                var added = map
                added["$patch"] = nil
                result.append(added)
            }
        }
        return result
    }

    // MARK: RFC 6902

    private static func jsonPatch(_ document: Any, _ operations: [Any]) throws(APIStatus) -> Any {
        var doc = document
        for raw in operations {
            guard let operation = raw as? [String: Any], let op = operation["op"] as? String, let path = operation["path"] as? String else {
                throw invalidPatch("an operation needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw invalidPatch("add operation does not apply: doc is missing value") }
                doc = try add(doc, pointer, value, path: path)
            case "remove":
                doc = try remove(doc, pointer, path: path).0
            case "replace":
                guard let value = operation["value"] else { throw invalidPatch("replace operation does not apply: doc is missing value") }
                _ = try get(doc, pointer, path: path)
                doc = try add(try remove(doc, pointer, path: path).0, pointer, value, path: path)
            case "move", "copy":
                guard let from = operation["from"] as? String else { throw invalidPatch("\(op) operation does not apply: doc is missing from") }
                let fromPointer = try parsePointer(from)
                let value = try get(doc, fromPointer, path: from)
                if op == "move" { doc = try remove(doc, fromPointer, path: from).0 }
                doc = try add(doc, pointer, value, path: path)
            case "test":
                let actual = try? get(doc, pointer, path: path)
                guard let actual, jsonEqual(actual, operation["value"] ?? JSONNull()) else {
                    throw invalidPatch("testing value \(path) failed: test failed")
                }
            default:
                throw invalidPatch("Unexpected kind: \(op)")
            }
        }
        return doc
    }

    /// The apiserver answers a JSON patch that does not apply with 422 and the jsonpatch error.
    private static func invalidPatch(_ detail: String) -> APIStatus {
        APIStatus(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(detail)")
    }

    private static func parsePointer(_ text: String) throws(APIStatus) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw invalidPatch("JSON pointer \"\(text)\" does not start with /") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    private static func get(_ doc: Any, _ pointer: [String], path: String) throws(APIStatus) -> Any {
        var current = doc
        for token in pointer {
            if let map = current as? [String: Any] {
                guard let next = map[token] else { throw invalidPatch("path \(path) does not exist: missing key \"\(token)\"") }
                current = next
            } else if let list = current as? [Any], let index = Int(token), list.indices.contains(index) {
                current = list[index]
            } else {
                throw invalidPatch("path \(path) does not exist")
            }
        }
        return current
    }

    private static func add(_ doc: Any, _ pointer: [String], _ value: Any, path: String) throws(APIStatus) -> Any {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        if var map = doc as? [String: Any] {
            if rest.isEmpty {
                map[token] = value
            } else {
                guard let child = map[token] else { throw invalidPatch("add operation does not apply: doc is missing path: \(path)") }
                map[token] = try add(child, rest, value, path: path)
            }
            return map
        }
        if var list = doc as? [Any] {
            if rest.isEmpty {
                if token == "-" { list.append(value); return list }
                guard let index = Int(token), (0...list.count).contains(index) else { throw invalidPatch("add operation does not apply: index out of bounds in \(path)") }
                list.insert(value, at: index)
                return list
            }
            guard let index = Int(token), list.indices.contains(index) else { throw invalidPatch("add operation does not apply: doc is missing path: \(path)") }
            list[index] = try add(list[index], rest, value, path: path)
            return list
        }
        throw invalidPatch("add operation does not apply: doc is missing path: \(path)")
    }

    private static func remove(_ doc: Any, _ pointer: [String], path: String) throws(APIStatus) -> (Any, Any) {
        guard let token = pointer.first else { throw invalidPatch("remove operation does not apply: cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        if var map = doc as? [String: Any] {
            guard let child = map[token] else { throw invalidPatch("remove operation does not apply: doc is missing path: \"\(path)\"") }
            if rest.isEmpty {
                map[token] = nil
                return (map, child)
            }
            let (updated, removed) = try remove(child, rest, path: path)
            map[token] = updated
            return (map, removed)
        }
        if var list = doc as? [Any], let index = Int(token), list.indices.contains(index) {
            if rest.isEmpty {
                let removed = list.remove(at: index)
                return (list, removed)
            }
            let (updated, removed) = try remove(list[index], rest, path: path)
            list[index] = updated
            return (list, removed)
        }
        throw invalidPatch("remove operation does not apply: doc is missing path: \"\(path)\"")
    }

    private static func jsonEqual(_ a: Any, _ b: Any) -> Bool {
        guard let x = try? AnyJSON.data(["v": a], sortedKeys: true), let y = try? AnyJSON.data(["v": b], sortedKeys: true)
        else { return false }
        return x == y
    }
}
