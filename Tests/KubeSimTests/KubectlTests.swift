// SPDX-License-Identifier: Apache-2.0

import VKDER
import Foundation
import VKKubeAPI
import VKKubeSim
import TestSupport
import Testing
import VKX509

/// The emulator judged by the real kubectl 1.32 (the dispatcher on PATH), each test with its own HOME,
/// cache and kubeconfig, over HTTPS with a bearer token as a real cluster would be used.
@Suite("KubeSim driven by kubectl", .serialized)
struct KubectlTests {
    final class Cluster: @unchecked Sendable {
        // @unchecked: set up once in init, then only read.
        let simulator: KubeSimulator
        let dir: TemporaryDirectory
        let kubeconfig: String

        init(autoApprove: Bool = false) async throws {
            var options = KubeSimulator.Options()
            options.autoApprove = autoApprove
            simulator = try KubeSimulator(options: options)
            try await simulator.start()
            dir = try TemporaryDirectory("kubesim")
            kubeconfig = try dir.write("kubeconfig", Array(simulator.kubeconfig().utf8))
            try FileManager.default.createDirectory(atPath: dir.path("home"), withIntermediateDirectories: true)
        }

        func kubectl(_ arguments: [String]) async throws -> ProcessResult {
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = dir.path("home")
            env["KUBECONFIG"] = kubeconfig
            return try await Run.process("kubectl", arguments + ["--request-timeout=20s", "--cache-dir", dir.path("cache")], environment: env)
        }

        /// A CSR made by `openssl req` (the outside oracle for request encoding).
        func opensslCSR(_ name: String, subject: String, san: String?) async throws -> String {
            var args = ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.path("\(name).key"), "-subj", subject, "-out", dir.path("\(name).csr")]
            if let san { args += ["-addext", "subjectAltName=\(san)"] }
            let result = try await Run.openssl(args)
            guard result.status == 0 else { throw APIStatus.badRequest(result.stderrText) }
            return try String(contentsOfFile: dir.path("\(name).csr"), encoding: .utf8)
        }

        func manifest(_ name: String, request: String, usages: [String] = ["digital signature", "key encipherment", "server auth"], seconds: Int? = 86_400) throws -> String {
            var yaml = """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: \(name)
                spec:
                  request: \(Data(request.utf8).base64EncodedString())
                  signerName: kubernetes.io/kubelet-serving
                  usages: [\(usages.map { "\"\($0)\"" }.joined(separator: ", "))]

                """
            if let seconds { yaml += "  expirationSeconds: \(seconds)\n" }
            return try dir.write("\(name).yaml", Array(yaml.utf8))
        }

