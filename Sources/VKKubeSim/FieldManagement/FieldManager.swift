// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// managedFields and server-side apply, reduced to the emulator's objects (k8s.io/apiserver
/// pkg/endpoints/handlers/fieldmanager; sigs.k8s.io/structured-merge-diff merge rules):
/// - create, update and non-apply patches are `Update` operations: the manager takes ownership of the
///   fields it changed, other managers lose them;
/// - apply (`application/apply-patch+yaml`) is an `Apply` operation: the applied configuration's fields
///   are set, fields the manager applied before and no longer applies are removed unless someone else
///   owns them, and setting a field another manager owns to a different value is a conflict (409) unless
///   `force=true`, which takes the field over.
/// The manager is `fieldManager`, else the User-Agent up to its first `/` (prefixFromUserAgent).
struct FieldManager: Sendable {
    let schema: FieldSchema
    let apiVersion: String
    let manager: String
    let subresource: String?
    let now: Date

    /// The manager name for a request: `fieldManager`, else the User-Agent's product name.
    static func manager(fieldManager: String?, userAgent: String) -> String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        let product = userAgent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return String(product.prefix(128))
    }

    /// `fieldManager` as ValidateFieldManager checks it (at most 128 printable characters).
    static func validate(_ fieldManager: String?) throws(APIStatus) {
        guard let fieldManager else { return }
        if fieldManager.count > 128 || fieldManager.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw APIStatus(code: 422, reason: "Invalid",
                            message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Invalid value: \"\(fieldManager.prefix(40))\": must be at most 128 printable characters",
                            details: .init(group: "meta.k8s.io", kind: "PatchOptions"))
        }
    }

    private func isMine(_ entry: ManagedFieldsEntry, operation: String) -> Bool {
        entry.manager == manager && entry.operation == operation && entry.subresource == subresource
    }

    private func entry(_ operation: String, _ paths: Set<FieldPath>) -> ManagedFieldsEntry {
        ManagedFieldsEntry(manager: manager, operation: operation, apiVersion: apiVersion, time: now,
                           fieldsV1: FieldSchema.fieldsV1(paths), subresource: subresource)
    }

    /// The entries after an `Update` from `old` (nil: a create) to `new`, `sent` being what the client sent
    /// (fields the server added on its own, such as a CSR's requester, are nobody's).
    func update(_ entries: [ManagedFieldsEntry], old: JSONValue?, new: JSONValue, sent: JSONValue) -> [ManagedFieldsEntry] {
        let newLeaves = schema.leaves(new)
        let sentLeaves = schema.leaves(sent)
        let changed: Set<FieldPath>
        if let old {
            let oldLeaves = schema.leaves(old)
            changed = newLeaves.union(oldLeaves).filter { schema.value(at: $0, in: old) != schema.value(at: $0, in: new) }
                .filter { sentLeaves.contains($0) || oldLeaves.contains($0) }
        } else {
            changed = sentLeaves.intersection(newLeaves)
        }
        var result: [ManagedFieldsEntry] = []
        var mine = Set<FieldPath>()
        for e in entries {
            if isMine(e, operation: "Update") {
                mine = FieldSchema.paths(e.fieldsV1)
                continue
            }
            var e = e
            let remaining = FieldSchema.paths(e.fieldsV1).subtracting(changed)
            guard !remaining.isEmpty else { continue }
            e.fieldsV1 = FieldSchema.fieldsV1(remaining)
            result.append(e)
        }
        mine = mine.union(changed.intersection(newLeaves)).subtracting(changed.subtracting(newLeaves))
        if !mine.isEmpty { result.append(entry("Update", mine)) }
        return result
    }

    /// The store hook recording an `Update` by this manager, `sent` being the object the client sent.
    func updateHook(sent: CertificateSigningRequestObject) -> CSRStore.ManagedFieldsHook {
        let sentJSON = JSONValue.of(sent)
        return { old, new in
            self.update(old?.metadata.managedFields ?? [], old: old.map { JSONValue.of($0) }, new: JSONValue.of(new), sent: sentJSON)
        }
    }

    /// The same for an object of the generic store.
    func updateHook<Object: StoredObject>(sent: Object) -> ObjectStore<Object>.ManagedFieldsHook {
        let sentJSON = JSONValue.of(sent)
        return { old, new in
            self.update(old?.metadata.managedFields ?? [], old: old.map { JSONValue.of($0) }, new: JSONValue.of(new), sent: sentJSON)
        }
    }

    /// The field manager of a write to the generic store (`fieldManager`, else the User-Agent), with
    /// PatchOptions' fieldManager check; server-side apply is not served there (415).
    static func forGenericWrite(_ request: APIRequest, apiVersion: String, now: Date) throws(APIStatus) -> FieldManager {
        try validate(request.query["fieldManager"])
        return FieldManager(schema: .plain, apiVersion: apiVersion, manager: manager(fieldManager: request.query["fieldManager"], userAgent: request.userAgent),
                            subresource: nil, now: now)
    }

    /// A conflict of an apply with another manager's field.
    struct Conflict {
        let owner: ManagedFieldsEntry
        let path: FieldPath
    }

    /// Applies `config` to `current` (nil: the object does not exist yet): the merged object and the
    /// entries, or the 409 listing the conflicts (worded as managedfields/internal/conflict.go's
    /// NewConflictError and printManager).
    func apply(_ config: JSONValue, to current: JSONValue?, entries: [ManagedFieldsEntry], force: Bool) throws(APIStatus) -> (object: JSONValue, entries: [ManagedFieldsEntry]) {
        let applied = schema.leaves(config)
        var conflicts: [Conflict] = []
        if let current {
            for path in applied.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let live = schema.value(at: path, in: current), live != schema.value(at: path, in: config) else { continue }
                for owner in entries where !isMine(owner, operation: "Apply") && FieldSchema.paths(owner.fieldsV1).contains(path) {
                    conflicts.append(Conflict(owner: owner, path: path))
                }
            }
        }
        if !conflicts.isEmpty && !force { throw Self.conflictStatus(conflicts) }
        var object = current ?? .object([:])
        let previous = entries.first { isMine($0, operation: "Apply") }.map { FieldSchema.paths($0.fieldsV1) } ?? []
        let othersOwn = Set(entries.filter { !isMine($0, operation: "Apply") }.flatMap { FieldSchema.paths($0.fieldsV1) })
        for path in previous.subtracting(applied).subtracting(othersOwn).sorted(by: { $0.count > $1.count }) {
            object = schema.removing(path, from: object)
        }
        for path in applied.sorted(by: { $0.count < $1.count }) {
            if let value = schema.value(at: path, in: config) { object = schema.setting(value, at: path, in: object) }
        }
        let taken = Set(conflicts.map(\.path))
        var result: [ManagedFieldsEntry] = []
        for e in entries where !isMine(e, operation: "Apply") {
            var e = e
            let remaining = FieldSchema.paths(e.fieldsV1).subtracting(taken)
            guard !remaining.isEmpty else { continue }
            e.fieldsV1 = FieldSchema.fieldsV1(remaining)
            result.append(e)
        }
        if !applied.isEmpty { result.append(entry("Apply", applied)) }
        return (object, result)
    }

    /// The Apply entry narrowed to the fields the store kept as applied (a field the resource's strategy
    /// resets, such as a CSR's spec on update, is not owned by the applier).
    func settle(_ entries: [ManagedFieldsEntry], stored: JSONValue, config: JSONValue) -> [ManagedFieldsEntry] {
        entries.compactMap { e in
            guard isMine(e, operation: "Apply") else { return e }
            let kept = FieldSchema.paths(e.fieldsV1).filter { schema.value(at: $0, in: stored) == schema.value(at: $0, in: config) }
            guard !kept.isEmpty else { return nil }
            var e = e
            e.fieldsV1 = FieldSchema.fieldsV1(kept)
            return e
        }
    }

    static func describe(_ owner: ManagedFieldsEntry) -> String {
        var text = "\"\(owner.manager)\""
        if let sub = owner.subresource, !sub.isEmpty { text += " with subresource \"\(sub)\"" }
        if owner.operation == "Update" {
            text += " using \(owner.apiVersion)"
            if let time = owner.time { text += " at \(KubeJSON.format(time))" }
        }
        return text
    }

    static func conflictStatus(_ conflicts: [Conflict]) -> APIStatus {
        let causes = conflicts.map { c in
            APIStatus.Cause(reason: "FieldManagerConflict", message: "conflict with \(describe(c.owner))", field: c.path.map(\.display).joined())
        }
        let message: String
        if conflicts.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(describe(conflicts[0].owner)): \(conflicts[0].path.map(\.display).joined())"
        } else {
            var byOwner: [String: [String]] = [:]
            for c in conflicts { byOwner[describe(c.owner), default: []].append(c.path.map(\.display).joined()) }
            let parts = byOwner.map { owner, paths in
                paths.count == 1 ? "conflicts with \(owner): \(paths[0])" : "conflicts with \(owner):" + paths.map { "\n- \($0)" }.joined()
            }.sorted()
            message = "Apply failed with \(conflicts.count) conflicts: " + parts.joined(separator: "\n")
        }
        return APIStatus(code: 409, reason: "Conflict", message: message, details: .init(causes: causes))
    }
}
