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
    /// The name rule: DNS-1123 subdomain for most resources, a path segment for RBAC objects, none for
    /// CSRs.
    var nameRule: NameRule = .subdomain
    /// Field-selector values beyond metadata.name and metadata.namespace (CSRs: spec.signerName).
    var fieldValue: @Sendable (Object, String) -> String? = { _, _ in nil }

    public enum NameRule: Sendable {
        /// IsDNS1123Subdomain (most resources).
        case subdomain
        /// path.ValidatePathSegmentName (RBAC objects: `system:node-bootstrapper`).
        case pathSegment
        /// No rule: pkg/apis/certificates/validation ValidateCertificateRequestName returns nil ("We don't
        /// care what you call your certificate requests").
        case unchecked
    }

    /// `secrets` or `certificatesigningrequests.certificates.k8s.io`, as error messages name resources.
    var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    /// `Secret` or `CertificateSigningRequest.certificates.k8s.io`, as 422 messages name kinds.
    var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

/// The generic object store every resource registers into with its strategy (k8s.io/apiserver
/// pkg/registry/generic/registry Store, reduced): namespaced or cluster-scoped keys, uid,
/// creationTimestamp, resourceVersion (one counter per store), generateName, optimistic concurrency on
/// update (PUT through the strategy, or a subresource's own transform), delete preconditions, label and
/// field selection, list pages with continue tokens, watches with a bounded history, and observers (the
/// emulator's controllers) — errors worded as the apiserver words them. At most `maximumObjects` objects
/// are kept.
public final class ObjectStore<Object: StoredObject>: Sendable {
    public let strategy: ResourceStrategy<Object>
    let clock: any SimulatorClock
    private let state: Mutex<State>

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
        var resourceVersion: Int
        var history: [Event] = []
        var subscribers: [UUID: Subscriber] = [:]
    }

    /// Called after every change, outside the lock, in order (the emulator's signer and approvers).
    private let observers: Mutex<[@Sendable (Event) -> Void]> = Mutex([])

    /// Events kept for watches that resume from a resourceVersion (older ones get 410 Expired).
    static var historyLimit: Int { 1_000 }

    /// Far above what a test or a sandbox creates; a bound on hostile clients.
    public static var maximumObjects: Int { 10_000 }

    /// `initialResourceVersion`: where this store's counter starts (each store has its own, as if each
    /// resource were its own etcd; CSRs start at 1000 so their versions never look like a Secret's).
    public init(strategy: ResourceStrategy<Object>, clock: any SimulatorClock = SystemClock(), initialResourceVersion: Int = 1) {
        self.strategy = strategy
        self.clock = clock
        state = Mutex(State(resourceVersion: initialResourceVersion))
    }

    public func addObserver(_ observer: @escaping @Sendable (Event) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    private func notify(_ event: Event) {
        for observer in observers.withLock({ $0 }) { observer(event) }
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
            switch field {
            case "metadata.name": object.metadata.name ?? ""
            case "metadata.namespace": object.metadata.namespace ?? ""
            default: strategy.fieldValue(object, field) ?? ""
            }
        }
    }

    /// Records a change (resourceVersion already set on `object`) and hands it to the watches it matches.
    @discardableResult
    private func record(_ s: inout State, _ type: String, _ object: Object) -> Event {
        let event = Event(type: type, object: object, resourceVersion: s.resourceVersion)
        s.history.append(event)
        if s.history.count > Self.historyLimit { s.history.removeFirst(s.history.count - Self.historyLimit) }
        for subscriber in s.subscribers.values where matches(object, namespace: subscriber.namespace, subscriber.selector) {
            subscriber.deliver(event)
        }
        return event
    }

    /// (namespace, name) of a namespaced key; neither part may contain "/".
    private static func position(ofKey key: String) -> (String, String) {
        guard let slash = key.firstIndex(of: "/") else { return ("", key) }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }

    private static func byNamespaceAndName(_ a: Object, _ b: Object) -> Bool {
        (a.metadata.namespace ?? "", a.metadata.name ?? "") < (b.metadata.namespace ?? "", b.metadata.name ?? "")
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
                let current = s.objects.values.filter { matches($0, namespace: namespace, selector) }.sorted(by: Self.byNamespaceAndName)
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

    public var count: Int { state.withLock { $0.objects.count } }

    /// Forgets the event history (tests use it to force 410 Expired).
    public func compactHistory() {
        state.withLock { $0.history.removeAll() }
    }

    public func get(namespace: String?, _ name: String) throws(APIStatus) -> Object {
        guard let object = state.withLock({ $0.objects[key(namespace, name)] }) else { throw notFound(name) }
        return object
    }

    /// Objects in `namespace` (nil: every namespace) matching `selector`, by namespace then name.
    public func list(namespace: String?, matching selector: Selector) -> (items: [Object], resourceVersion: String) {
        state.withLock { s in
            let items = s.objects.values.filter { matches($0, namespace: namespace, selector) }.sorted(by: Self.byNamespaceAndName)
            return (items, String(s.resourceVersion))
        }
    }

    /// One page of a list: `limit` items in (namespace, name) order after the continue token's position.
    public struct Page: Sendable {
        public let items: [Object]
        public let resourceVersion: String
        /// Opaque token for the next page (nil on the last).
        public let continueToken: String?
        /// Matching items after this page.
        public let remaining: Int?
    }

    /// A list page. The continue token is opaque to clients — base64 of `{"v":"meta.k8s.io/v1","rv":…,
    /// "start":…}`, the apiserver's shape (k8s.io/apiserver pkg/storage continue.go EncodeContinue) — and
    /// names the resourceVersion of the first page and the last key served: a malformed one is a 400, one
    /// older than the kept history a 410 (as after an etcd compaction), as the apiserver answers.
    public func page(namespace: String?, _ selector: Selector, limit: Int?, continue token: String?) throws(APIStatus) -> Page {
        var start: String? = nil
        var listRV: Int? = nil
        if let token, !token.isEmpty {
            guard let data = Data(base64Encoded: token), let decoded = try? JSONDecoder().decode(ContinueToken.self, from: data), decoded.v == "meta.k8s.io/v1" else {
                throw APIStatus.badRequest("continue key is not valid: illegal base64 data or unknown version")
            }
            start = decoded.start
            listRV = decoded.rv
        }
        return try state.withLock { (s: inout State) throws(APIStatus) -> Page in
            if let listRV {
                let oldest = s.history.first?.resourceVersion ?? s.resourceVersion
                if listRV < oldest - 1 && listRV < s.resourceVersion {
                    throw APIStatus.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                }
            }
            let all = s.objects.values.filter { matches($0, namespace: namespace, selector) }.sorted(by: Self.byNamespaceAndName)
            // The token's key ("ns/name", or the name) is compared in the list's own (namespace, name) order:
            // as strings, "pages-a/x" sorts before "pages/y" although namespace "pages" lists first.
            let after = start.map { start in
                let position = strategy.namespaced ? Self.position(ofKey: start) : ("", start)
                return all.filter { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") > position }
            } ?? all
            let items = Array(after.prefix(limit ?? Int.max))
            let rv = listRV ?? s.resourceVersion
            var next: String? = nil
            if after.count > items.count, let last = items.last {
                // Encoded, not interpolated: CSR names are unchecked and may hold '"' or '\\'.
                let token = ContinueToken(v: "meta.k8s.io/v1", rv: rv, start: key(last.metadata.namespace, last.metadata.name ?? ""))
                next = (try? JSONEncoder().encode(token)).map { Data($0).base64EncodedString() }
            }
            return Page(items: items, resourceVersion: String(rv), continueToken: next, remaining: next == nil ? nil : after.count - items.count)
        }
    }

    // MARK: writes

    /// Computes managedFields inside a write from the stored object before it (nil on create) and the
    /// object about to be stored.
    public typealias ManagedFieldsHook = (_ old: Object?, _ new: Object) -> [ManagedFieldsEntry]?

    /// DeleteOptions.preconditions: the delete happens only if the object still has this uid / resourceVersion.
    public typealias Preconditions = DeletePreconditions

    /// POST: name or generateName (a generated name is retried until free, as the store does since
    /// KEP-4420), the strategy's preparation, the name rule and validation, uid/time/RV set — in
    /// rest.BeforeCreate's order, so a 422 names the generated name.
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
        let generated = (object.metadata.name ?? "").isEmpty
        if generated {
            guard let base = object.metadata.generateName, !base.isEmpty else {
                throw invalid(display, [.init(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
            }
            object.metadata.name = Self.generateName(base)
        }
        strategy.prepareForCreate(&object)
        var causes: [APIStatus.Cause]
        switch strategy.nameRule {
        case .subdomain: causes = ObjectNames.validate(object.metadata.name ?? "", field: "metadata.name")
        case .pathSegment: causes = ObjectNames.validatePathSegment(object.metadata.name ?? "", field: "metadata.name")
        case .unchecked: causes = []
        }
        causes += strategy.validateCreate(object)
        guard causes.isEmpty else { throw invalid(object.metadata.name ?? display, causes) }
        object.metadata.uid = UUID().uuidString.lowercased()
        object.metadata.creationTimestamp = clock.now()
        let event: Event = try state.withLock { (s: inout State) throws(APIStatus) -> Event in
            if generated {
                while s.objects[key(namespace, object.metadata.name!)] != nil { object.metadata.name = Self.generateName(object.metadata.generateName!) }
            }
            let k = key(namespace, object.metadata.name!)
            guard s.objects[k] == nil else { throw alreadyExists(object.metadata.name!) }
            guard s.objects.count < Self.maximumObjects else {
                throw APIStatus(code: 507, reason: "InsufficientStorage", message: "the emulator keeps at most \(Self.maximumObjects) \(strategy.resource)")
            }
            object.metadata.managedFields = managedFields?(nil, object)
            s.resourceVersion += 1
            object.metadata.resourceVersion = String(s.resourceVersion)
            s.objects[k] = object
            return record(&s, "ADDED", object)
        }
        notify(event)
        return event.object
    }

    /// apiserver `names.SimpleNameGenerator`: base cut to 58 characters plus 5 from a consonant-digit alphabet.
    static func generateName(_ base: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(base.prefix(58)) + String((0..<5).map { _ in alphabet.randomElement()! })
    }

    /// PUT: the stored object replaced by `input` after the strategy's preparation and update validation;
    /// a resourceVersion that is not the stored one is the 409 conflict (none: unconditional).
    public func update(namespace: String?, _ name: String, _ input: Object, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> Object {
        if let sentName = input.metadata.name, sentName != name {
            throw APIStatus.badRequest("the name of the object (\(sentName)) does not match the name on the URL (\(name))")
        }
        return try update(namespace: namespace, name, input, managedFields: managedFields) { (old, input) throws(APIStatus) -> Object in
            var object = input
            object.metadata.name = name
            object.metadata.namespace = old.metadata.namespace
            object.metadata.uid = old.metadata.uid
            object.metadata.creationTimestamp = old.metadata.creationTimestamp
            strategy.prepareForUpdate(&object, old)
            let causes = strategy.validateUpdate(object, old)
            guard causes.isEmpty else { throw invalid(name, causes) }
            return object
        }
    }

    /// An update through `transform` (the stored object and the one sent → the one to store): what a
    /// subresource's own strategy does (CSR /status and /approval), with the store's optimistic
    /// concurrency — a resourceVersion in `input` that is not the stored one is the 409 conflict.
    public func update(
        namespace: String?, _ name: String, _ input: Object, managedFields: ManagedFieldsHook? = nil,
        transform: (_ old: Object, _ input: Object) throws(APIStatus) -> Object
    ) throws(APIStatus) -> Object {
        let event: Event = try state.withLock { (s: inout State) throws(APIStatus) -> Event in
            let k = key(namespace, name)
            guard let old = s.objects[k] else { throw notFound(name) }
            if let rv = input.metadata.resourceVersion, !rv.isEmpty, rv != old.metadata.resourceVersion { throw conflict(name) }
            var object = try transform(old, input)
            object.metadata.managedFields = managedFields.map { $0(old, object) } ?? old.metadata.managedFields
            s.resourceVersion += 1
            object.metadata.resourceVersion = String(s.resourceVersion)
            s.objects[k] = object
            return record(&s, "MODIFIED", object)
        }
        notify(event)
        return event.object
    }

    /// DELETE with preconditions (409 worded as the etcd3 storage words it: k8s.io/apiserver
    /// pkg/storage/etcd3/store.go checkPreconditions, pkg/storage/interfaces.go Preconditions.Check).
    /// Returns the object as it was last stored with the deletion's resourceVersion — what the etcd3 store
    /// decodes after the delete (conditionalDelete: the previous value at deleteResp.Header.Revision) — and
    /// the DELETED event carries the same.
    @discardableResult
    public func delete(namespace: String?, _ name: String, preconditions: Preconditions = .init()) throws(APIStatus) -> Object {
        let (event, deleted): (Event, Object) = try state.withLock { (s: inout State) throws(APIStatus) -> (Event, Object) in
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
            return (record(&s, "DELETED", gone), gone)
        }
        notify(event)
        return deleted
    }

    /// Every stored object (for the emulator's controllers, such as the CSR cleaner).
    public var all: [Object] { state.withLock { Array($0.objects.values) } }
}

/// What a list's continue token holds (base64 JSON, as the apiserver's).
struct ContinueToken: Codable {
    let v: String
    let rv: Int
    let start: String
}

/// DeleteOptions.preconditions: the delete happens only if the object still has this uid / resourceVersion.
public struct DeletePreconditions: Sendable {
    public var uid: String?
    public var resourceVersion: String?
    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
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
