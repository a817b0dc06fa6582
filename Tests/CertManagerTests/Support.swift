// SPDX-License-Identifier: Apache-2.0

import VKCertManager
import Foundation
import VKKubeAPI
import VKKubeSim
import Logging
import Metrics
import Synchronization
import TestSupport
import VKX509

/// A manager clock tests move by hand; sleeps end when the clock passes their deadline (checked every
/// 10 ms of real time), so "wait until the renewal point" returns as soon as a test jumps there.
final class TestClock: ManagerClock {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }

    func sleep(for seconds: TimeInterval) async throws {
        let deadline = now().addingTimeInterval(seconds)
        while now() < deadline {
            try Task.checkCancellation()
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// An emulated cluster plus a store directory and a client, for one test.
final class Harness: @unchecked Sendable {
    // @unchecked: fields are set in init and only read afterwards.
    let simulator: KubeSimulator
    let storeClock = ManualClock()
    let client: KubeClient
    let dir: TemporaryDirectory
    let kubeconfigPath: String
    let clock = TestClock()
    let logger: Logger

    init(autoApprove: Bool = false) async throws {
        var options = KubeSimulator.Options()
        options.autoApprove = autoApprove
        options.cleanerInterval = nil
        options.clock = storeClock
        options.signingDuration = 3600
        simulator = try KubeSimulator(options: options)
        try await simulator.start()
        dir = try TemporaryDirectory("certmanager")
        kubeconfigPath = try dir.write("kubeconfig", Array(simulator.kubeconfig().utf8))
        // A short request timeout: a request left hanging (seen rarely under a fully loaded test run, right
        // after the previous manager was cancelled mid-request) is retried in seconds, not after 30 s.
        client = try KubeClient(configuration: try ClientConfiguration.load(kubeconfig: kubeconfigPath), initialBackoff: 0.05, requestTimeout: 5)
        var logger = Logger(label: "vkcert.test")
        logger.logLevel = .critical
        self.logger = logger
    }

    var certDir: String { dir.path("certs") }

    func settings(watch: Bool = true, keyAlgorithm: KeyAlgorithm = .rsa2048) -> CSRCertificateManager.Settings {
        var s = CSRCertificateManager.Settings(node: "vk-1", ips: [[10, 0, 0, 5]], dnsNames: ["vk-1"])
        s.keyAlgorithm = keyAlgorithm
        s.pollInterval = watch ? 10 : 1
        s.watch = watch
        s.initialBackoff = 0.2
        s.maximumBackoff = 1
        s.statusInterval = 3600
        return s
    }

    func manager(
        watch: Bool = true, keyAlgorithm: KeyAlgorithm = .rsa2048, crashPoint: (@Sendable (String) throws -> Void)? = nil,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws -> CSRCertificateManager {
        let store = try CertificateStore(directory: certDir, crashPoint: crashPoint)
        return CSRCertificateManager(
            settings: settings(watch: watch, keyAlgorithm: keyAlgorithm), client: client, store: store, logger: logger, clock: clock, metricsFactory: metrics
        )
    }

    /// Runs `manager` in a task; returns the task to cancel.
    func start(_ manager: CSRCertificateManager) -> Task<Void, any Error> {
        Task { try await manager.run() }
    }

    func csrNames() -> [String] {
        simulator.store.list(try! Selector(field: nil, label: nil)).items.compactMap(\.metadata.name)
    }

    /// How long a flow test waits for a step that takes seconds on a quiet machine: a liveness bound, not a
    /// performance one. In a full two-core run the first two minutes are a storm of synchronous tests
    /// (openssl per system root, corpora) that occupy both cooperative threads, and a manager starved
    /// through it once missed a 90 s window with nothing wrong; a passing step ends the wait early.
    static let liveness: TimeInterval = 300

    /// Waits (real time) until `condition` holds or `seconds` pass.
    func eventually(_ seconds: TimeInterval, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    func approve(_ name: String) throws {
        var csr = try simulator.store.get(name)
        csr.status = CSRStatus(conditions: (csr.status?.conditions ?? []) + [CSRCondition(type: CSRCondition.approved, reason: "Test", message: "test")])
        _ = try simulator.store.updateApproval(name, csr)
    }

    func deny(_ name: String) throws {
        var csr = try simulator.store.get(name)
        csr.status = CSRStatus(conditions: [CSRCondition(type: CSRCondition.denied, reason: "Test", message: "no")])
        _ = try simulator.store.updateApproval(name, csr)
    }

    func stop() async {
        await client.shutdown()
        await simulator.stop()
        dir.cleanup()
    }
}
