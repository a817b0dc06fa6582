// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import VKDER
import Foundation
import VKKubeSim
import VKRSA
import Synchronization
import TestSupport
import Testing
import VKX509

/// Files mode judged by the server it is for: a Go program that, as InterLink's Virtual Kubelet does
/// (cmd/virtual-kubelet/main.go: GetCertificate → tls.LoadX509KeyPair per handshake), reloads the pair
/// from disk on every handshake, while a Go client verifying against the emulator's CA connects over and
/// over and vkcert rotates the certificate in CSR mode.
@Suite("Files mode", .serialized)
struct FilesModeTests {
    /// A source whose identity the test swaps.
    final class Swappable: CertificateSource, @unchecked Sendable {
        // @unchecked: `identity` is only touched from the test's one thread.
        var identity: ServingIdentity?
        func current() -> ServingIdentity? { identity }
        var unavailableReason: String { "none" }
    }

    /// Why renewals keep the key: a reader that takes the certificate from one version of the file and the
    /// key from the next (two reads straddling a rename, as tls.LoadX509KeyPair does) gets a matching pair
    /// only when both versions share the key. Deterministic: the straddle is forced, not waited for.
    @Test func aReadStraddlingARenameMatchesOnlyWithTheSameKey() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = try RSAPrivateKey.generate()
        func identity(_ key: RSAPrivateKey) throws -> ServingIdentity {
            try ServingIdentity(chain: [Certificate.selfSignedKubeletServing(key: key, node: "n", ipAddresses: [[10, 0, 0, 1]], dnsNames: [], validFor: 86_400)], key: key)
        }
        for (next, shouldMatch) in [(key, true), (try RSAPrivateKey.generate(), false)] {
            let source = Swappable()
            source.identity = try identity(key)
            let path = dir.path("pair.pem")
            let writer = CertificateFileWriter(source: source, targets: .init(combined: path), logger: ModesTests.quiet)
            #expect(try writer.sync())
            let firstRead = try dir.read("pair.pem")  // the reader's certificate read
            source.identity = try identity(next)
            #expect(try writer.sync())
            let secondRead = try dir.read("pair.pem")  // the reader's key read, after the rename
            let mixed = try? ServingIdentity.load(certificatePEM: firstRead, keyPEM: secondRead)
            #expect((mixed != nil) == shouldMatch)
            #expect(try !writer.sync(), "nothing changed: nothing written")
        }
    }

    @Test func goServerLoadingPerHandshakeNeverFailsWhileTheCertificateRotates() async throws {
        let h = try await Harness()
        let peers = try TemporaryDirectory("peers")
        defer { peers.cleanup() }
        let peer = try await GoPeer.build("filespeer", into: peers)
        var settings = h.settings()
        settings.ips = [[127, 0, 0, 1]]
        // Signing duration 3600 s, backdated 300 s: renewing at 7.75 % of 3900 s is ≈ 2 s after issuance.
        settings.renewalFraction = 0.0775
        settings.reuseKeyOnRenewal = true
        let store = try CertificateStore(directory: h.certDir)
        let manager = CSRCertificateManager(settings: settings, client: h.client, store: store, logger: h.logger, clock: h.clock)
        let combined = h.dir.path("kubelet.pem")
        let writer = CertificateFileWriter(source: manager, targets: .init(combined: combined), logger: h.logger)
        // An approver, as a cluster would run one: approves every undecided request.
        let approver = Task {
            while !Task.isCancelled {
                for name in h.csrNames() where (try? h.simulator.store.get(name))?.status?.conditions?.isEmpty ?? true {
                    try? h.approve(name)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let managerTask = h.start(manager)
        let writerTask = Task { try await writer.run(interval: 0.05, clock: h.clock) }
        #expect(await h.eventually(15) { FileManager.default.fileExists(atPath: combined) }, "no file written")
        let caFile = try h.dir.write("ca.pem", Array(h.simulator.caCertificate.pemRepresentation.utf8))
        #expect((try FileManager.default.attributesOfItem(atPath: combined))[.posixPermissions] as? Int == 0o600)

        let server = try BackgroundProcess(peer, ["serve", "-cert", combined, "-key", combined, "-addr", "127.0.0.1:0"])
        let listening = try #require(await server.firstLine(), "Go server did not start: \(server.stderrText)")
        let port = try #require(listening.split(separator: " ").last.flatMap { Int($0) })
        let stop = h.dir.path("stop")
        let client = try BackgroundProcess(peer, ["load", "-addr", "127.0.0.1:\(port)", "-ca", caFile, "-stop", stop, "-min", "1000"])

        // Every pair vkcert writes is recorded from the writer's own log of serials until everything stops.
        // Six pairs = five rotations, what the issue asks for. The deadline is only a backstop: on CI the whole
        // suite shares two cores with this Go pair's tight handshake loop, and a rotation once took 20 s.
        let deadline = Date().addingTimeInterval(300)
        while writer.writes.load(ordering: .relaxed) < 6, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = FileManager.default.createFile(atPath: stop, contents: Data())
        #expect(await client.wait() == 0, "\(client.stderrText)")
        await server.terminate()
        managerTask.cancel()
        writerTask.cancel()
        approver.cancel()
        _ = try? await writerTask.value
        let written = Set(writer.writtenSerials)
        _ = try? await managerTask.value

        struct Load: Decodable { let ok: Int; let failed: Int; let errors: [String]?; let serials: [String: Int] }
        let load = try JSONDecoder().decode(Load.self, from: Data(client.stdoutText.utf8))
        print("files mode: \(load.ok) Go handshakes, \(load.failed) failed, \(written.count) pairs written, \(load.serials.count) served")
        #expect(written.count >= 6, "only \(written.count - 1) rotations in 300 s")
        #expect(load.failed == 0, "\(load.errors ?? [])")
        #expect(load.ok >= 1000)
        #expect(server.stdoutText.contains("loadfailures 0"), "\(server.stdoutText)\(server.stderrText.prefix(400))")
        let served = Set(load.serials.keys.map { $0.lowercased() })
        let writtenHex = Set(written.map { $0.lowercased().drop { $0 == "0" }.description })
        #expect(served.isSubset(of: writtenHex), "served \(served.subtracting(writtenHex)) that vkcert never wrote")
        #expect(served.count >= 2, "the rotation was not observed by the Go client")
        // Renewals kept the key: every written pair has the same public key.
        #expect(Set(h.csrNames().compactMap { try? h.simulator.store.get($0).spec.request }.compactMap {
            try? CertificateSigningRequest(pemEncoded: [UInt8]($0)).publicKey.der
        }).count == 1)
        await h.stop()
    }
}

