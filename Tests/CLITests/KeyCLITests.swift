// SPDX-License-Identifier: Apache-2.0

import VKFileIO
import Foundation
import TestSupport
import Testing

/// The `vkcert key …` and `vkcert vectors` contract, driven as a user would, with OpenSSL as the judge.
@Suite("vkcert CLI: key, vectors", .serialized)
struct KeyCLITests {
    @Test("key generate writes a 0600 PEM key that OpenSSL accepts", arguments: [("pkcs8", "PRIVATE KEY"), ("pkcs1", "RSA PRIVATE KEY")])
    func generate(format: String, label: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let result = try await Run.vkcert(["key", "generate", "--format", format, "--out", dir.path("k.pem")])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(FileSystem.permissions(dir.path("k.pem")) == 0o600)
        let text = String(decoding: try dir.read("k.pem"), as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN \(label)-----\n"))
        let check = try await Run.openssl(["pkey", "-check", "-noout", "-in", dir.path("k.pem")])
        #expect(check.stdoutText.contains("Key is valid"))
        let bits = try await Run.openssl(["pkey", "-noout", "-text", "-in", dir.path("k.pem")])
        #expect(bits.stdoutText.contains("Private-Key: (2048 bit, 2 primes)"))
        #expect(bits.stdoutText.contains("publicExponent: 65537"))
    }

    @Test func publicKeyMatchesOpenSSL() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = Repository.vector("openssl/keys/rsa2048-a.pkcs1.der").path
        let ours = try await Run.vkcert(["key", "public", "--key", key])
        #expect(ours.status == 0)
        #expect(ours.stdout == (try Data(contentsOf: Repository.vector("openssl/keys/rsa2048-a.spki.pem"))))
        let toFile = try await Run.vkcert(["key", "public", "--key", key, "--out", dir.path("pub.pem")])
        #expect(toFile.status == 0 && toFile.stdout.isEmpty)
        #expect(try dir.read("pub.pem") == [UInt8](ours.stdout))
    }

    /// Sign with vkcert, verify with OpenSSL; sign with OpenSSL, verify with vkcert; both schemes.
    @Test("sign and verify interoperate with openssl dgst", arguments: [
        ["--scheme", "pkcs1v15", "--hash", "sha384"],
        ["--scheme", "pss", "--hash", "sha256"],
        ["--scheme", "pss", "--hash", "sha512", "--salt-length", "0"],
    ])
    func signVerify(options: [String]) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = Repository.vector("openssl/keys/rsa2048-b.pkcs8.pem").path
        let pub = Repository.vector("openssl/keys/rsa2048-b.spki.der").path
        let msg = try dir.write("msg", Array(repeating: 0x61, count: 100_000))
        let signed = try await Run.vkcert(["key", "sign", "--key", key, "--in", msg, "--out", dir.path("sig")] + options)
        #expect(signed.status == 0, "\(signed.stderrText)")
        let hash = options[options.firstIndex(of: "--hash")! + 1]
        var opensslArgs = ["dgst", "-\(hash)", "-verify", Repository.vector("openssl/keys/rsa2048-b.spki.pem").path, "-signature", dir.path("sig")]
        if options.contains("pss") {
            let salt = options.firstIndex(of: "--salt-length").map { options[$0 + 1] } ?? "digest"
            opensslArgs += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:\(salt)"]
        }
        let check = try await Run.openssl(opensslArgs + [msg])
        #expect(check.stdoutText.contains("Verified OK"), "\(check.stdoutText) \(check.stderrText)")

