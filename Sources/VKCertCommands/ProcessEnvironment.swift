// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

package enum ProcessEnvironment {
    package static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
