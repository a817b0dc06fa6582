// SPDX-License-Identifier: Apache-2.0
//
// libFuzzer entry point: the strict DER reader, its structure walk and every primitive decoder.

import VKDER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDER(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? DERReader.validateStructure(bytes[...])
    var reader = DERReader(bytes)
    var budget = 10_000
    while !reader.isAtEnd, budget > 0, let element = try? reader.readElement() {
        walk(element, &budget)
    }
    return 0
}

/// Interprets every element every way the toolkit can; none of it may trap, whatever the bytes.
private func walk(_ element: DERElement, _ budget: inout Int) {
    budget -= 1
    guard budget > 0 else { return }
    if element.tag.isConstructed {
        var inner = element.contentReader()
        while !inner.isAtEnd, let child = try? inner.readElement() { walk(child, &budget) }
        var algorithm = DERReader(element.encoded)
        _ = try? AlgorithmIdentifier(from: &algorithm)
        _ = try? SubjectPublicKeyInfo(derEncoded: element.encoded)
        return
    }
    _ = try? element.integerContent()
    _ = try? element.bitStringContent()
    _ = (try? OID(derContent: element.content, offset: element.offset))?.description
    _ = (try? DERTime(element: element))?.description
    _ = (try? DERString(element: element))?.description
    var reader = DERReader(element.encoded)
    _ = try? reader.readBoolean()
    reader = DERReader(element.encoded)
    _ = try? reader.readNull()
    reader = DERReader(element.encoded)
    _ = try? reader.readInt(element.tag)
}
