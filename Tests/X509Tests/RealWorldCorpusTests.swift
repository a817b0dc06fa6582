// SPDX-License-Identifier: Apache-2.0

import VKConformance
import VKDER
import Foundation
import TestSupport
import Testing
import VKX509

/// Certificates and CSRs from three public corpora (zlint's test certificates, webpki's tests with
/// Chromium's verify_signed_data data, certificate-transparency-go's test data; Vectors/README.md), judged
/// by OpenSSL at test time:
/// - every item both parse: every `inspect --json` field OpenSSL reports (serial, names, dates, fingerprint,
///   signature algorithm, key algorithm/size/curve, basic constraints, key usages, SANs, key identifiers)
///   equals OpenSSL's;
/// - every outcome (both parse / vkcert rejects / OpenSSL rejects / both reject) and, for each rejection,
///   the reason family equals Vectors/realworld/EXPECTATIONS.tsv, which is committed and reviewed: a
///   change of verdict fails here until the file is regenerated on purpose
///   (`VKCERT_WRITE_EXPECTATIONS=1 swift test --filter RealWorldCorpus`).
@Suite("Real-world corpus")
struct RealWorldCorpusTests {
    struct Item {
        let path: String  // relative to Vectors/realworld
        let isCSR: Bool
    }

    static let corpora = ["zlint", "webpki", "ctgo"]

