// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Parses the command line for `root` and runs the chosen command, mapping every outcome to the exit-code
/// contract shared by `vkcert` and `vkcert-audit`: 0 success / valid; 1 a negative verdict (signature
/// invalid, conformance failure, unparseable item); 2 usage or input error, with one `name: …` line on
/// stderr that names the file and what is wrong.
package enum CommandLineMain {
    package static func run<Root: ParsableCommand>(_ root: Root.Type, name: String) async -> Never {
        do {
            var command = try Root.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let failure as CLIFailure {
            printError("\(name): \(failure.message)")
            exit(failure.exitCode)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            // Help and --version are "errors" with exit code 0; every other parse error is a usage error.
            if Root.exitCode(for: error) == .success {
                print(Root.fullMessage(for: error))
                exit(0)
            }
            printError(Root.fullMessage(for: error))
            printError("See '\(name) --help' or '\(name) <command> --help'.")
            exit(2)
        }
    }
}
