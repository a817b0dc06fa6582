// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import Synchronization

/// An object the generic store keeps: anything with ObjectMeta.
public protocol StoredObject: Codable, Sendable {
    var metadata: ObjectMeta { get set }
}

extension Secret: StoredObject {}
extension Namespace: StoredObject {}

/// What makes one resource different from another in the generic store, as a registry `strategy.go`
/// does for the apiserver (k8s.io/apiserver pkg/registry/rest: PrepareForCreate/Update, Validate,
/// ValidateUpdate): names, scope, and the resource's own preparation and validation.
public struct ResourceStrategy<Object: StoredObject>: Sendable {
    /// Plural resource name (`secrets`).
    public let resource: String
    /// API group ("" for core).
    public let group: String
    /// Kind (`Secret`).
    public let kind: String
    public let namespaced: Bool
    let prepareForCreate: @Sendable (inout Object) -> Void
    let prepareForUpdate: @Sendable (_ new: inout Object, _ old: Object) -> Void
    let validateCreate: @Sendable (Object) -> [APIStatus.Cause]
    let validateUpdate: @Sendable (_ new: Object, _ old: Object) -> [APIStatus.Cause]
    /// The name rule: DNS-1123 subdomain for most resources, a path segment for RBAC objects.
    var nameIsPathSegment = false

    /// `secrets` or `certificatesigningrequests.certificates.k8s.io`, as error messages name resources.
    var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    /// `Secret` or `CertificateSigningRequest.certificates.k8s.io`, as 422 messages name kinds.
    var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

/// The generic object store every resource other than CSRs registers into (k8s.io/apiserver
/// pkg/registry/generic/registry Store, reduced): namespaced or cluster-scoped keys, uid,
/// creationTimestamp, resourceVersion (one counter per store), generateName, optimistic concurrency on
/// update, delete preconditions, label selection — errors worded as the apiserver words them. At most
/// `maximumObjects` objects are kept.
public final class ObjectStore<Object: StoredObject>: Sendable {
    public let strategy: ResourceStrategy<Object>
    let clock: any SimulatorClock
    private let state = Mutex(State())

    /// One change, as a watch delivers it.
    public struct Event: Sendable {
        public let type: String  // ADDED, MODIFIED, DELETED
        public let object: Object
        public let resourceVersion: Int
    }

    struct Subscriber {
        let namespace: String?
        let selector: Selector
        let deliver: @Sendable (Event) -> Void
    }

    struct State {
        var objects: [String: Object] = [:]
        var resourceVersion = 1
        var history: [Event] = []
        var subscribers: [UUID: Subscriber] = [:]
    }

    /// Events kept for watches that resume from a resourceVersion (older ones get 410 Expired).
    static var historyLimit: Int { 1_000 }

    /// Far above what a test or a sandbox creates; a bound on hostile clients.
    public static var maximumObjects: Int { 10_000 }

    public init(strategy: ResourceStrategy<Object>, clock: any SimulatorClock = SystemClock()) {
        self.strategy = strategy
        self.clock = clock
    }

    private func key(_ namespace: String?, _ name: String) -> String {
        strategy.namespaced ? "\(namespace ?? "")/\(name)" : name
    }

    // MARK: errors

    func notFound(_ name: String) -> APIStatus {
        APIStatus(code: 404, reason: "NotFound", message: "\(strategy.qualifiedResource) \"\(name)\" not found",
                  details: .init(name: name, group: strategy.group.isEmpty ? nil : strategy.group, kind: strategy.resource))
    }

    func alreadyExists(_ name: String) -> APIStatus {
        APIStatus(code: 409, reason: "AlreadyExists", message: "\(strategy.qualifiedResource) \"\(name)\" already exists",
                  details: .init(name: name, group: strategy.group.isEmpty ? nil : strategy.group, kind: strategy.resource))
    }

