// SPDX-License-Identifier: Apache-2.0

/// A failure talking to the API server: a stable ``Code``, the server's `metav1.Status` when there was
/// one, and a message that says what happened.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notFound = Code("NotFound")
        public static let alreadyExists = Code("AlreadyExists")
        public static let conflict = Code("Conflict")
        public static let invalid = Code("Invalid")
        public static let badRequest = Code("BadRequest")
        public static let forbidden = Code("Forbidden")
        public static let unauthorized = Code("Unauthorized")
        /// 410 Gone / Expired: a watch must re-list.
        public static let expired = Code("Expired")
        /// 5xx after retries.
        public static let server = Code("ServerError")
        /// Connection refused, reset, TLS failure… after retries.
        public static let transport = Code("Transport")
        public static let timeout = Code("Timeout")
        /// A response that is not what the API promises.
        public static let decoding = Code("Decoding")
        /// Kubeconfig / in-cluster configuration problems.
        public static let configuration = Code("Configuration")
    }

    public let code: Code
    public let message: String
    public let status: APIStatus?

    public init(_ code: Code, _ message: String, status: APIStatus? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    init(status: APIStatus) {
        let code: Code
        switch (status.code, status.reason) {
        case (404, _): code = .notFound
        case (409, "AlreadyExists"): code = .alreadyExists
        case (409, _): code = .conflict
        case (422, _): code = .invalid
        case (401, _): code = .unauthorized
        case (403, _): code = .forbidden
        case (410, _): code = .expired
        case (500..., _): code = .server
        default: code = .badRequest
        }
        self.init(code, status.message ?? status.reason ?? "HTTP \(status.code)", status: status)
    }

    public var description: String { "\(code): \(message)" }

    /// Worth retrying: server errors, transport failures and timeouts; never 4xx.
    public var isRetriable: Bool { code == .server || code == .transport || code == .timeout }
}
