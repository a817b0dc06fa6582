// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Parses the command line for `root` and runs the chosen command, mapping every outcome to the exit-code
/// contract shared by `vkcert` and `vkcert-audit`: 0 success / valid; 1 a negative verdict (signature
/// invalid, conformance failure, unparseable item); 2 usage or input error, with one `name: …` line on
/// stderr that names the file and what is wrong.
///
/// The entry point is synchronous on purpose. An `async` main hands the main thread to `dispatch_main`,
/// which `pthread_exit`s it; the forced unwind then walks the whole `.eh_frame`, and in a static binary
/// (no sorted FDE index) that cost 159 M instructions — 90 % of a 17 ms `vkcert-audit inspect`. Offline
/// commands therefore run on the main thread; only `serve` and `sandbox` go through a Task.
package enum CommandLineMain {
    package static func run<Root: ParsableCommand>(_ root: Root.Type, name: String) -> Never {
        do {
            var command = try Root.parseAsRoot()
            if let asyncCommand = command as? any AsyncParsableCommand {
                try runBlocking(asyncCommand)
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

    /// Runs an async command on the global executor and waits for it on this thread.
    private static func runBlocking(_ command: any AsyncParsableCommand) throws {
        final class Outcome: @unchecked Sendable {
            // Written by the task before `done.signal()`, read after `done.wait()`.
            var command: any AsyncParsableCommand
            var error: (any Error)?
            init(_ command: any AsyncParsableCommand) { self.command = command }
        }
        let outcome = Outcome(command)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await outcome.command.run()
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }
}
