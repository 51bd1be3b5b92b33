import Foundation
import GRPCCore
import Logging
import Rollup
import SwiftProtobuf
import Synchronization
import Wire

/// Where and how a scheduler's front end listens.
public struct SchedulerFrontEndConfiguration: Sendable {
    /// The job endpoint proxies connect their DEALER sockets to (`MRP_SCHEDULER_PORT`, default 8084).
    public var jobEndpoint: String
    /// The control endpoint for `ctl` (`MRP_CONTROL_PORT`, default 8083); loopback callers only.
    public var controlEndpoint: String
    /// A shared secret control requests must carry (`MRP_CONTROL_TOKEN`); nil accepts any.
    public var controlToken: String?
    /// The deadline given to a job that carries none (`deadline_unix_nanos` = 0).
    public var defaultTimeout: Duration
    /// How often the queue and workers state is published on the metrics socket.
    public var stateInterval: Duration
    /// CURVE on the job endpoint: the scheduler's key pair and the proxy public keys it accepts;
    /// nil keeps the endpoint plaintext (loopback, or `--insecure`). See ``LinkSecurityPolicy``.
    public var jobCurve: ZMQCurveServerKeys?

    public static let defaultJobPort = 8084
    public static let defaultControlPort = 8083

    public init(
        jobEndpoint: String = "tcp://127.0.0.1:\(defaultJobPort)",
        controlEndpoint: String = "tcp://127.0.0.1:\(defaultControlPort)",
        controlToken: String? = nil, defaultTimeout: Duration = .seconds(100),
        stateInterval: Duration = .seconds(5),
        jobCurve: ZMQCurveServerKeys? = nil
    ) {
        self.jobCurve = jobCurve
        self.jobEndpoint = jobEndpoint
        self.controlEndpoint = controlEndpoint
        self.controlToken = controlToken
        self.defaultTimeout = defaultTimeout
        self.stateInterval = stateInterval
    }
}

/// The scheduler's ZeroMQ face: a ROUTER job endpoint for proxies and a ROUTER control endpoint for `ctl`.
///
/// Job endpoint: a proxy's DEALER sends `[SchedulerRequest]`; a `Job` runs as ``Scheduler/submit(_:)``
/// in its own task (many in flight) and its `JobResult` goes back to the same identity as a
/// `SchedulerReply`; a `StatusQuery` is answered with the `SchedulerStatus`.
///
/// Control endpoint: `ControlRequest` (add, remove, list workers) → `ControlResponse` with the status
/// after the command. Callers that are not on loopback, or that carry the wrong token when one is
/// configured, are refused with `ok = false`.
///
/// Each ROUTER lives on its own thread; replies produced by tasks are queued and sent by that thread.
public final class SchedulerFrontEnd: Sendable {
    /// The scheduler jobs are submitted to.
    public let scheduler: Scheduler
    /// The endpoints and limits.
    public let configuration: SchedulerFrontEndConfiguration
    private let metrics: SchedulerMetricsPublisher?
    let logger: Logger
    private let jobs: ZMQRouterThread
    private let control: ZMQRouterThread
    private let context: ZMQContext
    private let authenticator = Mutex<ZMQAuthenticator?>(nil)
    let inFlight = Mutex<[UInt64: Task<Void, Never>]>([:])
    private let nextTask = Mutex<UInt64>(0)
    private let bound = Mutex<(jobs: String, control: String)?>(nil)
    let accepting = Mutex(true)
    /// Set when a drain's grace period is over: jobs stopped then are answered UNAVAILABLE (see SchedulerDrain.swift).
    let handingBack = Mutex(false)

    /// A front end for `scheduler`; `metrics` (optional) is started and stopped with it.
    public init(
        scheduler: Scheduler, configuration: SchedulerFrontEndConfiguration, context: ZMQContext,
        metrics: SchedulerMetricsPublisher? = nil, logger: Logger = Logger(label: "scheduler")
    ) {
        self.scheduler = scheduler
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.context = context
        self.jobs = ZMQRouterThread(
            name: "jobs", context: context, endpoint: configuration.jobEndpoint,
            security: configuration.jobCurve.map { .curveServer($0.keyPair, domain: LinkSecurityPolicy.jobDomain) } ?? .plaintext,
            logger: logger)
        self.control = ZMQRouterThread(
            name: "control", context: context, endpoint: configuration.controlEndpoint, logger: logger)
    }

    /// The endpoints actually bound (ports resolved), once ``start()`` has returned.
    public var endpoints: (jobs: String, control: String)? { bound.withLock { $0 } }

