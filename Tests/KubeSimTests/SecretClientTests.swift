// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
import VKKubeSim
import TestSupport
import Testing

/// The client's Secret calls against the emulator, as a ServiceAccount whose Role names one Secret
/// (least privilege by resourceNames; create cannot be restricted by name, as RBAC documents): create,
/// read, an update with a stale resourceVersion refused with 409, another Secret refused with 403.
@Suite("KubeAPI Secret calls against the emulator", .serialized)
struct SecretClientTests {
    @Test func namedSecretWithPreconditionsAndLeastPrivilege() async throws {
        var policy = RBACPolicy()
        policy.add(PolicyRole(name: "vkcert-cert-secret", namespace: "interlink", rules: [
            PolicyRule(verbs: ["get", "update"], apiGroups: [""], resources: ["secrets"], resourceNames: ["vkcert-vk-1"]),
            PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["secrets"]),
        ]))
        policy.add(PolicyBinding(name: "vkcert-cert-secret", namespace: "interlink", roleRef: RoleRef(kind: "Role", name: "vkcert-cert-secret"),
                                 subjects: [Subject(kind: "ServiceAccount", name: "vkcert", namespace: "interlink")]))
        var options = KubeSimulator.Options()
        options.rbac = policy
        options.insecureUser = nil
        let simulator = try KubeSimulator(options: options)
        try await simulator.start()
        let dir = try TemporaryDirectory("secret-client")
        defer { dir.cleanup() }
        _ = try simulator.namespaces.create(Namespace(name: "interlink"), namespace: nil)
        let token = simulator.serviceAccountToken(namespace: "interlink", name: "vkcert")
        let kubeconfig = try dir.write("sa", Array(simulator.kubeconfig(token: token, user: "vkcert").utf8))
        let client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: kubeconfig), initialBackoff: 0.05, requestTimeout: 30)

        var secret = Secret(metadata: ObjectMeta(name: "vkcert-vk-1"), type: Secret.tlsType,
                            data: ["tls.crt": Data("cert".utf8), "tls.key": Data("key".utf8)])
        secret.metadata.annotations = ["vkcert.io/pending-csr": "vk-vk-1-abcde"]
        let created = try await client.createSecret(secret, namespace: "interlink")
        #expect(created.metadata.resourceVersion != nil && created.type == Secret.tlsType)
        var read = try await client.getSecret(namespace: "interlink", name: "vkcert-vk-1")
        #expect(read.data?["tls.key"] == Data("key".utf8) && read.metadata.annotations?["vkcert.io/pending-csr"] == "vk-vk-1-abcde")
        let stale = read
        read.data?["tls.crt"] = Data("cert-2".utf8)
        let updated = try await client.updateSecret(read, namespace: "interlink")
        #expect(updated.metadata.resourceVersion != stale.metadata.resourceVersion)
        do {
            _ = try await client.updateSecret(stale, namespace: "interlink")
            Issue.record("a stale resourceVersion was accepted")
        } catch let error as KubeAPIError {
            #expect(error.code == .conflict, "\(error)")
        }
        do {
            _ = try await client.createSecret(secret, namespace: "interlink")
            Issue.record("a second create succeeded")
        } catch let error as KubeAPIError {
            #expect(error.code == .alreadyExists, "\(error)")
        }
        do {
            _ = try await client.getSecret(namespace: "interlink", name: "someone-else")
            Issue.record("read a Secret the Role does not name")
        } catch let error as KubeAPIError {
            #expect(error.code == .forbidden && error.message.contains(#"cannot get resource "secrets" in API group "" in the namespace "interlink""#), "\(error)")
        }
        await client.shutdown()
        await simulator.stop()
    }
}
