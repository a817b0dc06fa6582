// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// `metav1.ManagedFieldsEntry`: which manager owns which fields, from which operation.
public struct ManagedFieldsEntry: Codable, Sendable, Hashable {
    public var manager: String
    /// `Apply` or `Update`.
    public var operation: String
    public var apiVersion: String
    public var time: Date?
    public var fieldsType: String = "FieldsV1"
    public var fieldsV1: FieldsV1
    /// `status`, `approval`, or nil for the object itself.
    public var subresource: String?

    public init(manager: String, operation: String, apiVersion: String, time: Date?, fieldsV1: FieldsV1, subresource: String?) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}

/// The FieldsV1 trie (k8s.io/apimachinery pkg/apis/meta/v1 FieldsV1, sigs.k8s.io/structured-merge-diff
/// fieldpath serialisation): keys `f:<field>`, `k:<json of the list-map key>`, `v:<json value>`,
/// `i:<index>`, and `.` for "this node itself"; a leaf is `{}`.
public struct FieldsV1: Codable, Sendable, Hashable {
    public var children: [String: FieldsV1]

    public init(_ children: [String: FieldsV1] = [:]) {
        self.children = children
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Deeper than any object the emulator serves; a hostile body cannot make the decoder recurse further.
    static let maximumDepth = 32

    public init(from decoder: any Decoder) throws {
        guard decoder.codingPath.count <= Self.maximumDepth * 2 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "fieldsV1 nested too deeply"))
        }
        let container = try decoder.container(keyedBy: Key.self)
        var children: [String: FieldsV1] = [:]
        for key in container.allKeys { children[key.stringValue] = try container.decode(FieldsV1.self, forKey: key) }
        self.children = children
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, child) in children { try container.encode(child, forKey: Key(stringValue: key)) }
    }
}
