// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import VKKubeAPI

/// The string helpers that replaced Foundation's in the FoundationEssentials-only modules, each checked
/// against the Foundation call it replaced (the judge here: swift-corelibs-foundation itself).
@Suite("Text helpers without Foundation")
struct TextHelpersTests {
    @Test(arguments: ["/containerLogs/ns/pod/c", "/a%20b/%E2%82%AC", "/bad%zz", "/trunc%4", "/latin%E9", "%2F%2f", ""])
    func percentDecodingMatchesFoundation(_ text: String) {
        #expect(text.removingPercentEscapes == text.removingPercentEncoding, "\(text)")
    }

    @Test(arguments: ["  token\t", "\u{00A0}x\u{2003}", "\n\r value \n", "", "   ", "inner  space"])
    func trimmingMatchesFoundation(_ text: String) {
        #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        #expect(text.trimmingSpacesAndTabs == text.trimmingCharacters(in: CharacterSet(charactersIn: " \t")), "\(text.debugDescription)")
    }
}
