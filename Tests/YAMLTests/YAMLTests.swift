// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing
import VKYAML

/// VKYAML (libyaml events → nodes → Decodable), judged by PyYAML: its `safe_load` resolves YAML 1.1's
/// implicit types (yes/no/on/off booleans, 0x/0o/0b/leading-zero octal integers, .inf/.nan, ~/null)
/// as Yams did before VKYAML replaced it. Plus the bounds: aliases expanded, depth, documents.
@Suite("YAML")
struct YAMLTests {
    /// Our resolution of a node as JSON text with sorted keys (integers as integers, floats with a dot),
    /// the shape `json.dumps(…, sort_keys=True)` gives PyYAML's result.
    static func json(_ node: YAMLNode) -> String {
        switch node {
        case .scalar(let s):
            if s.isNull { return "null" }
            if let b = s.bool { return b ? "true" : "false" }
            if let i = s.int64 { return String(i) }
            if let d = s.double {
                if d.isNaN { return "NaN" }
                if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
                return d == d.rounded() && abs(d) < 1e16 ? String(format: "%.1f", d) : "\(d)"
            }
            let data = try! JSONEncoder().encode(s.string)
            return String(decoding: data, as: UTF8.self)
        case .sequence(let items): return "[" + items.map(json).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            let sorted = pairs.map { ($0.key.scalar?.string ?? "?", json($0.value)) }.sorted { $0.0 < $1.0 }
            return "{" + sorted.map { String(decoding: try! JSONEncoder().encode($0.0), as: UTF8.self) + ": " + $0.1 }.joined(separator: ", ") + "}"
        }
    }

    static let samples = [
        "a: yes\nb: No\nc: ON\nd: off\ne: true\nf: FALSE\ng: 'yes'\nh: \"on\"\ni: !!str true\n",
        "a: 0x1F\nc: 017\nd: 0b101\ne: -42\nf: +7\ng: 1_000\nh: '12'\ni: 9223372036854775807\n",
        "a: 1.5\nc: .inf\nd: -.Inf\ne: .nan\nf: 1_0.5\ng: 6.02e+23\n",
        "a: ~\nb: null\nc: NULL\nd:\ne: ''\nf: \"\"\ng: !!null x\n",
        "base: &b {x: 1, y: [a, b]}\ncopy: *b\nlist: [*b, *b]\n",
        "s: |\n  line 1\n  line 2\nf: >\n  folded\n  text\nq: \"tab\\tand \\u00e9\"\n",
        "- plain text with: colon\n- 'single ''quoted'''\n- [nested, [deeper, {k: v}]]\n",
    ]

    @Test(arguments: samples)
    func resolvesAsPyYAML(_ text: String) async throws {
        let ours = try #require(try YAMLComposer().compose(text))
        let python = try await Run.process("python3", ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.argv[1]), sort_keys=True, ensure_ascii=False))", text])
        try #require(python.status == 0, "PyYAML: \(python.stderrText)")
        #expect(Self.json(ours) == python.stdoutText.trimmingCharacters(in: .newlines), "\(text)")
    }

    /// Where Yams (and so vkcert before VKYAML) read YAML 1.2 spellings that PyYAML's YAML 1.1 leaves as
    /// strings: kept, so configurations mean what they meant.
    @Test func yamsSpellingsBeyondYAML11() throws {
        let node = try #require(try YAMLComposer().compose("a: 0o17\nb: -2e3\n"))
        #expect(node["a"]?.scalar?.int64 == 15)
        #expect(node["b"]?.scalar?.double == -2000)
    }

    struct Config: Decodable, Equatable {
        struct Item: Decodable, Equatable { let name: String; let port: Int? }
        let enabled: Bool
        let ratio: Double
        let items: [Item]
        let labels: [String: String]
        let missing: String?
        let nothing: Int?
    }

    @Test func decodesAndNamesThePath() throws {
        let text = "enabled: on\nratio: 0.8\nitems: [{name: a, port: 0x50}, {name: b}]\nlabels: {x: '1', y: 2}\nnothing: ~\n"
        let config = try YAMLDecoder().decode(Config.self, from: try #require(try YAMLComposer().compose(text)))
        #expect(config == Config(enabled: true, ratio: 0.8, items: [.init(name: "a", port: 80), .init(name: "b", port: nil)],
                                 labels: ["x": "1", "y": "2"], missing: nil, nothing: nil))
        let bad = try #require(try YAMLComposer().compose("enabled: true\nratio: 1\nitems: [{name: a, port: [1]}]\nlabels: {}\n"))
        #expect {
            try YAMLDecoder().decode(Config.self, from: bad)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["items", "0", "port"]
        }
    }

    @Test func boundsAndStructure() throws {
        // Nine levels of nine aliases: 9^9 nodes if walked; refused by count, quickly.
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect(throws: YAMLError.self) { try YAMLComposer().compose(bomb) }
        // Just under and just over a small budget: the count is exact (aliases expanded, keys included).
        let shared = "a: &a [1, 2]\nb: *a\n"  // mapping 1 + a 1 + seq 3 + b 1 + alias 3 = 9
        #expect(try YAMLComposer(maximumNodes: 9).compose(shared) != nil)
        #expect(throws: YAMLError.self) { try YAMLComposer(maximumNodes: 8).compose(shared) }
        #expect(throws: YAMLError.self) { try YAMLComposer().compose(String(repeating: "[", count: 1_001) + String(repeating: "]", count: 1_001)) }
        #expect(try YAMLComposer().compose(String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)) != nil)
        #expect(throws: YAMLError.self) { try YAMLComposer().compose("a: *nowhere\n") }
        #expect(throws: YAMLError.self) { try YAMLComposer().compose("a: 1\n---\nb: 2\n") }
        #expect(try YAMLComposer().composeAll("a: 1\n---\nb: 2\n---\n").count == 3)
        #expect(throws: YAMLError.self) { try YAMLComposer(maximumDocuments: 2).composeAll("a\n---\nb\n---\nc\n") }
        #expect(try YAMLComposer().compose("") == nil && YAMLComposer().compose("# only a comment\n") == nil)
        do {
            _ = try YAMLComposer().compose("key: [unclosed\n")
            Issue.record("accepted an unclosed flow sequence")
        } catch {
            #expect(error.code == .syntax && error.line == 2, "\(error)")
        }
    }
}