        func stop() async {
            await simulator.stop()
            dir.cleanup()
        }
    }

    @Test func getShowsTheRealColumns() async throws {
        let cluster = try await Cluster()
        let csr = try await cluster.opensslCSR("a", subject: "/O=system:nodes/CN=system:node:vk-1", san: "DNS:vk-1,IP:10.0.0.5")
        let created = try await cluster.kubectl(["create", "-f", try cluster.manifest("vk-1-serving", request: csr)])
        #expect(created.stdoutText == "certificatesigningrequest.certificates.k8s.io/vk-1-serving created\n", "\(created.stderrText)")
        let get = try await cluster.kubectl(["get", "csr"])
        let lines = get.stdoutText.split(separator: "\n")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"], "\(get.stdoutText)\(get.stderrText)")
        #expect(lines.count == 2 && lines[1].contains("kubernetes.io/kubelet-serving") && lines[1].contains("kubernetes-admin") && lines[1].contains("24h") && lines[1].hasSuffix("Pending"), "\(get.stdoutText)")
        let yaml = try await cluster.kubectl(["get", "csr", "vk-1-serving", "-o", "yaml"])
        #expect(yaml.stdoutText.contains("signerName: kubernetes.io/kubelet-serving") && yaml.stdoutText.contains("username: kubernetes-admin"), "\(yaml.stdoutText)")
        await cluster.stop()
    }

    /// create (openssl CSR) → approve (protobuf PUT) → signed certificate that `openssl verify` accepts
    /// against the signing CA, with the CSR's subject and SANs; → delete.
    @Test func approveIssuesAVerifiableCertificate() async throws {
        let cluster = try await Cluster()
        let csr = try await cluster.opensslCSR("b", subject: "/O=system:nodes/CN=system:node:vk-2", san: "DNS:vk-2,IP:10.0.0.6,IP:fd00::6")
        _ = try await cluster.kubectl(["create", "-f", try cluster.manifest("vk-2-serving", request: csr)])
        let approve = try await cluster.kubectl(["certificate", "approve", "vk-2-serving"])
        #expect(approve.stdoutText == "certificatesigningrequest.certificates.k8s.io/vk-2-serving approved\n", "\(approve.stderrText)")
        var certificatePEM = ""
        for _ in 0..<50 {
            let got = try await cluster.kubectl(["get", "csr", "vk-2-serving", "-o", "jsonpath={.status.certificate}"])
            if !got.stdoutText.isEmpty, let data = Data(base64Encoded: got.stdoutText) {
                certificatePEM = String(decoding: data, as: UTF8.self)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(!certificatePEM.isEmpty, "no certificate issued")
        let certFile = try cluster.dir.write("vk-2.crt", Array(certificatePEM.utf8))
        let caFile = try cluster.dir.write("ca.pem", Array(cluster.simulator.caCertificate.pemRepresentation.utf8))
        let verify = try await Run.openssl(["verify", "-CAfile", caFile, certFile])
        #expect(verify.status == 0 && verify.stdoutText.contains(": OK"), "\(verify.stdoutText)\(verify.stderrText)")
        let text = try await Run.openssl(["x509", "-in", certFile, "-noout", "-text"]).stdoutText
        #expect(text.contains("Subject: O = system:nodes, CN = system:node:vk-2"))
        #expect(text.contains("DNS:vk-2, IP Address:10.0.0.6, IP Address:FD00:0:0:0:0:0:0:6"))
        #expect(text.contains("TLS Web Server Authentication") && text.contains("CA:FALSE"))
        let cert = try Certificate(pemEncoded: Array(certificatePEM.utf8))
        #expect(cert.notAfter.secondsSinceEpoch - cert.notBefore.secondsSinceEpoch == 86_400, "24h requested: now−5m … now+24h−5m")
        let get = try await cluster.kubectl(["get", "csr"])
        #expect(get.stdoutText.contains("Approved,Issued"), "\(get.stdoutText)")
        let deny = try await cluster.kubectl(["certificate", "deny", "vk-2-serving"])
        #expect(deny.status != 0 && deny.stderrText.contains("is already Approved"))
        let delete = try await cluster.kubectl(["delete", "csr", "vk-2-serving"])
        #expect(delete.stdoutText == "certificatesigningrequest.certificates.k8s.io \"vk-2-serving\" deleted\n", "\(delete.stderrText)")
        #expect(try await cluster.kubectl(["get", "csr"]).stderrText.contains("No resources found"))
        await cluster.stop()
    }

    @Test func denyMarksDenied() async throws {
        let cluster = try await Cluster()
        let csr = try await cluster.opensslCSR("c", subject: "/O=system:nodes/CN=system:node:vk-3", san: "IP:10.0.0.7")
        _ = try await cluster.kubectl(["create", "-f", try cluster.manifest("vk-3", request: csr)])
        let deny = try await cluster.kubectl(["certificate", "deny", "vk-3"])
        #expect(deny.stdoutText == "certificatesigningrequest.certificates.k8s.io/vk-3 denied\n", "\(deny.stderrText)")
        let object = try cluster.simulator.store.get("vk-3")
        #expect(object.isDenied && !object.isIssued)
        #expect(object.condition(CSRCondition.denied)?.reason == "KubectlDeny")
        #expect(try await cluster.kubectl(["get", "csr"]).stdoutText.contains("Denied"))
        await cluster.stop()
    }

    /// Requests that break a signer rule end Failed / SignerValidationFailure with the real message.
    @Test("signer rules fail with the real messages", arguments: [
        ("/O=system:masters/CN=system:node:vk-4", "DNS:vk-4", ["digital signature", "key encipherment", "server auth"], "subject organization is not system:nodes"),
        ("/O=system:nodes/CN=system:node:vk-4", nil, ["digital signature", "key encipherment", "server auth"], "DNS or IP subjectAltName is required"),
        ("/O=system:nodes/CN=system:node:vk-4", "DNS:vk-4,email:a@b.example", ["digital signature", "key encipherment", "server auth"], "Email subjectAltNames are not allowed"),
        ("/O=system:nodes/CN=system:node:vk-4", "DNS:vk-4", ["digital signature", "client auth"], "usages did not match [digital signature key encipherment server auth]"),
        ("/O=system:nodes/CN=vk-4", "DNS:vk-4", ["digital signature", "server auth"], "subject common name does not begin with system:node:"),
    ] as [(String, String?, [String], String)])
    func signerFailures(subject: String, san: String?, usages: [String], message: String) async throws {
        let cluster = try await Cluster()
        let csr = try await cluster.opensslCSR("d", subject: subject, san: san)
        let created = try await cluster.kubectl(["create", "-f", try cluster.manifest("bad", request: csr, usages: usages)])
        #expect(created.status == 0, "\(created.stderrText)")
        _ = try await cluster.kubectl(["certificate", "approve", "bad"])
        var failed: CSRCondition? = nil
        for _ in 0..<50 {
            failed = try cluster.simulator.store.get("bad").condition(CSRCondition.failed)
            if failed != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(failed?.reason == "SignerValidationFailure" && failed?.message == message, "\(String(describing: failed))")
        #expect(try await cluster.kubectl(["get", "csr"]).stdoutText.contains("Approved,Failed"))
        await cluster.stop()
    }

    /// Issue 12: a CSR whose RSASSA-PSS saltLength is 2^63 − 1 once crashed the emulator (an overflow in
    /// verification). It must be refused with a 422 naming the field, and the server must keep answering.
    @Test func hostilePSSRequestIsA422AndTheServerStaysUp() async throws {
        let cluster = try await Cluster()
        let good = try await cluster.opensslCSR("p", subject: "/O=system:nodes/CN=system:node:vk-9", san: "IP:10.0.0.9")
        let der = try PEM.decode(Array(good.utf8), labels: [PEM.Label.certificateRequest]).der
        let crafted = try SignedObjectSurgery.replacingSignatureAlgorithm(
            in: der, with: SignedObjectSurgery.pssAlgorithm(saltContent: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), isCertificate: false
        )
        let pem = PEM.encode(label: PEM.Label.certificateRequest, der: crafted)
        let created = try await cluster.kubectl(["create", "-f", try cluster.manifest("hostile", request: pem)])
        #expect(created.status == 1, "\(created.stdoutText)")
        #expect(created.stderrText.contains("The CertificateSigningRequest \"hostile\" is invalid: spec.request: Invalid value: []byte{"), "\(created.stderrText)")
        #expect(created.stderrText.contains("saltLength"), "\(created.stderrText)")
        // Still serving: the same kubectl creates a sane request right after.
        let next = try await cluster.kubectl(["create", "-f", try cluster.manifest("sane", request: good)])
        #expect(next.stdoutText == "certificatesigningrequest.certificates.k8s.io/sane created\n", "\(next.stderrText)")
        #expect(try await cluster.kubectl(["get", "csr", "hostile"]).stderrText.contains("NotFound"))
        // From the arithmetic sweep: timeoutSeconds = 10^11 is ≈ 10^20 ns, beyond TimeAmount's Int64 (NIO caps
        // it rather than trapping): the watch opens, the client gives up after 2 s, the server answers on.
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = cluster.dir.path("home")
        env["KUBECONFIG"] = cluster.kubeconfig
        let watch = try await Run.process("kubectl", [
            "get", "--raw", "/apis/certificates.k8s.io/v1/certificatesigningrequests?watch=1&timeoutSeconds=100000000000", "--request-timeout=2s",
        ], environment: env)
        #expect(watch.stdoutText.contains("\"type\":\"ADDED\""), "\(watch.stdoutText)\(watch.stderrText)")
        #expect(try await cluster.kubectl(["get", "csr", "sane"]).status == 0)
    }

    @Test func apiErrorsReachKubectlWithTheRealMessages() async throws {
        let cluster = try await Cluster()
        let missing = try await cluster.kubectl(["get", "csr", "nope"])
        #expect(missing.stderrText.contains("Error from server (NotFound): certificatesigningrequests.certificates.k8s.io \"nope\" not found"), "\(missing.stderrText)")
        let csr = try await cluster.opensslCSR("e", subject: "/O=system:nodes/CN=system:node:vk-5", san: "DNS:vk-5")
        let short = try await cluster.kubectl(["create", "-f", try cluster.manifest("short", request: csr, seconds: 60)])
        #expect(short.stderrText.contains("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)"), "\(short.stderrText)")
        _ = try await cluster.kubectl(["create", "-f", try cluster.manifest("twice", request: csr)])
        let twice = try await cluster.kubectl(["create", "-f", cluster.dir.path("twice.yaml")])
        #expect(twice.stderrText.contains("Error from server (AlreadyExists)"), "\(twice.stderrText)")
        await cluster.stop()
    }

    @Test func autoApproverSignsNodeRequests() async throws {
        let cluster = try await Cluster(autoApprove: true)
        let pem = try await cluster.opensslCSR("f", subject: "/O=system:nodes/CN=system:node:vk-6", san: "IP:10.0.0.9")
        var object = CertificateSigningRequestObject(
            metadata: ObjectMeta(generateName: "csr-"),
            spec: CSRSpec(request: Data(pem.utf8), signerName: KubeletSigner.signerName, usages: ["digital signature", "server auth"])
        )
        object = try cluster.simulator.store.create(object, user: .node("vk-6"))
        #expect(object.metadata.name?.hasPrefix("csr-") == true && object.metadata.name?.count == 9)
        var issued = false
        for _ in 0..<50 where !issued {
            issued = try cluster.simulator.store.get(object.metadata.name!).isIssued
            if !issued { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(issued)
        await cluster.stop()
    }
}
