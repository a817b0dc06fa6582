// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// The core/v1 routes the emulator serves: Namespaces (list, get, create, delete) and Secrets (list in a
/// namespace or across all, get, create, update, patch, delete, deletecollection), on the generic store.
extension APIRouter {
    func coreRoute(_ request: APIRequest, path: String) throws(APIStatus) -> APIResponse {
        let parts = path.split(separator: "/").map(String.init)  // api, v1, …
        let rest = Array(parts.dropFirst(2))
        switch rest.count {
        case 1 where rest[0] == "namespaces":
            return try namespaceCollection(request)
        case 1 where rest[0] == "secrets":
            guard request.method == "GET" else { throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource") }
            return try secretList(request, namespace: nil)
        case 2 where rest[0] == "namespaces":
            return try namespaceItem(request, name: rest[1])
        case 3 where rest[0] == "namespaces" && rest[2] == "secrets":
            return try secretCollection(request, namespace: rest[1])
        case 4 where rest[0] == "namespaces" && rest[2] == "secrets":
            return try secretItem(request, namespace: rest[1], name: rest[3])
        default:
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    // MARK: namespaces

    private func namespaceCollection(_ request: APIRequest) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET":
            let (items, rv) = namespaces.list(namespace: nil, matching: try Selector(field: request.query["fieldSelector"], label: request.query["labelSelector"], fields: ["metadata.name"]))
            return .encoded(200, NamespaceList(resourceVersion: rv, items: items))
        case "POST":
            let namespace: Namespace
            if request.contentType.hasPrefix(CSRProtobuf.contentType) {
                // core/v1 Namespace in protobuf: metadata is field 1 (spec and status are set by the server).
                do {
                    let (_, raw) = try ProtobufReader.envelope(request.body)
                    var reader = ProtobufReader(raw)
                    var meta = ObjectMeta()
                    while let (field, value) = try reader.next() {
                        if field == 1 { meta = try CSRProtobuf.decodeMeta(try value.message()) }
                    }
                    var decoded = Namespace(name: meta.name ?? "")
                    decoded.metadata = meta
                    namespace = decoded
                } catch {
                    throw APIStatus.badRequest("the body of the request could not be decoded as protobuf: \(error)")
                }
            } else {
                namespace = try decodeJSON(request, as: "Namespace")
            }
            return .encoded(201, try namespaces.create(namespace, namespace: nil))
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func namespaceItem(_ request: APIRequest, name: String) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET": return .encoded(200, try namespaces.get(namespace: nil, name))
        case "DELETE":
            // Immediate (no Terminating phase): the namespace and its Secrets go at once.
            let deleted = try namespaces.delete(namespace: nil, name, preconditions: try preconditions(request))
            for secret in secrets.list(namespace: name, matching: try Selector(field: nil, label: nil)).items {
                _ = try? secrets.delete(namespace: name, secret.metadata.name ?? "")
            }
            return .encoded(200, deleted)
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// A namespaced request needs its namespace (the apiserver's NamespaceLifecycle admission: 404 for
    /// a write into a namespace that does not exist).
    private func requireNamespace(_ name: String) throws(APIStatus) {
        _ = try namespaces.get(namespace: nil, name)
    }

    // MARK: secrets

    static let secretFields: Set<String> = ["metadata.name", "metadata.namespace", "type"]

    private func secretSelector(_ request: APIRequest) throws(APIStatus) -> Selector {
        try Selector(field: request.query["fieldSelector"], label: request.query["labelSelector"], fields: ["metadata.name", "metadata.namespace"])
    }

    private func secretList(_ request: APIRequest, namespace: String?) throws(APIStatus) -> APIResponse {
        if let watch = request.watchRequest(selector: try secretSelector(request), table: false, source: .secrets(namespace: namespace)) {
            return .watch(watch)
        }
        // The generic store's pages, as for CSRs (client-go's pager lists Secrets in chunks of 500).
        let selector = try secretSelector(request)
        let page = try secrets.page(namespace: namespace, selector, limit: try limit(request), continue: request.query["continue"])
        if request.wantsTable {
            return .body(status: 200, contentType: "application/json", data: SecretTable.table(page.items, resourceVersion: page.resourceVersion, now: store.clock.now()))
        }
        var list = SecretList(resourceVersion: page.resourceVersion, items: page.items)
        list.metadata.continue = page.continueToken
        list.metadata.remainingItemCount = selector.isEmpty ? page.remaining : nil
        return .encoded(200, list)
    }

    private func secretCollection(_ request: APIRequest, namespace: String) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET": return try secretList(request, namespace: namespace)
        case "POST":
            try requireNamespace(namespace)
            let secret = try decodeSecret(request)
            let fields = try FieldManager.forGenericWrite(request, apiVersion: "v1", now: store.clock.now())
            return .encoded(201, try secrets.create(secret, namespace: namespace, managedFields: fields.updateHook(sent: SecretStrategy.asSent(secret))))
        case "DELETE":
            let items = secrets.list(namespace: namespace, matching: try secretSelector(request)).items
            for item in items { _ = try? secrets.delete(namespace: namespace, item.metadata.name ?? "") }
            return .encoded(200, SecretList(resourceVersion: secrets.list(namespace: namespace, matching: try Selector(field: nil, label: nil)).resourceVersion, items: items))
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func secretItem(_ request: APIRequest, namespace: String, name: String) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET":
            let secret = try secrets.get(namespace: namespace, name)
            if request.wantsTable {
                return .body(status: 200, contentType: "application/json", data: SecretTable.table([secret], resourceVersion: secret.metadata.resourceVersion ?? "", now: store.clock.now()))
            }
            return .encoded(200, secret)
        case "PUT":
            let secret = try decodeSecret(request)
            let fields = try FieldManager.forGenericWrite(request, apiVersion: "v1", now: store.clock.now())
            return .encoded(200, try secrets.update(namespace: namespace, name, secret, managedFields: fields.updateHook(sent: SecretStrategy.asSent(secret))))
        case "PATCH":
            var attempts = 0
            while true {
                let current = try secrets.get(namespace: namespace, name)
                let object: Secret = try patchedObject(request, current: current, kind: "Secret")
                do {
                    let fields = try FieldManager.forGenericWrite(request, apiVersion: "v1", now: store.clock.now())
                    return .encoded(200, try secrets.update(namespace: namespace, name, object, managedFields: fields.updateHook(sent: SecretStrategy.asSent(object))))
                } catch where error.code == 409 && object.metadata.resourceVersion == current.metadata.resourceVersion && attempts < 16 {
                    attempts += 1
                }
            }
        case "DELETE":
            let deleted = try secrets.delete(namespace: namespace, name, preconditions: try preconditions(request))
            var status = APIStatus.deleted(name, uid: deleted.metadata.uid ?? "")
            status.details = .init(name: name, kind: "secrets", uid: deleted.metadata.uid)
            return .encoded(200, status)
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func decodeSecret(_ request: APIRequest) throws(APIStatus) -> Secret {
        if request.contentType.hasPrefix(CSRProtobuf.contentType) {
            do {
                return try SecretProtobuf.decode(request.body)
            } catch {
                throw APIStatus.badRequest("the body of the request could not be decoded as protobuf: \(error)")
            }
        }
        return try decodeJSON(request, as: "Secret")
    }

    private func decodeJSON<T: Decodable>(_ request: APIRequest, as kind: String) throws(APIStatus) -> T {
        if !request.contentType.isEmpty && !request.contentType.hasPrefix("application/json") {
            throw APIStatus.unsupportedMediaType(request.contentType)
        }
        do {
            return try KubeJSON.decoder().decode(T.self, from: Data(request.body))
        } catch {
            throw APIStatus.badRequest("the body of the request could not be decoded as a \(kind)")
        }
    }

    /// The object after a JSON merge, strategic merge or JSON patch of `current` (`kind` names it in the
    /// 400 for a result that does not decode; `applyServed` lists server-side apply in the 415).
    func patchedObject<T: Codable>(_ request: APIRequest, current: T, kind name: String, applyServed: Bool = false) throws(APIStatus) -> T {
        guard let kind = Patch.Kind(contentType: request.contentType) else {
            throw APIStatus(code: 415, reason: "UnsupportedMediaType",
                            message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, \(applyServed ? "application/apply-patch+yaml, " : "")application/strategic-merge-patch+json")
        }
        let document: Any
        do {
            document = try AnyJSON.parse(KubeJSON.encoder().encode(current))
        } catch {
            throw APIStatus.internalError("cannot encode the stored object")
        }
        let result = try Patch.apply(kind, patch: request.body, to: document)
        guard AnyJSON.isDocument(result), let data = try? AnyJSON.data(result) else {
            throw APIStatus.badRequest("the patch result is not a JSON object")
        }
        do {
            return try KubeJSON.decoder().decode(T.self, from: data)
        } catch {
            throw APIStatus.badRequest("the patched object could not be decoded as a \(name)")
        }
    }
}

/// `meta.k8s.io/v1` Table of Secrets as the apiserver's printers make it (NAME, TYPE, DATA, AGE).
enum SecretTable {
    static func table(_ items: [Secret], resourceVersion: String, now: Date) -> Data {
        let columns: [[String: Any]] = [
            ["name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0],
            ["name": "Type", "type": "string", "format": "", "description": "Used to facilitate programmatic handling of secret data.", "priority": 0],
            ["name": "Data", "type": "string", "format": "", "description": "Data contains the secret data.", "priority": 0],
            ["name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0],
        ]
        let rows: [[String: Any]] = items.map { secret in
            let age = secret.metadata.creationTimestamp.map { CSRTable.humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>"
            var metadata: [String: Any] = ["name": secret.metadata.name ?? "", "namespace": secret.metadata.namespace ?? "", "resourceVersion": secret.metadata.resourceVersion ?? ""]
            if let uid = secret.metadata.uid { metadata["uid"] = uid }
            return ["cells": [secret.metadata.name ?? "", secret.type ?? "", secret.data?.count ?? 0, age] as [Any],
                    "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]]
        }
        let object: [String: Any] = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": resourceVersion],
                                     "columnDefinitions": columns, "rows": rows]
        return (try? AnyJSON.data(object)) ?? Data()
    }
}
