// SPDX-License-Identifier: Apache-2.0

import Glibc
import X509
import VKX509

/// Thread CPU seconds.
func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        out += buffer[0..<n]
    }
    return out
}

/// Base64 body of the first PEM block, or the bytes themselves (DER).
func der(_ bytes: [UInt8]) -> [UInt8] {
    guard let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN") else { return bytes }
    let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
    var out: [UInt8] = []
    var acc: UInt32 = 0, bits = 0
    for c in body.utf8 where c != 0x3D {
        acc = acc << 6 | UInt32(table[Int(c)])
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
        }
    }
    return out
}

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Vectors/openssl/x509/typical.pem"
let input = der(readFile(path))
let trials = 7
let iterations = 20_000

func measure(_ name: String, _ body: () throws -> Void) rethrows -> Double {
    var rates: [Double] = []
    for _ in 0..<trials {
        let start = cpu()
        for _ in 0..<iterations { try body() }
        rates.append(Double(iterations) / (cpu() - start))
    }
    rates.sort()
    let median = rates[trials / 2]
    let padded = name + String(repeating: " ", count: max(1, 72 - name.count))
    print("\(padded) \(Int(median)) /s  (\((1e8 / median).rounded() / 100) µs)")
    return median
}

// Correctness first: both parsers see the same certificate.
let ours = try VKX509.Certificate(derEncoded: input)
let theirs = try X509.Certificate(derEncoded: input)
precondition(ours.subject.rfc2253.contains("system:node") || !ours.subject.isEmpty)
let theirSANs = try theirs.extensions.subjectAlternativeNames
precondition(theirSANs?.count == ours.extensions.subjectAlternativeNames?.count, "the two parsers disagree on the SAN")
print("certificate: \(path), \(input.count) bytes DER, \(ours.extensions.all.count) extensions, \(ours.publicKey.algorithmName) \(ours.publicKey.bits ?? 0)")

var sink = 0
let vk = try measure("vkcert Certificate(derEncoded:) (eager: all extensions decoded)") {
    let c = try VKX509.Certificate(derEncoded: input)
    sink &+= c.extensions.all.count
}
let scLazy = try measure("swift-certificates Certificate(derEncoded:) (lazy)") {
    let c = try X509.Certificate(derEncoded: input)
    sink &+= c.extensions.count
}
let scEager = try measure("swift-certificates + BC, KU, EKU, SAN, SKI, AKI, AIA decoded (eager)") {
    let c = try X509.Certificate(derEncoded: input)
    let e = c.extensions
    sink &+= (try e.basicConstraints != nil) ? 1 : 0
    sink &+= (try e.keyUsage != nil) ? 1 : 0
    sink &+= (try e.extendedKeyUsage?.count ?? 0)
    sink &+= (try e.subjectAlternativeNames?.count ?? 0)
    sink &+= (try e.subjectKeyIdentifier != nil) ? 1 : 0
    sink &+= (try e.authorityKeyIdentifier != nil) ? 1 : 0
    sink &+= (try e.authorityInformationAccess?.count ?? 0)
}
func two(_ x: Double) -> Double { (x * 100).rounded() / 100 }
print("ratio vkcert / swift-certificates (eager): \(two(vk / scEager)); vs lazy: \(two(vk / scLazy))  [sink \(sink % 10)]")
