// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI
import Synchronization

/// One HTTP request as the router sees it (transport-independent, so the API semantics test without sockets).
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var accept: String
    public var contentType: String
    public var body: [UInt8]
    public var user: UserInfo
    /// `Impersonate-*` headers, when sent.
    public var impersonation: Impersonation?
    /// The User-Agent (names the field manager when `fieldManager` is not given).
    public var userAgent = ""

    public init(method: String, target: String, accept: String = "application/json", contentType: String = "", body: [UInt8] = [],
                user: UserInfo, impersonation: Impersonation? = nil) {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEscapes ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).replacing("+", with: " ").removingPercentEscapes ?? String(kv[1])) : ""
                query[key] = value
            }
        }
        self.query = query
        self.accept = accept
        self.contentType = contentType
        self.body = body
        self.user = user
        self.impersonation = impersonation
    }

    var wantsTable: Bool { accept.contains("as=Table") }

    /// A boolean query parameter as apimachinery converts one (runtime/conversion.go,
    /// Convert_Slice_string_To_bool): absent is false; 0, f, n, false, no, off (any case) are false; anything
    /// else is true.
    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return !["0", "f", "n", "false", "no", "off"].contains(value.lowercased())
    }

    /// The watch a GET of a collection asks for (`watch`, `resourceVersion`, `timeoutSeconds`,
    /// `allowWatchBookmarks`), or nil for a list.
    func watchRequest(selector: Selector, table: Bool, source: WatchSource) -> WatchRequest? {
        guard flag("watch") else { return nil }
        var watch = WatchRequest(selector: selector, resourceVersion: query["resourceVersion"],
                                 timeoutSeconds: query["timeoutSeconds"].flatMap(Int.init), table: table)
        watch.allowBookmarks = flag("allowWatchBookmarks")
        watch.source = source
        return watch
    }
}

/// What to send back.
public enum APIResponse: Sendable {
    case body(status: Int, contentType: String, data: Data)
    case watch(WatchRequest)

    static func json(_ status: Int, _ text: String) -> APIResponse {
        .body(status: status, contentType: "application/json", data: Data(text.utf8))
    }

    static func encoded(_ status: Int, _ value: some Encodable) -> APIResponse {
        let data = (try? KubeJSON.encoder().encode(value)) ?? Data()
        return .body(status: status, contentType: "application/json", data: data)
    }

    static func error(_ status: APIStatus) -> APIResponse { encoded(status.code, status) }

    /// The HTTP status code (watches answer 200).
    public var statusCode: Int {
        if case .body(let status, _, _) = self { return status }
        return 200
    }

    public var data: Data {
        if case .body(_, _, let data) = self { return data }
        return Data()
    }
}

/// A watch the transport must serve: events from `resourceVersion` matching `selector`, for at most
/// `timeoutSeconds`, rendered as one-row Tables when `table`.
public struct WatchRequest: Sendable {
    public let selector: Selector
    public let resourceVersion: String?
    public let timeoutSeconds: Int?
    public let table: Bool
    /// `allowWatchBookmarks=true`: BOOKMARK events carry the current resourceVersion.
    public var allowBookmarks = false
    /// What is watched.
    public var source: WatchSource = .certificateSigningRequests
}

/// The collection a watch follows.
public enum WatchSource: Sendable {
    case certificateSigningRequests
    /// Secrets of one namespace, or of all (nil).
    case secrets(namespace: String?)
}

/// The CSR API's routes and semantics (`/version`, discovery, OpenAPI, the collection, items,
/// `/status`, `/approval`), mapping every failure to a `metav1.Status` body with the matching code.
public final class APIRouter: Sendable {
    public let store: CSRStore
    /// host:port advertised in `/api`.
    public let address: String

    static let collection = "/apis/certificates.k8s.io/v1/certificatesigningrequests"

    /// The authorization chain (nil: every request is allowed, the emulator's old behaviour).
    public let authorizer: (any Authorizer)?
    /// Requests refused with 403, newest last (at most `deniedLimit`), so tests can name what was missing.
    private let denials = Mutex<[String]>([])
    static let deniedLimit = 1_000

    /// core/v1 Secrets and Namespaces (the generic store).
    public let secrets: ObjectStore<Secret>
    public let namespaces: ObjectStore<Namespace>

    /// rbac.authorization.k8s.io/v1 objects, served when authorization is RBAC.
    public let rbac: RBACResources?

