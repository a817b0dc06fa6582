// SPDX-License-Identifier: Apache-2.0

/// Decodes `Decodable` values from a composed ``YAMLNode``, with YAML 1.1's implicit types as Yams
/// resolved them: any scalar decodes as a String; Bool, integers and floats only from plain untagged (or
/// suitably tagged) scalars; `nil` from `~`, `null` and empty plain scalars. Errors are `DecodingError`s
/// with the coding path (BoundedYAML renders them as `clusters[0].cluster.server: expected String`).
public struct YAMLDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws -> T {
        try T(from: NodeDecoder(node: node, codingPath: []))
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

private struct NodeDecoder: Decoder {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let pairs = node.mapping else { throw mismatch([String: Any].self, node, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(pairs: pairs, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = node.sequence else { throw mismatch([Any].self, node, codingPath) }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(node: node, codingPath: codingPath)
    }
}

private func mismatch(_ type: Any.Type, _ node: YAMLNode, _ path: [any CodingKey]) -> DecodingError {
    let found = switch node {
    case .scalar(let s): s.isNull ? "null" : "a scalar"
    case .sequence: "a sequence"
    case .mapping: "a mapping"
    }
    return DecodingError.typeMismatch(type, DecodingError.Context(codingPath: path, debugDescription: "expected \(type), found \(found)"))
}

private struct SingleValue: SingleValueDecodingContainer {
    let node: YAMLNode
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { node.isNull }

    func scalar<T>(_ type: T.Type) throws -> YAMLNode.Scalar {
        guard let scalar = node.scalar else { throw mismatch(type, node, codingPath) }
        return scalar
    }

    func decode(_ type: String.Type) throws -> String { try scalar(type).string }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let value = try scalar(type).bool else { throw mismatch(type, node, codingPath) }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let value = try scalar(type).double else { throw mismatch(type, node, codingPath) }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float {
        guard let value = try scalar(type).double else { throw mismatch(type, node, codingPath) }
        return Float(value)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let wide = try scalar(type).int64, let value = T(exactly: wide) else { throw mismatch(type, node, codingPath) }
        return value
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: NodeDecoder(node: node, codingPath: codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let pairs: [(key: YAMLNode, value: YAMLNode)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { pairs.compactMap { $0.key.scalar.flatMap { Key(stringValue: $0.string) } } }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func value(_ key: Key) -> YAMLNode? { pairs.first { $0.key.scalar?.string == key.stringValue }?.value }

    func require(_ key: Key) throws -> YAMLNode {
        guard let node = value(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "no value for \(key.stringValue)"))
        }
        return node
    }

    func decoder(_ key: Key) throws -> NodeDecoder { NodeDecoder(node: try require(key), codingPath: codingPath + [key]) }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNull }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let decoder = try decoder(key)
        // Optional-free scalars go through the single-value container's typed decodes.
        return try SingleValue(node: decoder.node, codingPath: decoder.codingPath).decode(type)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try SingleValue(node: require(key), codingPath: codingPath + [key]).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { NodeDecoder(node: .mapping(pairs), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [YAMLNode]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [YAMLNode], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next(_ type: Any.Type) throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the sequence has ended"))
        }
        defer { currentIndex += 1 }
        return NodeDecoder(node: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex].isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = try next(type)
        return try SingleValue(node: decoder.node, codingPath: decoder.codingPath).decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([Any].self).unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}
