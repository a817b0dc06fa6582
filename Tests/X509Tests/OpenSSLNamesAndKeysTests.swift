// SPDX-License-Identifier: Apache-2.0

import VKConformance
import VKDER
import Foundation
import TestSupport
import Testing
import VKX509

/// Names, keys and algorithms described as OpenSSL describes them, on certificates OpenSSL makes here:
/// multi-valued RDNs, attribute types OpenSSL names (INN, OGRN, telephoneNumber, jurisdictionC, …) or does
/// not know (dumped as `#` + DER hex), RFC 2253 escaping; keys vkcert cannot use (DSA, X25519, X448, Ed448,
/// secp256k1, secp224r1, brainpoolP256r1, explicit EC parameters) named and sized; signatures in algorithms
/// vkcert does not verify reported as unsupported, not invalid. Judge: `openssl x509 -text -nameopt
/// RFC2253,-esc_msb`, read by the same facts reader as the real-world corpus.
@Suite("OpenSSL names and key descriptions")
struct OpenSSLNamesAndKeysTests {
    static func openssl(_ arguments: [String], _ what: String) async throws -> ProcessResult {
        let result = try await Run.openssl(arguments)
        #expect(result.status == 0, "openssl \(what): \(result.stderrText)")
        return result
    }

    static func facts(_ pem: String) async throws -> String {
        try await openssl(["x509", "-in", pem, "-noout", "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb", "-dates",
                     "-dateopt", "iso_8601", "-fingerprint", "-sha256", "-text"], "facts").stdoutText
    }

    static func compare(_ pem: String) async throws -> (Certificate, [String]) {
        let cert = try Certificate(pemEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: pem))))
        return await (cert, RealWorldCorpusTests.certificateDifferences(try facts(pem), cert.json(file: pem, index: 0)))
    }

    @Test func namesPrintAsOpenSSLPrintsThem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = dir.path("k.pem")
        _ = try await Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], "genpkey")
        let subjects = [
            "/C=DE/O=Org/SN=Barzin+GN=Petra+title=Dr/CN=multi",
            "/myAttribute=unknown type/CN=x/2.5.4.97=NTRDE-1",
            "/INN=7707083893/OGRN=1027700132195/SNILS=11223344595/CN=russian ids",
            "/telephoneNumber=+49 30 1234/postOfficeBox=7/jurisdictionC=DE/businessCategory=Private Organization/CN=ev",
            "/emailAddress=a@example.com/DC=example/DC=com/UID=jdoe/CN=pilot",
            "/CN=a,b+c\"d\\\\e<f>g;h/O= leading and trailing /OU=#hash",
            "/CN=Grüße aus Köln/O=日本",
        ]
        // An attribute type OpenSSL knows only while making the certificate (new_oids); the judge runs
        // without that configuration, so to it the type is unknown.
        let config = try dir.write("req.cnf", Array("oid_section = extra\n[extra]\nmyAttribute = 1.2.3.4.5\n[req]\ndistinguished_name = dn\n[dn]\n".utf8))
        for (i, subject) in subjects.enumerated() {
            let pem = dir.path("n\(i).pem")
            _ = try await Self.openssl(["req", "-config", config, "-new", "-x509", "-key", key, "-subj", subject, "-multivalue-rdn", "-utf8", "-days", "1",
                                  "-set_serial", "\(i + 1)", "-out", pem], "req \(subject)")
            let (cert, differences) = try await Self.compare(pem)
            #expect(differences.isEmpty, "\(subject): \(differences)")
            #expect(cert.reencoded() == cert.der)
        }
        // The example: within a multi-valued RDN OpenSSL prints the attributes in reverse DER order.
        let (multi, _) = try await Self.compare(dir.path("n0.pem"))
        let rdn = try #require(multi.subject.rdns.first { $0.attributes.count == 3 })
        let reversed = rdn.attributes.reversed().map { "\($0.type.attributeLabel)=\($0.value.text)" }.joined(separator: "+")
        #expect(multi.subject.rfc2253.contains(reversed), "\(multi.subject.rfc2253) lacks \(reversed)")
        let (unknown, _) = try await Self.compare(dir.path("n1.pem"))
        #expect(unknown.subject.rfc2253.contains("1.2.3.4.5=#0C0C"), "\(unknown.subject.rfc2253)")
    }

    @Test func keysVkcertCannotUseAreNamedAndSized() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let ca = dir.path("ca.key")
        let caCert = dir.path("ca.pem")
        _ = try await Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ca], "ca key")
        _ = try await Self.openssl(["req", "-new", "-x509", "-key", ca, "-subj", "/CN=ca", "-days", "1", "-out", caCert], "ca")
        let csrKey = dir.path("csr.key")
        _ = try await Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", csrKey], "csr key")
        let csr = dir.path("any.csr")
        _ = try await Self.openssl(["req", "-new", "-key", csrKey, "-subj", "/CN=leaf", "-out", csr], "csr")

        // name, how to make the key, whether the key can sign its own certificate.
        let params = dir.path("dsa.params")
        _ = try await Self.openssl(["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", params], "dsa params")
        let keys: [(String, [String], Bool)] = [
            ("dsa", ["genpkey", "-paramfile", params], true),
            ("x25519", ["genpkey", "-algorithm", "X25519"], false),
            ("x448", ["genpkey", "-algorithm", "X448"], false),
            ("ed448", ["genpkey", "-algorithm", "ED448"], true),
            ("secp256k1", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"], true),
            ("secp224r1", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp224r1"], true),
            ("brainpoolP256r1", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"], true),
            ("explicit-p256", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit"], false),
        ]
        for (name, generate, selfSigns) in keys {
            let key = dir.path("\(name).key")
            _ = try await Self.openssl(generate + ["-out", key], "\(name) key")
            let pem = dir.path("\(name).pem")
            if selfSigns {
                _ = try await Self.openssl(["req", "-new", "-x509", "-key", key, "-subj", "/CN=\(name)", "-days", "1", "-out", pem], "\(name) self-signed")
            } else {
                let pub = dir.path("\(name).pub")
                _ = try await Self.openssl(["pkey", "-in", key, "-pubout", "-out", pub], "\(name) pubout")
                _ = try await Self.openssl(["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", ca, "-force_pubkey", pub, "-days", "1",
                                      "-set_serial", "7", "-out", pem], "\(name) issued")
            }
            let (cert, differences) = try await Self.compare(pem)
            #expect(differences.isEmpty, "\(name): \(differences)")
            if selfSigns {
                // Signed by a key vkcert cannot use: the verdict is unsupported, never invalid.
                let verdict = cert.signatureVerdict(for: cert.publicKey)
                #expect(!verdict.isSupported, "\(name): self-signature verdict \(verdict)")
            }
        }
    }
}
