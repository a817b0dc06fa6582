// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKDER
import VKFileIO
import VKRSA
import VKX509

/// One item found in an input file.
package enum InspectedItem {
    case certificate(Certificate)
    case csr(CertificateSigningRequest)
    case privateKey(PrivateKey, PrivateKey.Format)
    case publicKey(CertificatePublicKey, CertificatePublicKey.Format)
}

/// Reads every certificate, CSR and key in a file (PEM bundle of any mix, or one DER object).
/// Returns the items and the errors, each error naming the file, PEM block index, line and offset.
package func loadItems(_ path: String, bytes: [UInt8]) -> (items: [(Int, InspectedItem)], errors: [String]) {
    func describeFailure(_ error: any Error, block: Int?, line: Int?) -> String {
        var location = path
        if let block { location += ": block \(block)" + (line.map { " (line \($0))" } ?? "") }
        return "\(location): \(error)"
    }
    if PEM.looksLikePEM(bytes) {
        let blocks: [PEMBlock]
        do {
            blocks = try PEM.decodeAll(bytes)
        } catch {
            return ([], [describeFailure(error, block: nil, line: nil)])
        }
        var items: [(Int, InspectedItem)] = []
        var errors: [String] = []
        for block in blocks {
            do {
                switch block.label {
                case PEM.Label.certificate, "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
                    items.append((block.index, .certificate(try Certificate(derEncoded: block.der))))
                case PEM.Label.certificateRequest, "NEW CERTIFICATE REQUEST":
                    items.append((block.index, .csr(try CertificateSigningRequest(derEncoded: block.der))))
                case PEM.Label.privateKey, PEM.Label.rsaPrivateKey, PEM.Label.ecPrivateKey, PEM.Label.publicKey, PEM.Label.rsaPublicKey:
                    if block.label.hasSuffix("PUBLIC KEY") {
                        let (key, format) = try CertificatePublicKey.from(block: block)
                        items.append((block.index, .publicKey(key, format)))
                    } else {
                        let (key, format) = try PrivateKey.from(block: block)
                        items.append((block.index, .privateKey(key, format)))
                    }
                default:
                    errors.append(describeFailure(CLIFailure.input("unsupported PEM label \"\(block.label)\": not a certificate, CSR or key"), block: block.index, line: block.line))
                }
            } catch {
                errors.append(describeFailure(error, block: block.index, line: block.line))
            }
        }
        return (items, errors)
    }
    // DER: try each kind; if none fits, report the error of the kind the structure looks like.
    do {
        return ([(0, .certificate(try Certificate(derEncoded: bytes)))], [])
    } catch let certificateError {
        let csrError: any Error
        do {
            return ([(0, .csr(try CertificateSigningRequest(derEncoded: bytes)))], [])
        } catch {
            csrError = error
        }
        if let (key, format) = try? PrivateKey.load(bytes) { return ([(0, .privateKey(key, format))], []) }
        if let (key, format) = try? CertificatePublicKey.load(bytes) { return ([(0, .publicKey(key, format))], []) }
        if looksLikeCSR(bytes) {
            return ([], ["\(path): not a valid certificate signing request: \(csrError)"])
        }
        return ([], ["\(path): not a certificate, CSR or key in DER or PEM; as a certificate: \(certificateError)"])
    }
}

/// Whether DER `bytes` have a PKCS#10 shape: SEQUENCE { SEQUENCE { INTEGER, SEQUENCE, SEQUENCE, [0] … } … }.
/// A TBSCertificate never ends with a [0] element (v1 has no version; v3 puts [0] first), so the info's
/// last field tells the two apart even when the signature algorithm does not parse.
func looksLikeCSR(_ bytes: [UInt8]) -> Bool {
    var outer = DERReader(bytes)
    guard let top = try? outer.readElement(), top.tag == .sequence else { return false }
    var parts = top.contentReader()
    guard let info = try? parts.readElement(), info.tag == .sequence else { return false }
    var fields = info.contentReader()
    var tags: [ASN1Tag] = []
    while !fields.isAtEnd, tags.count < 5 {
        guard let field = try? fields.readElement() else { return false }
        tags.append(field.tag)
    }
    return tags.count == 4 && tags[0] == .integer && tags[1] == .sequence && tags[2] == .sequence && tags[3] == .contextConstructed(0)
}

extension InspectedItem {
    func json(file: String, index: Int) -> JSONValue {
        switch self {
        case .certificate(let c): return c.json(file: file, index: index)
        case .csr(let r): return r.json(file: file, index: index)
        case .privateKey(let k, let format):
            return .object([
                ("kind", .string("privateKey")), ("file", .string(file)), ("index", .int(index)), ("format", .string(format.rawValue)),
                ("publicKey", k.publicKey.json),
            ])
        case .publicKey(let k, let format):
            return .object([
                ("kind", .string("publicKey")), ("file", .string(file)), ("index", .int(index)), ("format", .string(format.rawValue)),
                ("publicKey", k.json),
            ])
        }
    }

    var text: String {
        switch self {
        case .certificate(let c): return c.text
        case .csr(let r): return r.text
        case .privateKey(.rsa(let k), let format):
            return "RSA Private Key (\(format.rawValue)): \(k.modulusBits) bit, e = \(k.publicKey.publicExponent)\n"
        case .privateKey(let k, let format):
            return "\(k.displayName) Private Key (\(format.rawValue)): \(k.publicKey.summary)\n"
        case .publicKey(let k, let format):
            if k.isRSA, let rsa = try? k.rsaPublicKey() {
                return "RSA Public Key (\(format.rawValue)): \(rsa.modulusBits) bit, e = \(rsa.publicExponent)\n"
            }
            return "Public Key (\(format.rawValue)): \(k.summary)\n"
        }
    }
}

package struct InspectCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe certificates, CSRs and keys (RSA, EC, Ed25519; PEM bundles of any mix, or DER).",
        discussion: """
            Every item is checked strictly while it is parsed; a broken item is reported (file, PEM block, \
            line, byte offset) and the rest are still shown. Exit status 1 if any item failed to parse.
            --json prints one array with an object per item (see README for the fields).
            """
    )

    @Argument(help: "Files to inspect.")
    var files: [String]

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    package func run() throws {
        var objects: [JSONValue] = []
        var failed = false
        for file in files {
            let bytes = try readInput(file, what: "input file")
            let (items, errors) = loadItems(file, bytes: bytes)
            for (index, item) in items {
                if json {
                    objects.append(item.json(file: file, index: index))
                } else {
                    print("# \(file) [\(index)]")
                    print(item.text)
                }
            }
            for error in errors {
                failed = true
                printError("\(programName): \(error)")
                if json { objects.append(.object([("kind", .string("error")), ("file", .string(file)), ("error", .string(error))])) }
            }
        }
        if json { print(JSONValue.array(objects).serialized()) }
        if failed { throw ExitCode(1) }
    }
}
