// SPDX-License-Identifier: Apache-2.0

extension StringProtocol {
    /// Without leading and trailing whitespace and newlines (Unicode White_Space, as Foundation's
    /// `.whitespacesAndNewlines` and Go's strings.TrimSpace), for token files and header values.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
