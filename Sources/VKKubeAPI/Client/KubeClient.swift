// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc
import NIOPosix
import NIOSSL
import VKFileIO
import Synchronization

/// A client for `certificates.k8s.io/v1` CertificateSigningRequests.
///
/// JSON on the wire; API errors decoded from `metav1.Status` into ``KubeAPIError`` codes with the
/// server's message; 5xx and transport failures retried with exponential backoff (never 4xx); a create
/// with an explicit name is retried too and, when a retry meets `AlreadyExists` for the same request
/// bytes, returns the existing object — so a lost response never causes a duplicate CSR.
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    let transport: HTTPTransport
    let tokens: TokenProvider
    /// Attempts for retriable failures, and the first backoff (doubling, capped at 5 s).
    public let maximumAttempts: Int
    public let initialBackoff: TimeInterval
    public let requestTimeout: TimeInterval

    static let collection = "/apis/certificates.k8s.io/v1/certificatesigningrequests"

    public init(configuration: ClientConfiguration, maximumAttempts: Int = 5, initialBackoff: TimeInterval = 0.2, requestTimeout: TimeInterval = 30) throws {
        self.configuration = configuration
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.requestTimeout = requestTimeout
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let ca = configuration.certificateAuthority {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            } catch {
                throw KubeAPIError(.configuration, "the certificate authority is not PEM certificates: \(error)")
            }
        }
        if case .clientCertificate(let cert, let key) = configuration.credentials {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            } catch {
                throw KubeAPIError(.configuration, "the client certificate or key does not load: \(error)")
            }
        }
        transport = try HTTPTransport(server: configuration.server, tls: tls, tlsServerName: configuration.tlsServerName)
        tokens = TokenProvider(configuration.credentials, server: configuration.server)
    }

    /// Closes the client's event loop. Requests after (or racing) this fail with a transport error
    /// instead of waiting.
    public func shutdown() async {
        await transport.shutdown()
        await tokens.shutdown()
    }

    /// From the next request on, authenticates with this client certificate (PEM chain, leaf first) and
    /// key: the node client certificate after bootstrapping or rotation. Requests already under way finish
    /// with the pair they started with.
    public func useClientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8]) throws {
        do {
            try transport.useClientCertificate(chain: try NIOSSLCertificate.fromPEMBytes(certificatePEM), key: try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
        } catch {
            throw KubeAPIError(.configuration, "the client certificate or key does not load: \(error)")
        }
    }

    // MARK: requests

    func headers(accept: String = "application/json", contentType: String? = nil) async throws -> [(String, String)] {
        var headers = [("Accept", accept)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        // Credentials only over https, as client-go does.
        if transport.scheme == "https", let token = try await tokens.token() { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    /// Sends a request, decoding a `metav1.Status` error; retries retriable failures when `idempotent`.
    func call(_ method: String, _ target: String, body: Data? = nil, idempotent: Bool) async throws -> Data {
        var attempt = 0
        var delay = initialBackoff
        while true {
            attempt += 1
            do {
                let response = try await transport.send(
                    method: method, target: target, headers: try await headers(contentType: body == nil ? nil : "application/json"),
                    body: body, timeout: requestTimeout
                )
                if (200..<300).contains(response.status) { return response.body }
                if response.status == 401 { tokens.invalidate() }
                throw Self.error(status: response.status, body: response.body)
            } catch let error as KubeAPIError {
                guard error.isRetriable, idempotent, attempt < maximumAttempts else { throw error }
            }
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            delay = min(delay * 2, 5)
        }
    }

    static func error(status: Int, body: Data) -> KubeAPIError {
        if let decoded = try? KubeJSON.decoder().decode(APIStatus.self, from: body), decoded.kind == "Status" {
            return KubeAPIError(status: decoded)
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return KubeAPIError(status: APIStatus(code: status, reason: status >= 500 ? "InternalError" : "Unknown", message: "HTTP \(status): \(text)"))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try KubeJSON.decoder().decode(type, from: data)
        } catch {
            throw KubeAPIError(.decoding, "unexpected response: \(error)")
        }
    }

    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { key, value in value.map { "\(key)=\(percentEncodedQueryValue($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    // MARK: the CSR API

    /// Creates a request (name or generateName). See the type's documentation for retries.
    public func create(_ csr: CertificateSigningRequestObject) async throws -> CertificateSigningRequestObject {
        let body = try KubeJSON.encoder().encode(csr)
        let named = csr.metadata.name?.isEmpty == false
        var attempt = 0
        var delay = initialBackoff
        while true {
            attempt += 1
            do {
                return try Self.decode(CertificateSigningRequestObject.self, try await call("POST", Self.collection, body: body, idempotent: false))
            } catch let error as KubeAPIError where error.code == .alreadyExists && named && attempt > 1 {
                // Our earlier attempt may have succeeded without us seeing the answer.
                let existing = try await get(csr.metadata.name!)
                if existing.spec.request == csr.spec.request { return existing }
                throw error
            } catch let error as KubeAPIError where error.isRetriable && named && attempt < maximumAttempts {
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(delay * 2, 5)
            }
        }
    }

    public func get(_ name: String) async throws -> CertificateSigningRequestObject {
        try Self.decode(CertificateSigningRequestObject.self, try await call("GET", "\(Self.collection)/\(name)", idempotent: true))
    }

    public func list(labelSelector: String? = nil, fieldSelector: String? = nil) async throws -> CertificateSigningRequestList {
        let target = Self.collection + Self.query([("labelSelector", labelSelector), ("fieldSelector", fieldSelector)])
        return try Self.decode(CertificateSigningRequestList.self, try await call("GET", target, idempotent: true))
    }

    public func delete(_ name: String) async throws {
        _ = try await call("DELETE", "\(Self.collection)/\(name)", body: Data(#"{"propagationPolicy":"Background"}"#.utf8), idempotent: true)
    }

    /// PUT `/approval` (JSON) with the object's conditions; 409 on a stale resourceVersion.
    public func updateApproval(_ csr: CertificateSigningRequestObject) async throws -> CertificateSigningRequestObject {
        let body = try KubeJSON.encoder().encode(csr)
        return try Self.decode(CertificateSigningRequestObject.self, try await call("PUT", "\(Self.collection)/\(csr.metadata.name ?? "")/approval", body: body, idempotent: false))
    }

    /// Adds an Approved (or Denied) condition as `kubectl certificate approve|deny` does, re-reading and
    /// retrying on 409 Conflict (up to 10 times). Returns the updated object.
    public func decide(_ name: String, approve: Bool, reason: String, message: String) async throws -> CertificateSigningRequestObject {
        var lastError: KubeAPIError?
        for _ in 0..<10 {
            var csr = try await get(name)
            let type = approve ? CSRCondition.approved : CSRCondition.denied
            if csr.condition(type) != nil { return csr }
            var status = csr.status ?? CSRStatus()
            status.conditions = (status.conditions ?? []) + [CSRCondition(type: type, reason: reason, message: message, lastUpdateTime: Date())]
            csr.status = status
            do {
                return try await updateApproval(csr)
            } catch let error as KubeAPIError where error.code == .conflict {
                lastError = error
            }
        }
        throw lastError ?? KubeAPIError(.conflict, "\(name): still conflicting after 10 attempts")
    }

    /// Watches CSRs from `resourceVersion` (nil: current state first). The stream ends when the server
    /// closes it; it throws ``KubeAPIError/Code/expired`` when the resourceVersion is too old (re-list).
    public func watch(fieldSelector: String? = nil, labelSelector: String? = nil, resourceVersion: String? = nil, timeoutSeconds: Int? = nil)
        async throws -> AsyncThrowingStream<WatchEvent<CertificateSigningRequestObject>, any Error>
    {
        let target = Self.collection + Self.query([
            ("watch", "true"), ("fieldSelector", fieldSelector), ("labelSelector", labelSelector),
            ("resourceVersion", resourceVersion), ("timeoutSeconds", timeoutSeconds.map(String.init)), ("allowWatchBookmarks", "false"),
        ])
        let (status, lines, cancel) = try await transport.streamLines(method: "GET", target: target, headers: try await headers())
        guard status == 200 else {
            var body = Data()
            for try await line in lines { body.append(line) }
            throw Self.error(status: status, body: body)
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await line in lines {
                        if let event = try? KubeJSON.decoder().decode(WatchEvent<CertificateSigningRequestObject>.self, from: line) {
                            continuation.yield(event)
                        } else if let failure = try? KubeJSON.decoder().decode(WatchEvent<APIStatus>.self, from: line), failure.type == "ERROR" {
                            throw KubeAPIError(status: failure.object)
                        } else {
                            throw KubeAPIError(.decoding, "unexpected watch event: \(String(decoding: line.prefix(200), as: UTF8.self))")
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                cancel()
            }
        }
    }
}

/// Bearer tokens: static, from a file re-read at most every `refresh` seconds (rotating projected
/// tokens), or from an exec plugin (cached until its expirationTimestamp or a 401).
///
/// An exec plugin runs on a thread of the client's own, one run at a time, and every request that needs a
/// token meanwhile waits for that run, as client-go's exec authenticator serialises refreshes under its
/// mutex (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go, refreshCredsLocked). A plugin may take
/// seconds (a cloud CLI fetching a token), and waiting for it on one of Swift concurrency's threads, of
/// which there are as many as cores, stalled everything else in the process meanwhile: the manager's
/// timers, the kubelet server's reviews, and other requests, whose deadlines then expired.
final class TokenProvider: Sendable {
    let credentials: ClientConfiguration.Credentials
    let server: String
    private let cache = Mutex<(token: String, expires: Date)?>(nil)
    private let execThread: NIOThreadPool?
    private let execRun = Mutex<Task<String, any Error>?>(nil)

    init(_ credentials: ClientConfiguration.Credentials, server: String) {
        self.credentials = credentials
        self.server = server
        if case .exec = credentials {
            let thread = NIOThreadPool(numberOfThreads: 1)
            thread.start()
            execThread = thread
        } else {
            execThread = nil
        }
    }

    func shutdown() async {
        try? await execThread?.shutdownGracefully()
    }

    func invalidate() {
        cache.withLock { $0 = nil }
    }

    func token() async throws -> String? {
        switch credentials {
        case .none, .clientCertificate: return nil
        case .token(let token): return token
        case .tokenFile(let path, let refresh):
            if let cached = cache.withLock({ $0 }), cached.expires > Date() { return cached.token }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeAPIError(.configuration, "token file \(path) cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingWhitespace
            cache.withLock { $0 = (token, Date().addingTimeInterval(refresh)) }
            return token
        case .exec(let exec):
            if let cached = cache.withLock({ $0 }), cached.expires > Date() { return cached.token }
            guard let execThread else { throw KubeAPIError(.configuration, "exec plugin \(exec.command): no thread to run it on") }
            enum Next { case cached(String), wait(Task<String, any Error>) }
            let next = execRun.withLock { current -> Next in
                if let current { return .wait(current) }
                // A run that has just ended set the cache before it cleared itself: look again under the lock
                // (client-go's maybeRefreshCreds likewise skips a refresh that another caller has just made).
                if let cached = cache.withLock({ $0 }), cached.expires > Date() { return .cached(cached.token) }
                // The run clears itself when done; it cannot get there before this lock is released.
                let task = Task { () throws -> String in
                    defer { self.execRun.withLock { $0 = nil } }
                    let (token, expires): (String, Date?)
                    do {
                        (token, expires) = try await execThread.runIfActive { try self.runExec(exec) }
                    } catch let error as KubeAPIError {
                        throw error
                    } catch {
                        throw KubeAPIError(.transport, "exec plugin \(exec.command): the client is shut down")
                    }
                    self.cache.withLock { $0 = (token, expires ?? Date().addingTimeInterval(3600)) }
                    return token
                }
                current = task
                return .wait(task)
            }
            switch next {
            case .cached(let token): return token
            case .wait(let run): return try await run.value
            }
        }
    }

    /// Runs a `client.authentication.k8s.io` exec plugin and reads `status.token`.
    func runExec(_ exec: ExecConfig) throws -> (String, Date?) {
        if exec.apiVersion == "client.authentication.k8s.io/v1", exec.interactiveMode == nil {
            throw KubeAPIError(.configuration, "interactiveMode must be specified for \(exec.command) to use exec authentication plugin")
        }
        // A bare name is looked up on the child's PATH, as client-go's exec.LookPath does with the
        // plugin's environment.
        let path = exec.command.hasPrefix("/") ? exec.command : "/usr/bin/env"
        let arguments = (exec.command.hasPrefix("/") ? [] : [exec.command]) + (exec.args ?? [])
        var environment = ProcessInfo.processInfo.environment
        for variable in exec.env ?? [] { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(exec.apiVersion ?? "client.authentication.k8s.io/v1")","kind":"ExecCredential","spec":{"interactive":false}}"#
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(path, arguments: arguments, environment: environment)
        } catch {
            throw KubeAPIError(.configuration, "exec plugin \(exec.command) cannot run: \(error)")
        }
        let data = Data(result.output)
        guard result.status == 0 else {
            throw KubeAPIError(.configuration, "exec plugin \(exec.command) exited with status \(result.status)")
        }
        struct Credential: Decodable {
            struct Status: Decodable { var token: String?; var expirationTimestamp: Date? }
            var status: Status?
        }
        guard let credential = try? KubeJSON.decoder().decode(Credential.self, from: data), let token = credential.status?.token else {
            throw KubeAPIError(.configuration, "exec plugin \(exec.command) returned no status.token")
        }
        return (token, credential.status?.expirationTimestamp)
    }
}
