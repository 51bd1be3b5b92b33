import CConcurrencyHook
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs Swift concurrency's global executor on NIO's event loops, so a gRPC handler continues on the
/// thread that read its request instead of hopping to the cooperative pool and back.
///
/// Each hop between an event loop and the cooperative pool is a futex wake-up and a context switch
/// (tens of µs on a VM) and a unary call made several per endpoint. A job enqueued from an event
/// loop thread stays on that loop; one enqueued from elsewhere goes to the next loop of
/// `MultiThreadedEventLoopGroup.singleton` (one thread per core, the group the gRPC transports use).
/// Blocking work must therefore stay off Swift concurrency: proofs run on Dispatch queues, ZeroMQ on
/// its socket threads. `MRP_EVENT_LOOP_EXECUTOR=false` keeps the cooperative pool.
/// `MRP_EVENT_LOOP_THREADS` (1…256) sizes the singleton group, with the executor on or off (it wins
/// over NIO's own `NIO_SINGLETON_GROUP_LOOP_COUNT`; default one loop per core).
public enum EventLoopExecutor {
    private typealias EnqueueHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// The outcome of the first ``install(logger:)``: nil until then, else whether the hook is installed.
    private static let installed = Mutex<Bool?>(nil)

    /// The largest `MRP_EVENT_LOOP_THREADS` accepted.
    public static let maxThreads = 256

    /// Sizes the singleton group and installs the hook, once per process, before any server starts
    /// (NIO creates the group at its first use and sets its size only once). Throws, naming the
    /// variable, if `MRP_EVENT_LOOP_THREADS` is not a whole number in 1…``maxThreads``.
    @discardableResult
    public static func install(logger: Logger) throws(EventLoopSettingsError) -> Bool {
        let variables = ProcessVariables()
        let threads = try loopCount(Configuration.environment(variables.eventLoopThreads))
        let enabled = Configuration.environment(variables.eventLoopExecutor).flatMap(Configuration.bool) != false
        return installed.withLock { outcome in
            if let outcome { return outcome }
            if let threads { NIOSingletons.groupLoopCountSuggestion = threads }
            if !enabled { logger.info("Swift concurrency stays on its cooperative pool (MRP_EVENT_LOOP_EXECUTOR=false)") }
            let hooked = enabled && installHook(logger: logger)
            outcome = hooked
            return hooked
        }
    }

    /// The loop count `MRP_EVENT_LOOP_THREADS` asks for; nil when unset.
    public static func loopCount(_ text: String?) throws(EventLoopSettingsError) -> Int? {
        guard let text else { return nil }
        guard let threads = Int(text.trimmingCharacters(in: .whitespaces)), (1...maxThreads).contains(threads) else {
            throw EventLoopSettingsError(message: "MRP_EVENT_LOOP_THREADS '\(text)' is not a whole number of event loop threads in 1...\(maxThreads)")
        }
        return threads
    }

    private static func installHook(logger: Logger) -> Bool {
        let slot = UnsafeMutableRawPointer(mrp_concurrency_enqueue_global_hook())
            .assumingMemoryBound(to: Optional<EnqueueHook>.self)
        guard slot.pointee == nil else {
            logger.notice("the concurrency enqueue hook is taken; staying on the cooperative pool")
            return false
        }
        slot.pointee = { job, _ in
            MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
        }
        return true
    }
}

/// An event-loop setting the process cannot start with.
public struct EventLoopSettingsError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
