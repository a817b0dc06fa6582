// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import X509

package struct LintCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a kubelet serving certificate or CSR against what Kubernetes requires.",
        discussion: """
            Rules: CN system:node:<node>; O exactly system:nodes; every --ip/--dns in the SAN; DNS and IP SANs \
            only; KU digitalSignature (+ keyEncipherment for RSA); EKU serverAuth only; not a CA; RSA ≥ 2048 or \
            EC ≥ P-256; not SHA-1; not expired or not yet valid; warning when under 30 days remain.
            Exit status 1 when any rule fails (warnings do not fail).
            """
    )

    @Argument(help: "Certificate or CSR (PEM or DER).")
    var file: String

    @OptionGroup var identity: NodeOptions

    @Option(help: "Evaluate validity at this RFC 3339 time instead of now.")
    var at: String?

    @Flag(help: "Print JSON.")
    var json = false

    package func run() throws {
        let (node, ips, dns) = try identity.resolved()
        let linter = KubeletLint(node: node, expectedIPs: ips, expectedDNSNames: dns, now: try parseTime(at))
        let bytes = try readInput(file, what: "input file")
        let (items, errors) = loadItems(file, bytes: bytes)
        if let first = errors.first { throw CLIFailure.verdict(first) }
        let findings: [LintFinding]
        let kind: String
        switch items.first?.1 {
        case .certificate(let c)?: (findings, kind) = (linter.lint(c), "certificate")
        case .csr(let r)?: (findings, kind) = (linter.lint(r), "csr")
        default: throw CLIFailure.input("\(file): holds no certificate or CSR to lint")
        }
        let ok = !findings.contains { $0.severity == .error }
        if json {
            print(JSONValue.object([
                ("file", .string(file)), ("kind", .string(kind)), ("ok", .bool(ok)), ("findings", .array(findings.map(\.json))),
            ]).serialized())
        } else {
            for f in findings { print("\(f.severity.rawValue.uppercased()) [\(f.rule)] \(f.message)") }
            print(ok ? "OK: \(file) passes the kubelet-serving rules" : "FAILED: \(file) breaks \(findings.filter { $0.severity == .error }.count) rule(s)")
        }
        if !ok { throw ExitCode(1) }
    }
}
