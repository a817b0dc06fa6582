// SPDX-License-Identifier: Apache-2.0

/// A configuration problem, naming the file and the key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let file: String?
    public let key: String?
    public let message: String

    public init(file: String?, key: String?, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        var prefix = ""
        if let file { prefix += "\(file): " }
        if let key { prefix += "\(key): " }
        return prefix + message
    }
}