        let verified = try await Run.vkcert(["key", "verify", "--key", pub, "--in", msg, "--signature", dir.path("sig")] + options)
        #expect(verified.status == 0 && verified.stdoutText == "Verified OK\n")
        _ = try dir.write("msg2", Array(repeating: 0x62, count: 10))
        let wrong = try await Run.vkcert(["key", "verify", "--key", pub, "--in", dir.path("msg2"), "--signature", dir.path("sig")] + options)
        #expect(wrong.status == 1 && wrong.stdoutText == "Verification failure\n")
    }

    @Test func pssSaltAutoRecoversOpenSSLMaxSalt() async throws {
        let sig = Repository.vector("openssl/sig/rsa2048-a.sha256.abc.pss-mgfsha256-salt222.sig").path
        let result = try await Run.vkcert([
            "key", "verify", "--key", Repository.vector("openssl/keys/rsa2048-a.spki.pem").path,
            "--in", Repository.vector("openssl/messages/abc").path, "--signature", sig, "--scheme", "pss", "--salt-length", "auto",
        ])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
    }

    /// Input errors exit 2 with one message naming the file; usage errors exit 2; nothing is written.
    @Test func inputErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let garbage = try dir.write("garbage.pem", Array("-----BEGIN PRIVATE KEY-----\nAA*A\n-----END PRIVATE KEY-----\n".utf8))
        let msg = try dir.write("msg", [1, 2, 3])
        let cases: [([String], String)] = [
            (["key", "sign", "--key", dir.path("missing.pem"), "--in", msg, "--out", dir.path("out")], "missing.pem"),
            (["key", "sign", "--key", garbage, "--in", msg, "--out", dir.path("out")], "garbage.pem"),
            (["key", "sign", "--key", Repository.vector("openssl/keys/rsa2048-a.spki.pem").path, "--in", msg, "--out", dir.path("out")], "rsa2048-a.spki.pem"),
            (["key", "sign", "--key", Repository.vector("openssl/keys/rsa1024-verify-only.pkcs8.pem").path, "--in", msg, "--out", dir.path("out")], "1024"),
            (["key", "sign", "--key", Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path, "--in", dir.path("nope"), "--out", dir.path("out")], "nope"),
            (["key", "verify", "--key", garbage, "--in", msg, "--signature", msg], "line 2"),
            (["key", "generate", "--bits", "1024", "--out", dir.path("out")], "--bits"),
            (["key", "generate", "--out", dir.path("no/such/dir/k.pem")], "no/such/dir/k.pem"),
            (["key", "sign", "--key", Repository.vector("openssl/keys/rsa2048-a.pkcs8.pem").path, "--in", msg, "--out", dir.path("out"), "--salt-length", "5"], "--scheme pss"),
            (["key", "frobnicate"], "frobnicate"),
        ]
        for (arguments, mention) in cases {
            let result = try await Run.vkcert(arguments)
            #expect(result.status == 2, "\(arguments): status \(result.status) \(result.stderrText)")
            #expect(result.stderrText.contains(mention), "\(arguments): \(result.stderrText)")
            #expect(result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")), "an output file was created on failure")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func vectorsReportsAllSuitesAsJSON() async throws {
        let result = try await Run.vkcert(["vectors", "--json", "--dir", Repository.root.appendingPathComponent("Vectors").path])
        #expect(result.status == 0, "\(result.stdoutText)")
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(object?["ok"] as? Bool == true)
        let suites = object?["suites"] as? [[String: Any]] ?? []
        #expect(suites.count >= 11)
        for suite in suites {
            #expect(suite["failed"] as? Int == 0)
            let total = suite["total"] as? Int ?? 0
            let sum = (suite["passed"] as? Int ?? 0) + (suite["skipped"] as? Int ?? 0)
            #expect(total == sum && total > 0)
        }
        let table = try await Run.vkcert(["vectors"], in: Repository.root)
        #expect(table.status == 0 && table.stdoutText.contains(" passed, 0 failed, "))
    }

    @Test func vectorsFailsOnATamperedVector() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Vectors"), to: dir.url.appendingPathComponent("V"))
        let digests = dir.url.appendingPathComponent("V/openssl/digests.tsv")
        var text = try String(contentsOf: digests, encoding: .utf8)
        text = text.replacingOccurrences(of: "\tsha256\tba7816bf", with: "\tsha256\tca7816bf")
        try text.write(to: digests, atomically: true, encoding: .utf8)
        let result = try await Run.vkcert(["vectors", "--dir", dir.path("V")])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("FAILED: sha256(abc) differs from openssl"))
    }

    @Test func helpTeaches() async throws {
        let result = try await Run.vkcert(["--help"])
        #expect(result.status == 0)
        for word in ["key", "vectors", "bench", "Exit status"] { #expect(result.stdoutText.contains(word)) }
    }
}