    static func items() throws -> [Item] {
        var items: [Item] = []
        for corpus in corpora {
            let dir = Repository.vector("realworld/\(corpus)").path
            for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".der") {
                items.append(Item(path: "\(corpus)/\(name)", isCSR: name.hasSuffix(".csr.der")))
            }
        }
        return items
    }

    /// OpenSSL's report per item (nil when OpenSSL cannot read it), from one shell loop (one openssl process
    /// per item, no Swift process overhead per item).
    static func opensslReports(_ items: [Item]) async throws -> [String: String?] {
        let base = Repository.vector("realworld").path
        var script = "cd '\(base)' || exit 3\n"
        for item in items {
            let command = item.isCSR
                ? "openssl req -inform DER -in '\(item.path)' -noout -subject -nameopt RFC2253,-esc_msb -text"
                : "openssl x509 -inform DER -in '\(item.path)' -noout -serial -subject -issuer -nameopt RFC2253,-esc_msb -dates -dateopt iso_8601 -fingerprint -sha256 -text"
            script += "echo '@@@ \(item.path)'; \(command) 2>/dev/null; echo \"@@@ rc $?\"\n"
        }
        let result = try await Run.openssl(["version"])
        #expect(result.status == 0, "openssl is the judge here and must be installed")
        let scriptFile = FileManager.default.temporaryDirectory.appendingPathComponent("vkcert-corpus-\(UUID().uuidString).sh")
        try Data(script.utf8).write(to: scriptFile)
        defer { try? FileManager.default.removeItem(at: scriptFile) }
        // On a thread of its own: ~40 s of openssl must not hold a cooperative thread other suites' servers need.
        let run = try await Run.process("/bin/sh", [scriptFile.path], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "OPENSSL_CONF": "/dev/null", "TZ": "UTC", "LC_ALL": "C"])
        var reports: [String: String?] = [:]
        var current: String? = nil
        var text = ""
        for line in run.stdoutText.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@@ rc ") {
                if let current { reports[current] = line == "@@@ rc 0" ? text : String?.none }
                current = nil
            } else if line.hasPrefix("@@@ ") {
                current = String(line.dropFirst(4))
                text = ""
            } else {
                text += line + "\n"
            }
        }
        return reports
    }

    /// A rejection message without byte offsets and the file name: the family it belongs to.
    static func family(_ error: any Error) -> String {
        var text = "\(error)"
        if let range = text.range(of: " (at byte offset") { text = String(text[..<range.lowerBound]) }
        return text.replacingOccurrences(of: "\t", with: " ")
    }

    @Test func outcomesAndFieldsMatchOpenSSLAndTheCommittedExpectations() async throws {
        let items = try Self.items()
        #expect(items.count >= 1_500, "the corpus holds \(items.count) items")
        let reports = try await Self.opensslReports(items)
        var rows: [String] = []
        var table: [String: Int] = [:]
        var fieldMismatches: [String] = []
        var compared = 0
        for item in items {
            let bytes = try Repository.vectorBytes("realworld/\(item.path)")
            guard let report = reports[item.path] else { Issue.record("\(item.path): no OpenSSL report"); continue }
            let opensslParses = report != nil
            var outcome: String
            var reason = ""
            do {
                let json: JSONValue
                if item.isCSR {
                    json = try CertificateSigningRequest(derEncoded: bytes).json(file: item.path, index: 0)
                } else {
                    let cert = try Certificate(derEncoded: bytes)
                    json = cert.json(file: item.path, index: 0)
                    #expect(cert.reencoded() == cert.der, "\(item.path): re-encoding from the parsed fields differs")
                }
                outcome = opensslParses ? "both-parse" : "openssl-rejects"
                if let report {
                    compared += 1
                    let differences = item.isCSR ? Self.csrDifferences(report, json) : Self.certificateDifferences(report, json)
                    fieldMismatches += differences.map { "\(item.path): \($0)" }
                }
            } catch {
                outcome = opensslParses ? "vkcert-rejects" : "both-reject"
                reason = Self.family(error)
            }
            table[outcome, default: 0] += 1
            rows.append("\(item.path)\t\(outcome)\t\(reason)")
        }
        print("real-world corpus: \(items.count) items; " + table.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            + "; fields compared with OpenSSL on \(compared), mismatches \(fieldMismatches.count)")
        for mismatch in fieldMismatches { print("field differs from OpenSSL: \(mismatch)") }
        #expect(fieldMismatches.isEmpty, "\(fieldMismatches.count) field(s) differ from OpenSSL's report (listed above)")

        let header = "file\toutcome\treason"
        let expectationsPath = Repository.vector("realworld/EXPECTATIONS.tsv").path
        let produced = ([header] + rows).joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["VKCERT_WRITE_EXPECTATIONS"] == "1" {
            try produced.write(toFile: expectationsPath, atomically: true, encoding: .utf8)
            print("wrote \(expectationsPath)")
            return
        }
        let committed = try String(contentsOfFile: expectationsPath, encoding: .utf8)
        let expected = Dictionary(committed.split(separator: "\n").dropFirst().map { line -> (String, String) in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { a, _ in a })
        var changed: [String] = []
        for row in rows {
            let parts = row.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let file = String(parts[0]), rest = String(parts[1])
            if expected[file] != rest { changed.append("\(file): expected «\(expected[file] ?? "no row")», now «\(rest)»") }
        }
        for change in changed { print("outcome changed: \(change)") }
        #expect(changed.isEmpty, "\(changed.count) outcome(s) differ from EXPECTATIONS.tsv")
        #expect(expected.count == rows.count, "EXPECTATIONS.tsv has \(expected.count) rows for \(rows.count) items")
    }

    /// Every field OpenSSL reports, compared; the key compared member by member over what OpenSSL prints
    /// (it prints no size for EdDSA and X25519/X448 keys, vkcert's contract gives Ed25519 256 and Ed448 456).
    static func certificateDifferences(_ report: String, _ json: JSONValue) -> [String] {
        let facts = OpenSSLFacts(text: report)
        let normalised = normalisedForOpenSSL(json)
        var differences = facts.differences(from: normalised).filter {
            !$0.hasPrefix("publicKey:") && !(normalised["subjectAltNames"] == .null && $0.hasPrefix("subjectAltNames:"))
        }
        if let expected = facts.fields.first(where: { $0.0 == "publicKey" })?.1 {
            differences += keyDifferences(expected, json["publicKey"] ?? .null)
        }
        return differences
    }

    /// vkcert's SAN forms that OpenSSL prints another way, reduced to what both show: otherName and
    /// ediPartyName values (hex here, decoded or "<unsupported>" there) to their type; a SAN holding control
    /// characters (OpenSSL's text breaks the line) makes the SAN list incomparable, so it is dropped on both
    /// sides.
    static func normalisedForOpenSSL(_ json: JSONValue) -> JSONValue {
        guard case .object(var members) = json, let index = members.firstIndex(where: { $0.0 == "subjectAltNames" }),
            case .array(let sans) = members[index].1
        else { return json }
        let texts = sans.compactMap { if case .string(let s) = $0 { s } else { nil } }
        if texts.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }) {
            members[index].1 = .null
            return .object(members)
        }
        members[index].1 = .array(texts.map { text in
            if text.hasPrefix("otherName:") { return .string(String(text.split(separator: ":", maxSplits: 2).prefix(2).joined(separator: ":"))) }
            if text.hasPrefix("EdiPartyName:") { return .string("EdiPartyName:") }
            return .string(text)
        })
        return .object(members)
    }

    static func keyDifferences(_ expected: JSONValue, _ actual: JSONValue) -> [String] {
        guard case .object(let members) = expected else { return [] }
        var out: [String] = []
        for (name, value) in members where actual[name] != value {
            out.append("publicKey.\(name): vkcert \((actual[name] ?? .null).serialized()), openssl \(value.serialized())")
        }
        if case .object(let ours) = actual {
            let algorithm = actual["algorithm"]
            for (name, value) in ours where value != .null && !members.contains(where: { $0.0 == name }) {
                let edwards = name == "bits" && (algorithm == .string("ED25519") || algorithm == .string("ED448"))
                if !edwards { out.append("publicKey.\(name): vkcert says \(value.serialized()), openssl prints nothing") }
            }
        }
        return out
    }

    /// A CSR: subject and key as `openssl req -text` prints them.
    static func csrDifferences(_ report: String, _ json: JSONValue) -> [String] {
        let facts = OpenSSLFacts(text: report)
        var out: [String] = []
        if let subject = facts.fields.first(where: { $0.0 == "subject" })?.1, json["subject"] != subject {
            out.append("subject: vkcert \((json["subject"] ?? .null).serialized()), openssl \(subject.serialized())")
        }
        if let key = facts.fields.first(where: { $0.0 == "publicKey" })?.1 { out += keyDifferences(key, json["publicKey"] ?? .null) }
        return out
    }
}
