// SPDX-License-Identifier: Apache-2.0

import VKDER
import Foundation
import VKRSA
import TestSupport
import Testing
import VKX509

/// Issue 12 through the command line: crafted algorithm parameters, absurd option values, trust-anchor
/// semantics and issuing rules, with OpenSSL's verdict beside ours where it has one. A trap would show
/// as a signal exit status (≥ 128), never as 1 or 2 with a message.
@Suite("vkcert CLI: hostile input, trust anchors, issuing rules", .serialized)
struct HostileInputCLITests {
    /// An OpenSSL-made RSASSA-PSS self-signed certificate and CSR, as DER.
    struct PSSObjects {
        let dir: TemporaryDirectory
        let certificate: [UInt8]
        let csr: [UInt8]

        init() async throws {
            dir = try TemporaryDirectory("hostile")
            let pss = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sha256"]
            let key = Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path
            let cert = try await Run.openssl(["req", "-x509", "-new", "-key", key, "-subj", "/CN=pss", "-days", "30", "-outform", "DER", "-out", dir.path("pss.der")] + pss)
            #expect(cert.status == 0, "\(cert.stderrText)")
            let csr = try await Run.openssl(["req", "-new", "-key", key, "-subj", "/O=system:nodes/CN=system:node:n1", "-outform", "DER", "-out", dir.path("pss.csr.der")] + pss)
            #expect(csr.status == 0, "\(csr.stderrText)")
            certificate = try dir.read("pss.der")
            self.csr = try dir.read("pss.csr.der")
        }

        func crafted(salt: [UInt8]) throws -> (cert: String, csr: String) {
            let algorithm = SignedObjectSurgery.pssAlgorithm(saltContent: salt)
            let c = try SignedObjectSurgery.replacingSignatureAlgorithm(in: certificate, with: algorithm, isCertificate: true)
            let r = try SignedObjectSurgery.replacingSignatureAlgorithm(in: csr, with: algorithm, isCertificate: false)
            let name = salt.map { String($0, radix: 16) }.joined()
            return (try dir.write("cert-\(name).der", c), try dir.write("csr-\(name).der", r))
        }
    }

    static func run(_ arguments: [String]) async throws -> ProcessResult {
        let result = try await Run.vkcert(arguments)
        #expect(result.status < 128, "vkcert \(arguments.joined(separator: " ")) died with status \(result.status)")
        return result
    }

