// SPDX-License-Identifier: Apache-2.0

import VKDER
import VKX509

/// What OpenSSL reports about a certificate, read from the output of
/// `openssl x509 -noout -serial -subject -issuer -nameopt RFC2253,-esc_msb -dates -dateopt iso_8601
/// -fingerprint -sha256 -text`, in the shape of vkcert's `inspect --json` fields so the two compare.
public struct OpenSSLFacts: Sendable {
    public var fields: [(String, JSONValue)] = []

    static let keyUsageNames = [
        "Digital Signature": "digitalSignature", "Non Repudiation": "contentCommitment", "Key Encipherment": "keyEncipherment",
        "Data Encipherment": "dataEncipherment", "Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign",
        "CRL Sign": "cRLSign", "Encipher Only": "encipherOnly", "Decipher Only": "decipherOnly",
    ]
    static let extendedKeyUsageNames = [
        "TLS Web Server Authentication": "serverAuth", "TLS Web Client Authentication": "clientAuth", "Code Signing": "codeSigning",
        "E-mail Protection": "emailProtection", "Time Stamping": "timeStamping", "OCSP Signing": "OCSPSigning",
    ]

    /// OpenSSL's `-dateopt iso_8601` ("2025-01-01 00:00:00Z"; years below 1000 space-padded) as RFC 3339.
    public static func isoDate(_ text: String) -> String {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return text }
        let date = parts[0]
        let year = date.prefix { $0 != "-" }
        let padded = String(repeating: "0", count: max(0, 4 - year.count)) + year + date.dropFirst(year.count)
        return padded + "T" + parts[1]
    }

    /// Our name for an extended key usage OpenSSL printed by its long name ("Any Extended Key Usage",
    /// "Signing KDC Response", …): the contract's short names, else the dotted OID.
    static func extendedKeyUsageName(_ printed: String) -> String {
        if let known = extendedKeyUsageNames[printed] { return known }
        if let oid = OID(dotted: printed) { return ExtendedKeyUsage([oid]).names[0] }
        if let oid = OID.fromOpenSSLLongName(printed) { return ExtendedKeyUsage([oid]).names[0] }
        return printed
    }

    public init(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func value(after prefix: String) -> String? {
            lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        func trimmed(_ s: String) -> String { String(s.drop { $0 == " " }) }
        func after(_ marker: String) -> (header: String, next: String)? {
            guard let i = lines.firstIndex(where: { $0.contains(marker) }), i + 1 < lines.count else { return nil }
            return (lines[i], trimmed(lines[i + 1]))
        }
        func afterLast(_ line: String, _ separator: String) -> String {
            var result = Substring(line)
            while let range = result.firstRange(of: separator) { result = result[range.upperBound...] }
            while result.last == " " { result = result.dropLast() }  // OpenSSL pads "rsassaPss        "
            return String(result)
        }
        func list(_ s: String) -> [String] { s.split(separator: ",").map { trimmed(String($0)) } }
        func hexOnly(_ s: String) -> String { String(s.filter { $0 != ":" }).lowercased() }

        let signedSerial = hexOnly(value(after: "serial=") ?? "")
        let negative = signedSerial.hasPrefix("-")
        let serial = signedSerial.drop { $0 == "-" }.drop { $0 == "0" }
        fields.append(("serial", .string(serial.isEmpty ? "0" : (negative ? "-" : "") + serial)))
        if let line = lines.first(where: { $0.hasPrefix("        Version: ") }), let v = Int(line.dropFirst("        Version: ".count).prefix { $0.isNumber }) {
            fields.append(("version", .int(v)))
        }
        fields.append(("subject", JSONValue(value(after: "subject="))))
        fields.append(("issuer", JSONValue(value(after: "issuer="))))
        fields.append(("notBefore", JSONValue(value(after: "notBefore=").map(Self.isoDate))))
        fields.append(("notAfter", JSONValue(value(after: "notAfter=").map(Self.isoDate))))
        fields.append(("fingerprintSHA256", JSONValue(value(after: "sha256 Fingerprint=").map(hexOnly))))
        fields.append(("signatureAlgorithm", JSONValue(lines.first { $0.contains("Signature Algorithm:") }.map { afterLast($0, ": ") })))
        var key: [(String, JSONValue)] = [("algorithm", JSONValue(lines.first { $0.contains("Public Key Algorithm:") }.map { afterLast($0, ": ") }))]
        if let line = lines.first(where: { $0.contains("Public-Key: (") }), let bits = Int(afterLast(line, "(").prefix { $0 != " " }) {
            key.append(("bits", .int(bits)))
        }
        if let line = lines.first(where: { $0.contains("Exponent: ") }), let e = Int(afterLast(line, "Exponent: ").prefix { $0 != " " }) {
            key.append(("exponent", .int(e)))
        }
        if let line = lines.first(where: { $0.contains("ASN1 OID: ") }) { key.append(("curve", .string(afterLast(line, "ASN1 OID: ")))) }
        fields.append(("publicKey", .object(key)))
        if let (header, next) = after("X509v3 Basic Constraints") {
            let path = next.firstRange(of: "pathlen:").flatMap { Int(next[$0.upperBound...].prefix { $0.isNumber }) }
            fields.append(("basicConstraints", .object([
                ("ca", .bool(next.contains("CA:TRUE"))), ("pathLen", path.map { .int($0) } ?? .null), ("critical", .bool(header.contains("critical"))),
            ])))
        } else {
            fields.append(("basicConstraints", .null))
        }
        // A keyUsage without bits has no names to print: OpenSSL then shows the value's bytes as dots.
        fields.append(("keyUsage", JSONValue(after("X509v3 Key Usage").map { entry -> [String] in
            entry.next.allSatisfy { $0 == "." } ? [] : list(entry.next).map { Self.keyUsageNames[$0] ?? "?\($0)" }
        })))
        fields.append(("extendedKeyUsage", JSONValue(after("X509v3 Extended Key Usage").map { list($0.next).map(Self.extendedKeyUsageName) })))
        // OpenSSL separates entries with ", " (a comma inside a dNSName is not followed by a space).
        let sans = after("X509v3 Subject Alternative Name").map { $0.next.components(separatedBy: ", ") } ?? []
        fields.append(("subjectAltNames", .array(sans.map { entry in
            if entry.hasPrefix("DirName:/") {
                return .string("dirName:" + entry.dropFirst("DirName:/".count).split(separator: "/").reversed().joined(separator: ","))
            }
            if entry.hasPrefix("IP Address:") {
                // OpenSSL prints IPv6 uncompressed and upper-case; the contract wants RFC 5952.
                // IPv4 is taken verbatim so our formatter is never its own oracle.
                let address = String(entry.dropFirst("IP Address:".count))
                if address.contains(":"), let bytes = IPAddressText.parse(address) { return .string("IP:" + IPAddressText.format(bytes)) }
                return .string("IP:" + address)
            }
            if entry.hasPrefix("Registered ID:") { return .string("RID:" + entry.dropFirst("Registered ID:".count)) }
            // OpenSSL decodes otherName values it knows and prints "<unsupported>" for EDI party names;
            // vkcert's contract keeps both as hex: compared by form (and type OID) only.
            if entry.hasPrefix("othername: ") {
                var type = String(entry.dropFirst("othername: ".count).prefix { $0 != ":" })
                // Labels OpenSSL's v3_san.c prints for otherName types it decodes itself (not in its object table).
                let decoded = ["UPN": "1.3.6.1.4.1.311.20.2.3", "XmppAddr": "1.3.6.1.5.5.7.8.5", "SRVName": "1.3.6.1.5.5.7.8.7",
                               "NAIRealm": "1.3.6.1.5.5.7.8.8", "SmtpUTF8Mailbox": "1.3.6.1.5.5.7.8.9"]
                type = decoded[type] ?? type
                return .string("otherName:" + ((OID(dotted: type) ?? OID.fromOpenSSLName(type))?.dotted ?? type))
            }
            if entry.hasPrefix("EdiPartyName:") { return .string("EdiPartyName:") }
            return .string(entry)
        })))
        fields.append(("subjectKeyIdentifier", JSONValue(after("X509v3 Subject Key Identifier").map { hexOnly($0.next) })))
        fields.append(("authorityKeyIdentifier", JSONValue(after("X509v3 Authority Key Identifier").flatMap { entry -> String? in
            // Without a keyIdentifier OpenSSL prints only "DirName:…" / "serial:…" lines.
            if entry.next.hasPrefix("DirName:") || entry.next.hasPrefix("serial:") { return nil }
            return hexOnly(entry.next.hasPrefix("keyid:") ? String(entry.next.dropFirst(6)) : entry.next)
        })))
    }

    /// The fields where `json` (an `inspect --json` certificate object) differs from OpenSSL's facts.
    public func differences(from json: JSONValue) -> [String] {
        fields.compactMap { name, expected in
            let actual = json[name] ?? .null
            return actual == expected ? nil : "\(name): vkcert \(actual.serialized()), openssl \(expected.serialized())"
        }
    }
}
