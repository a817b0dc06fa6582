// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import VKKubeAPI

/// The RBAC objects the emulator serves (`rbac.authorization.k8s.io/v1`), seeded with the policy the
/// authorizer starts from (bootstrap roles and `--rbac` manifests); every write is re-read into the
/// authorizer.
public final class RBACResources: Sendable {
    let stores: [RBACStrategy.Resource: ObjectStore<RBACObject>]
    let authorizer: RBACAuthorizer

    public init(authorizer: RBACAuthorizer, clock: any SimulatorClock) {
        self.authorizer = authorizer
        var stores: [RBACStrategy.Resource: ObjectStore<RBACObject>] = [:]
        for resource in RBACStrategy.Resource.allCases { stores[resource] = ObjectStore(strategy: RBACStrategy.strategy(resource), clock: clock) }
        self.stores = stores
        let policy = authorizer.current
        for role in policy.clusterRoles.values.sorted(by: { $0.name < $1.name }) + policy.roles.values.sorted(by: { $0.name < $1.name }) {
            var object = RBACObject(kind: role.namespace == nil ? "ClusterRole" : "Role", metadata: ObjectMeta(name: role.name))
            object.rules = role.rules
            _ = try? stores[role.namespace == nil ? .clusterroles : .roles]!.create(object, namespace: role.namespace)
        }
        for binding in policy.clusterRoleBindings + policy.roleBindings {
            var object = RBACObject(kind: binding.namespace == nil ? "ClusterRoleBinding" : "RoleBinding", metadata: ObjectMeta(name: binding.name))
            object.roleRef = binding.roleRef
            object.subjects = binding.subjects
            _ = try? stores[binding.namespace == nil ? .clusterrolebindings : .rolebindings]!.create(object, namespace: binding.namespace)
        }
    }

    func store(_ resource: RBACStrategy.Resource) -> ObjectStore<RBACObject> { stores[resource]! }

    /// Re-reads the stores into the authorizer.
    func publish() {
        authorizer.replace(RBACStrategy.policy(clusterRoles: store(.clusterroles), clusterRoleBindings: store(.clusterrolebindings),
                                               roles: store(.roles), roleBindings: store(.rolebindings)))
    }
}

/// A list of RBAC objects (`ClusterRoleList`, …).
struct RBACObjectList: Encodable {
    var kind: String
    var apiVersion = "rbac.authorization.k8s.io/v1"
    var metadata: ListMeta
    var items: [RBACObject]
}

extension APIRouter {
    static let rbacPrefix = "/apis/rbac.authorization.k8s.io/v1"

    func rbacRoute(_ request: APIRequest, path: String) throws(APIStatus) -> APIResponse {
        guard let rbac else {
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        var rest = path.dropFirst(Self.rbacPrefix.count).split(separator: "/").map(String.init)
        var namespace: String? = nil
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let first = rest.first, let resource = RBACStrategy.Resource(rawValue: first), rest.count <= 2,
              resource.namespaced || namespace == nil else {
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let store = rbac.store(resource)
        let name = rest.count == 2 ? rest[1] : nil
        switch (request.method, name) {
        case ("GET", nil):
            let (items, rv) = store.list(namespace: namespace, matching: try Selector(field: request.query["fieldSelector"], label: request.query["labelSelector"], fields: ["metadata.name", "metadata.namespace"]))
            return .encoded(200, RBACObjectList(kind: resource.kind + "List", metadata: ListMeta(resourceVersion: rv), items: items))
        case ("POST", nil):
            guard !resource.namespaced || namespace != nil else { throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource") }
            if let namespace { _ = try namespaces.get(namespace: nil, namespace) }
            let object = try decodeRBAC(request, resource)
            let fields = try FieldManager.forGenericWrite(request, apiVersion: "rbac.authorization.k8s.io/v1", now: self.store.clock.now())
            let created = try store.create(object, namespace: namespace, managedFields: fields.updateHook(sent: object))
            rbac.publish()
            return .encoded(201, created)
        case ("GET", let name?):
            return .encoded(200, try store.get(namespace: namespace, name))
        case ("PUT", let name?):
            let object = try decodeRBAC(request, resource)
            let fields = try FieldManager.forGenericWrite(request, apiVersion: "rbac.authorization.k8s.io/v1", now: self.store.clock.now())
            let updated = try store.update(namespace: namespace, name, object, managedFields: fields.updateHook(sent: object))
            rbac.publish()
            return .encoded(200, updated)
        case ("PATCH", let name?):
            let current = try store.get(namespace: namespace, name)
            let object: RBACObject = try patchedObject(request, current: current, kind: resource.kind)
            let fields = try FieldManager.forGenericWrite(request, apiVersion: "rbac.authorization.k8s.io/v1", now: self.store.clock.now())
            let updated = try store.update(namespace: namespace, name, object, managedFields: fields.updateHook(sent: object))
            rbac.publish()
            return .encoded(200, updated)
        case ("DELETE", let name?):
            let deleted = try store.delete(namespace: namespace, name, preconditions: try preconditions(request))
            rbac.publish()
            var status = APIStatus.deleted(name, uid: deleted.metadata.uid ?? "")
            status.details = .init(name: name, group: "rbac.authorization.k8s.io", kind: resource.rawValue, uid: deleted.metadata.uid)
            return .encoded(200, status)
        default:
            throw APIStatus.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func decodeRBAC(_ request: APIRequest, _ resource: RBACStrategy.Resource) throws(APIStatus) -> RBACObject {
        do {
            if request.contentType.hasPrefix(CSRProtobuf.contentType) { return try RBACStrategy.decodeProtobuf(request.body, resource) }
            if !request.contentType.isEmpty && !request.contentType.hasPrefix("application/json") { throw APIStatus.unsupportedMediaType(request.contentType) }
            return try KubeJSON.decoder().decode(RBACObject.self, from: Data(request.body))
        } catch let status as APIStatus {
            throw status
        } catch {
            throw APIStatus.badRequest("the body of the request could not be decoded as a \(resource.kind)")
        }
    }
}
