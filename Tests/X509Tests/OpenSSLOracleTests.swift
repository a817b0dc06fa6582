// SPDX-License-Identifier: Apache-2.0

import DER
import Foundation
import TestSupport
import Testing
import X509

/// What OpenSSL says about one certificate, read from `openssl x509 -text` and friends.
struct OpenSSLFacts {
    var serial = "", subject = "", issuer = "", notBefore = "", notAfter = "", fingerprint = ""
    var signatureAlgorithm = "", keyAlgorithm = "", bits: Int? = nil, exponent: Int? = nil, curve: String? = nil
    var basicConstraints: (ca: Bool, pathLen: Int?, critical: Bool)? = nil
    var keyUsage: [String]? = nil, extendedKeyUsage: [String]? = nil, subjectAltNames: [String] = []
    var ski: String? = nil, aki: String? = nil

    static let kuNames = [
        "Digital Signature": "digitalSignature", "Non Repudiation": "contentCommitment", "Key Encipherment": "keyEncipherment",
        "Data Encipherment": "dataEncipherment", "Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign",
        "CRL Sign": "cRLSign", "Encipher Only": "encipherOnly", "Decipher Only": "decipherOnly",
    ]
    static let ekuNames = [
        "TLS Web Server Authentication": "serverAuth", "TLS Web Client Authentication": "clientAuth", "Code Signing": "codeSigning",
        "E-mail Protection": "emailProtection", "Time Stamping": "timeStamping", "OCSP Signing": "OCSPSigning",
    ]

