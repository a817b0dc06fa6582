// SPDX-License-Identifier: Apache-2.0

import CVKYAML

/// Composes YAML text into ``YAMLNode``s from libyaml's parser events, with bounds: nesting deeper than
/// `maximumDepth` (1,000) levels is refused as soon as it is seen; aliases are expanded by sharing, and every node counts as often as a
/// walk would visit it, so an alias bomb ("billion laughs") is refused after `maximumNodes` instead of
/// being walked; at most `maximumDocuments` documents. Iterative (no recursion on the input's depth).
public struct YAMLComposer: Sendable {
    public var maximumNodes: Int
    public var maximumDocuments: Int
    /// Nested sequences and mappings (libyaml's scanner checks stale simple keys on every token, one per
    /// open level, so unbounded nesting is quadratic; parsing stops at the first level too deep).
    public var maximumDepth: Int

    public init(maximumNodes: Int = 100_000, maximumDocuments: Int = 10_000, maximumDepth: Int = 1_000) {
        self.maximumNodes = maximumNodes
        self.maximumDocuments = maximumDocuments
        self.maximumDepth = maximumDepth
    }

    /// The single document in `text`, nil when the stream holds none (empty text, only comments).
    public func compose(_ text: String) throws(YAMLError) -> YAMLNode? {
        let documents = try composeAll(text, limit: 1)
        return documents.first
    }

    /// Every document of a `---`-separated stream (an empty document is an empty plain scalar).
    public func composeAll(_ text: String) throws(YAMLError) -> [YAMLNode] {
        try composeAll(text, limit: maximumDocuments)
    }

    private func composeAll(_ text: String, limit: Int) throws(YAMLError) -> [YAMLNode] {
        // A terminating zero keeps the buffer's base address non-nil for empty text; libyaml reads `count` bytes.
        let bytes = Array(text.utf8) + [0]
        var result: Result<[YAMLNode], YAMLError> = .success([])
        bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                result = .failure(YAMLError(.syntax, "libyaml could not initialise its parser"))
                return
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count - 1)
            do throws(YAMLError) {
                result = .success(try run(&parser, limit: limit))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    private struct Frame {
        var isMapping: Bool
        var anchor: String?
        var items: [YAMLNode] = []
        var size = 1
    }

    private func run(_ parser: inout yaml_parser_t, limit: Int) throws(YAMLError) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        var stack: [Frame] = []
        var anchors: [String: (node: YAMLNode, size: Int)] = [:]
        var total = 0
        var root: YAMLNode?

        func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        func count(_ n: Int, _ mark: yaml_mark_t) throws(YAMLError) {
            total += n
            guard total <= maximumNodes else {
                throw YAMLError(.limit, "more than \(maximumNodes) YAML nodes once aliases are expanded (an alias bomb?)",
                                line: mark.line + 1, column: mark.column + 1)
            }
        }
        func deeper(_ mark: yaml_mark_t) throws(YAMLError) {
            guard stack.count < maximumDepth else {
                throw YAMLError(.limit, "nesting deeper than \(maximumDepth) levels", line: mark.line + 1, column: mark.column + 1)
            }
        }
        func add(_ node: YAMLNode, size: Int, anchor: String?) {
            if let anchor { anchors[anchor] = (node, size) }
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].items.append(node)
                stack[stack.count - 1].size += size
            }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw Self.parserError(parser)
            }
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                guard documents.count < limit else {
                    throw limit == 1
                        ? YAMLError(.structure, "expected a single document in the stream, found another", line: mark.line + 1, column: mark.column + 1)
                        : YAMLError(.limit, "more than \(limit) documents", line: mark.line + 1, column: mark.column + 1)
                }
                anchors = [:]
                root = nil
            case YAML_DOCUMENT_END_EVENT:
                if let root { documents.append(root) }
            case YAML_SCALAR_EVENT:
                try count(1, mark)
                let data = event.data.scalar
                let text = data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) } ?? ""
                let style: YAMLNode.Scalar.Style = switch data.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
                add(.scalar(YAMLNode.Scalar(text, tag: string(data.tag), style: style)), size: 1, anchor: string(data.anchor))
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw YAMLError(.structure, "found undefined alias \"\(name)\"", line: mark.line + 1, column: mark.column + 1)
                }
                try count(target.size, mark)
                add(target.node, size: target.size, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try count(1, mark)
                try deeper(mark)
                stack.append(Frame(isMapping: false, anchor: string(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                try count(1, mark)
                try deeper(mark)
                stack.append(Frame(isMapping: true, anchor: string(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let node: YAMLNode
                if frame.isMapping {
                    var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                    pairs.reserveCapacity(frame.items.count / 2)
                    var index = 0
                    while index + 1 < frame.items.count {
                        pairs.append((frame.items[index], frame.items[index + 1]))
                        index += 2
                    }
                    node = .mapping(pairs)
                } else {
                    node = .sequence(frame.items)
                }
                add(node, size: frame.size, anchor: frame.anchor)
            default:
                break
            }
        }
    }

    private static func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            let at = parser.context_mark
            message += " (\(context) at line \(at.line + 1), column \(at.column + 1))"
        }
        let mark = parser.problem_mark
        return YAMLError(.syntax, message, line: mark.line + 1, column: mark.column + 1)
    }
}
