import Foundation
import GRPCCore
import Logging
import Rollup

/// The scheduler core: a bounded FIFO queue of jobs, their assignment to idle healthy workers,
/// retries, deadlines, worker health checks and the persisted worker registry.
///
/// The actor owns all mutable state. Network calls (proofs and probes) run outside it: the actor is
/// only re-entered to take or release a worker or to record a probe's result, so health rounds
/// never block dispatch. Assignment is event-driven: a queued job waits on a continuation that is
/// resumed when a worker becomes idle or healthy, or when its deadline timer fires.
public actor Scheduler {
    public nonisolated let configuration: SchedulerConfiguration
    private let factory: WorkerConnectionFactory
    private let events: SchedulerEvents
    private let logger: Logger
    private let store: WorkerRegistryStore?

    private struct Worker {
        let id: UInt64
        let address: WorkerAddress
        let connection: any WorkerConnection
        var health: WorkerHealth = .unknown
        var version: String?
        var kind: ProofKind?
        var busy = false
        var requests = 0
        var reason: String?
        /// Consecutive failed checks (drives the backoff).
        var failures = 0
        var nextProbe: ContinuousClock.Instant
        /// Until when a worker that has never answered a probe counts as starting, not unhealthy.
        var startingUntil: ContinuousClock.Instant
        /// Whether any probe has been answered (a starting worker has none).
        var answered = false
        var probing = false
        /// Bumped whenever the worker is marked unhealthy, so a probe started earlier cannot revive it.
        var generation: UInt64 = 0
        /// The lease of the job it is proving, signalled if a health check fails meanwhile.
        var leaseLoss: LeaseLoss?
        /// Found by DNS discovery (``syncDiscoveredWorkers(_:)``): not persisted, and removed when the name stops listing it.
        var discovered = false
    }

    /// A worker handed to a job until it is released.
    private struct Lease: Sendable {
        let workerID: UInt64
        let address: WorkerAddress
        let connection: any WorkerConnection
        let loss: LeaseLoss
    }

    private enum Acquisition: Sendable {
        case lease(Lease)
        case failed(RPCError, reason: String)
    }

    private struct Waiter {
        let id: UInt64
        let tried: Set<WorkerAddress>
        let continuation: CheckedContinuation<Acquisition, Never>
        let timer: Task<Void, Never>
    }

    private var workers: [Worker] = []
    private var queue: [Waiter] = []
    private var counters = SchedulerCounters()
    private var nextID: UInt64 = 0
    private var loopWake: CheckedContinuation<Void, Never>?
    private var loopTimer: Task<Void, Never>?

    /// Restores the registry from the state file when it exists, else starts from `workers`
    /// (`MRP_PROXY_WORKERS_LIST`) and writes the state file.
    public init(
        configuration: SchedulerConfiguration, workers initial: [WorkerAddress] = [],
        connectionFactory: @escaping WorkerConnectionFactory, events: SchedulerEvents = .none,
        logger: Logger = Logger(label: "scheduler")
    ) throws(SchedulerError) {
        self.configuration = configuration
        self.factory = connectionFactory
        self.events = events
        self.logger = logger
        let store = configuration.stateFile.map { WorkerRegistryStore(path: $0) }
        self.store = store
        var addresses = initial
        if let store {
            if let stored = try store.load() {
                addresses = stored
            } else {
                try store.save(initial)
            }
        }
        var seen = Set<WorkerAddress>()
        let now = ContinuousClock.now
        var made: [Worker] = []
        for address in addresses where seen.insert(address).inserted {
            let connection: any WorkerConnection
            do { connection = try connectionFactory(address) } catch { throw .connection("\(address): \(error)") }
            made.append(Worker(
                id: UInt64(made.count), address: address, connection: connection, nextProbe: now,
                startingUntil: now + configuration.startupGrace))
        }
        self.workers = made
        self.nextID = UInt64(made.count)
    }

    // MARK: - Jobs

    /// Runs a job to its end: a proof, or the gRPC error for the client. Never hangs past the deadline.
    public func submit(_ job: SchedulerJob) async -> JobOutcome {
        let start = ContinuousClock.now
        var queueTime = Duration.zero
        var attempts = 0
        var drainRefusals = 0  // attempts a draining worker refused or cut short: not counted as retries
        var tried = Set<WorkerAddress>()
        var lastWorker: WorkerAddress?

        func finish(_ result: Result<[UInt8], RPCError>) -> JobOutcome {
            let code: RPCError.Code?
            switch result {
            case .success:
                counters.succeeded += 1
                code = nil
            case .failure(let error):
                counters.failed += 1
                if error.code == .deadlineExceeded { counters.deadlineExceeded += 1 }
                code = error.code
            }
            events.requestFinished(code, start.duration(to: .now), queueTime, lastWorker)
            return JobOutcome(result: result, worker: lastWorker, attempts: attempts, queueTime: queueTime)
        }

        guard job.kind == configuration.kind else {
            events.requestRejected("wrong_proof_type")
            return JobOutcome(
                result: .failure(RPCError(code: .invalidArgument, message: "this scheduler serves \(configuration.kind) proofs, not \(job.kind)")),
                worker: nil, attempts: 0, queueTime: .zero)
        }
        guard start < job.deadline else {
            events.requestRejected("deadline")
            counters.deadlineExceeded += 1
            return JobOutcome(result: .failure(RPCError(code: .deadlineExceeded, message: "deadline passed before the job was queued")),
                              worker: nil, attempts: 0, queueTime: .zero)
        }

        while true {
            let waitStart = ContinuousClock.now
            let waitSpan = SchedulerTracing.startQueueWait(isRetry: attempts > 0)
            let acquisition = await acquire(job, tried: tried, isRetry: attempts > 0)
            queueTime += waitStart.duration(to: .now)
            waitSpan.end()
            let lease: Lease
            switch acquisition {
            case .failed(let error, let reason):
                if attempts == 0 && reason != "deadline" {
                    // Never accepted (queue full) or cancelled before reaching a worker.
                    events.requestRejected(reason)
                    return JobOutcome(result: .failure(error), worker: nil, attempts: 0, queueTime: queueTime)
                }
                if attempts == 0 { events.requestRejected(reason) }
                return finish(.failure(error))
            case .lease(let l):
                lease = l
            }
            if attempts == 0 { counters.accepted += 1 }
            attempts += 1
            tried.insert(lease.address)
            lastWorker = lease.address

            let attemptStart = ContinuousClock.now
            let attemptSpan = SchedulerTracing.startAttempt(number: attempts, worker: lease.address)
            let attempt = await SchedulerTracing.within(attemptSpan) { await Self.attempt(lease: lease, job: job) }
            SchedulerTracing.endAttempt(attemptSpan, attempt.mapError(\.error))
            let elapsed = attemptStart.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            switch attempt {
            case .success(let proof):
                events.workerProved(lease.address, seconds, true)
                release(lease, failure: nil)
                return finish(.success(proof))
            case .failure(let failure):
                events.workerProved(lease.address, seconds, false)
                release(lease, failure: failure)
                if Task.isCancelled {
                    return finish(.failure(RPCError(code: .cancelled, message: "the request was cancelled")))
                }
                if failure.error.code == .deadlineExceeded || ContinuousClock.now >= job.deadline {
                    return finish(.failure(RPCError(code: .deadlineExceeded, message: "deadline passed while proving on \(lease.address)")))
                }
                if failure.byDrainingWorker { drainRefusals += 1 }
                guard failure.retryable, attempts - drainRefusals <= configuration.maxRetries else {
                    return finish(.failure(failure.error))
                }
                guard workers.contains(where: { $0.health == .healthy }) else {
                    logger.info("no healthy worker left for a retry", metadata: ["request_id": "\(job.requestID)"])
                    return finish(.failure(failure.error))
                }
                counters.retries += 1
                events.requestRetried(lease.address, "\(failure.error.code)")
                logger.info("retrying", metadata: [
                    "request_id": "\(job.requestID)", "worker": "\(lease.address)", "error": "\(failure.error.code): \(failure.error.message)",
                ])
            }
        }
    }

    private struct AttemptFailure: Error {
        var error: RPCError
        /// The worker could not be reached or went away: mark it unhealthy.
        var connectionLost: Bool
        var retryable: Bool
        /// A draining worker refused the job or its shutdown cut the proof short (`WorkerDrain`).
        var byDrainingWorker = false
    }

    private static let retryableCodes: Set<RPCError.Code> = [.resourceExhausted, .unavailable, .internalError, .unknown, .aborted]

    /// One attempt on a worker, bounded by the job's deadline; runs off the actor.
    private nonisolated static func attempt(lease: Lease, job: SchedulerJob) async -> Result<[UInt8], AttemptFailure> {
        struct DeadlineReached: Error {}
        struct WorkerLost: Error { let reason: String }
        do {
            let proof = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    try await lease.connection.prove(kind: job.kind, payload: job.payload, requestID: job.requestID, deadline: job.deadline)
                }
                group.addTask {
                    try await Task.sleep(until: job.deadline, clock: .continuous)
                    return nil
                }
                group.addTask {
                    if let reason = await lease.loss.wait() { throw WorkerLost(reason: reason) }
                    try Task.checkCancellation()  // cancelled: another child finished first
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let proof = first else { throw DeadlineReached() }
                return proof
            }
            return .success(proof)
        } catch let lost as WorkerLost {
            return .failure(AttemptFailure(
                error: RPCError(code: .unavailable, message: "worker \(lease.address) lost: \(lost.reason)"), connectionLost: true, retryable: true))
        } catch is DeadlineReached {
            return .failure(AttemptFailure(error: RPCError(code: .deadlineExceeded, message: "deadline passed"), connectionLost: false, retryable: false))
        } catch let error as RPCError {
            return .failure(AttemptFailure(
                error: error, connectionLost: error.code == .unavailable, retryable: retryableCodes.contains(error.code),
                byDrainingWorker: error.code == .unavailable && error.metadata[stringValues: WorkerDrain.refusalMetadataKey].contains { _ in true }))
        } catch is CancellationError {
            return .failure(AttemptFailure(error: RPCError(code: .cancelled, message: "cancelled"), connectionLost: false, retryable: false))
        } catch {
            return .failure(AttemptFailure(
                error: RPCError(code: .unavailable, message: "worker \(lease.address) unreachable: \(error)"), connectionLost: true, retryable: true))
        }
    }

    /// A worker for the job now, or a place in the queue until one is free or the deadline passes.
    private func acquire(_ job: SchedulerJob, tried: Set<WorkerAddress>, isRetry: Bool) async -> Acquisition {
        if ContinuousClock.now >= job.deadline {
            return .failed(RPCError(code: .deadlineExceeded, message: "deadline passed while waiting for a worker"), reason: "deadline")
        }
        if Task.isCancelled { return .failed(RPCError(code: .cancelled, message: "the request was cancelled"), reason: "cancelled") }
        if isRetry || queue.isEmpty, let index = pickWorker(tried: tried) {
            return .lease(take(index))
        }
        if !isRetry && queue.count >= configuration.maxQueueItems {
            counters.queueFullDrops += 1
            return .failed(RPCError(code: .resourceExhausted, message: "the queue is full (\(configuration.maxQueueItems) jobs waiting)"), reason: "queue_full")
        }
        nextID += 1
        let id = nextID
        let deadline = job.deadline
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timer = Task {
                    do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                    self.expire(id)
                }
                let waiter = Waiter(id: id, tried: tried, continuation: continuation, timer: timer)
                if isRetry { queue.insert(waiter, at: 0) } else { queue.append(waiter) }
                events.queueState(queue.count, configuration.maxQueueItems)
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func expire(_ id: UInt64) {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: index)
        counters.queueExpired += 1
        events.queueState(queue.count, configuration.maxQueueItems)
        waiter.continuation.resume(returning: .failed(
            RPCError(code: .deadlineExceeded, message: "deadline passed while waiting for a worker"), reason: "deadline"))
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: index)
        waiter.timer.cancel()
        events.queueState(queue.count, configuration.maxQueueItems)
        waiter.continuation.resume(returning: .failed(RPCError(code: .cancelled, message: "the request was cancelled"), reason: "cancelled"))
    }

    /// An idle healthy worker of our proof type, preferring one the job has not tried yet.
    private func pickWorker(tried: Set<WorkerAddress>) -> Int? {
        var fallback: Int?
        for (index, worker) in workers.enumerated() where worker.health == .healthy && !worker.busy {
            if !tried.contains(worker.address) { return index }
            if fallback == nil { fallback = index }
        }
        return fallback
    }

    private func take(_ index: Int) -> Lease {
        workers[index].busy = true
        workers[index].requests += 1
        let loss = LeaseLoss()
        workers[index].leaseLoss = loss
        let worker = workers[index]
        return Lease(workerID: worker.id, address: worker.address, connection: worker.connection, loss: loss)
    }

    /// Hands idle workers to queued jobs, oldest first.
    private func dispatch() {
        var changed = false
        while let first = queue.first, let index = pickWorker(tried: first.tried) {
            queue.removeFirst()
            first.timer.cancel()
            changed = true
            first.continuation.resume(returning: .lease(take(index)))
        }
        if changed { events.queueState(queue.count, configuration.maxQueueItems) }
    }

    /// Frees the worker on every path; a lost connection marks it unhealthy (re-probed with backoff).
    private func release(_ lease: Lease, failure: AttemptFailure?) {
        if let index = workers.firstIndex(where: { $0.id == lease.workerID }) {
            workers[index].busy = false
            workers[index].leaseLoss = nil
            if let failure, failure.connectionLost {
                markUnhealthy(index, reason: "\(failure.error.code): \(failure.error.message)")
            }
        }
        dispatch()
    }

    private func markUnhealthy(_ index: Int, reason: String) {
        let was = workers[index].health
        workers[index].health = .unhealthy
        workers[index].reason = reason
        workers[index].generation += 1
        workers[index].failures += 1
        workers[index].nextProbe = ContinuousClock.now + backoff(failures: workers[index].failures)
        if was != .unhealthy {
            logger.warning("worker unhealthy", metadata: ["worker": "\(workers[index].address)", "reason": "\(reason)"])
            events.workerHealthChanged(workers[index].address, .unhealthy)
        }
        wakeLoop()
    }

    /// A worker that has never answered a probe and whose start-up grace has not passed: its failed
    /// probes mean "not up yet", not "unhealthy". A failure while proving ends the grace at once.
    private func isStarting(_ index: Int) -> Bool {
        !workers[index].answered && workers[index].health == .unknown && ContinuousClock.now < workers[index].startingUntil
    }

    private func backoff(failures: Int) -> Duration {
        var delay = configuration.backoffBase
        var step = 1
        while step < failures && delay < configuration.backoffMax {
            delay *= 2
            step += 1
        }
        return min(delay, configuration.backoffMax)
    }

    // MARK: - Registry

    /// Registers workers (duplicates are ignored) and persists the registry; returns those added.
    /// They are probed at once and get jobs after their first successful check.
    @discardableResult
    public func addWorkers(_ addresses: [WorkerAddress]) throws(SchedulerError) -> [WorkerAddress] {
        // A listed worker that discovery had found becomes a registered one (kept and persisted).
        var promoted = false
        for index in workers.indices where workers[index].discovered && addresses.contains(workers[index].address) {
            workers[index].discovered = false
            promoted = true
        }
        let added = try register(addresses, discovered: false)
        if promoted && added.isEmpty { try persist() }
        return added
    }

    /// Makes the discovered part of the pool equal `addresses` (DNS discovery's latest answer): new
    /// addresses join (probed at once, jobs after their first good check), discovered workers no
    /// longer listed leave — a job in flight on one finishes first. Registered workers (`--workers`,
    /// the state file, `add-workers`) are never removed here, and discovered ones are never persisted.
    @discardableResult
    public func syncDiscoveredWorkers(_ addresses: Set<WorkerAddress>) throws(SchedulerError) -> (added: [WorkerAddress], removed: [WorkerAddress]) {
        let gone = workers.filter { $0.discovered && !addresses.contains($0.address) }.map(\.address)
        let removed = gone.isEmpty ? [] : try removeWorkers(gone)
        let added = try register(addresses.sorted { $0.description < $1.description }, discovered: true)
        return (added, removed)
    }

    /// Writes the registered (not discovered) workers to the state file.
    private func persist(excluding excluded: [WorkerAddress] = [], adding extra: [WorkerAddress] = []) throws(SchedulerError) {
        try store?.save(workers.filter { !$0.discovered && !excluded.contains($0.address) }.map(\.address) + extra)
    }

    private func register(_ addresses: [WorkerAddress], discovered: Bool) throws(SchedulerError) -> [WorkerAddress] {
        var added: [WorkerAddress] = []
        for address in addresses where !workers.contains(where: { $0.address == address }) && !added.contains(address) {
            added.append(address)
        }
        guard !added.isEmpty else { return [] }
        var connections: [any WorkerConnection] = []
        for address in added {
            do { connections.append(try factory(address)) } catch { throw .connection("\(address): \(error)") }
        }
        if !discovered { try persist(adding: added) }
        let now = ContinuousClock.now
        for (address, connection) in zip(added, connections) {
            nextID += 1
            workers.append(Worker(
                id: nextID, address: address, connection: connection, nextProbe: now,
                startingUntil: now + configuration.startupGrace, discovered: discovered))
        }
        logger.info(discovered ? "workers discovered" : "workers added", metadata: ["workers": "\(added.map(\.description))"])
        wakeLoop()
        return added
    }

    /// Unregisters workers and persists the registry; returns those removed. A job in flight on a
    /// removed worker finishes (its connection closes afterwards); it gets no new jobs.
    @discardableResult
    public func removeWorkers(_ addresses: [WorkerAddress]) throws(SchedulerError) -> [WorkerAddress] {
        let removing = workers.filter { addresses.contains($0.address) }
        guard !removing.isEmpty else { return [] }
        if removing.contains(where: { !$0.discovered }) { try persist(excluding: addresses) }
        workers.removeAll { addresses.contains($0.address) }
        for worker in removing {
            let connection = worker.connection
            Task { await connection.close() }
        }
        logger.info("workers removed", metadata: ["workers": "\(removing.map(\.address.description))"])
        return removing.map(\.address)
    }

    /// The registered workers, in registration order.
    public var workerAddresses: [WorkerAddress] { workers.map(\.address) }

    /// A snapshot of workers, queue and counters.
    public func status() -> SchedulerStatus {
        SchedulerStatus(
            kind: configuration.kind, version: configuration.version,
            workers: workers.map {
                SchedulerWorkerStatus(
                    address: $0.address, health: $0.health, version: $0.version, kind: $0.kind, busy: $0.busy,
                    requests: $0.requests, reason: $0.reason)
            },
            queueSize: queue.count, queueCapacity: configuration.maxQueueItems, counters: counters)
    }

    // MARK: - Health

    /// The health loop: probes every worker each `healthCheckInterval`, unhealthy ones with
    /// exponential backoff, newly added ones at once. Runs until cancelled. Probes run concurrently
    /// and outside the actor.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = ContinuousClock.now
                for index in workers.indices where !workers[index].probing && workers[index].nextProbe <= now {
                    workers[index].probing = true
                    let id = workers[index].id
                    let generation = workers[index].generation
                    let connection = workers[index].connection
                    group.addTask {
                        let probe = await connection.probe()
                        await self.apply(probe, workerID: id, generation: generation)
                    }
                }
                let next = workers.filter { !$0.probing }.map(\.nextProbe).min() ?? now + configuration.healthCheckInterval
                await sleepLoop(until: next)
            }
            group.cancelAll()
        }
        loopTimer?.cancel()
    }

    private func sleepLoop(until instant: ContinuousClock.Instant) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                    return
                }
                loopWake = continuation
                loopTimer?.cancel()
                loopTimer = Task {
                    do { try await Task.sleep(until: instant, clock: .continuous) } catch { return }
                    self.wakeLoop()
                }
            }
        } onCancel: {
            Task { await self.wakeLoop() }
        }
    }

    private func wakeLoop() {
        loopWake?.resume()
        loopWake = nil
    }

    private func apply(_ probe: WorkerProbe, workerID: UInt64, generation: UInt64) {
        guard let index = workers.firstIndex(where: { $0.id == workerID }) else { return }
        workers[index].probing = false
        defer { wakeLoop() }
        let verdict: String?
        switch probe {
        case .failed(let reason), .notServing(let reason):
            if isStarting(index) {
                // Not up yet: no verdict, no warning; probed again soon.
                workers[index].reason = "starting: \(reason)"
                workers[index].nextProbe = ContinuousClock.now + configuration.startupProbeInterval
                logger.debug("worker not up yet", metadata: ["worker": "\(workers[index].address)", "reason": "\(reason)"])
                return
            }
            verdict = workers[index].answered || configuration.startupGrace == .zero
                ? "probe failed: \(reason)"
                : "probe failed: \(reason) (never answered within \(configuration.startupGrace) of registration)"
            // A worker that stops answering while it proves is presumed gone (host or link down):
            // its job is retried elsewhere now rather than waiting for the deadline. One that answers
            // NOT_SERVING is draining: it finishes the proof in hand, so its job stays.
            if case .failed = probe { workers[index].leaseLoss?.signal("health check failed mid-proof: \(reason)") }
        case .serving(let version, let kind):
            workers[index].answered = true
            workers[index].version = version
            workers[index].kind = kind
            if kind != configuration.kind {
                verdict = "proves \(kind.map { "\($0)" } ?? "an unknown proof type"), not \(configuration.kind)"
            } else if !configuration.isCompatible(version: version) {
                verdict = "version \(version) is not compatible with ~\(configuration.version)"
            } else {
                verdict = nil
            }
        }
        if let verdict {
            markUnhealthy(index, reason: verdict)
            return
        }
        // A failure recorded while this probe was in flight wins: the worker waits for the next probe.
        guard workers[index].generation == generation else { return }
        let was = workers[index].health
        workers[index].health = .healthy
        workers[index].reason = nil
        workers[index].failures = 0
        workers[index].nextProbe = ContinuousClock.now + configuration.healthCheckInterval
        if was != .healthy {
            logger.info("worker healthy", metadata: ["worker": "\(workers[index].address)"])
            events.workerHealthChanged(workers[index].address, .healthy)
            dispatch()
        }
    }
}
