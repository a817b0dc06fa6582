// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) with a
// CertificateSigningRequest, as kubectl PUTs it to /approval. Inputs get the magic prefixed half of the
// time so the fuzzer spends its effort past the first four bytes.

import VKKubeAPI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? CSRProtobuf.decode(bytes)
    if bytes.first.map({ $0 & 1 == 1 }) ?? false {
        _ = try? CSRProtobuf.decode(CSRProtobuf.magic + bytes.dropFirst())
    }
    return 0
}