    init(file: String) throws {
        let result = try Run.openssl([
            "x509", "-in", file, "-noout", "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb",
            "-dates", "-dateopt", "iso_8601", "-fingerprint", "-sha256", "-text",
        ])
        guard result.status == 0 else { throw X509Error(.invalidField, "openssl failed on \(file): \(result.stderrText)") }
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func value(after prefix: String) -> String? {
            lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        func nextLine(afterLineContaining marker: String) -> (header: String, next: String)? {
            guard let i = lines.firstIndex(where: { $0.contains(marker) }), i + 1 < lines.count else { return nil }
            return (lines[i], lines[i + 1].trimmingCharacters(in: .whitespaces))
        }
        let hexSerial = (value(after: "serial=") ?? "").lowercased().drop { $0 == "0" }
        serial = hexSerial.isEmpty ? "0" : String(hexSerial)
        subject = value(after: "subject=") ?? ""
        issuer = value(after: "issuer=") ?? ""
        func iso(_ s: String?) -> String { (s ?? "").replacingOccurrences(of: " ", with: "T") }
        notBefore = iso(value(after: "notBefore="))
        notAfter = iso(value(after: "notAfter="))
        fingerprint = (value(after: "sha256 Fingerprint=") ?? "").replacingOccurrences(of: ":", with: "").lowercased()
        signatureAlgorithm = lines.first { $0.contains("Signature Algorithm:") }?.components(separatedBy: ": ").last ?? ""
        keyAlgorithm = lines.first { $0.contains("Public Key Algorithm:") }?.components(separatedBy: ": ").last ?? ""
        if let line = lines.first(where: { $0.contains("Public-Key: (") }) {
            bits = Int(line.components(separatedBy: "(").last!.components(separatedBy: " ").first!)
        }
        if let line = lines.first(where: { $0.contains("Exponent: ") }) {
            exponent = Int(line.components(separatedBy: "Exponent: ").last!.components(separatedBy: " ").first!)
        }
        curve = lines.first { $0.contains("ASN1 OID: ") }?.components(separatedBy: "ASN1 OID: ").last
        if let (header, next) = nextLine(afterLineContaining: "X509v3 Basic Constraints") {
            let ca = next.contains("CA:TRUE")
            let path = next.components(separatedBy: "pathlen:").dropFirst().first.flatMap { Int($0) }
            basicConstraints = (ca, path, header.contains("critical"))
        }
        if let (_, next) = nextLine(afterLineContaining: "X509v3 Key Usage") {
            keyUsage = next.components(separatedBy: ", ").map { Self.kuNames[$0] ?? "?\($0)" }
        }
        if let (_, next) = nextLine(afterLineContaining: "X509v3 Extended Key Usage") {
            extendedKeyUsage = next.components(separatedBy: ", ").map { Self.ekuNames[$0] ?? $0 }
        }
        if let (_, next) = nextLine(afterLineContaining: "X509v3 Subject Alternative Name") {
            subjectAltNames = next.components(separatedBy: ", ").map { entry in
                // OpenSSL prints directory names in its one-line "/A=x/B=y" order; the contract uses RFC 4514.
                if entry.hasPrefix("DirName:/") {
                    let parts = entry.dropFirst("DirName:/".count).components(separatedBy: "/")
                    return "dirName:" + parts.reversed().joined(separator: ",")
                }
                return entry.replacingOccurrences(of: "IP Address:", with: "IP:")
            }
        }
        if let (_, next) = nextLine(afterLineContaining: "X509v3 Subject Key Identifier") {
            ski = next.replacingOccurrences(of: ":", with: "").lowercased()
        }
        if let (_, next) = nextLine(afterLineContaining: "X509v3 Authority Key Identifier") {
            let id = next.hasPrefix("keyid:") ? String(next.dropFirst(6)) : next
            aki = id.contains(":") || id.count > 0 ? id.replacingOccurrences(of: ":", with: "").lowercased() : nil
        }
    }
}

@Suite("inspect JSON equals what OpenSSL reports")
struct OpenSSLOracleTests {
    /// Compares every contract field of our JSON with OpenSSL's facts for `file`.
    static func compare(file: String) throws {
        let text = try Data(contentsOf: URL(fileURLWithPath: file))
        let cert = try Certificate(pemEncoded: [UInt8](text))
        let facts = try OpenSSLFacts(file: file)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(cert.json(file: file, index: 0).serialized().utf8)) as? [String: Any])
        let name = URL(fileURLWithPath: file).lastPathComponent
        #expect(json["serial"] as? String == facts.serial, "\(name) serial")
        #expect(json["subject"] as? String == facts.subject, "\(name) subject")
        #expect(json["issuer"] as? String == facts.issuer, "\(name) issuer")
        #expect(json["notBefore"] as? String == facts.notBefore, "\(name) notBefore")
        #expect(json["notAfter"] as? String == facts.notAfter, "\(name) notAfter")
        #expect(json["fingerprintSHA256"] as? String == facts.fingerprint, "\(name) fingerprint")
        #expect(json["signatureAlgorithm"] as? String == facts.signatureAlgorithm, "\(name) signatureAlgorithm")
        let key = json["publicKey"] as? [String: Any] ?? [:]
        #expect(key["algorithm"] as? String == facts.keyAlgorithm, "\(name) key algorithm")
        #expect(key["bits"] as? Int == facts.bits, "\(name) key bits")
        #expect(key["exponent"] as? Int == facts.exponent, "\(name) exponent")
        #expect(key["curve"] as? String == facts.curve, "\(name) curve")
        let bc = json["basicConstraints"] as? [String: Any]
        #expect((bc == nil) == (facts.basicConstraints == nil), "\(name) basicConstraints presence")
        if let bc, let f = facts.basicConstraints {
            #expect(bc["ca"] as? Bool == f.ca && bc["pathLen"] as? Int == f.pathLen && bc["critical"] as? Bool == f.critical, "\(name) BC")
        }
        #expect(json["keyUsage"] as? [String] == facts.keyUsage, "\(name) keyUsage")
        #expect(json["extendedKeyUsage"] as? [String] == facts.extendedKeyUsage, "\(name) EKU")
        #expect(json["subjectAltNames"] as? [String] == facts.subjectAltNames, "\(name) SAN")
        #expect(json["subjectKeyIdentifier"] as? String == facts.ski, "\(name) SKI")
        #expect(json["authorityKeyIdentifier"] as? String == facts.aki, "\(name) AKI")
        #expect(json["version"] as? Int == cert.version)
    }

    @Test("every system root", arguments: SystemBundleTests.files)
    func systemRoot(file: String) throws {
        try Self.compare(file: file)
    }
}
