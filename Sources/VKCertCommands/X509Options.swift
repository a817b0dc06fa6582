// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKDER
import VKX509

/// Node identity options shared by lint, csr create and cert selfsign.
struct NodeOptions: ParsableArguments {
    @Option(help: "Kubernetes node name: the subject becomes CN=system:node:<node>,O=system:nodes.")
    var node: String

    @Option(help: "IP address for the subjectAltName (repeatable).")
    var ip: [String] = []

    @Option(help: "DNS name for the subjectAltName (repeatable).")
    var dns: [String] = []

    /// Validates and converts: node names are RFC 1123 DNS subdomains (as Kubernetes requires).
    func resolved() throws -> (node: String, ips: [[UInt8]], dns: [String]) {
        try NodeOptions.resolve(node: node, ip: ip, dns: dns)
    }

    /// ``resolved()`` for commands whose node options are optional (`lint` without `--node`).
    static func resolve(node: String, ip: [String], dns: [String]) throws -> (node: String, ips: [[UInt8]], dns: [String]) {
        guard NodeOptions.isValidNodeName(node) else {
            throw CLIFailure.input("--node \"\(node)\" is not a valid node name (lower-case letters, digits, '-' and '.', at most 253)")
        }
        var ips: [[UInt8]] = []
        for text in ip {
            guard let bytes = IPAddressText.parse(text) else { throw CLIFailure.input("--ip \"\(text)\" is not an IPv4 or IPv6 address") }
            ips.append(bytes)
        }
        for name in dns where name.isEmpty || name.utf8.contains(where: { $0 >= 0x80 || $0 <= 0x20 }) {
            throw CLIFailure.input("--dns \"\(name)\" is not a DNS name")
        }
        return (node, ips, dns)
    }

    static func isValidNodeName(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }
}

/// Wraps library errors for a file into input errors.
package func loadCertificates(_ path: String) throws -> [Certificate] {
    let bytes = try readInput(path, what: "certificate file")
    let (items, errors) = loadItems(path, bytes: bytes)
    if let first = errors.first { throw CLIFailure.input(first) }
    let certificates = items.compactMap { if case .certificate(let c) = $0.1 { c } else { nil } }
    guard !certificates.isEmpty else { throw CLIFailure.input("\(path): no certificate found") }
    return certificates
}

package func parseTime(_ text: String?) throws -> DERTime {
    guard let text else { return .now() }
    guard let time = DERTime(rfc3339: text) else {
        throw CLIFailure.input("--at \"\(text)\" is not an RFC 3339 time (e.g. 2026-01-02T03:04:05Z)")
    }
    return time
}
