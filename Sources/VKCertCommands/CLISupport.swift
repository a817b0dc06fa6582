// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import VKDER
import VKFileIO
import VKHash
import VKRSA
import VKX509

/// A failure the CLI reports with one line on stderr and a specific exit status.
package struct CLIFailure: Error, CustomStringConvertible {
    package let message: String
    package let exitCode: Int32

    package init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    package var description: String { message }

    /// Usage or input error (exit 2).
    package static func input(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: 2) }
    /// Negative verdict (exit 1).
    package static func verdict(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: 1) }
}

/// The name messages start with: how the program was invoked (`vkcert`, `vkcert-audit`).
package let programName: String = {
    let invoked = CommandLine.arguments.first ?? "vkcert"
    let name = invoked.split(separator: "/").last.map(String.init) ?? invoked
    return name.isEmpty ? "vkcert" : name
}()

package func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    let bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if n <= 0 { return }
        offset += n
    }
}

/// Reads a file, turning every failure into an input error that names it.
package func readInput(_ path: String, what: String) throws -> [UInt8] {
    do {
        return try FileSystem.read(path)
    } catch let error as FileError {
        throw CLIFailure.input("\(what) \(error)")
    }
}

/// Writes a file atomically, turning failures into input errors naming it.
package func writeOutput(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
    do {
        try FileSystem.writeAtomically(path, bytes, mode: mode)
    } catch let error as FileError {
        throw CLIFailure.input("cannot write \(error)")
    }
}

/// "file: reason" for any library error while interpreting `path`.
package func describe(_ error: any Error, path: String) -> String {
    switch error {
    case let e as DERError: "\(path): \(e)"
    case let e as RSAError: "\(path): \(e)"
    case let e as FileError: "\(e)"
    case let e as CLIFailure: e.message
    case let e as X509Error: "\(path): \(e)"
    default: "\(path): \(error)"
    }
}

/// Runs `body`, passing CLI failures through and turning any library error into an input error about `path`.
package func reportingInputErrors<T>(about path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as CLIFailure {
        throw failure
    } catch {
        throw CLIFailure.input(describe(error, path: path))
    }
}

/// A key file that holds either a private or a public RSA key.
package enum LoadedKey {
    case privateKey(PrivateKey, PrivateKey.Format)
    case publicKey(CertificatePublicKey, CertificatePublicKey.Format)

    var publicKey: CertificatePublicKey {
        switch self {
        case .privateKey(let k, _): k.publicKey
        case .publicKey(let k, _): k
        }
    }

    /// What the key file's algorithm allows: id-RSASSA-PSS public keys verify PSS only, with their
    /// parameters when they name them (RFC 4055). Private keys are rsaEncryption (PSS-restricted private
    /// keys are refused at load).
    static func restriction(of key: CertificatePublicKey, path: String) throws -> RSAKeyRestriction {
        do {
            return try RSAKeyRestriction(spki: key.spki)
        } catch {
            throw CLIFailure.input(describe(error, path: path))
        }
    }

    static func load(_ path: String) throws -> LoadedKey {
        var bytes = try readInput(path, what: "key file")
        defer { DERSecure.wipe(&bytes) }  // the file's text may be a private key
        return try load(bytes, path: path)
    }

    /// The key for verification and what its algorithm allows, from one read of the file.
    static func loadForVerification(_ path: String) throws -> (key: CertificatePublicKey, restriction: RSAKeyRestriction) {
        let key = try load(path).publicKey
        return (key, key.isRSA ? try restriction(of: key, path: path) : .none)
    }

    static let privateLabels = [PEM.Label.privateKey, PEM.Label.rsaPrivateKey, PEM.Label.ecPrivateKey, PEM.Label.encryptedPrivateKey]

    static func load(_ bytes: [UInt8], path: String) throws -> LoadedKey {
        do {
            if PEM.looksLikePEM(bytes) {
                let labels = try PEM.decodeAll(bytes).map(\.label)
                if labels.contains(where: { privateLabels.contains($0) }) {
                    let (key, format) = try PrivateKey.load(bytes)
                    return .privateKey(key, format)
                }
                let (key, format) = try CertificatePublicKey.load(bytes)
                return .publicKey(key, format)
            }
            if let (key, format) = try? PrivateKey.load(bytes) { return .privateKey(key, format) }
            let (key, format) = try CertificatePublicKey.load(bytes)
            return .publicKey(key, format)
        } catch {
            throw CLIFailure.input(describe(error, path: path))
        }
    }

    static func loadPrivate(_ path: String) throws -> PrivateKey {
        var bytes = try readInput(path, what: "key file")
        defer { DERSecure.wipe(&bytes) }
        do {
            return try PrivateKey.load(bytes).key
        } catch {
            throw CLIFailure.input(describe(error, path: path))
        }
    }
}

/// Streams a file through `hash`.
package func digestFile(_ path: String, _ hash: HashAlgorithm) throws -> [UInt8] {
    var hasher = hash.makeHasher()
    do {
        try FileSystem.forEachChunk(path) { hasher.update(Array($0)) }
    } catch let error as FileError {
        throw CLIFailure.input("input file \(error)")
    }
    return hasher.finalize()
}
