// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import Synchronization

/// A watch event as the store records it.
public struct StoreEvent: Sendable {
    public let type: String  // ADDED, MODIFIED, DELETED
    public let object: CertificateSigningRequestObject
    public let resourceVersion: Int
}

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

    public func matches(_ csr: CertificateSigningRequestObject) -> Bool {
        matches(labels: csr.metadata.labels ?? [:]) { field in
            field == "metadata.name" ? (csr.metadata.name ?? "") : (csr.spec.signerName ?? "")
        }
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

/// The emulator's storage and API semantics for CertificateSigningRequests (the apiserver's registry
/// strategy): a name-keyed map, one global monotonically increasing resourceVersion, optimistic
/// concurrency, bounded event history for watch resumption, and subscribers for live watches.
public final class CSRStore: Sendable {
    /// Events kept for watch resumption; older resourceVersions get 410 Expired.
    public static let historyLimit = 1000

    struct Subscriber {
        let selector: Selector
        let deliver: @Sendable (StoreEvent) -> Void
    }

    struct State {
        var objects: [String: CertificateSigningRequestObject] = [:]
        var resourceVersion = 1000
        var history: [StoreEvent] = []
        var subscribers: [UUID: Subscriber] = [:]
    }

    private let state = Mutex(State())
    public let clock: any SimulatorClock
    /// Called after every change (the signer and auto-approver hook in here); outside the lock.
    let onChange: Mutex<[@Sendable (StoreEvent) -> Void]> = Mutex([])

    public init(clock: any SimulatorClock = SystemClock()) {
        self.clock = clock
    }

    public func addObserver(_ observer: @escaping @Sendable (StoreEvent) -> Void) {
        onChange.withLock { $0.append(observer) }
    }

    // MARK: reads

    public func get(_ name: String) throws(APIStatus) -> CertificateSigningRequestObject {
        guard let csr = state.withLock({ $0.objects[name] }) else { throw APIStatus.notFound(name) }
        return csr
    }

    public func list(_ selector: Selector) -> (items: [CertificateSigningRequestObject], resourceVersion: String) {
        state.withLock { s in
            let items = s.objects.values.filter(selector.matches).sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            return (items, String(s.resourceVersion))
        }
    }

    public var count: Int { state.withLock { $0.objects.count } }

    /// The store's current resourceVersion (what a BOOKMARK event reports).
    public var currentResourceVersion: Int { state.withLock { $0.resourceVersion } }

    /// One page of a list: `limit` items in name order after the continue token's position.
    public struct Page: Sendable {
        public let items: [CertificateSigningRequestObject]
        public let resourceVersion: String
        /// Opaque token for the next page (nil on the last).
        public let continueToken: String?
        /// Matching items after this page.
        public let remaining: Int?
    }

    /// A list page. The continue token is opaque to clients — base64 of `{"v":"meta.k8s.io/v1","rv":…,
    /// "start":…}`, the apiserver's shape — and names the resourceVersion of the first page and the last
    /// name served: a malformed one is a 400, one older than the kept history a 410 (as after an etcd
    /// compaction), as the apiserver answers.
    public func page(_ selector: Selector, limit: Int?, continue token: String?) throws(APIStatus) -> Page {
        var start: String? = nil
        var listRV: Int? = nil
        if let token, !token.isEmpty {
            struct Token: Decodable { let v: String; let rv: Int; let start: String }
            guard let data = Data(base64Encoded: token), let decoded = try? JSONDecoder().decode(Token.self, from: data), decoded.v == "meta.k8s.io/v1" else {
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
            let all = s.objects.values.filter(selector.matches).sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            let after = start.map { start in all.filter { ($0.metadata.name ?? "") > start } } ?? all
            let size = limit ?? Int.max
            let items = Array(after.prefix(size))
            let rv = listRV ?? s.resourceVersion
            var next: String? = nil
            if after.count > items.count, let last = items.last?.metadata.name {
                let json = #"{"v":"meta.k8s.io/v1","rv":\#(rv),"start":"\#(last)"}"#
                next = Data(json.utf8).base64EncodedString()
            }
            return Page(items: items, resourceVersion: String(rv), continueToken: next, remaining: next == nil ? nil : after.count - items.count)
        }
    }

    // MARK: writes

    /// POST: name or generateName, validation, identity from the requester, status wiped, uid/time/RV set.
    /// Computes an object's managedFields inside a write, from the stored object before it (nil on
    /// create) and the object about to be stored.
    public typealias ManagedFieldsHook = (_ old: CertificateSigningRequestObject?, _ new: CertificateSigningRequestObject) -> [ManagedFieldsEntry]?

    public func create(_ input: CertificateSigningRequestObject, user: UserInfo, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        var csr = input
        let displayName = csr.metadata.name ?? csr.metadata.generateName ?? ""
        guard csr.metadata.name?.isEmpty == false || csr.metadata.generateName?.isEmpty == false else {
            throw APIStatus.invalid(displayName, [CSRValidation.Cause(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
        }
        let causes = CSRValidation.validateCreate(csr)
        guard causes.isEmpty else { throw APIStatus.invalid(displayName, causes) }
        csr.kind = "CertificateSigningRequest"
        csr.apiVersion = "certificates.k8s.io/v1"
        csr.spec.username = user.username
        csr.spec.uid = user.uid
        var groups = user.groups
        if !groups.contains("system:authenticated") { groups.append("system:authenticated") }
        csr.spec.groups = groups
        csr.spec.extra = nil
        csr.status = CSRStatus()
        csr.metadata.uid = UUID().uuidString.lowercased()
        csr.metadata.creationTimestamp = clock.now()
        let event: StoreEvent = try state.withLock { (s: inout State) throws(APIStatus) -> StoreEvent in
            if csr.metadata.name?.isEmpty ?? true {
                var name: String
                repeat {
                    name = CSRStore.generateName(csr.metadata.generateName ?? "")
                } while s.objects[name] != nil
                csr.metadata.name = name
            }
            let name = csr.metadata.name!
            guard s.objects[name] == nil else { throw APIStatus.alreadyExists(name) }
            csr.metadata.managedFields = managedFields?(nil, csr)
            return record(&s, type: "ADDED", csr)
        }
        notify(event)
        return event.object
    }

    /// apiserver `names.SimpleNameGenerator`: base cut to 58 characters plus 5 from a consonant-digit alphabet.
    static func generateName(_ base: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let prefix = String(base.prefix(58))
        return prefix + String((0..<5).map { _ in alphabet.randomElement()! })
    }

    /// PUT `/approval`: take only the new conditions (timestamps filled), keep spec and certificate.
    public func updateApproval(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input, managedFields) { (old, new) throws(APIStatus) in
            var result = old
            let conditions = CSRStore.stampConditions(new.status?.conditions ?? [], old: old.status?.conditions ?? [], now: self.clock.now())
            let causes = CSRValidation.validateConditions(old: old.status?.conditions ?? [], new: conditions)
            guard causes.isEmpty else { throw APIStatus.invalid(name, causes) }
            result.status = CSRStatus(conditions: conditions, certificate: old.status?.certificate)
            result.metadata.labels = new.metadata.labels ?? old.metadata.labels
            result.metadata.annotations = new.metadata.annotations ?? old.metadata.annotations
            return result
        }
    }

    /// PUT `/status`: spec kept, Approved/Denied may not be added or changed, Failed may be added,
    /// the certificate may be set once.
    public func updateStatus(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input, managedFields) { (old, new) throws(APIStatus) in
            var result = old
            let oldConditions = old.status?.conditions ?? []
            let conditions = CSRStore.stampConditions(new.status?.conditions ?? [], old: oldConditions, now: self.clock.now())
            var causes = CSRValidation.validateConditions(old: oldConditions, new: conditions)
            for type in [CSRCondition.approved, CSRCondition.denied] {
                let before = oldConditions.first { $0.type == type }
                let after = conditions.first { $0.type == type }
                if before == nil && after != nil {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not add a condition of type \"\(type)\"", field: "status.conditions"))
                } else if let before, let after, before.status != after.status || before.reason != after.reason || before.message != after.message {
                    causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not modify a condition of type \"\(type)\"", field: "status.conditions"))
                }
            }
            let oldCertificate = old.status?.certificate ?? Data()
            let newCertificate = new.status?.certificate ?? Data()
            if !oldCertificate.isEmpty && newCertificate != oldCertificate {
                causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: updates may not modify existing certificate content", field: "status.certificate"))
            }
            causes += CSRValidation.validateCertificate(newCertificate)
            guard causes.isEmpty else { throw APIStatus.invalid(name, causes) }
            result.status = CSRStatus(conditions: conditions, certificate: newCertificate.isEmpty ? nil : newCertificate)
            return result
        }
    }

    /// PUT on the object: metadata only (labels, annotations); spec and status from storage.
    public func updateObject(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input, managedFields) { (old, new) throws(APIStatus) in
            var result = old
            result.metadata.labels = new.metadata.labels
            result.metadata.annotations = new.metadata.annotations
            return result
        }
    }

    private func update(
        _ name: String, _ input: CertificateSigningRequestObject, _ managedFields: ManagedFieldsHook?,
        _ transform: (CertificateSigningRequestObject, CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject
    ) throws(APIStatus) -> CertificateSigningRequestObject {
        if let bodyName = input.metadata.name, !bodyName.isEmpty, bodyName != name {
            throw APIStatus.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let event: StoreEvent = try state.withLock { (s: inout State) throws(APIStatus) -> StoreEvent in
            guard let old = s.objects[name] else { throw APIStatus.notFound(name) }
            if let rv = input.metadata.resourceVersion, !rv.isEmpty, rv != old.metadata.resourceVersion {
                throw APIStatus.conflict(name)
            }
            var updated = try transform(old, input)
            updated.metadata.managedFields = managedFields.map { $0(old, updated) } ?? old.metadata.managedFields
            return record(&s, type: "MODIFIED", updated)
        }
        notify(event)
        return event.object
    }

    /// Lowers missing timestamps: lastUpdateTime = now when zero; lastTransitionTime copied from an old
    /// condition with the same type and status, else now.
    static func stampConditions(_ conditions: [CSRCondition], old: [CSRCondition], now: Date) -> [CSRCondition] {
        conditions.map { c in
            var c = c
            if c.lastUpdateTime == nil { c.lastUpdateTime = now }
            if c.lastTransitionTime == nil {
                c.lastTransitionTime = old.first { $0.type == c.type && $0.status == c.status }?.lastTransitionTime ?? now
            }
            return c
        }
    }

    /// DeleteOptions.preconditions: the delete happens only if the object still has this uid / resourceVersion.
    public struct Preconditions: Sendable {
        public var uid: String?
        public var resourceVersion: String?
        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    /// DELETE: immediate; returns the deleted object (the DELETED event carries its last state). A failed
    /// precondition is the apiserver's 409, worded as its etcd3 storage words it (k8s.io/apiserver
    /// pkg/storage/etcd3/store.go checkPreconditions, pkg/storage/interfaces.go Preconditions.Check).
    @discardableResult
    public func delete(_ name: String, preconditions: Preconditions = .init()) throws(APIStatus) -> CertificateSigningRequestObject {
        let event: StoreEvent = try state.withLock { (s: inout State) throws(APIStatus) -> StoreEvent in
            guard let old = s.objects[name] else { throw APIStatus.notFound(name) }
            func failed(_ detail: String) -> APIStatus {
                APIStatus(code: 409, reason: "Conflict",
                          message: "Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io \"\(name)\": StorageError: invalid object, Code: 4, Key: /registry/certificatesigningrequests/\(name), ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: \(detail)")
            }
            if let uid = preconditions.uid, uid != old.metadata.uid {
                throw failed("UID in precondition: \(uid), UID in object meta: \(old.metadata.uid ?? "")")
            }
            if let rv = preconditions.resourceVersion, rv != old.metadata.resourceVersion {
                throw failed("ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(old.metadata.resourceVersion ?? "")")
            }
            return record(&s, type: "DELETED", old)
        }
        notify(event)
        return event.object
    }

    /// Records a change under the lock: bump RV, store or remove, append to history, deliver to watchers.
    private func record(_ s: inout State, type: String, _ object: CertificateSigningRequestObject) -> StoreEvent {
        s.resourceVersion += 1
        var object = object
        object.metadata.resourceVersion = String(s.resourceVersion)
        let name = object.metadata.name!
        if type == "DELETED" { s.objects[name] = nil } else { s.objects[name] = object }
        let event = StoreEvent(type: type, object: object, resourceVersion: s.resourceVersion)
        s.history.append(event)
        if s.history.count > CSRStore.historyLimit { s.history.removeFirst(s.history.count - CSRStore.historyLimit) }
        for subscriber in s.subscribers.values where subscriber.selector.matches(object) {
            subscriber.deliver(event)
        }
        return event
    }

    private func notify(_ event: StoreEvent) {
        for observer in onChange.withLock({ $0 }) { observer(event) }
    }

    // MARK: watch

    /// Starts a watch. With no resourceVersion (or "0") the current matching objects come first as ADDED;
    /// with one, the recorded events after it are replayed, or 410 Expired when it is older than the history.
    /// `deliver` is called under the store lock, in order: it must only enqueue.
    public func subscribe(from resourceVersion: String?, selector: Selector, deliver: @escaping @Sendable (StoreEvent) -> Void) throws(APIStatus) -> UUID {
        let id = UUID()
        try state.withLock { (s: inout State) throws(APIStatus) in
            if let text = resourceVersion, !text.isEmpty, text != "0" {
                guard let rv = Int(text) else { throw APIStatus.badRequest("invalid resourceVersion \"\(text)\"") }
                let oldest = s.history.first?.resourceVersion ?? s.resourceVersion + 1
                if rv < oldest - 1 && rv < s.resourceVersion {
                    throw APIStatus.expired("too old resource version: \(rv) (\(oldest - 1))")
                }
                for event in s.history where event.resourceVersion > rv && selector.matches(event.object) { deliver(event) }
            } else {
                for object in s.objects.values.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) where selector.matches(object) {
                    deliver(StoreEvent(type: "ADDED", object: object, resourceVersion: Int(object.metadata.resourceVersion ?? "0") ?? 0))
                }
            }
            s.subscribers[id] = Subscriber(selector: selector, deliver: deliver)
        }
        return id
    }

    public func unsubscribe(_ id: UUID) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }

    /// Forgets the event history (tests use it to force 410 Expired).
    public func compactHistory() {
        state.withLock { $0.history.removeAll() }
    }

    // MARK: cleaner

    /// The CSR cleaner: pending requests go 24 h after creation; approved, denied and failed ones 1 h
    /// after their condition's lastUpdateTime; issued ones also once the certificate expired. Returns the
    /// names deleted.
    @discardableResult
    public func runCleaner() -> [String] {
        let now = clock.now()
        let all = state.withLock { Array($0.objects.values) }
        var doomed: [String] = []
        for csr in all {
            let conditions = csr.status?.conditions ?? []
            let decided = conditions.filter { [CSRCondition.approved, CSRCondition.denied, CSRCondition.failed].contains($0.type) }
            if decided.isEmpty {
                if let created = csr.metadata.creationTimestamp, now.timeIntervalSince(created) > 24 * 3600 { doomed.append(csr.metadata.name!) }
            } else if let latest = decided.compactMap(\.lastUpdateTime).max(), now.timeIntervalSince(latest) > 3600 {
                doomed.append(csr.metadata.name!)
            }
        }
        for name in doomed { _ = try? delete(name) }
        return doomed
    }
}
