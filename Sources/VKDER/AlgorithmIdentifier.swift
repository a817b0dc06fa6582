// SPDX-License-Identifier: Apache-2.0

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY DEFINED BY algorithm OPTIONAL }`
/// (RFC 5280 §4.1.1.2). Parameters are kept as their original encoding; their meaning is the
/// algorithm's business (RSA, X509).
public struct AlgorithmIdentifier: Hashable, Sendable {
    public let algorithm: OID
    /// The complete encoding of the parameters element, or nil when absent.
    public let parameters: [UInt8]?

    public init(algorithm: OID, parameters: [UInt8]?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// The identifier with explicit NULL parameters (what rsaEncryption and the PKCS#1 v1.5 signature
    /// algorithms use).
    public static func withNullParameters(_ algorithm: OID) -> AlgorithmIdentifier {
        AlgorithmIdentifier(algorithm: algorithm, parameters: [0x05, 0x00])
    }

    /// Whether the parameters are exactly an encoded NULL.
    public var hasNullParameters: Bool { parameters == [0x05, 0x00] }

    /// Reads one AlgorithmIdentifier SEQUENCE.
    public init(from reader: inout DERReader, _ what: String = "AlgorithmIdentifier") throws {
        (algorithm, parameters) = try reader.nested(.sequence, what: what) { r in
            let oid = try r.readOID("\(what) algorithm")
            let params = r.isAtEnd ? nil : Array(try r.readElement().encoded)
            return (oid, params)
        }
    }

    public func write(to writer: inout DERWriter) {
        writer.appendConstructed { w in
            w.appendOID(algorithm)
            if let parameters { w.appendEncoded(parameters) }
        }
    }

    public var derEncoded: [UInt8] { DERWriter.build { write(to: &$0) } }
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`
/// (RFC 5280 §4.1.2.7), with the key bits uninterpreted.
public struct SubjectPublicKeyInfo: Hashable, Sendable {
    public let algorithm: AlgorithmIdentifier
    public let publicKey: BitString

    public init(algorithm: AlgorithmIdentifier, publicKey: BitString) {
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    public init(from reader: inout DERReader) throws {
        (algorithm, publicKey) = try reader.nested(.sequence, what: "SubjectPublicKeyInfo") { r in
            let algorithm = try AlgorithmIdentifier(from: &r, "SubjectPublicKeyInfo algorithm")
            let key = try r.readBitString(.bitString, "subjectPublicKey")
            return (algorithm, key)
        }
    }

    /// Parses a complete DER SubjectPublicKeyInfo (nothing may follow it).
    public init(derEncoded bytes: ArraySlice<UInt8>) throws {
        var reader = DERReader(bytes)
        try self.init(from: &reader)
        try reader.expectEnd("SubjectPublicKeyInfo")
    }

    public func write(to writer: inout DERWriter) {
        writer.appendConstructed { w in
            algorithm.write(to: &w)
            w.appendBitString(publicKey.bytes, unusedBits: publicKey.unusedBits)
        }
    }

    public var derEncoded: [UInt8] { DERWriter.build { write(to: &$0) } }
}
