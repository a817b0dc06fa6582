// SPDX-License-Identifier: Apache-2.0

import VKDER

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }`
/// (RFC 5280 §4.2.1.9). An explicit `cA FALSE` (not DER: X.690 §11.5) is tolerated as BoringSSL
/// tolerates it and reported by lint; pathLen must be 0…255 (as BoringSSL and Go bound it).
public struct BasicConstraints: Sendable, Hashable {
    public let isCA: Bool
    public let pathLength: Int?

    public init(isCA: Bool, pathLength: Int? = nil) {
        self.isCA = isCA
        self.pathLength = pathLength
    }

    init(extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws {
        (isCA, pathLength) = try DERReader.parse(extnValue) { r in
            var ca = false
            if r.peekTag() == .boolean {
                ca = try r.readBoolean("basicConstraints cA")
                if !ca {
                    defects.append(ToleratedDefect(.basicConstraintsDefaultEncoded, field: "extensions.basicConstraints",
                        "cA FALSE is encoded explicitly; DER omits a DEFAULT value (X.690 §11.5)"))
                }
            }
            var path: Int? = nil
            if r.peekTag() == .integer {
                let value = try r.readInt(.integer, "basicConstraints pathLenConstraint")
                guard (0...255).contains(value) else {
                    throw X509Error(.invalidExtension, "basicConstraints pathLenConstraint \(value) outside 0…255", offset: r.offset)
                }
                path = value
            }
            return (ca, path)
        }
    }

    var derEncoded: [UInt8] {
        DERWriter.build { w in
            w.appendConstructed { s in
                if isCA { s.appendBoolean(true) }
                if let pathLength { s.appendInteger(pathLength) }
            }
        }
    }
}

/// `KeyUsage ::= BIT STRING` (RFC 5280 §4.2.1.3). The issuer obligations — at least one bit set, none
/// past decipherOnly, no trailing zero bits — are tolerated and reported by lint; bits past decipherOnly
/// are ignored.
public struct KeyUsage: Sendable, Hashable, OptionSet {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
    public static let contentCommitment = KeyUsage(rawValue: 1 << 1)
    public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
    public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
    public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
    public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
    public static let cRLSign = KeyUsage(rawValue: 1 << 6)
    public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
    public static let decipherOnly = KeyUsage(rawValue: 1 << 8)

    /// Bit names in bit order, as the JSON contract and OpenSSL's text use them.
    public static let names = [
        "digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment", "keyAgreement",
        "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
    ]

    public var names: [String] {
        (0..<9).filter { rawValue & (1 << $0) != 0 }.map { KeyUsage.names[$0] }
    }

    init(extnValue: ArraySlice<UInt8>, defects: inout [ToleratedDefect]) throws {
        var r = DERReader(extnValue)
        let bits = try r.readBitString(.bitString, "keyUsage")
        try r.expectEnd("keyUsage")
        func note(_ kind: ToleratedDefect.Kind, _ detail: String) {
            defects.append(ToleratedDefect(kind, field: "extensions.keyUsage", detail))
        }
        let setBits = (0..<bits.bitCount).filter { bits.bit($0) }
        if let beyond = setBits.first(where: { $0 > 8 }) {
            note(.keyUsageBitsBeyondDecipherOnly, "bit \(beyond) is set; keyUsage defines bits 0 (digitalSignature) to 8 (decipherOnly)")
        }
        var value: UInt16 = 0
        for i in setBits where i < 9 { value |= 1 << UInt16(i) }
        if setBits.isEmpty {
            note(.keyUsageWithoutBits, "no bit is set; RFC 5280 requires at least one")
        } else if bits.bytes.last == 0 {
            note(.keyUsageTrailingZeroOctets, "the BIT STRING ends in a zero octet (X.690 §11.2.2: trailing zero bits are removed)")
        } else if setBits.last! != bits.bitCount - 1 {
            // Real roots (two Trustwave ECC roots in the Debian bundle) and older Go versions write these.
            note(.keyUsageTrailingZeroBits, "the BIT STRING carries \(bits.bitCount - 1 - setBits.last!) trailing zero bit(s) not marked unused (X.690 §11.2.2)")
        }
        self.rawValue = value
    }

    /// DER named-bit-list encoding; the empty set is the empty BIT STRING (`03 01 00`), which lint reports
    /// as e_ext_key_usage_without_bits (parsing tolerates it, so the value can reach a builder).
    var derEncoded: [UInt8] {
        guard rawValue != 0 else { return DERWriter.build { $0.appendBitString([], unusedBits: 0) } }
        let highest = 15 - rawValue.leadingZeroBitCount  // index of the highest set bit (0-based)
        let byteCount = highest / 8 + 1
        var bytes = [UInt8](repeating: 0, count: byteCount)
        for i in 0...highest where rawValue & (1 << UInt16(i)) != 0 {
            bytes[i / 8] |= 0x80 >> UInt8(i % 8)
        }
        let unused = 7 - highest % 8
        return DERWriter.build { $0.appendBitString(bytes, unusedBits: unused) }
    }
}

/// `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId` (RFC 5280 §4.2.1.12).
public struct ExtendedKeyUsage: Sendable, Hashable {
    public let purposes: [OID]

    public init(_ purposes: [OID]) {
        self.purposes = purposes
    }

    init(extnValue: ArraySlice<UInt8>) throws {
        purposes = try DERReader.parse(extnValue) { r in
            var list: [OID] = []
            while !r.isAtEnd { list.append(try r.readOID("extKeyUsage purpose")) }
            return list
        }
        guard !purposes.isEmpty else { throw X509Error(.invalidExtension, "extKeyUsage is empty") }
    }

    public func contains(_ purpose: OID) -> Bool { purposes.contains(purpose) }

    /// Whether a certificate with this extension may authenticate a TLS client: clientAuth or
    /// anyExtendedKeyUsage listed (Go's x509 Verify with ExtKeyUsageClientAuth, what kube-apiserver's and
    /// the kubelet's x509 authenticators ask). A certificate without the extension may.
    public var allowsClientAuthentication: Bool {
        contains(OID.KeyPurpose.clientAuth) || contains(OID.KeyPurpose.anyExtendedKeyUsage)
    }

    /// Names as the JSON contract spells them ("serverAuth", …; dotted OID otherwise).
    public var names: [String] {
        purposes.map { oid in
            switch oid {
            case OID.KeyPurpose.serverAuth: "serverAuth"
            case OID.KeyPurpose.clientAuth: "clientAuth"
            case OID.KeyPurpose.codeSigning: "codeSigning"
            case OID.KeyPurpose.emailProtection: "emailProtection"
            case OID.KeyPurpose.timeStamping: "timeStamping"
            case OID.KeyPurpose.ocspSigning: "OCSPSigning"
            case OID.KeyPurpose.anyExtendedKeyUsage: "anyExtendedKeyUsage"
            default: oid.dotted
            }
        }
    }

    var derEncoded: [UInt8] {
        DERWriter.build { w in w.appendConstructed { s in for p in purposes { s.appendOID(p) } } }
    }
}