    /// Binds both endpoints (and connects the metrics socket); returns the bound endpoints.
    @discardableResult
    public func start() async throws -> (jobs: String, control: String) {
        if let metrics {
            metrics.attach(scheduler)
            try await metrics.start()
        }
        if let curve = configuration.jobCurve {
            // The ZAP handler must be bound before the CURVE socket sees its first handshake.
            let logger = self.logger
            let zap = try ZMQAuthenticator(context: context, domain: LinkSecurityPolicy.jobDomain, allowedKeys: curve.allowedClients) { decision in
                guard decision.domain == LinkSecurityPolicy.jobDomain else { return }
                let metadata: Logger.Metadata = ["address": "\(decision.address)", "key": "\(decision.clientKey ?? "-")", "reason": "\(decision.reason)"]
                if decision.allowed { logger.info("proxy admitted", metadata: metadata) } else { logger.warning("proxy refused", metadata: metadata) }
            }
            authenticator.withLock { $0 = zap }
        }
        let jobEndpoint: String
        do { jobEndpoint = try await jobs.start { [self] envelope in handleJob(envelope) } } catch {
            await authenticator.withLock { $0 }?.stop()
            throw error
        }
        let controlEndpoint: String
        do {
            controlEndpoint = try await control.start { [self] envelope in handleControl(envelope) }
        } catch {
            await jobs.stop()
            await authenticator.withLock { $0 }?.stop()
            throw error
        }
        if let metrics, let port = jobEndpoint.split(separator: ":").last {
            metrics.source = "scheduler:\(port)"
        }
        bound.withLock { $0 = (jobEndpoint, controlEndpoint) }
        logger.info("front end listening", metadata: ["jobs": "\(jobEndpoint)", "control": "\(controlEndpoint)"])
        return (jobEndpoint, controlEndpoint)
    }

    /// Replaces the proxy keys a CURVE job endpoint admits (later handshakes only); nil for a
    /// plaintext endpoint or before ``start()``.
    public func replaceAllowedClients(_ keys: Set<String>) -> ZMQAuthenticator.AllowListChange? {
        authenticator.withLock { $0 }?.replaceAllowedKeys(keys)
    }

    /// Publishes the queue and workers state every `stateInterval` until cancelled (no-op without metrics).
    public func run() async {
        guard let metrics else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        while !Task.isCancelled {
            metrics.publishState(await scheduler.status())
            try? await Task.sleep(for: configuration.stateInterval)
        }
    }

    /// Stops accepting, cancels jobs in flight, closes both sockets (linger 0) and the metrics socket.
    public func stop() async {
        accepting.withLock { $0 = false }
        let tasks = inFlight.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in tasks { task.cancel() }
        await jobs.stop()
        await control.stop()
        await authenticator.withLock { $0 }?.stop()
        await metrics?.stop()
        logger.info("front end stopped")
    }

    // MARK: - Job endpoint

    private func handleJob(_ envelope: ZMQEnvelope) {
        let request: Mrp_Internal_V1_SchedulerRequest
        do { request = try envelope.decode() } catch {
            logger.warning("malformed scheduler request", metadata: ["error": "\(error)"])
            jobs.reply(Self.encode(Self.failureReply(requestID: "", code: .invalidArgument, message: "malformed SchedulerRequest: \(error)")),
                       to: envelope)
            return
        }
        guard accepting.withLock({ $0 }) else {
            var id = ""
            if case .job(let job) = request.request { id = job.requestID }
            jobs.reply(Self.encode(Self.failureReply(requestID: id, code: .unavailable, message: "scheduler is shutting down")), to: envelope)
            return
        }
        switch request.request {
        case .job(let job):
            spawn { [self] in
                let reply = handedBackIfStopped(await SchedulerTracing.withJobSpan(job) { await run(job) })
                jobs.reply(Self.encode(reply), to: envelope)
            }
        case .status:
            spawn { [self] in
                let status = await scheduler.status()
                jobs.reply(Self.encode(Mrp_Internal_V1_SchedulerReply.with { $0.status = status.wire }), to: envelope)
            }
        case nil:
            jobs.reply(Self.encode(Self.failureReply(requestID: "", code: .invalidArgument, message: "empty SchedulerRequest")), to: envelope)
        }
    }

    /// Runs `body` as a tracked task (cancelled at ``stop()``).
    private func spawn(_ body: @escaping @Sendable () async -> Void) {
        let id = nextTask.withLock { next in
            next += 1
            return next
        }
        // Registered under the lock, so the task's own removal (which takes the lock) comes after.
        inFlight.withLock { tasks in
            tasks[id] = Task { [self] in
                await body()
                _ = inFlight.withLock { $0.removeValue(forKey: id) }
            }
        }
    }