    /// The review's crash: saltLength 2^63 − 1 in the signature algorithm. Every command that reads the
    /// file answers with a message naming it; none traps.
    @Test func absurdPSSSaltIsAMessageNotACrash() async throws {
        let objects = try await PSSObjects()
        defer { objects.dir.cleanup() }
        // The unmodified objects are fine (the surgery itself is sound).
        let sane = try objects.crafted(salt: [32])
        #expect(try await Self.run(["verify", sane.cert, "--self-signed"]).status == 0)
        #expect(try await Self.run(["inspect", sane.csr]).stdoutText.contains("valid"))

        let (cert, csr) = try objects.crafted(salt: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let inspect = try await Self.run(["inspect", cert])
        #expect(inspect.status == 1 && (inspect.stdoutText + inspect.stderrText).contains("saltLength"), "\(inspect.stdoutText)\(inspect.stderrText)")
        let inspectCSR = try await Self.run(["inspect", csr, "--json"])
        #expect(inspectCSR.status == 1 && inspectCSR.stdoutText.contains("saltLength"), "\(inspectCSR.stdoutText)\(inspectCSR.stderrText)")
        for arguments in [
            ["verify", cert, "--self-signed"], ["lint", cert, "--node", "n1"], ["lint", csr, "--node", "n1"],
            ["cert", "sign", "--csr", csr, "--ca-cert", sane.cert, "--ca-key", Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path,
             "--out", objects.dir.path("never.pem")],
        ] {
            let result = try await Self.run(arguments)
            // lint reports an unparseable file as its negative verdict (1), the others as an input error (2).
            #expect(result.status == (arguments[0] == "lint" ? 1 : 2), "\(arguments): \(result.status)")
            let file = arguments.contains("--csr") || arguments.contains(csr) ? csr : cert
            let output = result.stdoutText + result.stderrText
            #expect(output.contains(file) && output.contains("saltLength"), "\(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: objects.dir.path("never.pem")))

        // A salt that parses but cannot fit a 2048-bit key: shown by inspect, invalid for verify and lint.
        let (big, bigCSR) = try objects.crafted(salt: [0x03, 0xE8])
        #expect(try await Self.run(["inspect", big]).status == 0)
        let verify = try await Self.run(["verify", big, "--self-signed"])
        #expect(verify.status == 1 && verify.stdoutText.contains("self-signature does not verify"), "\(verify.stdoutText)")
        let csrInspect = try await Self.run(["inspect", bigCSR, "--json"])
        #expect(csrInspect.stdoutText.contains("\"signatureValid\":false"), "\(csrInspect.stdoutText)")
        let sign = try await Self.run(["cert", "sign", "--csr", bigCSR, "--ca-cert", sane.cert, "--ca-key", Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path,
                                 "--out", objects.dir.path("never.pem")])
        #expect(sign.status == 2 && sign.stderrText.contains("signature does not verify"), "\(sign.stderrText)")
    }

    @Test("absurd option values exit 2 with a message", arguments: [
        (["key", "sign", "--scheme", "pss", "--salt-length", "9223372036854775807"], "--salt-length 9223372036854775807 does not fit a 2048-bit key"),
        (["key", "sign", "--scheme", "pss", "--salt-length", "100000000000"], "--salt-length 100000000000 does not fit"),
        (["key", "verify", "--scheme", "pss", "--salt-length", "9223372036854775807"], "at most 222 bytes"),
        (["key", "verify", "--scheme", "pss", "--salt-length", "223"], "--salt-length 223 does not fit"),
        (["key", "sign", "--scheme", "pss", "--salt-length", "99999999999999999999"], "--salt-length must be"),
        (["cert", "ca", "--subject", "2.18446744073709551615=x"], "2.18446744073709551615"),
    ])
    func absurdOptions(arguments: [String], expected: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path
        let msg = try dir.write("msg", Array("hello".utf8))
        let sig = try dir.write("sig", [UInt8](repeating: 1, count: 256))
        var full = arguments + ["--key", key]
        switch arguments[1] {
        case "sign": full += ["--in", msg, "--out", dir.path("out")]
        case "verify": full += ["--in", msg, "--signature", sig]
        default: full += ["--out", dir.path("out")]
        }
        let result = try await Self.run(full)
        #expect(result.status == 2, "\(full): \(result.status) \(result.stderrText)")
        #expect(result.stderrText.contains(expected), "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }

    /// Issue 12 item 10 through `key verify`: an OpenSSL-made id-RSASSA-PSS key (SHA-256, salt ≥ 32) and an
    /// OpenSSL signature: PSS with its parameters verifies, PKCS#1 v1.5 and a shorter salt are refused.
    @Test func pssRestrictedKeyBindsKeyVerify() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let gen = try await Run.openssl(["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_pss_keygen_md:sha256",
                                   "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256", "-pkeyopt", "rsa_pss_keygen_saltlen:32", "-out", dir.path("pss.key")])
        #expect(gen.status == 0, "\(gen.stderrText)")
        #expect(try await Run.openssl(["pkey", "-in", dir.path("pss.key"), "-pubout", "-out", dir.path("pss.pub")]).status == 0)
        let msg = try dir.write("msg", Array("restricted".utf8))
        let sign = try await Run.openssl(["dgst", "-sha256", "-sign", dir.path("pss.key"), "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                                    "-out", dir.path("sig"), msg])
        #expect(sign.status == 0, "\(sign.stderrText)")
        let base = ["key", "verify", "--key", dir.path("pss.pub"), "--in", msg, "--signature", dir.path("sig")]
        let ok = try await Self.run(base + ["--scheme", "pss", "--salt-length", "32"])
        #expect(ok.status == 0 && ok.stdoutText == "Verified OK\n", "\(ok.stdoutText)\(ok.stderrText)")
        let pkcs1 = try await Self.run(base)
        #expect(pkcs1.status == 2 && pkcs1.stderrText.contains("RSASSA-PSS signatures only"), "\(pkcs1.stderrText)")
        let short = try await Self.run(base + ["--scheme", "pss", "--salt-length", "20"])
        #expect(short.status == 2 && short.stderrText.contains("at least 32"), "\(short.stderrText)")
    }

    // MARK: - Trust anchors

    static let now = DERTime.now()

    static func issue(_ subject: String, by issuer: (Certificate, RSAPrivateKey)?, ca: Bool, extensions: [Extension] = [], dns: String? = nil,
                      notAfter: DERTime? = nil, notBefore: DERTime? = nil) throws -> (Certificate, RSAPrivateKey) {
        let key = try RSAPrivateKey.generate()
        let publicKey = CertificatePublicKey(rsa: key.publicKey)
        var b = CertificateBuilder(subject: try DistinguishedName(parsing: subject), publicKey: publicKey,
                                   notBefore: notBefore ?? now.adding(seconds: -3600), notAfter: notAfter ?? now.adding(seconds: 86_400 * 30))
        let issuerKey = issuer?.1 ?? key
        (ca ? CertificateProfile.ca : .kubeletServing).apply(to: &b, authorityKeyIdentifier: CertificateBuilder.keyIdentifier(CertificatePublicKey(rsa: issuerKey.publicKey)))
        if let dns { b.addSubjectAltNames([.dns(dns)]) }
        for e in extensions { b.add(e) }
        return (try b.sign(issuer: issuer?.0.subject ?? b.subject, issuerKey: issuerKey), key)
    }

    /// A root that permits only `.cluster.local`, an intermediate under it, and a leaf outside the
    /// constraint: listing the intermediate beside the root must not let the leaf skip the root's rule.
    @Test func rootConstraintsApplyWhenTheBundleListsTheIntermediate() async throws {
        let dir = try TemporaryDirectory("anchors")
        defer { dir.cleanup() }
        let nc = DERWriter.build { w in
            w.appendConstructed { n in
                n.appendConstructed(.contextConstructed(0)) { $0.appendConstructed { $0.append(.contextPrimitive(2), content: Array(".cluster.local".utf8)) } }
            }
        }
        let root = try Self.issue("CN=Constrained Root", by: nil, ca: true, extensions: [Extension(oid: OID.Extension.nameConstraints, critical: true, value: nc)])
        let intermediate = try Self.issue("CN=Intermediate", by: root, ca: true)
        let outside = try Self.issue("CN=outside", by: intermediate, ca: false, dns: "node.example.com")
        let inside = try Self.issue("CN=inside", by: intermediate, ca: false, dns: "node.cluster.local")
        let bundle = try dir.write("bundle.pem", Array((intermediate.0.pemRepresentation + root.0.pemRepresentation).utf8))
        let intOnly = try dir.write("int.pem", Array(intermediate.0.pemRepresentation.utf8))
        let outsideFile = try dir.write("outside.pem", Array(outside.0.pemRepresentation.utf8))
        let insideFile = try dir.write("inside.pem", Array(inside.0.pemRepresentation.utf8))

        for (leaf, shouldPass) in [(insideFile, true), (outsideFile, false)] {
            let openssl = try await Run.openssl(["verify", "-CAfile", bundle, leaf])
            let ours = try await Self.run(["verify", leaf, "--ca", bundle, "--json"])
            #expect((openssl.status == 0) == shouldPass, "openssl: \(openssl.stdoutText)\(openssl.stderrText)")
            #expect((ours.status == 0) == shouldPass, "vkcert: \(ours.stdoutText)")
            #expect(ours.stdoutText.contains("\"signatureChecks\":2"), "\(ours.stdoutText)")
            if !shouldPass {
                #expect(ours.stdoutText.contains("outside the permitted name constraints"))
                #expect(openssl.stdoutText.contains("permitted subtree violation") || openssl.stderrText.contains("permitted subtree violation"))
            }
        }
        // With only the intermediate listed, neither accepts without -partial_chain; with it, both do
        // (the intermediate becomes the anchor and the root's constraint is out of the path).
        let strict = try await Run.openssl(["verify", "-CAfile", intOnly, outsideFile])
        #expect(strict.status != 0)
        #expect(try await Self.run(["verify", outsideFile, "--ca", intOnly]).status == 1)
        let partial = try await Run.openssl(["verify", "-partial_chain", "-CAfile", intOnly, outsideFile])
        #expect(partial.status == 0, "\(partial.stdoutText)\(partial.stderrText)")
        #expect(try await Self.run(["verify", outsideFile, "--ca", intOnly, "--partial-chain"]).status == 0)
    }

    /// `--self-signed` trusts the certificate's key, so a certificate altered after signing fails.
    @Test func selfSignedChecksTheSelfSignature() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(try await Self.run(["key", "generate", "--out", dir.path("k")]).status == 0)
        #expect(try await Self.run(["cert", "selfsign", "--key", dir.path("k"), "--node", "n1", "--ip", "192.0.2.1", "--out", dir.path("c.pem")]).status == 0)
        #expect(try await Self.run(["verify", dir.path("c.pem"), "--self-signed"]).status == 0)
        // Flip one bit of the serial number inside the TBS: still parses, no longer verifies.
        var der = try PEM.decode(try dir.read("c.pem"), labels: [PEM.Label.certificate]).der
        let serialOffset = der.firstIndex(of: 0x02)!  // never 0x02 before the TBS serial INTEGER: 30 82 … 30 82 … A0 03 02 01 02 02 …
        der[serialOffset + 12] ^= 0x01
        let tampered = try dir.write("t.der", der)
        #expect(try await Self.run(["inspect", tampered]).status == 0)
        let result = try await Self.run(["verify", tampered, "--self-signed"])
        #expect(result.status == 1 && result.stdoutText.contains("self-signature does not verify"), "\(result.stdoutText)")
        let openssl = try await Run.openssl(["verify", "-check_ss_sig", "-partial_chain", "-CAfile", tampered, tampered])
        #expect(openssl.status != 0, "openssl -check_ss_sig agrees: \(openssl.stdoutText)")
    }

    // MARK: - Issuing rules

    /// As kube-controller-manager's signer (pkg/controller/certificates/authority/policies.go,
    /// PermissiveSigningPolicy.apply): notAfter is clamped to the signer's, an expired signer issues nothing.
    @Test func certSignClampsToTheIssuerAndRefusesAnExpiredOne() async throws {
        let dir = try TemporaryDirectory("issuing")
        defer { dir.cleanup() }
        let caNotAfter = Self.now.adding(seconds: 86_400 * 10)
        let ca = try Self.issue("CN=Short CA", by: nil, ca: true, notAfter: caNotAfter)
        let caFile = try dir.write("ca.pem", Array(ca.0.pemRepresentation.utf8))
        let caKey = try dir.write("ca.key", Array(ca.1.pkcs8PEMRepresentation.utf8))
        #expect(try await Self.run(["key", "generate", "--out", dir.path("n.key")]).status == 0)
        #expect(try await Self.run(["csr", "create", "--key", dir.path("n.key"), "--node", "n1", "--ip", "10.0.0.1", "--out", dir.path("n.csr")]).status == 0)
        let signed = try await Self.run(["cert", "sign", "--csr", dir.path("n.csr"), "--ca-cert", caFile, "--ca-key", caKey, "--days", "365", "--out", dir.path("n.pem")])
        #expect(signed.status == 0 && signed.stderrText.contains("notAfter clamped to the issuer's notAfter"), "\(signed.stderrText)")
        let leafEnd = try await Run.openssl(["x509", "-in", dir.path("n.pem"), "-noout", "-enddate"]).stdoutText
        let caEnd = try await Run.openssl(["x509", "-in", caFile, "-noout", "-enddate"]).stdoutText
        #expect(leafEnd == caEnd && !leafEnd.isEmpty, "\(leafEnd) vs \(caEnd)")
        #expect(try await Run.openssl(["verify", "-CAfile", caFile, dir.path("n.pem")]).status == 0)

        let expired = try Self.issue("CN=Expired CA", by: nil, ca: true, notAfter: Self.now.adding(seconds: -60), notBefore: Self.now.adding(seconds: -86_400))
        let expiredFile = try dir.write("expired.pem", Array(expired.0.pemRepresentation.utf8))
        let expiredKey = try dir.write("expired.key", Array(expired.1.pkcs8PEMRepresentation.utf8))
        let refused = try await Self.run(["cert", "sign", "--csr", dir.path("n.csr"), "--ca-cert", expiredFile, "--ca-key", expiredKey, "--out", dir.path("x.pem")])
        #expect(refused.status == 2 && refused.stderrText.contains("\(expiredFile): the signer has expired"), "\(refused.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.pem")))
    }
}
