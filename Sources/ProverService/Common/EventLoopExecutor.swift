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
public enum EventLoopExecutor {
    private typealias EnqueueHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    private static let installed = Mutex(false)

    /// Installs the hook once per process, before any server starts; the caller logs the outcome.
    @discardableResult
    public static func install(logger: Logger) -> Bool {
        if Configuration.environment("MRP_EVENT_LOOP_EXECUTOR").flatMap(Configuration.bool) == false {
            logger.info("Swift concurrency stays on its cooperative pool (MRP_EVENT_LOOP_EXECUTOR=false)")
            return false
        }
        return installed.withLock { done in
            if done { return true }
            if let threads = Configuration.environment("MRP_EVENT_LOOP_THREADS").flatMap(Int.init), threads > 0 {
                NIOSingletons.groupLoopCountSuggestion = threads
            }
            let slot = UnsafeMutableRawPointer(mrp_concurrency_enqueue_global_hook())
                .assumingMemoryBound(to: Optional<EnqueueHook>.self)
            guard slot.pointee == nil else {
                logger.notice("the concurrency enqueue hook is taken; staying on the cooperative pool")
                return false
            }
            slot.pointee = { job, _ in
                MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
            }
            done = true
            return true
        }
    }
}
