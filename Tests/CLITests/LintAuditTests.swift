// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

/// `vkcert lint --profile rfc5280` as an auditor runs it, on zlint's own test certificates: each file is
/// named by zlint's authors for the defect its lint is about, so the rule vkcert reports is judged by
/// that name, not by our parser. `inspect` shows every one of them (they parse); a directory run ends with a
/// summary whose counts agree with the per-item JSON.
@Suite("vkcert lint as an RFC 5280 auditor")
struct LintAuditTests {
    static let named: [(file: String, rule: String)] = [
        ("v3__testdata__SANSubjectEmptyNotCritical.crt.der", "e_ext_san_not_critical_without_subject"),
        ("v3__testdata__subjectEmptyNoSAN.crt.der", "e_subject_empty_without_san"),
        ("v3__testdata__akiCritical.crt.der", "e_ext_authority_key_identifier_critical"),
        ("v3__testdata__skiCritical.crt.der", "e_ext_subject_key_identifier_critical"),
        ("v3__testdata__keyUsageNoBits.crt.der", "e_ext_key_usage_without_bits"),
        ("v3__testdata__subjectCommonNamePrintableStringBadAlpha.crt.der", "e_subject_printable_string_badalpha"),
        ("v3__testdata__certPolicyDuplicateShort.crt.der", "e_ext_cert_policy_duplicate"),
    ]

    static func path(_ name: String) -> String { Repository.vector("realworld/zlint/\(name)").path }

    @Test func eachNamedDefectIsShownAndReportedUnderItsRule() async throws {
        for (file, rule) in Self.named {
            let inspect = try await Run.vkcert(["inspect", "--json", Self.path(file)])
            #expect(inspect.status == 0, "\(file): inspect refused it: \(inspect.stderrText)")
            let items = try JSONSerialization.jsonObject(with: inspect.stdout) as? [[String: Any]]
            let defects = (items?.first?["defects"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
            let lint = try await Run.vkcert(["lint", "--json", Self.path(file)])
            #expect(lint.status == 1, "\(file): lint exit \(lint.status)")
            let object = try JSONSerialization.jsonObject(with: lint.stdout) as? [String: Any]
            #expect(object?["profile"] as? String == "rfc5280")
            let findings = (object?["findings"] as? [[String: Any]]) ?? []
            let rules = findings.compactMap { $0["rule"] as? String }
            #expect(rules.contains(rule), "\(file): lint reported \(rules), expected \(rule)")
            let finding = findings.first { $0["rule"] as? String == rule }
            #expect(finding?["severity"] as? String == "error" && (finding?["field"] as? String)?.isEmpty == false && (finding?["message"] as? String)?.isEmpty == false)
            // What the parser tolerated is what inspect lists (the rules computed from the whole object may add more).
            #expect(Set(defects).isSubset(of: Set(rules)), "\(file): inspect defects \(defects) not all linted")
        }
    }

    @Test func inspectTextShowsWhatWasTolerated() async throws {
        let text = try await Run.vkcert(["inspect", Self.path("v3__testdata__akiCritical.crt.der")])
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("Tolerated defects") && text.stdoutText.contains("[e_ext_authority_key_identifier_critical] extensions.authorityKeyIdentifier")
            && text.stdoutText.contains("verification refuses it"), "\(text.stdoutText)")
        let clean = try await Run.vkcert(["inspect", Repository.vector("openssl/x509/typical.pem").path])
        #expect(clean.status == 0 && !clean.stdoutText.contains("Tolerated defects"))
    }

    @Test func directoryRunSummarisesEveryItem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (file, _) in Self.named { _ = try dir.write(file, Array(try Data(contentsOf: URL(fileURLWithPath: Self.path(file))))) }
        _ = try dir.write("not-a-certificate.der", [0x30, 0x03, 0x02, 0x01])
        let json = try await Run.vkcert(["lint", "--json", dir.url.path])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let items = (object["items"] as? [[String: Any]]) ?? []
        let summary = (object["summary"] as? [String: Any]) ?? [:]
        #expect(items.count == Self.named.count + 1 && summary["items"] as? Int == items.count)
        #expect(summary["unparseable"] as? Int == 1 && summary["failed"] as? Int == Self.named.count && summary["passed"] as? Int == 0)
        let counted = Dictionary(((summary["rules"] as? [[String: Any]]) ?? []).map { ($0["rule"] as? String ?? "", $0["count"] as? Int ?? 0) }, uniquingKeysWith: +)
        for (_, rule) in Self.named { #expect((counted[rule] ?? 0) >= 1, "summary lacks \(rule): \(counted)") }
        let text = try await Run.vkcert(["lint", dir.url.path])
        #expect(text.status == 1)
        #expect(text.stdoutText.contains("SUMMARY (rfc5280): 8 item(s), 0 passed, 7 failed, 1 unparseable"), "\(text.stdoutText.suffix(600))")
        #expect(text.stdoutText.contains("not-a-certificate.der: UNPARSEABLE"))
        // The kubelet profile needs a node; rfc5280 refuses the kubelet options.
        #expect(try await Run.vkcert(["lint", "--profile", "kubelet-serving", dir.url.path]).status == 2)
        #expect(try await Run.vkcert(["lint", "--profile", "rfc5280", "--node", "n", dir.url.path]).status == 2)
    }
}
