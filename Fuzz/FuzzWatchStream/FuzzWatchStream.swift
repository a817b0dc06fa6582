// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: what the client reads from an API server. The input is a response body fed in
// chunks (sizes from its first byte) to the watch stream's line splitter; every line is decoded as a watch
// event, as an ERROR event and as a timestamp, and the whole body as the objects the client expects
// (CSR, CSR list, metav1.Status).

import Foundation
import VKKubeAPI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWatchStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let chunk = Int(first % 61) + 1
    var splitter = LineSplitter(limit: 1024)
    var lines: [Data] = []
    var offset = 1
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        do {
            try splitter.append(bytes[offset..<end]) { lines.append($0) }
        } catch {
            break
        }
        offset = end
    }
    if let last = splitter.remainder() { lines.append(last) }
    for line in lines {
        guard !line.contains(0x0A) else { fatalError("a split line contains a newline") }
        _ = try? KubeJSON.decoder().decode(WatchEvent<CertificateSigningRequestObject>.self, from: line)
        _ = try? KubeJSON.decoder().decode(WatchEvent<APIStatus>.self, from: line)
        _ = KubeJSON.parse(String(decoding: line, as: UTF8.self))
    }
    let body = Data(bytes.dropFirst())
    _ = try? KubeJSON.decoder().decode(CertificateSigningRequestObject.self, from: body)
    _ = try? KubeJSON.decoder().decode(CertificateSigningRequestList.self, from: body)
    _ = try? KubeJSON.decoder().decode(APIStatus.self, from: body)
    return 0
}
