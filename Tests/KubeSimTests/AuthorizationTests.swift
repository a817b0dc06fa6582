// SPDX-License-Identifier: Apache-2.0

import Foundation
import VKKubeAPI
import VKKubeSim
import TestSupport
import Testing

/// Identities (client certificates, ServiceAccount and static tokens, anonymous, impersonation) and
/// authorization (system:masters, the node authorizer, RBAC from deploy/rbac.yaml, the CSR approval
/// admission), judged by the official Python client and kubectl. Expected 403 texts are those of
/// k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go (forbiddenMessage) wrapped by
/// k8s.io/apimachinery pkg/api/errors/errors.go (NewForbidden), and of plugin/pkg/admission/certificates/
/// approval/admission.go (Plugin.Validate).
@Suite("KubeSim identities and authorization", .serialized)
struct AuthorizationTests {
    static let rbacManifest = Repository.root.appendingPathComponent("deploy/rbac.yaml").path

    /// An HTTPS emulator with deploy/rbac.yaml loaded and kubeconfigs for each kind of identity.
    final class SecuredCluster: @unchecked Sendable {
        // @unchecked: set up once in init, then only read.
        let simulator: KubeSimulator
        let dir: TemporaryDirectory
        var kubeconfigs: [String: String] = [:]
        let node = "py-node"
        let clock = ManualClock()
        var bootstrapID = ""

        /// `separateClientCA`: the client-kubelet signer gets its own CA (kube-controller-manager's
        /// `--cluster-signing-kube-apiserver-client-kubelet-cert-file`) instead of the cluster CA.
        init(separateClientCA: Bool = false) async throws {
            var options = KubeSimulator.Options()
            if separateClientCA { options.clientKubeletCA = try KubeSimulator.makeCA(commonName: "vkcert-sandbox-client-kubelet-ca") }
            var policy = try RBACPolicy.load(file: AuthorizationTests.rbacManifest)
            // What kubeadm binds for TLS bootstrapping (kubeadm:kubelet-bootstrap).
            policy.add(PolicyBinding(name: "kubeadm:kubelet-bootstrap", namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: "system:node-bootstrapper"),
                                     subjects: [.group("system:bootstrappers:kubeadm:default-node-token"), .group("system:bootstrappers:no-autoapprove")]))
            // kubeadm's auto-approval bindings: bootstrap tokens may get node client certificates, nodes may renew theirs.
            policy.add(PolicyBinding(name: "kubeadm:node-autoapprove-bootstrap", namespace: nil,
                                     roleRef: RoleRef(kind: "ClusterRole", name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient"),
                                     subjects: [.group("system:bootstrappers:kubeadm:default-node-token")]))
            policy.add(PolicyBinding(name: "kubeadm:node-autoapprove-certificate-rotation", namespace: nil,
                                     roleRef: RoleRef(kind: "ClusterRole", name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"),
                                     subjects: [.group("system:nodes")]))
            options.rbac = policy
            options.insecureUser = nil
            options.clock = clock
            simulator = try KubeSimulator(options: options)
            try await simulator.start()
            dir = try TemporaryDirectory("kubesim-auth")
            try FileManager.default.createDirectory(atPath: dir.path("home"), withIntermediateDirectories: true)
            kubeconfigs["admin"] = try dir.write("admin", Array(simulator.kubeconfig().utf8))
            let nodeCert = try simulator.issueClientCertificate(user: "system:node:\(node)", groups: ["system:nodes"])
            kubeconfigs["node"] = try dir.write("node", Array(simulator.kubeconfig(clientCertificatePEM: nodeCert.certificatePEM, keyPEM: nodeCert.keyPEM, user: "node").utf8))
            let approver = try simulator.issueClientCertificate(user: "alice", groups: ["vkcert-approvers"])
            kubeconfigs["approver"] = try dir.write("approver", Array(simulator.kubeconfig(clientCertificatePEM: approver.certificatePEM, keyPEM: approver.keyPEM, user: "alice").utf8))
            let saToken = simulator.serviceAccountToken(namespace: "interlink", name: "vkcert")
            kubeconfigs["sa"] = try dir.write("sa", Array(simulator.kubeconfig(token: saToken, user: "vkcert").utf8))
            kubeconfigs["badtoken"] = try dir.write("badtoken", Array(simulator.kubeconfig(token: "not-a-token", user: "bad").utf8))
            let bootstrap = try simulator.createBootstrapToken()
            bootstrapID = String(bootstrap.prefix(6))
            kubeconfigs["bootstrap"] = try dir.write("bootstrap", Array(simulator.kubeconfig(token: bootstrap, user: "bootstrap").utf8))
            let wrong = bootstrap.prefix(7) + String(repeating: "0", count: 16)
            kubeconfigs["wrong_bootstrap"] = try dir.write("wrong", Array(simulator.kubeconfig(token: String(wrong), user: "wrong").utf8))
            let expired = try simulator.createBootstrapToken(validFor: -60)
            kubeconfigs["expired_bootstrap"] = try dir.write("expired", Array(simulator.kubeconfig(token: expired, user: "expired").utf8))
            kubeconfigs["anonymous"] = try dir.write("anonymous", Array(simulator.kubeconfigWithoutCredentials().utf8))
        }

        func kubectl(_ arguments: [String], as identity: String = "admin") async throws -> ProcessResult {
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = dir.path("home")
            env["KUBECONFIG"] = kubeconfigs[identity]!
            return try await Run.process("kubectl", arguments + ["--request-timeout=20s", "--cache-dir", dir.path("cache-\(identity)")], environment: env)
        }

        func stop() async {
            await simulator.stop()
            dir.cleanup()
        }
    }

