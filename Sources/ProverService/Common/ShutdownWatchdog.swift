import Dispatch
import Foundation
import Logging
import Synchronization

/// The last resort of a graceful shutdown: once armed, exits the process with status 1 when the
/// shutdown has not finished by its deadline (grace period + shutdown timeout after the signal).
public enum ShutdownWatchdog {
    private static let armed = Mutex(false)

    /// Exits with status 1 after `delay` unless the process has exited first. Only the first call
    /// arms it (a process with several servers arms it once per signal).
    public static func arm(after delay: Duration, logger: Logger) {
        let first = armed.withLock { wasArmed -> Bool in
            defer { wasArmed = true }
            return !wasArmed
        }
        guard first else { return }
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) {
            logger.error("graceful shutdown did not finish in time; exiting", metadata: ["limit": "\(delay)"])
            FileHandle.standardError.write(Data("shutdown timed out after \(delay); exiting with status 1\n".utf8))
            exit(1)
        }
    }
}
