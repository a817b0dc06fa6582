// SPDX-License-Identifier: Apache-2.0

import Foundation
import KubeAPI
import Synchronization

/// A watch event as the store records it.
public struct StoreEvent: Sendable {
    public let type: String  // ADDED, MODIFIED, DELETED
    public let object: CertificateSigningRequestObject
    public let resourceVersion: Int
}

/// Which objects a list or watch wants: `metadata.name` / `spec.signerName` field selectors (`=`, `==`, `!=`)
/// and label selectors (`k=v`, `k==v`, `k!=v`, `k`, `!k`).
public struct Selector: Sendable {
    var fieldRequirements: [(field: String, equals: Bool, value: String)] = []
    var labelRequirements: [(key: String, op: String, value: String)] = []

    public init(field: String?, label: String?) throws(APIStatus) {
        for part in (field ?? "").split(separator: ",").map(String.init) where !part.isEmpty {
            let (key, equals, value) = try Selector.split(part)
            guard key == "metadata.name" || key == "spec.signerName" else {
                throw APIStatus.badRequest("field label not supported: \(key)")
            }
            fieldRequirements.append((key, equals, value))
        }
        for part in (label ?? "").split(separator: ",").map(String.init) where !part.isEmpty {
            if part.contains("=") {
                let (key, equals, value) = try Selector.split(part)
                labelRequirements.append((key, equals ? "=" : "!=", value))
            } else if part.hasPrefix("!") {
                labelRequirements.append((String(part.dropFirst()), "!exists", ""))
            } else {
                labelRequirements.append((part, "exists", ""))
            }
        }
    }

    static func split(_ part: String) throws(APIStatus) -> (String, Bool, String) {
        if let range = part.firstRange(of: "!=") { return (String(part[..<range.lowerBound]), false, String(part[range.upperBound...])) }
        if let range = part.firstRange(of: "==") { return (String(part[..<range.lowerBound]), true, String(part[range.upperBound...])) }
        if let range = part.firstRange(of: "=") { return (String(part[..<range.lowerBound]), true, String(part[range.upperBound...])) }
        throw APIStatus.badRequest("invalid selector: \"\(part)\"")
    }

    public func matches(_ csr: CertificateSigningRequestObject) -> Bool {
        for r in fieldRequirements {
            let actual = r.field == "metadata.name" ? (csr.metadata.name ?? "") : (csr.spec.signerName ?? "")
            if (actual == r.value) != r.equals { return false }
        }
        let labels = csr.metadata.labels ?? [:]
        for r in labelRequirements {
            switch r.op {
            case "=": if labels[r.key] != r.value { return false }
            case "!=": if labels[r.key] == r.value { return false }
            case "exists": if labels[r.key] == nil { return false }
            default: if labels[r.key] != nil { return false }
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

    // MARK: writes

    /// POST: name or generateName, validation, identity from the requester, status wiped, uid/time/RV set.
    public func create(_ input: CertificateSigningRequestObject, user: UserInfo) throws(APIStatus) -> CertificateSigningRequestObject {
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
    public func updateApproval(_ name: String, _ input: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input) { (old, new) throws(APIStatus) in
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
    public func updateStatus(_ name: String, _ input: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input) { (old, new) throws(APIStatus) in
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
    public func updateObject(_ name: String, _ input: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        try update(name, input) { (old, new) throws(APIStatus) in
            var result = old
            result.metadata.labels = new.metadata.labels
            result.metadata.annotations = new.metadata.annotations
            return result
        }
    }

    private func update(
        _ name: String, _ input: CertificateSigningRequestObject,
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
            let updated = try transform(old, input)
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

    /// DELETE: immediate; returns the deleted object (the DELETED event carries its last state).
    @discardableResult
    public func delete(_ name: String) throws(APIStatus) -> CertificateSigningRequestObject {
        let event: StoreEvent = try state.withLock { (s: inout State) throws(APIStatus) -> StoreEvent in
            guard let old = s.objects[name] else { throw APIStatus.notFound(name) }
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
