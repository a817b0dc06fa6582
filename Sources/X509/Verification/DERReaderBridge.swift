// SPDX-License-Identifier: Apache-2.0

import BigNum
import DER

enum DERReaderBridge {
    /// `SEQUENCE { INTEGER, INTEGER }` with both non-negative, nothing trailing.
    static func parseTwoIntegers(_ bytes: [UInt8]) throws -> (BigInt, BigInt) {
        try DERReader.parse(bytes[...]) { r in
            let a = try r.readUnsignedIntegerBytes("r")
            let b = try r.readUnsignedIntegerBytes("s")
            return (BigInt(magnitudeBytes: a), BigInt(magnitudeBytes: b))
        }
    }
}