    /// Answers TokenReviews (bearer tokens only: the token authenticators of the server).
    let tokenAuthenticator: Authenticator?
    /// Every request routed (tests measure a client's idle traffic by it).
    public let requestsHandled = Atomic<Int>(0)
    /// SubjectAccessReviews and TokenReviews answered (tests count a client's caching by them).
    public let reviewCounts = Mutex<(subjectAccess: Int, token: Int)>((0, 0))

    public init(store: CSRStore, address: String, authorizer: (any Authorizer)? = nil,
                secrets: ObjectStore<Secret>? = nil, namespaces: ObjectStore<Namespace>? = nil, rbac: RBACResources? = nil,
                tokenAuthenticator: Authenticator? = nil) {
        self.tokenAuthenticator = tokenAuthenticator
        self.store = store
        self.address = address
        self.authorizer = authorizer
        self.rbac = rbac
        self.secrets = secrets ?? ObjectStore(strategy: SecretStrategy.strategy, clock: store.clock)
        self.namespaces = namespaces ?? APIRouter.initialNamespaces(clock: store.clock)
    }

    /// A namespace store holding the namespaces every cluster starts with.
    public static func initialNamespaces(clock: any SimulatorClock) -> ObjectStore<Namespace> {
        let store = ObjectStore(strategy: NamespaceStrategy.strategy, clock: clock)
        for name in NamespaceStrategy.initial { _ = try? store.create(Namespace(name: name), namespace: nil) }
        return store
    }

    /// The messages of the 403s answered so far.
    public var deniedRequests: [String] { denials.withLock { $0 } }

    public func handle(_ request: APIRequest) -> APIResponse {
        requestsHandled.add(1, ordering: .relaxed)
        do throws(APIStatus) {
            var request = request
            if let impersonation = request.impersonation {
                request.user = try impersonation.apply(to: request.user, authorizer: authorizer ?? AlwaysAllowAuthorizer())
            }
            if let authorizer {
                let attributes = RequestAttributes(user: request.user, method: request.method, path: request.path, query: request.query)
                let (decision, reason) = authorizer.authorize(attributes)
                if decision != .allow { throw APIStatus.forbidden(attributes, reason: reason) }
            }
            return try route(request)
        } catch {
            if error.code == 403 {
                denials.withLock {
                    $0.append(error.message ?? "")
                    if $0.count > Self.deniedLimit { $0.removeFirst($0.count - Self.deniedLimit) }
                }
            }
            return .error(error)
        }
    }

