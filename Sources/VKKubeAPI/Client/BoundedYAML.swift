// SPDX-License-Identifier: Apache-2.0

import Yams

/// YAML for configuration files (the VK configuration, kubeconfigs), composed with bounds.
///
/// libyaml (inside Yams) already refuses nesting deeper than 1,000 levels. Aliases are resolved by
/// sharing nodes, so an alias bomb ("billion laughs": nine levels of ten aliases each) costs little memory
/// but is exponential to walk, and decoding walks it. `compose` therefore counts the document's nodes as
/// a decoder would see them, aliases expanded, and refuses more than `maximumNodes`; file sizes are bounded
/// by the callers' reads (4 MiB).
public enum BoundedYAML {
    /// Far above any real configuration (a kubeconfig with 100 contexts has a few thousand nodes).
    public static let maximumNodes = 100_000

    public struct Violation: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Composes the single document in `text` (nil when it is empty), within `maximumNodes`.
    public static func compose(_ text: String) throws -> Node? {
        guard let node = try Yams.compose(yaml: text) else { return nil }
        var budget = maximumNodes
        try count(node, &budget)
        return node
    }

    /// Composes every document of a multi-document stream (`---` separated), within `maximumNodes` in
    /// total and at most `maximumDocuments` documents; empty documents are skipped.
    public static func composeAll(_ text: String) throws -> [Node] {
        var budget = maximumNodes
        var nodes: [Node] = []
        // The sequence ends at the first error and keeps it in `error` rather than throwing.
        var documents = try Yams.compose_all(yaml: text)
        while let node = documents.next() {
            guard nodes.count < maximumDocuments else {
                throw Violation(description: "more than \(maximumDocuments) documents")
            }
            try count(node, &budget)
            nodes.append(node)
        }
        if let error = documents.error { throw error }
        return nodes
    }

    /// Far above a real manifest (the bootstrap RBAC of a cluster is about a hundred objects).
    public static let maximumDocuments = 10_000

    /// Decodes `T` from `text` through `compose`.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        guard let node = try compose(text) else {
            throw Violation(description: "the document is empty")
        }
        return try YAMLDecoder().decode(type, from: node)
    }

    /// A one-line, bounded description of a YAML error for messages: Yams echoes the offending source
    /// line (which may be megabytes of binary) after the position and problem; keep only the first line,
    /// printable ASCII, at most 200 characters.
    public static func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? DecodingError {
            text = describe(error)
        } else {
            text = String(describing: error)
        }
        let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? text
        var out = ""
        for scalar in firstLine.unicodeScalars {
            if out.count >= 200 {
                out += "…"
                break
            }
            out += (0x20..<0x7F).contains(scalar.value) ? String(scalar) : "?"
        }
        while out.hasSuffix(":") || out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// `clusters[0].cluster.server: expected String` rather than Swift's nested-enum dump.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            var out = ""
            for key in context.codingPath {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += (out.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return out.isEmpty ? "the document" : out
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): missing \(type) value"
        case .keyNotFound(let key, let context): return "\(path(context)): missing key \"\(key.stringValue)\""
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }

    private static func count(_ node: Node, _ budget: inout Int) throws(Violation) {
        budget -= 1
        guard budget >= 0 else {
            throw Violation(description: "more than \(maximumNodes) YAML nodes once aliases are expanded (an alias bomb?)")
        }
        switch node {
        case .scalar, .alias: return
        case .mapping(let mapping):
            for (key, value) in mapping {
                try count(key, &budget)
                try count(value, &budget)
            }
        case .sequence(let sequence):
            for value in sequence { try count(value, &budget) }
        }
    }
}