    func conflict(_ name: String) -> APIStatus {
        APIStatus(code: 409, reason: "Conflict",
                  message: "Operation cannot be fulfilled on \(strategy.qualifiedResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                  details: .init(name: name, group: strategy.group.isEmpty ? nil : strategy.group, kind: strategy.resource))
    }

    func invalid(_ name: String, _ causes: [APIStatus.Cause]) -> APIStatus {
        let list = causes.map { "\($0.field): \($0.message)" }
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return APIStatus(code: 422, reason: "Invalid", message: "\(strategy.qualifiedKind) \"\(name)\" is invalid: \(joined)",
                         details: .init(name: name, group: strategy.group.isEmpty ? nil : strategy.group, kind: strategy.kind, causes: causes))
    }

    // MARK: reads

    func matches(_ object: Object, namespace: String?, _ selector: Selector) -> Bool {
        (namespace == nil || object.metadata.namespace == namespace) && selector.matches(labels: object.metadata.labels ?? [:]) { field in
            field == "metadata.name" ? (object.metadata.name ?? "") : field == "metadata.namespace" ? (object.metadata.namespace ?? "") : ""
        }
    }

    /// Records a change (resourceVersion already set on `object`) and hands it to the watches it matches.
    private func record(_ s: inout State, _ type: String, _ object: Object) {
        let event = Event(type: type, object: object, resourceVersion: s.resourceVersion)
        s.history.append(event)
        if s.history.count > Self.historyLimit { s.history.removeFirst(s.history.count - Self.historyLimit) }
        for subscriber in s.subscribers.values where matches(object, namespace: subscriber.namespace, subscriber.selector) {
            subscriber.deliver(event)
        }
    }

    /// Starts a watch: the current objects as ADDED (no resourceVersion, or "0"), or the recorded events
    /// after `resourceVersion` (410 Expired when they are no longer kept), then every change.
    public func subscribe(from resourceVersion: String?, namespace: String?, selector: Selector,
                          deliver: @escaping @Sendable (Event) -> Void) throws(APIStatus) -> UUID {
        let id = UUID()
        try state.withLock { (s: inout State) throws(APIStatus) in
            if let text = resourceVersion, !text.isEmpty, text != "0" {
                guard let rv = Int(text) else { throw APIStatus.badRequest("invalid resourceVersion \"\(text)\"") }
                let oldest = s.history.first?.resourceVersion ?? s.resourceVersion + 1
                if rv < oldest - 1 && rv < s.resourceVersion { throw APIStatus.expired("too old resource version: \(rv) (\(oldest - 1))") }
                for event in s.history where event.resourceVersion > rv && matches(event.object, namespace: namespace, selector) { deliver(event) }
            } else {
                let current = s.objects.values.filter { matches($0, namespace: namespace, selector) }
                    .sorted { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "") }
                for object in current { deliver(Event(type: "ADDED", object: object, resourceVersion: Int(object.metadata.resourceVersion ?? "0") ?? 0)) }
            }
            s.subscribers[id] = Subscriber(namespace: namespace, selector: selector, deliver: deliver)
        }
        return id
    }

    public func unsubscribe(_ id: UUID) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }

    public var currentResourceVersion: Int { state.withLock { $0.resourceVersion } }

    public func get(namespace: String?, _ name: String) throws(APIStatus) -> Object {
        guard let object = state.withLock({ $0.objects[key(namespace, name)] }) else { throw notFound(name) }
        return object
    }

