// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKDER
import VKFileIO
import VKX509

package struct LintCommand: ParsableCommand {
    package init() {}

    package enum Profile: String, ExpressibleByArgument, CaseIterable, Sendable {
        case kubeletServing = "kubelet-serving"
        case rfc5280
    }

    package static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Audit certificates and CSRs: what Kubernetes requires of a kubelet serving pair, or what RFC 5280 obliges an issuer to do.",
        discussion: """
            Profiles:
              kubelet-serving (the default when --node is given): CN system:node:<node>; O exactly system:nodes; \
            every --ip/--dns in the SAN; DNS and IP SANs only; KU digitalSignature (+ keyEncipherment for RSA); \
            EKU serverAuth only; not a CA; RSA ≥ 2048 or EC ≥ P-256; not SHA-1; not expired or not yet valid; \
            warning when under 30 days remain.
              rfc5280 (the default otherwise): the structural obligations on the issuer — empty issuer or \
            subject, critical AIA/AKI/SKI, explicit DEFAULT values, keyUsage bits, reasons-only distribution \
            points, duplicate policies, name-constraint forms, serial numbers, time encodings, CA shape, \
            signature parameters, … — each under the name zlint gives it (e_… error, w_… warning, n_… notice).
            Inputs may be files (PEM bundles of any mix, or DER) and directories (every file inside, \
            recursively, in name order). With more than one item a summary table follows (rule, severity, count).
            --json prints one object {file, index, kind, ok, findings} for a single item, otherwise \
            {items: [...], summary: {...}}; every finding has rule, severity, field and message.
            Exit status: 1 when any item breaks an error-severity rule or fails to parse, 0 otherwise.

            Examples:
              vkcert lint kubelet.crt --node vk-1 --ip 10.0.0.7
              vkcert lint --profile rfc5280 ca-bundle.pem
              vkcert lint certs/ --json > audit.json
            """
    )

    @Argument(help: "Certificates or CSRs (PEM or DER), bundles, or directories.")
    var inputs: [String]

    @Option(help: "Rule set: kubelet-serving or rfc5280 (default: kubelet-serving with --node, rfc5280 without).")
    var profile: Profile?

    @Option(help: "Kubernetes node name (kubelet-serving): the subject must be CN=system:node:<node>,O=system:nodes.")
    var node: String?

    @Option(help: "IP address the subjectAltName must hold (kubelet-serving; repeatable).")
    var ip: [String] = []

    @Option(help: "DNS name the subjectAltName must hold (kubelet-serving; repeatable).")
    var dns: [String] = []

    @Option(help: "Evaluate validity at this RFC 3339 time instead of now (kubelet-serving).")
    var at: String?

    @Flag(help: "Print JSON.")
    var json = false

    package func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one file or directory to lint") }
        if resolvedProfile == .kubeletServing && node == nil {
            throw ValidationError("--profile kubelet-serving needs --node <node name>")
        }
        if resolvedProfile == .rfc5280 && (node != nil || !ip.isEmpty || !dns.isEmpty) {
            throw ValidationError("--node, --ip and --dns belong to the kubelet-serving profile, not rfc5280")
        }
    }

    var resolvedProfile: Profile { profile ?? (node == nil ? .rfc5280 : .kubeletServing) }

    private struct Result {
        var file: String
        var index: Int
        var kind: String
        var findings: [LintFinding]
        var parseError: String?
        var ok: Bool { parseError == nil && !findings.contains { $0.severity == .error } }
    }

    package func run() throws {
        let profile = resolvedProfile
        var kubelet: KubeletLint? = nil
        if profile == .kubeletServing, let node {
            let (name, ips, dnsNames) = try NodeOptions.resolve(node: node, ip: ip, dns: dns)
            kubelet = KubeletLint(node: name, expectedIPs: ips, expectedDNSNames: dnsNames, now: try parseTime(at))
        }
        let rfc5280 = RFC5280Lint()
        var results: [Result] = []
        var files: [String] = []
        for input in inputs { try Self.collect(input, into: &files) }
        for file in files {
            let bytes = try readInput(file, what: "input file")
            let (items, errors) = loadItems(file, bytes: bytes)
            for error in errors { results.append(Result(file: file, index: -1, kind: "unparseable", findings: [], parseError: error)) }
            for (index, item) in items {
                switch item {
                case .certificate(let c):
                    results.append(Result(file: file, index: index, kind: "certificate", findings: kubelet?.lint(c) ?? rfc5280.lint(c)))
                case .csr(let r):
                    results.append(Result(file: file, index: index, kind: "csr", findings: kubelet?.lint(r) ?? rfc5280.lint(r)))
                case .privateKey, .publicKey:
                    continue  // keys carry no issuer obligations
                }
            }
        }
        guard !results.isEmpty else {
            throw CLIFailure.input("\(inputs.joined(separator: ", ")): holds no certificate or CSR to lint")
        }
        let oneFile = files.count == 1 && !FileSystem.isDirectory(inputs[0])
        // One file that holds nothing readable: the error itself is the answer (stderr, exit 1), as inspect does.
        if oneFile, let first = results.first?.parseError, results.allSatisfy({ $0.parseError != nil }) {
            throw CLIFailure.verdict(first)
        }
        if oneFile && results.count == 1 {
            let r = results[0]
            if json {
                print(JSONValue.object([
                    ("file", .string(r.file)), ("index", .int(r.index)), ("kind", .string(r.kind)), ("profile", .string(profile.rawValue)),
                    ("ok", .bool(r.ok)), ("findings", .array(r.findings.map(\.json))),
                ]).serialized())
            } else {
                for f in r.findings { print(Self.line(f)) }
                print(r.ok ? "OK: \(r.file) passes the \(profile.rawValue) rules"
                    : "FAILED: \(r.file) breaks \(r.findings.filter { $0.severity == .error }.count) rule(s)")
            }
        } else {
            let summary = Self.summary(results)
            if json {
                print(JSONValue.object([
                    ("profile", .string(profile.rawValue)),
                    ("items", .array(results.map { r in
                        .object([
                            ("file", .string(r.file)), ("index", r.index >= 0 ? .int(r.index) : .null), ("kind", .string(r.kind)),
                            ("ok", .bool(r.ok)), ("error", JSONValue(r.parseError)), ("findings", .array(r.findings.map(\.json))),
                        ])
                    })),
                    ("summary", .object([
                        ("items", .int(results.count)), ("passed", .int(results.filter(\.ok).count)),
                        ("failed", .int(results.filter { !$0.ok && $0.parseError == nil }.count)),
                        ("unparseable", .int(results.filter { $0.parseError != nil }.count)),
                        ("rules", .array(summary.map { .object([("rule", .string($0.rule)), ("severity", .string($0.severity.rawValue)), ("count", .int($0.count))]) })),
                    ])),
                ]).serialized())
            } else {
                for r in results {
                    let label = r.index >= 0 ? "\(r.file) #\(r.index) (\(r.kind))" : r.file
                    if let error = r.parseError {
                        print("\(label): UNPARSEABLE: \(error)")
                    } else {
                        print("\(label): \(r.ok ? "OK" : "FAILED")")
                        for f in r.findings { print("  " + Self.line(f)) }
                    }
                }
                print("")
                print("SUMMARY (\(profile.rawValue)): \(results.count) item(s), \(results.filter(\.ok).count) passed, "
                    + "\(results.filter { !$0.ok && $0.parseError == nil }.count) failed, \(results.filter { $0.parseError != nil }.count) unparseable")
                if !summary.isEmpty {
                    let width = max(4, summary.map(\.rule.count).max() ?? 0)
                    print("RULE".padding(width) + "  SEVERITY  ITEMS")
                    for row in summary { print(row.rule.padding(width) + "  " + row.severity.rawValue.padding(8) + "  \(row.count)") }
                }
            }
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    private static func line(_ f: LintFinding) -> String {
        "\(f.severity.rawValue.uppercased()) [\(f.rule)]\(f.field.map { " \($0):" } ?? "") \(f.message)"
    }

    /// Rules by how many items break them (most first, then by severity and name).
    private static func summary(_ results: [Result]) -> [(rule: String, severity: LintFinding.Severity, count: Int)] {
        var counts: [String: (LintFinding.Severity, Int)] = [:]
        for r in results {
            for rule in Set(r.findings.map(\.rule)) {
                let severity = r.findings.first { $0.rule == rule }!.severity
                counts[rule, default: (severity, 0)].1 += 1
            }
        }
        return counts.map { (rule: $0.key, severity: $0.value.0, count: $0.value.1) }
            .sorted { ($1.count, $0.severity, $0.rule) < ($0.count, $1.severity, $1.rule) }
    }

    /// Files under `path` (itself when it is a file), directories walked in name order; hidden names skipped.
    static func collect(_ path: String, into files: inout [String], depth: Int = 0) throws {
        guard FileSystem.isDirectory(path) else { files.append(path); return }
        guard depth < 16 else { throw CLIFailure.input("\(path): directories nested deeper than 16 levels") }
        for name in try FileSystem.listDirectory(path) where !name.hasPrefix(".") {
            try collect(path.hasSuffix("/") ? path + name : path + "/" + name, into: &files, depth: depth + 1)
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