    private func route(_ request: APIRequest) throws(APIStatus) -> APIResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        switch (request.method, path) {
        case ("GET", "/version"): return .json(200, Discovery.version)
        case ("GET", "/api"): return .json(200, Discovery.api(address))
        case ("GET", "/api/v1"): return .json(200, Discovery.apiV1)
        case ("GET", "/apis"): return .json(200, Discovery.apis(rbac: rbac != nil))
        case ("GET", "/apis/certificates.k8s.io"): return .json(200, Discovery.group)
        case ("GET", "/apis/certificates.k8s.io/v1"): return .json(200, Discovery.resources)
        case ("GET", "/openapi/v3"): return .json(200, Discovery.openAPIIndex)
        case ("GET", "/openapi/v3/apis/certificates.k8s.io/v1"): return .json(200, Discovery.openAPIGroup)
        case ("GET", "/apis/authorization.k8s.io"): return .json(200, Discovery.authorizationGroup)
        case ("GET", "/apis/authorization.k8s.io/v1"): return .json(200, Discovery.authorizationResources)
        case ("POST", "/apis/authentication.k8s.io/v1/tokenreviews"):
            reviewCounts.withLock { $0.token += 1 }
            return .encoded(201, try TokenReviewer.review(request.body, authenticator: tokenAuthenticator))
        case ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), ("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews"):
            if path.hasSuffix("/subjectaccessreviews") && !path.hasSuffix("/selfsubjectaccessreviews") { reviewCounts.withLock { $0.subjectAccess += 1 } }
            let review = try AccessReview.review(request.body, requester: request.user, selfReview: path.hasSuffix("/selfsubjectaccessreviews"),
                                                 authorizer: authorizer ?? AlwaysAllowAuthorizer())
            return .encoded(201, review)
        case ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/livez"):
            return .body(status: 200, contentType: "text/plain", data: Data("ok".utf8))
        default: break
        }
        if path.hasPrefix("/api/v1/") { return try coreRoute(request, path: path) }
        if path == "/apis/rbac.authorization.k8s.io" && request.method == "GET" && rbac != nil { return .json(200, Discovery.rbacGroup) }
        if path == Self.rbacPrefix && request.method == "GET" && rbac != nil { return .json(200, Discovery.rbacResources) }
        if path.hasPrefix(Self.rbacPrefix + "/") { return try rbacRoute(request, path: path) }
        guard path.hasPrefix(Self.collection) else {
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let rest = path.dropFirst(Self.collection.count).split(separator: "/").map(String.init)
        switch rest.count {
        case 0: return try collection(request)
        case 1: return try item(request, name: rest[0])
        case 2 where rest[1] == "approval" || rest[1] == "status": return try subresource(request, name: rest[0], subresource: rest[1])
        default: throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    private func selector(_ request: APIRequest) throws(APIStatus) -> Selector {
        try Selector(field: request.query["fieldSelector"], label: request.query["labelSelector"])
    }

    private func collection(_ request: APIRequest) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET":
            let selector = try selector(request)
            if let watch = request.watchRequest(selector: selector, table: request.wantsTable, source: .certificateSigningRequests) {
                return .watch(watch)
            }
            let page = try store.page(selector, limit: try limit(request), continue: request.query["continue"])
            if request.wantsTable {
                return .body(status: 200, contentType: "application/json", data: CSRTable.table(page.items, resourceVersion: page.resourceVersion, now: store.clock.now()))
            }
            var list = CertificateSigningRequestList(resourceVersion: page.resourceVersion, items: page.items)
            list.metadata.continue = page.continueToken
            list.metadata.remainingItemCount = selector.isEmpty ? page.remaining : nil
            return .encoded(200, list)
        case "POST":
            let object = try decode(request)
            let fields = try fieldManager(request, subresource: nil)
            return .encoded(201, try store.create(object, user: request.user, managedFields: fields.updateHook(sent: object)))
        case "DELETE":
            let (items, _) = store.list(try selector(request))
            for item in items { _ = try? store.delete(item.metadata.name!) }
            return .encoded(200, CertificateSigningRequestList(resourceVersion: store.list(try selector(request)).resourceVersion, items: items))
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func item(_ request: APIRequest, name: String) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET":
            let csr = try store.get(name)
            if request.wantsTable {
                return .body(status: 200, contentType: "application/json",
                             data: CSRTable.table([csr], resourceVersion: csr.metadata.resourceVersion ?? "", now: store.clock.now()))
            }
            return .encoded(200, csr)
        case "PUT":
            let object = try decode(request)
            let fields = try fieldManager(request, subresource: nil)
            return .encoded(200, try store.updateObject(name, object, managedFields: fields.updateHook(sent: object)))
        case "PATCH":
            let fields = try fieldManager(request, subresource: nil)
            if Patch.isApply(request.contentType) {
                return try applying(request, name: name, fields: fields, create: true) { (object, hook) throws(APIStatus) in
                    try store.updateObject(name, object, managedFields: hook)
                }
            }
            return .encoded(200, try patching(request, name: name) { (object) throws(APIStatus) in
                try store.updateObject(name, object, managedFields: fields.updateHook(sent: object))
            })
        case "DELETE":
            let deleted = try store.delete(name, preconditions: try preconditions(request))
            return .encoded(200, APIStatus.deleted(name, uid: deleted.metadata.uid ?? ""))
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func subresource(_ request: APIRequest, name: String, subresource: String) throws(APIStatus) -> APIResponse {
        switch request.method {
        case "GET": return .encoded(200, try store.get(name))
        case "PUT", "PATCH":
            let fields = try fieldManager(request, subresource: subresource)
            let store = self.store
            let write: (CertificateSigningRequestObject, CSRStore.ManagedFieldsHook?) throws(APIStatus) -> CertificateSigningRequestObject = { (object, hook) throws(APIStatus) in
                try self.admitSigner(request.user, subresource: subresource, name: name, object)
                return subresource == "approval" ? try store.updateApproval(name, object, managedFields: hook) : try store.updateStatus(name, object, managedFields: hook)
            }
            if request.method == "PUT" {
                let object = try decode(request)
                return .encoded(200, try write(object, fields.updateHook(sent: object)))
            }
            if Patch.isApply(request.contentType) { return try applying(request, name: name, fields: fields, create: false, write) }
            return .encoded(200, try patching(request, name: name) { (object) throws(APIStatus) in try write(object, fields.updateHook(sent: object)) })
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// The CSR admission plugins that ask the authorizer about the signer (plugin/pkg/admission/certificates:
    /// approval's Validate, `approve` for `/approval`; signing's Validate, `sign` for a `/status` write that
    /// changes `status.certificate`), through certificates.IsAuthorizedForSignerName: the signer by name, or
    /// `<domain>/*`. Off when authorization is.
    private func admitSigner(_ user: UserInfo, subresource: String, name: String, _ object: CertificateSigningRequestObject) throws(APIStatus) {
        guard let authorizer else { return }
        let current = try store.get(name)
        let verb: String
        if subresource == "approval" {
            verb = "approve"
        } else {
            guard object.status?.certificate != current.status?.certificate else { return }
            verb = "sign"
        }
        let signer = current.spec.signerName ?? ""
        var names = [signer]
        if let slash = signer.firstIndex(of: "/") { names.append(signer[..<slash] + "/*") }
        for candidate in names {
            let attributes = RequestAttributes(user: user, verb: verb, apiGroup: "certificates.k8s.io", resource: "signers", name: candidate)
            if authorizer.authorize(attributes).decision == .allow { return }
        }
        throw APIStatus(code: 403, reason: "Forbidden",
                        message: "certificatesigningrequests.certificates.k8s.io \"\(name)\" is forbidden: user not permitted to \(verb) requests with signerName \"\(signer)\"",
                        details: .init(name: name, group: "certificates.k8s.io", kind: "certificatesigningrequests"))
    }

    /// The request's field manager (`fieldManager`, else the User-Agent), with PatchOptions' checks:
    /// apply needs a fieldManager, `force` is for apply only.
    private func fieldManager(_ request: APIRequest, subresource: String?) throws(APIStatus) -> FieldManager {
        let explicit = request.query["fieldManager"]
        try FieldManager.validate(explicit)
        let apply = request.method == "PATCH" && Patch.isApply(request.contentType)
        func invalid(_ field: String, _ message: String, _ reason: String) -> APIStatus {
            APIStatus(code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: \(field): \(message)",
                      details: .init(group: "meta.k8s.io", kind: "PatchOptions", causes: [.init(reason: reason, message: message, field: field)]))
        }
        if apply && (explicit ?? "").isEmpty { throw invalid("fieldManager", "Required value: is required for apply patch", "FieldValueRequired") }
        if !apply && request.method == "PATCH" && request.query["force"] != nil {
            throw invalid("force", "Forbidden: may not be specified for non-apply patch", "FieldValueForbidden")
        }
        return FieldManager(schema: .certificateSigningRequest, apiVersion: "certificates.k8s.io/v1",
                            manager: FieldManager.manager(fieldManager: explicit, userAgent: request.userAgent),
                            subresource: subresource, now: store.clock.now())
    }

    /// Server-side apply of the request's YAML (or JSON) configuration to the CSR `name`: conflicts,
    /// ownership and removal by ``FieldManager``, then the same write (and field rules) as a PUT of the
    /// merged object; on the object itself, an absent CSR is created from the configuration.
    private func applying(
        _ request: APIRequest, name: String, fields: FieldManager, create: Bool,
        _ write: (CertificateSigningRequestObject, CSRStore.ManagedFieldsHook?) throws(APIStatus) -> CertificateSigningRequestObject
    ) throws(APIStatus) -> APIResponse {
        let config = try Patch.applyConfiguration(request.body, kind: "CertificateSigningRequest", apiVersion: "certificates.k8s.io/v1", name: name)
        let force = request.flag("force")
        var attempts = 0
        while true {
            let current: CertificateSigningRequestObject?
            do {
                current = try store.get(name)
            } catch where error.code == 404 && create {
                current = nil
            }
            let (merged, entries) = try fields.apply(config, to: current.map { JSONValue.of($0) }, entries: current?.metadata.managedFields ?? [], force: force)
            var object: CertificateSigningRequestObject
            do {
                object = try merged.decode(as: CertificateSigningRequestObject.self)
            } catch {
                throw APIStatus.badRequest("the applied configuration does not make a valid CertificateSigningRequest")
            }
            object.metadata.resourceVersion = current?.metadata.resourceVersion
            let hook: CSRStore.ManagedFieldsHook = { _, stored in fields.settle(entries, stored: JSONValue.of(stored), config: config) }
            guard current != nil else {
                object.metadata.name = name
                return .encoded(201, try store.create(object, user: request.user, managedFields: hook))
            }
            do {
                return .encoded(200, try write(object, hook))
            } catch where error.code == 409 && error.reason == "Conflict" && attempts < 16 && !(error.message ?? "").hasPrefix("Apply failed") {
                attempts += 1
            }
        }
    }

    /// `limit`: a positive whole number; anything else is ignored, as the apiserver ignores it.
    func limit(_ request: APIRequest) throws(APIStatus) -> Int? {
        guard let text = request.query["limit"], let value = Int(text), value > 0 else { return nil }
        return value
    }

    /// Applies a PATCH and stores the result with `update`. A patch that names no resourceVersion is no
    /// precondition: when another writer (the signer, the approver) got in between, the patch is applied
    /// again to the fresh object, as the apiserver's GuaranteedUpdate loop does; one that names it fails
    /// with the 409.
    private func patching(
        _ request: APIRequest, name: String, _ update: (CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject
    ) throws(APIStatus) -> CertificateSigningRequestObject {
        var attempts = 0
        while true {
            let current = try store.get(name)
            let object = try patched(request, current: current)
            do {
                return try update(object)
            } catch where error.code == 409 && object.metadata.resourceVersion == current.metadata.resourceVersion && attempts < 16 {
                attempts += 1
            }
        }
    }

    /// The object after a PATCH of the kind the Content-Type names, applied to `current`'s JSON. Without a
    /// resourceVersion in the patch the stored one is kept.
    private func patched(_ request: APIRequest, current: CertificateSigningRequestObject) throws(APIStatus) -> CertificateSigningRequestObject {
        try patchedObject(request, current: current, kind: "CertificateSigningRequest", applyServed: true)
    }

    /// DeleteOptions' `preconditions` from a DELETE body (JSON), if any.
    /// DeleteOptions from a DELETE body (JSON) and query: `preconditions`, and `propagationPolicy` /
    /// `orphanDependents` checked as apimachinery's ValidateDeleteOptions does. The emulator's objects have
    /// no dependents (no ownerReferences, no garbage collector), so every policy deletes at once.
    func preconditions(_ request: APIRequest) throws(APIStatus) -> CSRStore.Preconditions {
        struct DeleteOptions: Decodable {
            struct Preconditions: Decodable { let uid: String?; let resourceVersion: String? }
            let preconditions: Preconditions?
            let propagationPolicy: String?
            let orphanDependents: Bool?
        }
        var options = DeleteOptions(preconditions: nil, propagationPolicy: nil, orphanDependents: nil)
        if !request.body.isEmpty {
            do {
                options = try JSONDecoder().decode(DeleteOptions.self, from: Data(request.body))
            } catch {
                throw APIStatus.badRequest("the body of the request could not be decoded as DeleteOptions")
            }
        }
        let policy = options.propagationPolicy ?? request.query["propagationPolicy"]
        let orphan = options.orphanDependents ?? (request.query["orphanDependents"] != nil ? request.flag("orphanDependents") : nil)
        func invalid(_ message: String, _ reason: String) -> APIStatus {
            APIStatus(code: 422, reason: "Invalid", message: "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: \(message)",
                      details: .init(group: "meta.k8s.io", kind: "DeleteOptions", causes: [.init(reason: reason, message: message, field: "propagationPolicy")]))
        }
        if let policy {
            guard ["Foreground", "Background", "Orphan"].contains(policy) else {
                throw invalid("Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"", "FieldValueNotSupported")
            }
            if orphan != nil {
                throw invalid("Invalid value: \"\(policy)\": orphanDependents and deletionPropagation cannot be both set", "FieldValueInvalid")
            }
        }
        return .init(uid: options.preconditions?.uid, resourceVersion: options.preconditions?.resourceVersion)
    }

    /// JSON (also without a Content-Type, as `kubectl replace --raw` sends it) or Kubernetes protobuf.
    private func decode(_ request: APIRequest) throws(APIStatus) -> CertificateSigningRequestObject {
        if request.contentType.hasPrefix(CSRProtobuf.contentType) {
            do {
                return try CSRProtobuf.decode(request.body)
            } catch {
                throw APIStatus.badRequest("the body of the request could not be decoded as protobuf: \(error)")
            }
        }
        if !request.contentType.isEmpty && !request.contentType.hasPrefix("application/json") && !request.contentType.hasPrefix("application/merge-patch+json") {
            throw APIStatus.unsupportedMediaType(request.contentType)
        }
        do {
            return try KubeJSON.decoder().decode(CertificateSigningRequestObject.self, from: Data(request.body))
        } catch {
            throw APIStatus.badRequest("the body of the request could not be decoded as a CertificateSigningRequest: \(error)")
        }
    }
}
