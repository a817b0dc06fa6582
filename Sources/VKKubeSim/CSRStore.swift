// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import VKKubeAPI

/// A watch event on CSRs.
public typealias StoreEvent = ObjectStore<CertificateSigningRequestObject>.Event

/// CertificateSigningRequests: the generic object store with CSRStrategy, plus what the apiserver does
/// around it for this resource — the requester's identity stamped into the spec at create (from the
/// authenticated user, never from the body), the `/status` and `/approval` subresources, and the CSR
/// cleaner controller.
public final class CSRStore: Sendable {
    /// Events kept for watch resumption; older resourceVersions get 410 Expired.
    public static var historyLimit: Int { ObjectStore<CertificateSigningRequestObject>.historyLimit }

    public let objects: ObjectStore<CertificateSigningRequestObject>
    public var clock: any SimulatorClock { objects.clock }

    public init(clock: any SimulatorClock = SystemClock()) {
        objects = ObjectStore(strategy: CSRStrategy.strategy, clock: clock, initialResourceVersion: 1000)
    }

    /// Called after every change (the signer and auto-approver hook in here); outside the lock.
    public func addObserver(_ observer: @escaping @Sendable (StoreEvent) -> Void) { objects.addObserver(observer) }

    // MARK: reads

    public func get(_ name: String) throws(APIStatus) -> CertificateSigningRequestObject { try objects.get(namespace: nil, name) }

    public func list(_ selector: Selector) -> (items: [CertificateSigningRequestObject], resourceVersion: String) {
        objects.list(namespace: nil, matching: selector)
    }

    public var count: Int { objects.count }

    /// The store's current resourceVersion (what a BOOKMARK event reports).
    public var currentResourceVersion: Int { objects.currentResourceVersion }

    public typealias Page = ObjectStore<CertificateSigningRequestObject>.Page

    public func page(_ selector: Selector, limit: Int?, continue token: String?) throws(APIStatus) -> Page {
        try objects.page(namespace: nil, selector, limit: limit, continue: token)
    }

    // MARK: writes

    public typealias ManagedFieldsHook = ObjectStore<CertificateSigningRequestObject>.ManagedFieldsHook
    public typealias Preconditions = DeletePreconditions

    /// POST: the requester's identity (username, uid, groups with system:authenticated; extra dropped) from
    /// the authenticated user, as the registry's csrStrategy.PrepareForCreate does, then the generic create.
    public func create(_ input: CertificateSigningRequestObject, user: UserInfo, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        var csr = input
        csr.spec.username = user.username
        csr.spec.uid = user.uid
        var groups = user.groups
        if !groups.contains("system:authenticated") { groups.append("system:authenticated") }
        csr.spec.groups = groups
        csr.spec.extra = nil
        return try objects.create(csr, namespace: nil, managedFields: managedFields)
    }

    /// PUT `/approval`.
    public func updateApproval(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try subresource(name, input, managedFields, CSRStrategy.approval(now: clock.now()))
    }

    /// PUT `/status`.
    public func updateStatus(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try subresource(name, input, managedFields, CSRStrategy.status(now: clock.now()))
    }

    /// PUT on the object: metadata only (labels, annotations); spec and status from storage.
    public func updateObject(_ name: String, _ input: CertificateSigningRequestObject, managedFields: ManagedFieldsHook? = nil) throws(APIStatus) -> CertificateSigningRequestObject {
        try checkName(name, input)
        var sent = input
        sent.metadata.name = name
        return try objects.update(namespace: nil, name, sent, managedFields: managedFields)
    }

    private func subresource(
        _ name: String, _ input: CertificateSigningRequestObject, _ managedFields: ManagedFieldsHook?,
        _ transform: (CertificateSigningRequestObject, CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject
    ) throws(APIStatus) -> CertificateSigningRequestObject {
        try checkName(name, input)
        return try objects.update(namespace: nil, name, input, managedFields: managedFields, transform: transform)
    }

    /// A body without a name is taken as naming the URL's object (kubectl's subresource writes send one).
    private func checkName(_ name: String, _ input: CertificateSigningRequestObject) throws(APIStatus) {
        if let bodyName = input.metadata.name, !bodyName.isEmpty, bodyName != name {
            throw APIStatus.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
    }

    /// DELETE: immediate; returns the deleted object.
    @discardableResult
    public func delete(_ name: String, preconditions: Preconditions = .init()) throws(APIStatus) -> CertificateSigningRequestObject {
        try objects.delete(namespace: nil, name, preconditions: preconditions)
    }

    // MARK: watch

    /// Starts a watch. With no resourceVersion (or "0") the current matching objects come first as ADDED;
    /// with one, the recorded events after it are replayed, or 410 Expired when it is older than the history.
    /// `deliver` is called under the store lock, in order: it must only enqueue.
    public func subscribe(from resourceVersion: String?, selector: Selector, deliver: @escaping @Sendable (StoreEvent) -> Void) throws(APIStatus) -> UUID {
        try objects.subscribe(from: resourceVersion, namespace: nil, selector: selector, deliver: deliver)
    }

    public func unsubscribe(_ id: UUID) { objects.unsubscribe(id) }

    /// Forgets the event history (tests use it to force 410 Expired).
    public func compactHistory() { objects.compactHistory() }

    // MARK: cleaner

    /// The CSR cleaner: pending requests go 24 h after creation; approved, denied and failed ones 1 h
    /// after their condition's lastUpdateTime; issued ones also once the certificate expired. Returns the
    /// names deleted.
    @discardableResult
    public func runCleaner() -> [String] {
        let now = clock.now()
        let all = objects.all
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
