// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import BigNum
import Hash
import RSA

package struct KeyCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Generate RSA keys, extract public keys, sign and verify.",
        subcommands: [Generate.self, Public.self, Sign.self, Verify.self]
    )
}

package enum KeyFormatOption: String, ExpressibleByArgument, CaseIterable {
    case pkcs8, pkcs1
}

package enum SchemeOption: String, ExpressibleByArgument, CaseIterable {
    case pkcs1v15, pss
}

extension HashAlgorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Signature-scheme options shared by `sign` and `verify`.
struct SchemeOptions: ParsableArguments {
    @Option(help: "Signature scheme: pkcs1v15 (RSASSA-PKCS1-v1_5) or pss (RSASSA-PSS with MGF1).")
    var scheme: SchemeOption = .pkcs1v15

    @Option(help: "Message hash: sha1, sha224, sha256, sha384 or sha512.")
    var hash: HashAlgorithm = .sha256

    @Option(name: .customLong("mgf-hash"), help: "PSS only: the MGF1 hash (default: the message hash).")
    var mgfHash: HashAlgorithm?

    @Option(name: .customLong("salt-length"), help: ArgumentHelp("PSS only: salt length in bytes (default: the hash length); 'auto' when verifying recovers it.", valueName: "N|auto"))
    var saltLength: String?

    func scheme(verifying: Bool) throws -> RSASignatureScheme {
        switch scheme {
        case .pkcs1v15:
            guard mgfHash == nil, saltLength == nil else {
                throw CLIFailure.input("--mgf-hash and --salt-length apply to --scheme pss only")
            }
            return .pkcs1v15(hash)
        case .pss:
            let salt: PSSParameters.SaltLength
            switch saltLength {
            case nil: salt = .exactly(hash.digestByteCount)
            case "auto"?:
                guard verifying else { throw CLIFailure.input("--salt-length auto is only meaningful when verifying") }
                salt = .recover
            case let text?:
                guard let n = Int(text), n >= 0 else { throw CLIFailure.input("--salt-length must be a non-negative integer or 'auto', not '\(text)'") }
                salt = .exactly(n)
            }
            return .pss(PSSParameters(hash: hash, mgfHash: mgfHash ?? hash, saltLength: salt))
        }
    }

    /// Refuses a PSS salt that cannot fit in a signature under `key` (a usage error, not a verdict).
    func check(_ scheme: RSASignatureScheme, fits key: RSAPublicKey, keyFile: String) throws {
        guard let pss = scheme.pssParameters, case .exactly(let n) = pss.saltLength else { return }
        let maximum = key.maximumPSSSaltLength(hash: pss.hash)
        guard n <= maximum else {
            throw CLIFailure.input(
                "--salt-length \(n) does not fit a \(key.modulusBits)-bit key (\(keyFile)) with \(pss.hash.displayName): at most \(max(maximum, 0)) bytes"
            )
        }
    }
}

extension KeyCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an RSA private key (FIPS 186-5 A.1.3, e = 65537).",
            discussion: "The key is written atomically with mode 0600; an existing file is replaced only when the new key is complete."
        )

        @Option(help: "Modulus size: 2048, 3072 or 4096.")
        var bits: Int = 2048

        @Option(help: "PEM encoding: pkcs8 (PRIVATE KEY) or pkcs1 (RSA PRIVATE KEY).")
        var format: KeyFormatOption = .pkcs8

        @Option(help: "Where to write the key.")
        var out: String

        func run() throws {
            guard RSAPrivateKey.generatableSizes.contains(bits) else {
                throw CLIFailure.input("--bits \(bits) is not supported; choose 2048, 3072 or 4096")
            }
            let key = try RSAPrivateKey.generate(bits: bits)
            var bytes = format == .pkcs8 ? key.pkcs8PEMBytes : key.pkcs1PEMBytes
            defer { SecureMemory.wipe(&bytes) }
            try writeOutput(out, bytes, mode: 0o600)
        }
    }

    struct Public: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the public key (SubjectPublicKeyInfo PEM) of a key file.")

        @Option(help: "Private or public key (PKCS#8, PKCS#1 or SPKI; PEM or DER).")
        var key: String

        @Option(help: "Output file (default: standard output).")
        var out: String?

        func run() throws {
            let pem = try LoadedKey.load(key).publicKey.spkiPEMRepresentation
            if let out {
                try writeOutput(out, Array(pem.utf8), mode: 0o644)
            } else {
                print(pem, terminator: "")
            }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a file; writes the raw signature bytes (as openssl dgst -sign does).",
            discussion: "Every signature is verified with the public key before it is written."
        )

        @Option(help: "Private key (PKCS#8 or PKCS#1; PEM or DER).")
        var key: String

        @Option(name: .customLong("in"), help: "File to sign.")
        var input: String

        @Option(help: "Where to write the signature.")
        var out: String

        @OptionGroup var options: SchemeOptions

        func run() throws {
            let scheme = try options.scheme(verifying: false)
            let privateKey = try LoadedKey.loadPrivate(key)
            try options.check(scheme, fits: privateKey.publicKey, keyFile: key)
            let digest = try digestFile(input, scheme.hash)
            let signature = try reportingInputErrors(about: key) { try privateKey.signature(forDigest: digest, scheme: scheme) }
            try writeOutput(out, signature, mode: 0o644)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a signature. Prints 'Verified OK' (exit 0) or 'Verification failure' (exit 1)."
        )

        @Option(help: "Public key (SPKI or PKCS#1, PEM or DER) or a private key.")
        var key: String

        @Option(name: .customLong("in"), help: "The signed file.")
        var input: String

        @Option(help: "The signature (raw bytes).")
        var signature: String

        @OptionGroup var options: SchemeOptions

        func run() throws {
            let scheme = try options.scheme(verifying: true)
            let (publicKey, restriction) = try LoadedKey.loadForVerification(key)
            try options.check(scheme, fits: publicKey, keyFile: key)
            if let refusal = restriction.refusal(of: scheme) {
                throw CLIFailure.input("\(key): \(refusal)")
            }
            let signatureBytes = try readInput(signature, what: "signature file")
            let digest = try digestFile(input, scheme.hash)
            if publicKey.isValidSignature(signatureBytes, forDigest: digest, scheme: scheme) {
                print("Verified OK")
            } else {
                print("Verification failure")
                throw ExitCode(1)
            }
        }
    }
}
