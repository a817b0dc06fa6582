// SPDX-License-Identifier: Apache-2.0

import VKBigNum
import VKECC
import VKHash
import VKRSA
import VKX509

/// vkcert's crypto benchmark: key generation, signing, verification and SHA-256 throughput, all in
/// thread CPU time, with a correctness check inside each loop so a fast-but-wrong path cannot win.
public struct Benchmark: Sendable {
    public struct Options: Sendable {
        public var keys = 50
        public var trials = 5
        public var secondsPerTrial = 1.0
        public var key: RSAPrivateKey?
        /// Which measurements to run (all by default): keygen, sign, verify, raw, sha256, parse, csr.
        public var only: Set<String> = Benchmark.allNames
        /// DER certificate for the parse benchmark (required for "parse").
        public var certificate: [UInt8]?

        public init() {}
    }

    /// One measured quantity.
    public struct Measurement: Sendable {
        public let name: String
        public let unit: String
        public let value: Double
        public let detail: [(String, Double)]
    }

    public let options: Options

    /// Names accepted by ``Options/only``.
    public static let allNames: Set<String> = ["keygen", "sign", "verify", "raw", "sha256", "parse", "csr", "ecdsa", "ed25519"]

    public init(options: Options) {
        self.options = options
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> [Measurement] {
        var results: [Measurement] = []

        if options.only.contains("keygen") {
        progress("RSA-2048 key generation × \(options.keys)")
        var times: [Double] = []
        for _ in 0..<options.keys {
            let start = CPUClock.now()
            let key = try RSAPrivateKey.generate(bits: 2048)
            times.append((CPUClock.now() - start) * 1000)
            precondition(key.publicKey.modulusBits == 2048)
        }
        let keygen = Statistics(times)
        results.append(Measurement(
            name: "rsa2048_keygen_ms", unit: "ms (CPU)", value: keygen.median,
            detail: [("median", keygen.median), ("mean", keygen.mean), ("p90", keygen.percentile(90)), ("min", keygen.sorted.first ?? 0), ("max", keygen.sorted.last ?? 0)]
        ))
        }

        if !options.only.isDisjoint(with: ["sign", "verify", "raw", "csr"]) {
        let key = try options.key ?? RSAPrivateKey.generate(bits: 2048)
        let message = Array("vkcert benchmark message".utf8)
        let digest = SHA256.hash(message)
        let signature = try key.signature(forDigest: digest)

        if options.only.contains("sign") {
        progress("RSA-2048 PKCS#1 v1.5 SHA-256 sign")
        let sign = try trials { try CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) { _ = try key.signature(forDigest: digest) } }
        results.append(Measurement(name: "rsa2048_sign_per_s", unit: "signatures/s (CPU)", value: sign.median, detail: trialDetail(sign)))
        }

        if options.only.contains("csr") {
        progress("kubelet CSR build + sign (PKCS#10, RSA-2048 PKCS#1 v1.5 SHA-256, verified after signing)")
        let builder = CSRBuilder.kubeletServing(node: "bench-node", ipAddresses: [[10, 0, 0, 7]], dnsNames: ["bench-node.cluster.local"])
        let csr = try trials {
            try CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) {
                let request = try builder.sign(with: key)
                precondition(request.der.count > 600)
            }
        }
        results.append(Measurement(name: "kubelet_csr_per_s", unit: "CSRs/s (CPU)", value: csr.median, detail: trialDetail(csr)))
        }

        if options.only.contains("verify") {
        progress("RSA-2048 PKCS#1 v1.5 SHA-256 verify")
        let verify = trials {
            CPUClock.rate(seconds: options.secondsPerTrial, batch: 64) {
                precondition(key.publicKey.isValidSignature(signature, forDigest: digest, scheme: .pkcs1v15()))
            }
        }
        results.append(Measurement(name: "rsa2048_verify_per_s", unit: "verifications/s (CPU)", value: verify.median, detail: trialDetail(verify)))
        }

        if options.only.contains("raw") {
        progress("raw CRT exponentiation (2 × mpn_sec_powm + Garner, no padding/blinding/check)")
        let m = BigInt(magnitudeBytes: signature).modulo(key.publicKey.modulus)
        let raw = try trials {
            try CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) {
                let sp = try m.modulo(key.prime1).securePower(key.exponent1, modulus: key.prime1)
                let sq = try m.modulo(key.prime2).securePower(key.exponent2, modulus: key.prime2)
                _ = sq + key.prime2 * (key.coefficient * (sp - sq)).modulo(key.prime1)
            }
        }
        results.append(Measurement(name: "rsa2048_raw_crt_per_s", unit: "exponentiations/s (CPU)", value: raw.median, detail: trialDetail(raw)))
        }

        }

        if options.only.contains("ecdsa") {
            for curve in ECDSACurve.allCases {
                let key = ECDSAPrivateKey.generate(curve: curve)
                let digest = curve.defaultHash.hash(Array("vkcert benchmark message".utf8))
                let signature = try key.signature(forDigest: digest, hash: curve.defaultHash)
                let tag = curve == .p256 ? "p256" : "p384"
                progress("ECDSA \(curve.rawValue) sign (hedged RFC 6979, verified after signing)")
                let sign = try trials {
                    try CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) {
                        let value = try key.signature(forDigest: digest, hash: curve.defaultHash)
                        precondition(value.r.count > 8)
                    }
                }
                results.append(Measurement(name: "ecdsa_\(tag)_sign_per_s", unit: "signatures/s (CPU)", value: sign.median, detail: trialDetail(sign)))
                progress("ECDSA \(curve.rawValue) verify")
                let verify = trials {
                    CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) {
                        precondition(key.publicKey.isValidSignature(signature, digest: digest))
                    }
                }
                results.append(Measurement(name: "ecdsa_\(tag)_verify_per_s", unit: "verifications/s (CPU)", value: verify.median, detail: trialDetail(verify)))
            }
        }

        if options.only.contains("ed25519") {
            let key = Ed25519PrivateKey.generate()
            let message = Array("vkcert benchmark message".utf8)
            let signature = try key.signature(for: message)
            progress("Ed25519 sign (verified after signing)")
            let sign = try trials {
                try CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) {
                    let value = try key.signature(for: message)
                    precondition(value.count == 64)
                }
            }
            results.append(Measurement(name: "ed25519_sign_per_s", unit: "signatures/s (CPU)", value: sign.median, detail: trialDetail(sign)))
            progress("Ed25519 verify")
            let verify = trials {
                CPUClock.rate(seconds: options.secondsPerTrial, batch: 16) { precondition(key.publicKey.isValidSignature(signature, for: message)) }
            }
            results.append(Measurement(name: "ed25519_verify_per_s", unit: "verifications/s (CPU)", value: verify.median, detail: trialDetail(verify)))
        }

        if options.only.contains("sha256") {
        progress("SHA-256 throughput")
        let block = [UInt8](repeating: 0x5A, count: 1 << 20)
        let sha = trials {
            CPUClock.rate(seconds: options.secondsPerTrial) { _ = SHA256.hash(block) }
        }
        results.append(Measurement(name: "sha256_mb_per_s", unit: "MB/s (CPU, 1 MiB blocks)", value: sha.median * 1.048576, detail: trialDetail(sha).map { ($0.0, $0.0 == "trials" ? $0.1 : $0.1 * 1.048576) }))
        }
        if options.only.contains("parse"), let der = options.certificate {
            progress("certificate parse (eager, every extension decoded)")
            let parse = try trials {
                try CPUClock.rate(seconds: options.secondsPerTrial, batch: 256) {
                    let cert = try Certificate(derEncoded: der)
                    precondition(!cert.extensions.all.isEmpty || cert.version < 3)
                }
            }
            results.append(Measurement(name: "certificate_parse_per_s", unit: "parses/s (CPU)", value: parse.median, detail: trialDetail(parse)))
        }
        return results
    }

    private func trials(_ body: () throws -> Double) rethrows -> Statistics {
        Statistics(try (0..<options.trials).map { _ in try body() })
    }

    private func trialDetail(_ s: Statistics) -> [(String, Double)] {
        [("median", s.median), ("min", s.sorted.first ?? 0), ("max", s.sorted.last ?? 0), ("trials", Double(s.sorted.count))]
    }

    /// A fixed-width table.
    public static func table(_ results: [Measurement]) -> String {
        var out = "benchmark                    value          unit                      details\n"
        for r in results {
            let details = r.detail.map { "\($0.0)=\(format($0.1))" }.joined(separator: " ")
            out += pad(r.name, 28) + " " + pad(format(r.value), 14) + " " + pad(r.unit, 25) + " " + details + "\n"
        }
        return out
    }

    /// JSON object `{name: {value, unit, details…}}`, hand-written (no Foundation in this module).
    public static func json(_ results: [Measurement]) -> String {
        let items = results.map { r in
            let details = r.detail.map { "\"\($0.0)\":\(format($0.1))" }.joined(separator: ",")
            return "\"\(r.name)\":{\"value\":\(format(r.value)),\"unit\":\"\(r.unit)\",\(details)}"
        }
        return "{" + items.joined(separator: ",") + "}"
    }

    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        let scaled = (v * 100).rounded() / 100
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