    /// Objects in `namespace` (nil: every namespace) matching `selector`, by namespace then name.
    public func list(namespace: String?, matching selector: Selector) -> (items: [Object], resourceVersion: String) {
        state.withLock { s in
            let items = s.objects.values
                .filter { matches($0, namespace: namespace, selector) }
                .sorted { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "") }
            return (items, String(s.resourceVersion))
        }
    }

    // MARK: writes

    /// POST: name or generateName, the strategy's preparation and validation, uid/time/RV set.
    /// Computes managedFields inside a write from the stored object before it (nil on create) and the
    /// object about to be stored.
    public typealias ManagedFieldsHook = (_ old: Object?, _ new: Object) -> [ManagedFieldsEntry]?

    public func create(_ input: Object, namespace: String?, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> Object {
        var object = input
        let display = object.metadata.name ?? object.metadata.generateName ?? ""
        if strategy.namespaced {
            if let sent = object.metadata.namespace, !sent.isEmpty, sent != namespace {
                throw APIStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.metadata.namespace = namespace
        } else {
            object.metadata.namespace = nil
        }
        if (object.metadata.name ?? "").isEmpty {
            guard let base = object.metadata.generateName, !base.isEmpty else {
                throw invalid(display, [.init(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
            }
            object.metadata.name = CSRStore.generateName(base)
        }
        strategy.prepareForCreate(&object)
        var causes = strategy.nameIsPathSegment ? ObjectNames.validatePathSegment(object.metadata.name ?? "", field: "metadata.name")
            : ObjectNames.validate(object.metadata.name ?? "", field: "metadata.name")
        causes += strategy.validateCreate(object)
        guard causes.isEmpty else { throw invalid(object.metadata.name ?? display, causes) }
        object.metadata.uid = UUID().uuidString.lowercased()
        object.metadata.creationTimestamp = clock.now()
        let stored: Object = try state.withLock { (s: inout State) throws(APIStatus) -> Object in
            let k = key(namespace, object.metadata.name!)
            guard s.objects[k] == nil else { throw alreadyExists(object.metadata.name!) }
            guard s.objects.count < Self.maximumObjects else {
                throw APIStatus(code: 507, reason: "InsufficientStorage", message: "the emulator keeps at most \(Self.maximumObjects) \(strategy.resource)")
            }
            object.metadata.managedFields = managedFields?(nil, object)
            s.resourceVersion += 1
            object.metadata.resourceVersion = String(s.resourceVersion)
            s.objects[k] = object
            record(&s, "ADDED", object)
            return object
        }
        return stored
    }

    /// PUT: the stored object replaced by `input` after the strategy's preparation and update validation;
    /// a resourceVersion that is not the stored one is the 409 conflict (none: unconditional).
    public func update(namespace: String?, _ name: String, _ input: Object, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> Object {
        try state.withLock { (s: inout State) throws(APIStatus) -> Object in
            let k = key(namespace, name)
            guard let old = s.objects[k] else { throw notFound(name) }
            if let sentName = input.metadata.name, sentName != name {
                throw APIStatus.badRequest("the name of the object (\(sentName)) does not match the name on the URL (\(name))")
            }
            if let rv = input.metadata.resourceVersion, !rv.isEmpty, rv != old.metadata.resourceVersion { throw conflict(name) }
            var object = input
            object.metadata.name = name
            object.metadata.namespace = old.metadata.namespace
            object.metadata.uid = old.metadata.uid
            object.metadata.creationTimestamp = old.metadata.creationTimestamp
            strategy.prepareForUpdate(&object, old)
            let causes = strategy.validateUpdate(object, old)
            guard causes.isEmpty else { throw invalid(name, causes) }
            object.metadata.managedFields = managedFields.map { $0(old, object) } ?? old.metadata.managedFields
            s.resourceVersion += 1
            object.metadata.resourceVersion = String(s.resourceVersion)
            s.objects[k] = object
            record(&s, "MODIFIED", object)
            return object
        }
    }

    /// DELETE with preconditions (409 worded as the etcd3 storage words it).
    @discardableResult
    public func delete(namespace: String?, _ name: String, preconditions: CSRStore.Preconditions = .init()) throws(APIStatus) -> Object {
        try state.withLock { (s: inout State) throws(APIStatus) -> Object in
            let k = key(namespace, name)
            guard let old = s.objects[k] else { throw notFound(name) }
            func failed(_ detail: String) -> APIStatus {
                let registryKey = "/registry/\(strategy.resource)/\(k)"
                return APIStatus(code: 409, reason: "Conflict",
                                 message: "Operation cannot be fulfilled on \(strategy.qualifiedResource) \"\(name)\": StorageError: invalid object, Code: 4, Key: \(registryKey), ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: \(detail)")
            }
            if let uid = preconditions.uid, uid != old.metadata.uid {
                throw failed("UID in precondition: \(uid), UID in object meta: \(old.metadata.uid ?? "")")
            }
            if let rv = preconditions.resourceVersion, rv != old.metadata.resourceVersion {
                throw failed("ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(old.metadata.resourceVersion ?? "")")
            }
            s.objects[k] = nil
            s.resourceVersion += 1
            var gone = old
            gone.metadata.resourceVersion = String(s.resourceVersion)
            record(&s, "DELETED", gone)
            return old
        }
    }
}

/// Object-name rules (k8s.io/apimachinery pkg/util/validation: IsDNS1123Subdomain, the rule for most
/// resources' names, Secrets and Namespaces' labels alike).
enum ObjectNames {
    static let subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    static func isLabel(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 63 && text.first != "-" && text.last != "-"
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func isSubdomain(_ text: String) -> Bool {
        text.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel)
    }

    /// path.ValidatePathSegmentName (RBAC object names such as `system:node-bootstrapper`).
    static func validatePathSegment(_ name: String, field: String) -> [APIStatus.Cause] {
        var problems: [String] = []
        if name == "." || name == ".." { problems.append("may not be '\(name)'") }
        if name.contains("/") { problems.append("may not contain '/'") }
        if name.contains("%") { problems.append("may not contain '%'") }
        return problems.map { .init(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \($0)", field: field) }
    }

    static func validate(_ name: String, field: String, label: Bool = false) -> [APIStatus.Cause] {
        if label {
            if isLabel(Substring(name)) { return [] }
            return [.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(labelMessage)", field: field)]
        }
        if isSubdomain(name) { return [] }
        return [.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(subdomainMessage)", field: field)]
    }
}