    @Test func pythonClientIdentityAndAuthorizationChecks() async throws {
        let cluster = try await SecuredCluster()
        defer { Task { await cluster.stop() } }
        let helper = try await KubectlTests.Cluster()
        let csr = try await helper.opensslCSR("n", subject: "/O=system:nodes/CN=system:node:\(cluster.node)", san: "IP:10.0.0.7")
        let other = try await helper.opensslCSR("o", subject: "/CN=other", san: nil)
        await helper.stop()
        var config = cluster.kubeconfigs
        config["node_name"] = cluster.node
        config["bootstrap_id"] = cluster.bootstrapID
        config["csr"] = try cluster.dir.write("n.pem", Array(csr.utf8))
        config["other_csr"] = try cluster.dir.write("o.pem", Array(other.utf8))
        let configFile = try cluster.dir.write("config.json", Array(try JSONSerialization.data(withJSONObject: config)))
        try await PythonClientTests.runChecks("pyclient_auth_checks.py", [configFile], minimum: 38)
    }

    /// `kubectl auth can-i` (SelfSubjectAccessReview, with `--as` impersonation headers) and kubectl's
    /// own rendering of the 403s.
    @Test func kubectlAuthCanIAndForbidden() async throws {
        let cluster = try await SecuredCluster()
        defer { Task { await cluster.stop() } }
        func canI(_ args: [String], as identity: String = "admin") async throws -> String {
            let result = try await cluster.kubectl(["auth", "can-i"] + args, as: identity)
            // kubectl warns that a cluster-scoped resource ignores the context's namespace, as with a real cluster.
            let errors = result.stderrText.split(separator: "\n").filter { !$0.hasPrefix("Warning: resource") }
            return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) + (errors.isEmpty ? "" : " (status \(result.status): \(errors.joined(separator: " ")))")
        }
        func expect(_ args: [String], as identity: String = "admin", _ answer: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let got = try await canI(args, as: identity)
            #expect(got == answer, "kubectl auth can-i \(args.joined(separator: " ")) as \(identity): \(got)", sourceLocation: sourceLocation)
        }
        let node = ["--as=system:node:n1", "--as-group=system:nodes"]
        try await expect(["create", "certificatesigningrequests"] + node, "yes")
        try await expect(["watch", "csr"] + node, "yes")
        try await expect(["delete", "certificatesigningrequests"] + node, "no")
        try await expect(["update", "certificatesigningrequests", "--subresource=approval"] + node, "no")
        // Without --as-group the impersonated user is only in system:authenticated, not a node.
        try await expect(["create", "certificatesigningrequests", "--as=system:node:n1"], "no")
        let sa = "--as=system:serviceaccount:interlink:vkcert"
        try await expect(["delete", "certificatesigningrequests", sa], "yes")
        try await expect(["update", "certificatesigningrequests", "--subresource=approval", sa], "no")
        // The approver group of deploy/rbac.yaml may (so the "no" answers above are about the subresource).
        try await expect(["update", "certificatesigningrequests", "--subresource=approval", "--as=alice", "--as-group=vkcert-approvers"], "yes")
        try await expect(["create", "certificatesigningrequests"], as: "node", "yes")
        try await expect(["delete", "certificatesigningrequests"], as: "node", "no")
        try await expect(["*", "*"], "yes")

