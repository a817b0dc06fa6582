// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// A bounded protobuf wire-format reader: varints (≤ 10 bytes), length-delimited fields within the
/// buffer, fixed32/fixed64 skipped. It never traps on hostile input; every problem is a thrown error.
public struct ProtobufReader {
    public enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed64(UInt64)
        case fixed32(UInt32)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    public var isAtEnd: Bool { index >= bytes.endIndex }

    /// The `k8s\0`-prefixed `runtime.Unknown` envelope of a Kubernetes protobuf body: the kind its
    /// TypeMeta names (field 1, kind = 2) and the raw object (field 2).
    public static func envelope(_ body: [UInt8]) throws -> (kind: String?, raw: ArraySlice<UInt8>) {
        guard body.count >= 4, Array(body.prefix(4)) == [0x6B, 0x38, 0x73, 0x00] else {
            throw Failure(description: "protobuf body does not start with the k8s\\0 magic")
        }
        var envelope = ProtobufReader(body[4...])
        var raw: ArraySlice<UInt8>? = nil
        var kind: String? = nil
        while let (field, value) = try envelope.next() {
            switch field {
            case 1:
                var typeMeta = ProtobufReader(try value.message())
                while let (f, v) = try typeMeta.next() { if f == 2 { kind = try v.string() } }
            case 2: raw = try value.message()
            default: continue
            }
        }
        guard let raw else { throw Failure(description: "protobuf envelope has no raw object") }
        return (kind, raw)
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for _ in 0..<10 {
            guard index < bytes.endIndex else { throw Failure(description: "protobuf varint runs past the end") }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Failure(description: "protobuf varint longer than 10 bytes")
    }

    /// The next field number and value, or nil at the end.
    public mutating func next() throws -> (field: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw Failure(description: "protobuf field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1:
            guard bytes.endIndex - index >= 8 else { throw Failure(description: "protobuf fixed64 truncated") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
            index += 8
            return (field, .fixed64(v))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - index) else { throw Failure(description: "protobuf length \(length) runs past the end") }
            let start = index
            index += Int(length)
            return (field, .bytes(bytes[start..<index]))
        case 5:
            guard bytes.endIndex - index >= 4 else { throw Failure(description: "protobuf fixed32 truncated") }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[index + i]) << (8 * UInt32(i)) }
            index += 4
            return (field, .fixed32(v))
        default:
            throw Failure(description: "protobuf wire type \(key & 7) is not supported")
        }
    }
}

extension ProtobufReader.Value {
    public func string() throws -> String {
        guard case .bytes(let b) = self else { throw ProtobufReader.Failure(description: "expected a string field") }
        guard let s = String(validating: b, as: UTF8.self) else { throw ProtobufReader.Failure(description: "string field is not UTF-8") }
        return s
    }

    public func message() throws -> ArraySlice<UInt8> {
        guard case .bytes(let b) = self else { throw ProtobufReader.Failure(description: "expected an embedded message") }
        return b
    }

    public func integer() throws -> Int64 {
        guard case .varint(let v) = self else { throw ProtobufReader.Failure(description: "expected a varint") }
        return Int64(bitPattern: v)
    }
}
