// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKBigNum
import VKHash
import VKECC
import VKFileIO
import VKRSA
import VKX509

package struct KeyCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Generate RSA, ECDSA and Ed25519 keys, extract public keys, sign and verify.",
        subcommands: [Generate.self, Public.self, Sign.self, Verify.self]
    )
}

package enum KeyFormatOption: String, ExpressibleByArgument, CaseIterable {
    case pkcs8, pkcs1, sec1
}

package enum SchemeOption: String, ExpressibleByArgument, CaseIterable {
    case pkcs1v15, pss
}

extension HashAlgorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension KeyAlgorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { ["rsa", "ec-p256", "ec-p384", "ed25519"] }
}

/// Signature-scheme options shared by `sign` and `verify`.
struct SchemeOptions: ParsableArguments {
    @Option(help: "RSA only: pkcs1v15 (RSASSA-PKCS1-v1_5, the default) or pss (RSASSA-PSS with MGF1).")
    var scheme: SchemeOption?

    @Option(help: "Message hash: sha1, sha224, sha256, sha384 or sha512 (default: sha256; ECDSA: the curve's, SHA-384 for P-384; Ed25519 has none).")
    var hash: HashAlgorithm?

    @Option(name: .customLong("mgf-hash"), help: "PSS only: the MGF1 hash (default: the message hash).")
    var mgfHash: HashAlgorithm?

    @Option(name: .customLong("salt-length"), help: ArgumentHelp("PSS only: salt length in bytes (default: the hash length); 'auto' when verifying recovers it.", valueName: "N|auto"))
    var saltLength: String?

    /// What to do with `key`: an RSA scheme, an ECDSA hash, or Ed25519 (no options allowed).
    enum Plan {
        case rsa(RSASignatureScheme)
        case ecdsa(HashAlgorithm)
        case ed25519
    }

    func plan(for key: CertificatePublicKey, keyFile: String, verifying: Bool) throws -> Plan {
        switch key.kind {
        case .rsa:
            return .rsa(try scheme(verifying: verifying))
        case .ec(let curve, _):
            guard scheme == nil, mgfHash == nil, saltLength == nil else {
                throw CLIFailure.input("--scheme, --mgf-hash and --salt-length apply to RSA keys; \(keyFile) is an ECDSA key")
            }
            return .ecdsa(hash ?? (curve == .p384 ? .sha384 : curve == .p521 ? .sha512 : .sha256))
        case .ed25519:
            guard scheme == nil, mgfHash == nil, saltLength == nil, hash == nil else {
                throw CLIFailure.input("Ed25519 (\(keyFile)) signs the message itself: --scheme, --hash, --mgf-hash and --salt-length do not apply")
            }
            return .ed25519
        default:
            throw CLIFailure.input("\(keyFile): \(key.algorithmName) keys are not supported for signing or verifying")
        }
    }

    func scheme(verifying: Bool) throws -> RSASignatureScheme {
        let hash = self.hash ?? .sha256
        switch scheme ?? .pkcs1v15 {
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

/// Ed25519 signs whole messages; files for `key sign/verify` are read up to this size.
let ed25519MessageLimit = 64 << 20

extension KeyCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a private key: RSA (FIPS 186-5 A.1.3, e = 65537), ECDSA P-256/P-384 or Ed25519.",
            discussion: """
                The key is written atomically with mode 0600; an existing file is replaced only when the new key is complete.
                Formats: pkcs8 (PRIVATE KEY, any type, the default), pkcs1 (RSA PRIVATE KEY, RSA only), sec1 (EC PRIVATE KEY, ECDSA only) \
                — byte for byte what openssl genpkey / openssl ec write.
                """
        )

        @Option(help: "Key type: rsa, ec-p256, ec-p384 or ed25519.")
        var type: KeyAlgorithm = .rsa2048

        @Option(help: "RSA only: modulus size, 2048, 3072 or 4096.")
        var bits: Int?

        @Option(help: "PEM encoding: pkcs8 (PRIVATE KEY), pkcs1 (RSA PRIVATE KEY, RSA) or sec1 (EC PRIVATE KEY, ECDSA).")
        var format: KeyFormatOption = .pkcs8

        @Option(help: "Where to write the key.")
        var out: String

        func run() throws {
            var algorithm = type
            if let bits {
                guard type.isRSA else { throw CLIFailure.input("--bits applies to RSA keys only (--type \(type.rawValue))") }
                guard RSAPrivateKey.generatableSizes.contains(bits) else {
                    throw CLIFailure.input("--bits \(bits) is not supported; choose 2048, 3072 or 4096")
                }
                algorithm = bits == 4096 ? .rsa4096 : bits == 3072 ? .rsa3072 : .rsa2048
            }
            let isRSA = algorithm.isRSA
            let isEC = algorithm.isECDSA
            if format == .pkcs1 && !isRSA { throw CLIFailure.input("--format pkcs1 is for RSA keys; use pkcs8\(isEC ? " or sec1" : "")") }
            if format == .sec1 && !isEC { throw CLIFailure.input("--format sec1 is for ECDSA keys; use pkcs8\(isRSA ? " or pkcs1" : "")") }
            let key = try PrivateKey.generate(algorithm)
            var bytes = format == .pkcs8 ? key.pkcs8PEMBytes : key.traditionalPEMBytes
            defer { SecureMemory.wipe(&bytes) }
            try writeOutput(out, bytes, mode: 0o600)
        }
    }

