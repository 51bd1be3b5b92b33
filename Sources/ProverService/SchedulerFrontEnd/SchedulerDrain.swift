import GRPCCore
import Wire

/// A scheduler's graceful shutdown (see ``DrainSettings``):
///
/// 1. At once: new jobs are refused with UNAVAILABLE ("scheduler is shutting down"), so the proxy
///    can send them to another scheduler; the health loop and dispatch go on.
/// 2. Grace period: queued jobs are still dispatched and running jobs still prove; the step ends as
///    soon as no job is left.
/// 3. Final step: the jobs still queued or running are stopped (their worker calls are cancelled,
///    which cancels the workers' proofs) and answered UNAVAILABLE with a message saying the
///    scheduler shut down; then the sockets close (queued replies are sent first).
extension SchedulerFrontEnd {
    /// Runs steps 1–3; returns when no job is left or the shutdown timeout has passed after the grace period.
    public func drain(_ settings: DrainSettings) async {
        accepting.withLock { $0 = false }
        logger.info("draining: new jobs refused", metadata: [
            "jobs_in_flight": "\(jobsInFlight)", "grace_period": "\(settings.gracePeriod)",
            "shutdown_timeout": "\(settings.shutdownTimeout)",
        ])
        if await waitForJobs(within: settings.gracePeriod) {
            logger.info("drained: every job answered")
            return
        }
        handingBack.withLock { $0 = true }
        let tasks = inFlight.withLock { Array($0.values) }
        logger.warning("grace period over: handing jobs back as UNAVAILABLE", metadata: ["jobs": "\(tasks.count)"])
        for task in tasks { task.cancel() }
        if await waitForJobs(within: settings.shutdownTimeout) {
            logger.info("every job handed back")
        } else {
            logger.warning("jobs still running at the shutdown timeout", metadata: ["jobs": "\(jobsInFlight)"])
        }
    }

    /// Tasks (jobs and status queries) not yet answered.
    var jobsInFlight: Int { inFlight.withLock { $0.count } }

    /// Waits until every task has answered or `limit` has passed; true when none is left.
    func waitForJobs(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while jobsInFlight > 0 {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(10), ContinuousClock.now.duration(to: deadline)))
        }
        return true
    }

    /// A reply for a job the drain stopped (cancelled) becomes UNAVAILABLE naming the shutdown.
    func handedBackIfStopped(_ reply: Mrp_Internal_V1_SchedulerReply) -> Mrp_Internal_V1_SchedulerReply {
        guard handingBack.withLock({ $0 }), case .result(var result)? = reply.reply, case .failure(var failure)? = result.outcome,
              failure.code == Int32(RPCError.Code.cancelled.rawValue) else { return reply }
        failure.code = Int32(RPCError.Code.unavailable.rawValue)
        failure.message = "the scheduler shut down before the job was finished (its grace period ended); submit it again"
        result.failure = failure
        return .with { $0.result = result }
    }
}