        // Impersonation needs `impersonate`: the node may not act as the admin.
        let impersonate = try await cluster.kubectl(["get", "csr", "--as=kubernetes-admin"], as: "node")
        #expect(impersonate.status != 0)
        #expect(impersonate.stderrText.contains(#"users "kubernetes-admin" is forbidden: User "system:node:py-node" cannot impersonate resource "users" in API group "" at the cluster scope"#), "\(impersonate.stderrText)")
        // kubectl prints the apiserver's message after "Error from server (Forbidden):".
        let delete = try await cluster.kubectl(["delete", "csr", "nothing-here"], as: "node")
        #expect(delete.stderrText.contains(#"Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "nothing-here" is forbidden: User "system:node:py-node" cannot delete resource "certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope"#), "\(delete.stderrText)")
        // (Anonymous requests are checked with the Python client: kubectl prompts for a password on stdin
        // when its kubeconfig user has no credentials.)
        #expect(cluster.simulator.deniedRequests.contains { $0.contains(#"cannot delete resource "certificatesigningrequests""#) })
    }

    /// Secrets and Namespaces through kubectl's own commands (typed clients: protobuf bodies; tables).
    @Test func kubectlSecretsAndNamespaces() async throws {
        let cluster = try await SecuredCluster()
        defer { Task { await cluster.stop() } }
        let namespace = try await cluster.kubectl(["create", "namespace", "interlink"])
        #expect(namespace.stdoutText == "namespace/interlink created\n", "\(namespace.stderrText)")
        let generic = try await cluster.kubectl(["create", "secret", "generic", "vk", "-n", "interlink", "--from-literal=user=vk", "--from-literal=pass=s3"])
        #expect(generic.stdoutText == "secret/vk created\n", "\(generic.stderrText)")
        let key = try cluster.dir.write("tls.key", Array(try await Run.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]).stdout))
        let cert = try await Run.openssl(["req", "-x509", "-new", "-key", key, "-subj", "/CN=vk", "-days", "1", "-out", cluster.dir.path("tls.crt")])
        #expect(cert.status == 0, "\(cert.stderrText)")
        let tls = try await cluster.kubectl(["create", "secret", "tls", "vk-tls", "-n", "interlink", "--cert", cluster.dir.path("tls.crt"), "--key", key])
        #expect(tls.stdoutText == "secret/vk-tls created\n", "\(tls.stderrText)")
        let table = try await cluster.kubectl(["get", "secrets", "-n", "interlink"])
        let rows = table.stdoutText.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.first == ["NAME", "TYPE", "DATA", "AGE"], "\(table.stdoutText)\(table.stderrText)")
        #expect(rows.dropFirst().map { Array($0.prefix(3)) } == [["vk", "Opaque", "2"], ["vk-tls", "kubernetes.io/tls", "2"]], "\(table.stdoutText)")
        let value = try await cluster.kubectl(["get", "secret", "vk", "-n", "interlink", "-o", "jsonpath={.data.user}"])
        #expect(Data(base64Encoded: value.stdoutText).map { String(decoding: $0, as: UTF8.self) } == "vk", "\(value.stdoutText)\(value.stderrText)")
        let stored = try cluster.simulator.secrets.get(namespace: "interlink", "vk-tls")
        #expect(stored.data?["tls.crt"] == (try? Data(contentsOf: URL(fileURLWithPath: cluster.dir.path("tls.crt")))))
        let missing = try await cluster.kubectl(["create", "secret", "generic", "x", "-n", "nowhere", "--from-literal=a=b"])
        #expect(missing.stderrText.contains(#"error: failed to create secret namespaces "nowhere" not found"#), "\(missing.stderrText)")
        let delete = try await cluster.kubectl(["delete", "secret", "vk", "-n", "interlink"])
        #expect(delete.stdoutText == "secret \"vk\" deleted\n", "\(delete.stdoutText)\(delete.stderrText)")
        // The node may not read Secrets (no pod of it references one).
        let nodeRead = try await cluster.kubectl(["get", "secret", "vk-tls", "-n", "interlink"], as: "node")
        #expect(nodeRead.stderrText.contains("no relationship found between node 'py-node' and this object"), "\(nodeRead.stderrText)")
    }

    /// rbac.authorization.k8s.io/v1 served: kubectl creates and deletes roles and bindings (typed client,
    /// protobuf) and the authorizer follows at once, as `kubectl auth can-i` shows.
    @Test func kubectlManagesRBAC() async throws {
        let cluster = try await SecuredCluster()
        defer { Task { await cluster.stop() } }
        func run(_ args: [String]) async throws -> String {
            let r = try await cluster.kubectl(args)
            return (r.stdoutText + r.stderrText.split(separator: "\n").filter { !$0.hasPrefix("Warning: resource") }.joined(separator: "\n"))
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let names = try await run(["get", "clusterroles", "-o", "name"])
        #expect(names.contains("clusterrole.rbac.authorization.k8s.io/system:node-bootstrapper") && names.contains("clusterrole.rbac.authorization.k8s.io/vkcert-csr-requester"), "\(names)")
        #expect(try await run(["auth", "can-i", "create", "csr", "--as=bob"]) == "no")
        #expect(try await run(["create", "clusterrolebinding", "bob-bootstrap", "--clusterrole=system:node-bootstrapper", "--user=bob"])
                == "clusterrolebinding.rbac.authorization.k8s.io/bob-bootstrap created")
        #expect(try await run(["auth", "can-i", "create", "csr", "--as=bob"]) == "yes")
        #expect(try await run(["create", "namespace", "interlink"]) == "namespace/interlink created")
        #expect(try await run(["create", "role", "secret-reader", "-n", "interlink", "--verb=get", "--resource=secrets"]) == "role.rbac.authorization.k8s.io/secret-reader created")
        #expect(try await run(["create", "rolebinding", "bob-secrets", "-n", "interlink", "--role=secret-reader", "--user=bob"]) == "rolebinding.rbac.authorization.k8s.io/bob-secrets created")
        #expect(try await run(["auth", "can-i", "get", "secrets", "-n", "interlink", "--as=bob"]) == "yes")
        #expect(try await run(["auth", "can-i", "get", "secrets", "-n", "default", "--as=bob"]) == "no")
        let yaml = try await run(["get", "clusterrolebinding", "bob-bootstrap", "-o", "yaml"])
        #expect(yaml.contains("name: system:node-bootstrapper") && yaml.contains("kind: User") && yaml.contains("name: bob"), "\(yaml)")
        #expect(try await run(["delete", "clusterrolebinding", "bob-bootstrap"]) == "clusterrolebinding.rbac.authorization.k8s.io \"bob-bootstrap\" deleted")
        #expect(try await run(["auth", "can-i", "create", "csr", "--as=bob"]) == "no")
        // The API's validation (pkg/apis/rbac/validation): a binding to a Role kind at cluster scope.
        let bad = try await run(["create", "--validate=false", "-f", try cluster.dir.write("bad.yaml", Array("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: bad}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
            subjects: [{kind: User, name: bob}]

            """.utf8))])
        // kubectl renders a 422 from the Status details: "The <kind> "<name>" is invalid: <causes>".
        #expect(bad == #"The ClusterRoleBinding "bad" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole""#, "\(bad)")
    }

    /// `kubectl apply --server-side`: create, a conflict with kubectl-label's field, then --force-conflicts.
    @Test func kubectlServerSideApply() async throws {
        let cluster = try await SecuredCluster()
        defer { Task { await cluster.stop() } }
        let helper = try await KubectlTests.Cluster()
        let csr = try await helper.opensslCSR("s", subject: "/O=system:nodes/CN=system:node:ssa", san: "IP:10.0.0.3")
        await helper.stop()
        func manifest(team: String) throws -> String {
            try cluster.dir.write("ssa-\(team).yaml", Array("""
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: ssa
                  labels: {team: \(team)}
                spec:
                  request: \(Data(csr.utf8).base64EncodedString())
                  signerName: kubernetes.io/kubelet-serving
                  usages: ["digital signature", "server auth"]

                """.utf8))
        }
        let created = try await cluster.kubectl(["apply", "--server-side", "-f", try manifest(team: "a")])
        #expect(created.stdoutText == "certificatesigningrequest.certificates.k8s.io/ssa serverside-applied\n", "\(created.stdoutText)\(created.stderrText)")
        let label = try await cluster.kubectl(["label", "csr", "ssa", "team=b", "--overwrite"])
        #expect(label.status == 0, "\(label.stderrText)")
        let conflict = try await cluster.kubectl(["apply", "--server-side", "-f", try manifest(team: "a")])
        #expect(conflict.status != 0)
        #expect(conflict.stderrText.contains(#"Apply failed with 1 conflict: conflict with "kubectl-label" using certificates.k8s.io/v1"#)
                && conflict.stderrText.contains(": .metadata.labels.team"), "\(conflict.stderrText)")
        let forced = try await cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", try manifest(team: "a")])
        #expect(forced.stdoutText == "certificatesigningrequest.certificates.k8s.io/ssa serverside-applied\n", "\(forced.stdoutText)\(forced.stderrText)")
        let stored = try cluster.simulator.store.get("ssa")
        #expect(stored.metadata.labels?["team"] == "a")
        let managers = (stored.metadata.managedFields ?? []).map { "\($0.manager)/\($0.operation)" }.sorted()
        #expect(managers == ["kubectl/Apply"], "\(managers)")
    }

    /// TLS bootstrapping as a kubelet does it, driven by kubectl: a bootstrap token creates a
    /// kube-apiserver-client-kubelet CSR, kube-controller-manager's approver (SubjectAccessReview on
    /// nodeclient) approves it, the client-kubelet signer issues it, the node then authenticates with it and
    /// its serving CSR is requested by system:node:<name>; a renewal is approved through selfnodeclient; a
    /// token whose group lacks the nodeclient binding, or a request with a SAN, stays pending.
    @Test func tlsBootstrappingWithKubectl() async throws {
        let cluster = try await SecuredCluster(separateClientCA: true)
        defer { Task { await cluster.stop() } }
        func csrManifest(_ name: String, subject: String, signer: String, usages: [String], san: String? = nil) async throws -> String {
            var args = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", cluster.dir.path("\(name).key"),
                        "-subj", subject, "-out", cluster.dir.path("\(name).csr")]
            if let san { args += ["-addext", "subjectAltName=\(san)"] }
            let made = try await Run.openssl(args)
            #expect(made.status == 0, "\(made.stderrText)")
            let request = try String(contentsOfFile: cluster.dir.path("\(name).csr"), encoding: .utf8)
            return try cluster.dir.write("\(name).yaml", Array("""
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata: {name: \(name)}
                spec:
                  request: \(Data(request.utf8).base64EncodedString())
                  signerName: \(signer)
                  usages: [\(usages.map { "\"\($0)\"" }.joined(separator: ", "))]

                """.utf8))
        }
        func field(_ name: String, _ path: String) async throws -> String {
            try await cluster.kubectl(["get", "csr", name, "-o", "jsonpath={\(path)}"]).stdoutText
        }
        func eventuallyIssued(_ name: String) async throws -> String {
            for _ in 0..<100 {
                let pem = try await field(name, ".status.certificate")
                if !pem.isEmpty { return String(decoding: Data(base64Encoded: pem) ?? Data(), as: UTF8.self) }
                try await Task.sleep(for: .milliseconds(100))
            }
            return ""
        }
        let client = "kubernetes.io/kube-apiserver-client-kubelet"
        let bootstrap = try cluster.simulator.createBootstrapToken()
        cluster.kubeconfigs["boot"] = try cluster.dir.write("boot", Array(cluster.simulator.kubeconfig(token: bootstrap, user: "boot").utf8))
        let created = try await cluster.kubectl(["create", "-f", try csrManifest("node-client", subject: "/O=system:nodes/CN=system:node:boot-1", signer: client,
                                                                     usages: ["digital signature", "client auth"])], as: "boot")
        #expect(created.stdoutText == "certificatesigningrequest.certificates.k8s.io/node-client created\n", "\(created.stderrText)")
        let certificate = try await eventuallyIssued("node-client")
        let status = try await field("node-client", ".status")
        #expect(certificate.contains("BEGIN CERTIFICATE"), "not issued: \(status)")
        #expect(try await field("node-client", ".status.conditions[0].message") == "Auto approving kubelet client certificate after SubjectAccessReview.")
        #expect(try await field("node-client", ".spec.username") == "system:bootstrap:\(bootstrap.prefix(6))")
        // Issued by the client-kubelet CA (not the cluster CA), for client authentication.
        #expect(cluster.simulator.clientSigner.caCertificate.der != cluster.simulator.caCertificate.der)
        let certFile = try cluster.dir.write("node-client.crt", Array(certificate.utf8))
        let caFile = try cluster.dir.write("client-ca.pem", Array(cluster.simulator.clientSigner.caCertificate.pemRepresentation.utf8))
        let verified = try await Run.openssl(["verify", "-CAfile", caFile, "-purpose", "sslclient", certFile])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderrText)")
        // The node now authenticates with it; its serving request is made by system:node:boot-1.
        let key = try String(contentsOfFile: cluster.dir.path("node-client.key"), encoding: .utf8)
        cluster.kubeconfigs["boot-node"] = try cluster.dir.write("boot-node", Array(cluster.simulator.kubeconfig(clientCertificatePEM: certificate, keyPEM: key, user: "boot-1").utf8))
        let serving = try await cluster.kubectl(["create", "-f", try csrManifest("node-serving", subject: "/O=system:nodes/CN=system:node:boot-1", signer: "kubernetes.io/kubelet-serving",
                                                                     usages: ["digital signature", "server auth"], san: "IP:10.0.0.11")], as: "boot-node")
        #expect(serving.status == 0, "\(serving.stderrText)")
        #expect(try await field("node-serving", ".spec.username") == "system:node:boot-1")
        #expect(try await field("node-serving", ".spec.groups") == #"["system:nodes","system:authenticated"]"#)
        // Renewal by the node itself: selfnodeclient.
        let renewal = try await cluster.kubectl(["create", "-f", try csrManifest("node-client-2", subject: "/O=system:nodes/CN=system:node:boot-1", signer: client,
                                                                     usages: ["digital signature", "client auth"])], as: "boot-node")
        #expect(renewal.status == 0, "\(renewal.stderrText)")
        #expect(try await eventuallyIssued("node-client-2").contains("BEGIN CERTIFICATE"))
        #expect(try await field("node-client-2", ".status.conditions[0].message") == "Auto approving self kubelet client certificate after SubjectAccessReview.")
        // Not approved: a token whose group may create CSRs but has no nodeclient binding; a request with a SAN.
        let other = try cluster.simulator.createBootstrapToken(extraGroups: ["system:bootstrappers:no-autoapprove"])
        cluster.kubeconfigs["other"] = try cluster.dir.write("other", Array(cluster.simulator.kubeconfig(token: other, user: "other").utf8))
        _ = try await cluster.kubectl(["create", "-f", try csrManifest("unapproved", subject: "/O=system:nodes/CN=system:node:boot-2", signer: client,
                                                               usages: ["digital signature", "client auth"])], as: "other")
        _ = try await cluster.kubectl(["create", "-f", try csrManifest("with-san", subject: "/O=system:nodes/CN=system:node:boot-3", signer: client,
                                                               usages: ["digital signature", "client auth"], san: "DNS:boot-3")], as: "boot")
        try await Task.sleep(for: .milliseconds(500))
        for name in ["unapproved", "with-san"] {
            let object = try cluster.simulator.store.get(name)
            #expect(!object.isApproved && !object.isIssued, "\(name) was approved")
        }
    }

    // MARK: the pieces, without sockets

    /// RequestInfoFactory.NewRequestInfo (k8s.io/apiserver pkg/endpoints/request/requestinfo.go).
    @Test(arguments: [
        ("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", [:], "list", "certificatesigningrequests", "", "", true),
        ("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", ["watch": "1", "fieldSelector": "metadata.name=vk-a"], "watch", "certificatesigningrequests", "", "vk-a", true),
        ("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", ["watch": "false"], "list", "certificatesigningrequests", "", "", true),
        ("PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/x/approval", [:], "update", "certificatesigningrequests", "approval", "x", true),
        ("DELETE", "/apis/certificates.k8s.io/v1/certificatesigningrequests", [:], "deletecollection", "certificatesigningrequests", "", "", true),
        ("DELETE", "/apis/certificates.k8s.io/v1/certificatesigningrequests/x", [:], "delete", "certificatesigningrequests", "", "x", true),
        ("PATCH", "/api/v1/namespaces/kube-system/secrets/s", [:], "patch", "secrets", "", "s", true),
        ("GET", "/apis/certificates.k8s.io/v1", [:], "get", "", "", "", false),
        ("GET", "/api", [:], "get", "", "", "", false),
        ("GET", "/healthz", [:], "get", "", "", "", false),
    ] as [(String, String, [String: String], String, String, String, String, Bool)])
    func requestAttributes(method: String, path: String, query: [String: String], verb: String, resource: String, subresource: String, name: String, isResource: Bool) {
        let a = RequestAttributes(user: .admin, method: method, path: path, query: query)
        #expect(a.verb == verb && a.resource == resource && a.subresource == subresource && a.name == name && a.isResourceRequest == isResource,
                "\(a)")
        if path.contains("/namespaces/") { #expect(a.namespace == "kube-system" && a.apiGroup == "") }
    }

    /// RBAC rules as evaluation_helpers.go RuleAllows matches them.
    @Test func ruleMatching() {
        let a = RequestAttributes(user: .admin, verb: "update", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests", subresource: "approval", name: "x")
        func allows(_ rule: PolicyRule) -> Bool {
            let policy = RBACPolicy.with(rule: rule, for: .user("kubernetes-admin"))
            return RBACAuthorizer(policy: policy, bootstrap: false).authorize(a).decision == .allow
        }
        #expect(allows(PolicyRule(verbs: ["update"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"])))
        #expect(allows(PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*/approval"])))
        #expect(allows(PolicyRule(verbs: ["update"], apiGroups: ["certificates.k8s.io"], resources: ["*"], resourceNames: ["x"])))
        #expect(!allows(PolicyRule(verbs: ["update"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"])), "the parent resource does not cover a subresource")
        #expect(!allows(PolicyRule(verbs: ["update"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], resourceNames: ["y"])))
        #expect(!allows(PolicyRule(verbs: ["get"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"])))
        #expect(!allows(PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["certificatesigningrequests/approval"])))
        let path = RequestAttributes(user: .admin, verb: "get", path: "/apis/certificates.k8s.io/v1")
        let discovery = RBACPolicy.with(rule: PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/*"]), for: .user("kubernetes-admin"))
        #expect(RBACAuthorizer(policy: discovery, bootstrap: false).authorize(path).decision == .allow)
    }

    /// A binding to a role that does not exist shows in the 403, as rbac.go reports it.
    @Test func missingRoleIsTheReason() {
        var policy = RBACPolicy()
        policy.add(PolicyBinding(name: "b", namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: "gone"), subjects: [.user("u")]))
        let a = RequestAttributes(user: UserInfo(username: "u", groups: []), verb: "get", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests", name: "c")
        let (decision, reason) = AuthorizerChain.standard(rbac: RBACAuthorizer(policy: policy)).authorize(a)
        #expect(decision == .noOpinion)
        #expect(APIStatus.forbidden(a, reason: reason).message == #"certificatesigningrequests.certificates.k8s.io "c" is forbidden: User "u" cannot get resource "certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found"#)
    }

    /// Manifest errors name the file, the document and the field.
    @Test(arguments: [
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: []\n",
         "x.yaml: document 1: ClusterRole \"r\": rules[0].verbs: Required value"),
        ("kind: ServiceAccount\napiVersion: v1\nmetadata: {name: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: []\n",
         "x.yaml: document 2: ClusterRoleBinding \"b\": roleRef.kind: Unsupported value: \"Role\""),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: n}\nsubjects: []\n",
         "x.yaml: document 1: RoleBinding \"b\": roleRef: Required value"),
        ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {namespace: n}\nrules: []\n", "x.yaml: document 1: Role.metadata.name: Required value"),
        ("a: [", "x.yaml: document 0:"),
    ])
    func manifestErrorsNameTheField(yaml: String, expected: String) {
        do {
            _ = try RBACPolicy.load(yaml: yaml, file: "x.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".hasPrefix(expected), "\(error)")
        }
    }

    @Test func deployManifestLoads() throws {
        let policy = try RBACPolicy.load(file: Self.rbacManifest)
        #expect(policy.clusterRoles.keys.sorted() == ["vkcert-csr-approver", "vkcert-csr-requester"])
        #expect(policy.roles.keys.sorted() == ["interlink/vkcert-cert-secret", "interlink/vkcert-reference-kubelet-issuer"])
        #expect(policy.clusterRoleBindings.count == 2 && policy.roleBindings.count == 2)
        #expect(policy.serviceAccounts == ["interlink/vkcert"])
    }
}

extension RBACPolicy {
    /// One ClusterRole with `rule`, bound to `subject`.
    static func with(rule: PolicyRule, for subject: Subject) -> RBACPolicy {
        var policy = RBACPolicy()
        policy.add(PolicyRole(name: "r", namespace: nil, rules: [rule]))
        policy.add(PolicyBinding(name: "b", namespace: nil, roleRef: RoleRef(kind: "ClusterRole", name: "r"), subjects: [subject]))
        return policy
    }
}
