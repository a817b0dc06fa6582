// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import VKCertManager
import VKCertCommands
#if canImport(Glibc)
import Glibc
#endif

/// `vkcert health`: the kubelet's exec probe for a FROM-scratch image (no curl, no shell): GET /healthz on
/// the metrics listener over plain HTTP, exit 0 on 200.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Probe a running vkcert: GET /healthz on its metrics listener; exit 0 when healthy (for exec probes).",
        discussion: """
            Prints the answer ("ok", or why not). Exit status: 0 healthy (HTTP 200), 1 unhealthy or no answer \
            within --timeout seconds, 2 usage error. Use in a pod as:
              livenessProbe: {exec: {command: [/vkcert, health]}}
            """
    )

    @Option(help: "host:port of the metrics listener (MetricsAddress).")
    var address = "127.0.0.1:10248"

    @Option(help: "Seconds to wait for the answer.")
    var timeout = 5

    func run() throws {
        guard let target = HostPort.parse(address, allowZeroPort: false) else {
            throw CLIFailure.input("--address \"\(address)\" is not host:port")
        }
        guard (1...300).contains(timeout) else { throw CLIFailure.input("--timeout must be 1–300 seconds") }
        let host = target.host.isEmpty ? "127.0.0.1" : target.host
        switch HealthProbe.get(host: host, port: target.port, path: "/healthz", timeoutSeconds: timeout) {
        case .success(let (status, body)):
            print(body.isEmpty ? "HTTP \(status)" : body)
            if status != 200 { throw ExitCode(1) }
        case .failure(let reason):
            print("no answer from \(HostPort(host: host, port: target.port)): \(reason)")
            throw ExitCode(1)
        }
    }
}

/// A minimal blocking HTTP/1.0 GET over a TCP socket (numeric addresses only: the probe targets the pod
/// itself), bounded in time and in the bytes read.
enum HealthProbe {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func get(host: String, port: Int, path: String, timeoutSeconds: Int) -> Result<(Int, String), Failure> {
        func stored<Address>(_ address: Address) -> (sockaddr_storage, socklen_t) {
            var storage = sockaddr_storage()
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            return (storage, socklen_t(MemoryLayout<Address>.size))
        }
        var storage: sockaddr_storage
        var length: socklen_t
        let family: Int32
        if host.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { return .failure(Failure(description: "\(host) is not an IP address")) }
            (storage, length) = stored(a)
            family = AF_INET6
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { return .failure(Failure(description: "\(host) is not an IP address")) }
            (storage, length) = stored(a)
            family = AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(description: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        guard connected == 0 else { return .failure(Failure(description: String(cString: strerror(errno)))) }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(HostPort(host: host, port: port))\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            return .failure(Failure(description: "could not send the request"))
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 65_536 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            return .failure(Failure(description: response.isEmpty ? "no response" : "not an HTTP response"))
        }
        let body = text.firstRange(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return .success((status, body))
    }
}