    /// One job, start to end: checks, submission, the reply.
    func run(_ job: Mrp_Internal_V1_Job) async -> Mrp_Internal_V1_SchedulerReply {
        let requestID = job.requestID.isEmpty ? UUID().uuidString.lowercased() : job.requestID
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        guard let kind = ProofKind(wire: job.proofType) else {
            logger.info("job refused: unknown proof type", metadata: ["proof_type": "\(job.proofType)"])
            metrics?.publish(.requestRejected(.with {
                $0.reason = "wrong_proof_type"
                $0.grpcCode = Int32(RPCError.Code.invalidArgument.rawValue)
                $0.clientAddress = job.clientAddress
            }))
            return Self.failureReply(requestID: requestID, code: .invalidArgument, message: "unknown proof type \(job.proofType)")
        }
        let deadline: ContinuousClock.Instant
        if job.deadlineUnixNanos == 0 {
            deadline = .now + configuration.defaultTimeout
        } else {
            let nowNanos = Int64(Date().timeIntervalSince1970 * 1e9)
            let remaining = job.deadlineUnixNanos &- nowNanos
            guard remaining > 0 else {
                logger.info("job refused: deadline already passed")
                metrics?.publish(.requestRejected(.with {
                    $0.reason = "deadline"
                    $0.grpcCode = Int32(RPCError.Code.deadlineExceeded.rawValue)
                    $0.clientAddress = job.clientAddress
                }))
                return Self.failureReply(requestID: requestID, code: .deadlineExceeded, message: "the job's deadline has already passed")
            }
            deadline = .now + .nanoseconds(remaining)
        }
        logger.info("job received", metadata: [
            "proof_type": "\(kind)", "bytes": "\(job.payload.count)", "client": "\(job.clientAddress)",
            "traceparent": "\(job.traceparent)",
        ])
        let outcome = await scheduler.submit(
            SchedulerJob(requestID: requestID, kind: kind, payload: [UInt8](job.payload), deadline: deadline))
        SchedulerTracing.recordQueueTime(outcome.queueTime)
        var result = Mrp_Internal_V1_JobResult()
        result.requestID = requestID
        result.attempts = UInt32(clamping: outcome.attempts)
        result.worker = outcome.worker?.description ?? ""
        switch outcome.result {
        case .success(let proof):
            result.proof = Data(proof)
            logger.info("job proven", metadata: [
                "worker": "\(result.worker)", "attempts": "\(outcome.attempts)", "proof_bytes": "\(proof.count)",
            ])
        case .failure(let error):
            result.failure = .with {
                $0.code = Int32(error.code.rawValue)
                $0.message = error.message
            }
            logger.info("job failed", metadata: [
                "code": "\(error.code)", "error": "\(error.message)", "worker": "\(result.worker)", "attempts": "\(outcome.attempts)",
            ])
        }
        return .with { $0.result = result }
    }

    static func failureReply(requestID: String, code: RPCError.Code, message: String) -> Mrp_Internal_V1_SchedulerReply {
        .with {
            $0.result = .with {
                $0.requestID = requestID
                $0.failure = .with {
                    $0.code = Int32(code.rawValue)
                    $0.message = message
                }
            }
        }
    }

    static func encode<M: Message>(_ message: M) -> [UInt8] {
        (try? message.serializedBytes()) ?? []
    }

    // MARK: - Control endpoint

    private func handleControl(_ envelope: ZMQEnvelope) {
        guard let peer = envelope.peerAddress, peer.isLoopback else {
            logger.warning("control request refused: not from loopback", metadata: ["peer": "\(envelope.peerAddress?.ip ?? "unknown")"])
            control.reply(Self.encode(Self.refusal("control requests are accepted from loopback only")), to: envelope)
            return
        }
        let request: Mrp_Internal_V1_ControlRequest
        do { request = try envelope.decode() } catch {
            control.reply(Self.encode(Self.refusal("malformed ControlRequest: \(error)")), to: envelope)
            return
        }
        if let token = configuration.controlToken, request.token != token {
            logger.warning("control request refused: bad token", metadata: ["peer": "\(peer.ip)"])
            control.reply(Self.encode(Self.refusal("control token missing or wrong")), to: envelope)
            return
        }
        spawn { [self] in
            let response = await execute(request)
            control.reply(Self.encode(response), to: envelope)
        }
    }

    /// Runs one control command and reports the state after it.
    func execute(_ request: Mrp_Internal_V1_ControlRequest) async -> Mrp_Internal_V1_ControlResponse {
        var response = Mrp_Internal_V1_ControlResponse()
        response.ok = true
        do throws(SchedulerError) {
            switch request.command {
            case .addWorkers(let list):
                let added = try await scheduler.addWorkers(try Self.addresses(list))
                logger.info("control: workers added", metadata: ["workers": "\(added.map(\.description))"])
            case .removeWorkers(let list):
                let removed = try await scheduler.removeWorkers(try Self.addresses(list))
                logger.info("control: workers removed", metadata: ["workers": "\(removed.map(\.description))"])
            case .listWorkers:
                break
            case nil:
                response.ok = false
                response.error = "empty ControlRequest: expected add_workers, remove_workers or list_workers"
            }
        } catch {
            response.ok = false
            response.error = error.description
        }
        let status = await scheduler.status()
        response.status = status.wire
        metrics?.publishState(status)
        return response
    }

    private static func addresses(_ list: Mrp_Internal_V1_WorkerAddresses) throws(SchedulerError) -> [WorkerAddress] {
        var result: [WorkerAddress] = []
        for text in list.addresses {
            guard let address = WorkerAddress(text) else { throw .invalidAddress(text) }
            result.append(address)
        }
        return result
    }

    private static func refusal(_ message: String) -> Mrp_Internal_V1_ControlResponse {
        .with {
            $0.ok = false
            $0.error = message
        }
    }
}
