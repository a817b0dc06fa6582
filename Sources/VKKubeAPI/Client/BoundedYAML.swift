// SPDX-License-Identifier: Apache-2.0

@_exported import VKYAML

/// YAML for configuration files (the VK configuration, kubeconfigs, RBAC manifests, apply patches),
/// composed with bounds by ``VKYAML/YAMLComposer`` on libyaml's event parser.
///
/// Nesting deeper than 1,000 levels is refused. Aliases are resolved by sharing nodes, so an alias
/// bomb ("billion laughs": nine levels of ten aliases each) costs little memory but is exponential to walk,
/// and decoding walks it: the composer counts every node as often as a walk would visit it and refuses more
/// than `maximumNodes`; file sizes are bounded by the callers' reads (4 MiB).
public enum BoundedYAML {
    /// Far above any real configuration (a kubeconfig with 100 contexts has a few thousand nodes).
    public static let maximumNodes = 100_000

    /// Far above a real manifest (the bootstrap RBAC of a cluster is about a hundred objects).
    public static let maximumDocuments = 10_000

    static let composer = YAMLComposer(maximumNodes: maximumNodes, maximumDocuments: maximumDocuments)

    /// Composes the single document in `text` (nil when it is empty), within `maximumNodes`.
    public static func compose(_ text: String) throws(YAMLError) -> YAMLNode? {
        try composer.compose(text)
    }

    /// Composes every document of a multi-document stream (`---` separated), within `maximumNodes` in
    /// total and at most `maximumDocuments` documents.
    public static func composeAll(_ text: String) throws(YAMLError) -> [YAMLNode] {
        try composer.composeAll(text)
    }

    public struct Violation: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Decodes `T` from `text` through `compose`.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        guard let node = try compose(text) else {
            throw Violation(description: "the document is empty")
        }
        return try YAMLDecoder().decode(type, from: node)
    }

    /// A one-line, bounded description of a YAML error for messages: the first line, printable ASCII,
    /// at most 200 characters (a scalar quoted in a message may be megabytes of binary).
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
}