    struct Public: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the public key (SubjectPublicKeyInfo PEM) of a key file.")

        @Option(help: "Private or public key (PKCS#8, PKCS#1, SEC 1 or SPKI; PEM or DER).")
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
            abstract: "Sign a file; writes the raw signature bytes (as openssl dgst -sign / pkeyutl -sign -rawin do).",
            discussion: """
                RSA: PKCS#1 v1.5 or PSS. ECDSA: a DER ECDSA-Sig-Value over the file's hash (hedged RFC 6979 nonce). \
                Ed25519: the 64-byte RFC 8032 signature of the file itself (at most 64 MiB). Every signature is \
                verified with the public key before it is written.
                """
        )

        @Option(help: "Private key (PKCS#8, PKCS#1 or SEC 1; PEM or DER).")
        var key: String

        @Option(name: .customLong("in"), help: "File to sign.")
        var input: String

        @Option(help: "Where to write the signature.")
        var out: String

        @OptionGroup var options: SchemeOptions

        func run() throws {
            let privateKey = try LoadedKey.loadPrivate(key)
            let signature: [UInt8]
            switch (try options.plan(for: privateKey.publicKey, keyFile: key, verifying: false), privateKey) {
            case (.rsa(let scheme), .rsa(let rsa)):
                try options.check(scheme, fits: rsa.publicKey, keyFile: key)
                let digest = try digestFile(input, scheme.hash)
                signature = try reportingInputErrors(about: key) { try rsa.signature(forDigest: digest, scheme: scheme) }
            case (.ecdsa(let hash), .ecdsa(let ec)):
                let digest = try digestFile(input, hash)
                signature = try reportingInputErrors(about: key) { try ec.signature(forDigest: digest, hash: hash).derEncoded }
            case (.ed25519, .ed25519(let ed)):
                let message = try readMessage(input)
                signature = try reportingInputErrors(about: key) { try ed.signature(for: message) }
            default:
                throw CLIFailure.input("\(key): unsupported key")
            }
            try writeOutput(out, signature, mode: 0o644)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a signature. Prints 'Verified OK' (exit 0) or 'Verification failure' (exit 1).",
            discussion: "ECDSA signatures are DER ECDSA-Sig-Value (openssl dgst -sign); Ed25519 signatures are the 64 raw bytes."
        )

        @Option(help: "Public key (SPKI or PKCS#1, PEM or DER) or a private key.")
        var key: String

        @Option(name: .customLong("in"), help: "The signed file.")
        var input: String

        @Option(help: "The signature (raw bytes).")
        var signature: String

        @OptionGroup var options: SchemeOptions

        func run() throws {
            let (publicKey, restriction) = try LoadedKey.loadForVerification(key)
            let plan = try options.plan(for: publicKey, keyFile: key, verifying: true)
            let signatureBytes = try readInput(signature, what: "signature file")
            let valid: Bool
            switch plan {
            case .rsa(let scheme):
                let rsa = try reportingInputErrors(about: key) { try publicKey.rsaPublicKey() }
                try options.check(scheme, fits: rsa, keyFile: key)
                if let refusal = restriction.refusal(of: scheme) {
                    throw CLIFailure.input("\(key): \(refusal)")
                }
                let digest = try digestFile(input, scheme.hash)
                valid = rsa.isValidSignature(signatureBytes, forDigest: digest, scheme: scheme)
            case .ecdsa(let hash):
                guard case .ec(let curve, let point) = publicKey.kind else { throw CLIFailure.input("\(key): not an EC key") }
                let digest = try digestFile(input, hash)
                if let fast: ECDSACurve = curve == .p256 ? .p256 : curve == .p384 ? .p384 : nil {
                    let ec = try reportingInputErrors(about: key) { try ECDSAPublicKey(curve: fast, point: point) }
                    valid = (try? ECDSASignature(derEncoded: signatureBytes)).map { ec.isValidSignature($0, digest: digest) } ?? false
                } else {
                    // P-521: through the certificate verifier, which hashes the message itself.
                    valid = SignatureVerifier.isValid(signature: signatureBytes, over: try readMessage(input), algorithm: .ecdsa(hash), key: publicKey)
                }
            case .ed25519:
                valid = SignatureVerifier.isValid(signature: signatureBytes, over: try readMessage(input), algorithm: .ed25519, key: publicKey)
            }
            if valid {
                print("Verified OK")
            } else {
                print("Verification failure")
                throw ExitCode(1)
            }
        }
    }
}

/// A whole input file for algorithms that sign messages rather than digests (bounded).
func readMessage(_ path: String) throws -> [UInt8] {
    do {
        return try FileSystem.read(path, limit: ed25519MessageLimit)
    } catch let error as FileError {
        throw CLIFailure.input("input file \(error)")
    }
}
