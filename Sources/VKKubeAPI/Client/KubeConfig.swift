// SPDX-License-Identifier: Apache-2.0

import VKFileIO
import FoundationEssentials
import Glibc
import VKYAML

/// Where the client connects and how it authenticates, resolved from a kubeconfig or the in-cluster
/// service-account files.
public struct ClientConfiguration: Sendable {
    public var server: String
    /// PEM bundle that verifies the API server.
    public var certificateAuthority: [UInt8]?
    public var insecureSkipTLSVerify = false
    public var tlsServerName: String?
    public var credentials: Credentials = .none

    public enum Credentials: Sendable {
        case none
        case token(String)
        /// A token file re-read at most every `refresh` seconds (projected service-account tokens rotate).
        case tokenFile(String, refresh: TimeInterval)
        case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
        case exec(ExecConfig)
    }

    public init(server: String) {
        self.server = server
    }

    // MARK: kubeconfig

    /// Loads `path`, or the `KUBECONFIG` list (first file wins per name), or `~/.kube/config`; uses
    /// `context` or the current context. Relative file paths resolve against the kubeconfig's directory.
    public static func load(kubeconfig path: String? = nil, context requested: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientConfiguration {
        let paths: [String]
        if let path {
            paths = [path]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            paths = list.split(separator: ":").map(String.init)
        } else {
            paths = [(environment["HOME"] ?? PathText.homeDirectory()) + "/.kube/config"]
        }
        var documents: [(file: String, text: String)] = []
        for file in paths {
            let bytes: [UInt8]
            do {
                bytes = try FileSystem.read(file, limit: maximumKubeconfigSize)
            } catch let error as FileError where error.code == .notFound && path == nil && paths.count > 1 {
                continue
            } catch let error as FileError {
                throw KubeAPIError(.configuration, "\(file): cannot read the kubeconfig: \(error.reason)")
            }
            documents.append((file, String(decoding: bytes, as: UTF8.self)))
        }
        guard !documents.isEmpty else { throw KubeAPIError(.configuration, "no kubeconfig found (looked in \(paths.joined(separator: ", ")))") }
        return try resolve(documents: documents, context: requested)
    }

    /// Largest kubeconfig read (real ones with embedded CA and client data are tens of KiB).
    public static let maximumKubeconfigSize = 4 << 20

    /// Merges already-read kubeconfig documents (first file wins per name, as client-go does) and resolves
    /// `context`, or the first non-empty current-context. Files the kubeconfig names (CA, client
    /// certificate and key) are read relative to each document's directory.
    public static func resolve(documents: [(file: String, text: String)], context requested: String? = nil) throws -> ClientConfiguration {
        var clusters: [String: (KubeConfigFile.Cluster, String)] = [:]
        var users: [String: (KubeConfigFile.User, String)] = [:]
        var contexts: [String: KubeConfigFile.Context] = [:]
        var current: String?
        for (file, text) in documents {
            let config: KubeConfigFile
            do {
                config = try BoundedYAML.decode(KubeConfigFile.self, from: text)
            } catch {
                throw KubeAPIError(.configuration, "\(file): not a valid kubeconfig: \(BoundedYAML.describe(error))")
            }
            let dir = PathText.directory(of: file)
            for c in config.clusters ?? [] where clusters[c.name] == nil { clusters[c.name] = (c.cluster, dir) }
            for u in config.users ?? [] where users[u.name] == nil { users[u.name] = (u.user, dir) }
            for c in config.contexts ?? [] where contexts[c.name] == nil { contexts[c.name] = c.context }
            if current == nil, let cc = config.currentContext, !cc.isEmpty { current = cc }
        }
        let name = requested ?? current
        guard let name else { throw KubeAPIError(.configuration, "the kubeconfig has no current-context and no context was given") }
        guard let context = contexts[name] else { throw KubeAPIError(.configuration, "context \"\(name)\" is not in the kubeconfig") }
        guard let (cluster, clusterDir) = clusters[context.cluster] else {
            throw KubeAPIError(.configuration, "context \"\(name)\" names cluster \"\(context.cluster)\", which is not in the kubeconfig")
        }
        guard let server = cluster.server, !server.isEmpty else { throw KubeAPIError(.configuration, "cluster \"\(context.cluster)\" has no server") }
        var configuration = ClientConfiguration(server: server)
        configuration.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        configuration.tlsServerName = cluster.tlsServerName
        if let data = cluster.certificateAuthorityData {
            configuration.certificateAuthority = try decodeBase64(data, "certificate-authority-data")
        } else if let file = cluster.certificateAuthority {
            configuration.certificateAuthority = try read(resolve(file, clusterDir), "certificate-authority")
        }
        if configuration.insecureSkipTLSVerify && configuration.certificateAuthority != nil {
            throw KubeAPIError(.configuration, "cluster \"\(context.cluster)\": specifying a root certificates file with the insecure flag is not allowed")
        }
        if let userName = context.user {
            guard let (user, userDir) = users[userName] else { throw KubeAPIError(.configuration, "context \"\(name)\" names user \"\(userName)\", which is not in the kubeconfig") }
            if let token = user.token, !token.isEmpty {
                configuration.credentials = .token(token)
            } else if let file = user.tokenFile {
                configuration.credentials = .tokenFile(resolve(file, userDir), refresh: 60)
            } else if user.clientCertificate != nil || user.clientCertificateData != nil {
                let cert = try user.clientCertificateData.map { try decodeBase64($0, "client-certificate-data") }
                    ?? read(resolve(user.clientCertificate!, userDir), "client-certificate")
                let key = try user.clientKeyData.map { try decodeBase64($0, "client-key-data") }
                    ?? user.clientKey.map { try read(resolve($0, userDir), "client-key") }
                guard let key else { throw KubeAPIError(.configuration, "user \"\(userName)\" has a client certificate but no client key") }
                configuration.credentials = .clientCertificate(certificatePEM: cert, keyPEM: key)
            } else if let exec = user.exec {
                guard exec.apiVersion == "client.authentication.k8s.io/v1" || exec.apiVersion == "client.authentication.k8s.io/v1beta1" else {
                    throw KubeAPIError(.configuration, "user \"\(userName)\": exec apiVersion \(exec.apiVersion ?? "(none)") is not supported")
                }
                configuration.credentials = .exec(exec)
            }
        }
        return configuration
    }

    /// In-cluster configuration (client-go `rest.InClusterConfig`): `KUBERNETES_SERVICE_HOST/PORT`, the
    /// service account's `ca.crt`, and its token re-read every minute.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 accountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty, let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubeAPIError(.configuration, "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var configuration = ClientConfiguration(server: "https://\(hostPart):\(port)")
        configuration.certificateAuthority = try read(accountDirectory + "/ca.crt", "service-account ca.crt")
        configuration.credentials = .tokenFile(accountDirectory + "/token", refresh: 60)
        return configuration
    }

    static func resolve(_ path: String, _ directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    static func read(_ path: String, _ what: String) throws -> [UInt8] {
        do {
            return try FileSystem.read(path, limit: maximumKubeconfigSize)
        } catch let error as FileError {
            throw KubeAPIError(.configuration, "\(what): cannot read \(path): \(error.reason)")
        }
    }

    static func decodeBase64(_ text: String, _ what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
            throw KubeAPIError(.configuration, "\(what) is not valid base64")
        }
        return [UInt8](data)
    }
}

/// The exec credential plugin stanza of a kubeconfig user.
public struct ExecConfig: Codable, Sendable {
    public var apiVersion: String?
    public var command: String
    public var args: [String]?
    public var env: [EnvVar]?
    public var interactiveMode: String?
    public var provideClusterInfo: Bool?

    public struct EnvVar: Codable, Sendable {
        public var name: String
        public var value: String
    }
}

/// The kubeconfig file format (clientcmd/api/v1), the fields vkcert uses.
struct KubeConfigFile: Decodable {
    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    struct NamedCluster: Decodable { var name: String; var cluster: Cluster }
    struct NamedUser: Decodable { var name: String; var user: User }
    struct NamedContext: Decodable { var name: String; var context: Context }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: ExecConfig?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }
}
