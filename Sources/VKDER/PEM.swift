// SPDX-License-Identifier: Apache-2.0

/// One PEM block (RFC 7468): its label, its decoded DER bytes, and where it was in the text.
public struct PEMBlock: Sendable, Hashable {
    public let label: String
    /// The decoded bytes; ``wipe()`` zeroes them once a key has been taken from them.
    public private(set) var der: [UInt8]
    /// 1-based line of the `-----BEGIN` line.
    public let line: Int
    /// 0-based position among the blocks of the file.
    public let index: Int

    public init(label: String, der: [UInt8], line: Int = 1, index: Int = 0) {
        self.label = label
        self.der = der
        self.line = line
        self.index = index
    }

    /// Zeroes the decoded bytes (after a private key was parsed from them).
    public mutating func wipe() {
        DERSecure.wipe(&der)
    }
}

/// PEM decoding and encoding per RFC 7468's strict grammar, plus the leniencies real files need:
/// explanatory text between blocks (as `openssl x509 -text` writes), CRLF line ends, any base64 line
/// length. Encrypted legacy PEM (RFC 1421 headers) is refused with a clear message.
public enum PEM {
    /// Labels vkcert knows.
    public enum Label {
        public static let certificate = "CERTIFICATE"
        public static let certificateRequest = "CERTIFICATE REQUEST"
        public static let privateKey = "PRIVATE KEY"
        public static let rsaPrivateKey = "RSA PRIVATE KEY"
        public static let publicKey = "PUBLIC KEY"
        public static let rsaPublicKey = "RSA PUBLIC KEY"
        public static let encryptedPrivateKey = "ENCRYPTED PRIVATE KEY"
    }

    /// Whether the bytes look like PEM text (contain a BEGIN line) rather than DER.
    public static func looksLikePEM(_ bytes: some Collection<UInt8>) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        let array = Array(bytes.prefix(1 << 20))
        guard array.count >= marker.count else { return false }
        for i in 0...(array.count - marker.count) where array[i] == 0x2D {
            if array[i..<(i + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    /// Every block in `text`, in order. Text outside blocks is ignored.
    /// - Throws: ``DERError`` (`invalidPEM`) naming the line for an unterminated block, a mismatched
    ///   END label, headers, or bad base64; `noPEMBlock` when there is no block at all.
    public static func decodeAll(_ text: some Collection<UInt8>) throws -> [PEMBlock] {
        // The collected base64 of each block may be a private key: wiped on every exit (the caller's
        // own text is the caller's to wipe).
        let lines = splitLines(Array(text))
        var blocks: [PEMBlock] = []
        var i = 0
        while i < lines.count {
            guard let label = beginLabel(lines[i]) else {
                i += 1
                continue
            }
            let beginLine = i + 1
            var body: [UInt8] = []
            var bodyLines: [(line: Int, start: Int)] = []
            var j = i + 1
            var ended = false
            while j < lines.count {
                let line = trim(lines[j])
                if line.starts(with: Array("-----END ".utf8)) {
                    let expected = Array("-----END \(label)-----".utf8)
                    guard line.elementsEqual(expected) else {
                        throw DERError(
                            .invalidPEM,
                            "END line \"\(String(decoding: line, as: UTF8.self))\" does not match BEGIN \(label) of line \(beginLine)",
                            line: j + 1
                        )
                    }
                    ended = true
                    break
                }
                if beginLabel(lines[j]) != nil {
                    throw DERError(.invalidPEM, "BEGIN \(label) at line \(beginLine) has no END line before the next BEGIN", line: j + 1)
                }
                if line.contains(0x3A) {
                    let header = String(decoding: line, as: UTF8.self)
                    if header.hasPrefix("Proc-Type") || header.hasPrefix("DEK-Info") {
                        throw DERError(.invalidPEM, "encrypted PEM (\(header)) is not supported: decrypt the key first", line: j + 1)
                    }
                    throw DERError(.invalidPEM, "PEM headers are not supported (\"\(header)\")", line: j + 1)
                }
                bodyLines.append((j + 1, body.count))
                body.append(contentsOf: line.filter { $0 != 0x20 && $0 != 0x09 })
                j += 1
            }
            defer { DERSecure.wipe(&body) }
            guard ended else {
                throw DERError(.invalidPEM, "BEGIN \(label) has no matching END line", line: beginLine)
            }
            switch Base64.decode(body) {
            case .success(let der):
                guard !der.isEmpty else {
                    throw DERError(.invalidPEM, "PEM block \(label) is empty", line: beginLine)
                }
                blocks.append(PEMBlock(label: label, der: der, line: beginLine, index: blocks.count))
            case .failure(let failure):
                let line = bodyLines.last(where: { $0.start <= failure.index })?.line ?? beginLine
                throw DERError(.invalidPEM, "bad base64 in PEM block \(label): \(failure.reason)", line: line)
            }
            i = j + 1
        }
        guard !blocks.isEmpty else {
            throw DERError(.noPEMBlock, "no PEM block (-----BEGIN …-----) found")
        }
        return blocks
    }

    /// The single block with one of `labels`; other blocks are ignored only if `ignoringOthers`.
    public static func decode(_ text: some Collection<UInt8>, labels: [String]) throws -> PEMBlock {
        let blocks = try decodeAll(text)
        let matching = blocks.filter { labels.contains($0.label) }
        guard let first = matching.first else {
            let found = blocks.map(\.label).joined(separator: ", ")
            throw DERError(
                .wrongPEMLabel,
                "expected a PEM block labelled \(labels.joined(separator: " or ")), found \(found)",
                line: blocks[0].line
            )
        }
        return first
    }

    /// PEM text for `der` with 64-character lines and a trailing newline (public data: certificates,
    /// CSRs, public keys; a private key goes through ``encodeBytes(label:der:)``).
    public static func encode(label: String, der: some Collection<UInt8>) -> String {
        var bytes = encodeBytes(label: label, der: der)
        defer { DERSecure.wipe(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PEM as bytes, built in one buffer reserved to its final size (no reallocation leaves a copy
    /// behind); the caller wipes it after writing when it holds a private key.
    public static func encodeBytes(label: String, der: some Collection<UInt8>) -> [UInt8] {
        var base64 = Base64.encodeBytes(der)
        defer { DERSecure.wipe(&base64) }
        let begin = Array("-----BEGIN \(label)-----\n".utf8), end = Array("-----END \(label)-----\n".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(begin.count + base64.count + base64.count / 64 + 1 + end.count)
        out.append(contentsOf: begin)
        var i = 0
        while i < base64.count {
            let stop = min(i + 64, base64.count)
            out.append(contentsOf: base64[i..<stop])
            out.append(0x0A)
            i = stop
        }
        out.append(contentsOf: end)
        return out
    }

    // MARK: helpers

    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lines.append(bytes[start..<i])
            start = i + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    private static func trim(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var l = line
        while let last = l.last, last == 0x0D || last == 0x20 || last == 0x09 { l = l.dropLast() }
        while let first = l.first, first == 0x20 || first == 0x09 { l = l.dropFirst() }
        return l
    }

    private static func beginLabel(_ raw: ArraySlice<UInt8>) -> String? {
        let line = trim(raw)
        let prefix = Array("-----BEGIN ".utf8)
        let suffix = Array("-----".utf8)
        guard line.count > prefix.count + suffix.count, line.starts(with: prefix), line.suffix(5).elementsEqual(suffix) else {
            return nil
        }
        let label = line.dropFirst(prefix.count).dropLast(suffix.count)
        guard label.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x2D || $0 == 0x2D }) else { return nil }
        return String(decoding: label, as: UTF8.self)
    }
}
