// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Glibc

/// Internals exposed for tests.
public enum KubeSimTestHooks {
    public static func humanDuration(_ seconds: TimeInterval) -> String { CSRTable.humanDuration(seconds) }
}
