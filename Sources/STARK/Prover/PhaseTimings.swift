import Synchronization
import Dispatch

/// Wall-clock time spent in each prover phase, in the order phases first ran.
public final class PhaseTimings: Sendable {
    private let state = Mutex<[(String, UInt64)]>([])

    public init() {}

    /// Adds `nanoseconds` to `phase`.
    public func add(_ phase: String, nanoseconds: UInt64) {
        state.withLock { entries in
            if let i = entries.firstIndex(where: { $0.0 == phase }) {
                entries[i].1 += nanoseconds
            } else {
                entries.append((phase, nanoseconds))
            }
        }
    }

    /// (phase, milliseconds) pairs.
    public var milliseconds: [(phase: String, ms: Double)] {
        state.withLock { $0.map { ($0.0, Double($0.1) / 1e6) } }
    }
}

extension PhaseTimings {
    /// Runs `body`, adding its wall-clock time to `phase` of `timings` when there is one.
    @inlinable
    public static func measure<R>(_ timings: PhaseTimings?, _ phase: String, _ body: () throws -> R) rethrows -> R {
        guard let timings else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { timings.add(phase, nanoseconds: DispatchTime.now().uptimeNanoseconds - start) }
        return try body()
    }
}
