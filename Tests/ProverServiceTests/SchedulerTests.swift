import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Synchronization
import Testing
import ProverService
import Rollup
import STARK

/// A scripted worker double: what its proofs and probes do is set by the test and can change.
final class ScriptedWorkerDouble: WorkerConnection {
    enum Behaviour: Sendable {
        /// Answers after a delay with the payload reversed (honours cancellation).
        case prove(after: Duration)
        /// Fails with a gRPC code after a delay.
        case fail(RPCError.Code, after: Duration)
        /// Dies mid-proof: a connection error after a delay.
        case die(after: Duration)
    }

    struct Dead: Error {}

    struct State {
        var behaviour: Behaviour
        var probe: WorkerProbe
        var proveCalls = 0
        var probeTimes: [ContinuousClock.Instant] = []
        var closed = false
        /// How long a probe takes (a hung worker); honours cancellation.
        var probeDelay: Duration = .zero
    }

    let address: String
    let state: Mutex<State>

    init(_ address: String, _ behaviour: Behaviour = .prove(after: .milliseconds(10)),
         probe: WorkerProbe = .serving(version: ServiceVersion.current, kind: .transaction)) {
        self.address = address
        self.state = Mutex(State(behaviour: behaviour, probe: probe))
    }

    var proveCalls: Int { state.withLock { $0.proveCalls } }
    var probeTimes: [ContinuousClock.Instant] { state.withLock { $0.probeTimes } }
    func set(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }
    func set(probe: WorkerProbe) { state.withLock { $0.probe = probe } }

    func prove(kind: ProofKind, payload: [UInt8], requestID: String, deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        let behaviour = state.withLock { state -> Behaviour in
            state.proveCalls += 1
            return state.behaviour
        }
        switch behaviour {
        case .prove(let delay):
            try await Task.sleep(for: delay)
            return payload.reversed() + Array(address.utf8)
        case .fail(let code, let delay):
            try await Task.sleep(for: delay)
            throw RPCError(code: code, message: "scripted \(code)")
        case .die(let delay):
            try await Task.sleep(for: delay)
            state.withLock { $0.probe = .failed("connection refused") }  // a dead worker answers no probe either
            throw Dead()
        }
    }

    func probe() async -> WorkerProbe {
        let delay = state.withLock { $0.probeDelay }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return state.withLock { state in
            state.probeTimes.append(.now)
            return state.probe
        }
    }

    func close() async { state.withLock { $0.closed = true } }
}

/// The doubles by address, handed to the scheduler through its connection factory.
final class ScriptedWorkerPool: Sendable {
    let workers: Mutex<[String: ScriptedWorkerDouble]> = Mutex([:])

    init(_ doubles: [ScriptedWorkerDouble] = []) {
        for double in doubles { add(double) }
    }

    func add(_ double: ScriptedWorkerDouble) { workers.withLock { $0[double.address] = double } }

    var factory: WorkerConnectionFactory {
        { address in
            self.workers.withLock { workers in
                if let double = workers[address.description] { return double }
                let double = ScriptedWorkerDouble(address.description)
                workers[address.description] = double
                return double
            }
        }
    }
}

@Suite struct SchedulerTests {
    static func addresses(_ list: String...) -> [WorkerAddress] { list.map { WorkerAddress($0)! } }

    /// Test settings; no start-up grace unless asked, so a worker that does not answer is unhealthy at once.
    static func config(
        maxQueueItems: Int = 10, maxRetries: Int = 1, stateFile: String? = nil, startupGrace: Duration = .zero
    ) -> SchedulerConfiguration {
        SchedulerConfiguration(
            kind: .transaction, maxQueueItems: maxQueueItems, maxRetries: maxRetries, healthCheckInterval: .milliseconds(200),
            backoffBase: .milliseconds(50), backoffMax: .milliseconds(400), stateFile: stateFile,
            startupGrace: startupGrace, startupProbeInterval: .milliseconds(20))
    }

    static func job(_ id: String = "r1", timeout: Duration = .seconds(5), payload: [UInt8] = [1, 2, 3]) -> SchedulerJob {
        SchedulerJob(requestID: id, kind: .transaction, payload: payload, deadline: .now + timeout)
    }

    /// Runs the scheduler's health loop around `body`, bounded by `limit`.
    static func running(
        _ scheduler: Scheduler, limit: Duration = .seconds(10), _ body: @Sendable @escaping () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            group.addTask {
                try await Task.sleep(for: limit)
                Issue.record("test timed out after \(limit)")
            }
            group.addTask { try await body() }
            _ = try await group.next()  // the loop never ends by itself; the body or the timeout does
            group.cancelAll()
        }
    }

    /// Waits (bounded) until the condition on the status holds.
    static func eventually(
        _ scheduler: Scheduler, within limit: Duration = .seconds(3), _ condition: (SchedulerStatus) -> Bool
    ) async -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if condition(await scheduler.status()) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    static func allHealthy(_ scheduler: Scheduler) async -> Bool {
        await eventually(scheduler) { status in status.workers.allSatisfy { $0.health == .healthy } }
    }

    @Test func happyPath() async throws {
        let pool = ScriptedWorkerPool([ScriptedWorkerDouble("w1:1"), ScriptedWorkerDouble("w2:1")])
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("w1:1", "w2:1"), connectionFactory: pool.factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.proof == [3, 2, 1] + Array("w1:1".utf8))
            #expect(outcome.attempts == 1)
            let status = await scheduler.status()
            #expect(status.counters.succeeded == 1)
            #expect(status.worker("w1:1")?.requests == 1)
            #expect(status.workers.allSatisfy { !$0.busy })
        }
    }

    @Test func wrongProofTypeJobIsRefused() async throws {
        let scheduler = try Scheduler(configuration: Self.config(), connectionFactory: ScriptedWorkerPool().factory)
        var job = Self.job()
        job.kind = .batch
        let outcome = await scheduler.submit(job)
        #expect(outcome.code == .invalidArgument)
    }

    @Test func aFullQueueRefusesAtOnceAndNeverOvershoots() async throws {
        let slow = ScriptedWorkerDouble("slow:1", .prove(after: .milliseconds(500)))
        let drops = Mutex(0)
        let maxSize = Mutex(0)
        let events = SchedulerEvents(
            requestRejected: { reason in if reason == "queue_full" { drops.withLock { $0 += 1 } } },
            queueState: { size, _ in maxSize.withLock { $0 = max($0, size) } })
        let scheduler = try Scheduler(
            configuration: Self.config(maxQueueItems: 2), workers: Self.addresses("slow:1"), connectionFactory: ScriptedWorkerPool([slow]).factory,
            events: events)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let results = try await withThrowingTaskGroup(of: (RPCError.Code?, Duration).self) { group in
                for i in 0..<7 {
                    group.addTask {
                        let start = ContinuousClock.now
                        let outcome = await scheduler.submit(Self.job("r\(i)"))
                        return (outcome.code, start.duration(to: .now))
                    }
                }
                var all: [(RPCError.Code?, Duration)] = []
                for try await result in group { all.append(result) }
                return all
            }
            let refused = results.filter { $0.0 == .resourceExhausted }
            #expect(refused.count == 4)  // 1 proving + 2 queued accepted
            #expect(results.filter { $0.0 == nil }.count == 3)
            for (_, elapsed) in refused { #expect(elapsed < .milliseconds(200)) }
            let status = await scheduler.status()
            #expect(status.counters.queueFullDrops == 4)
            #expect(drops.withLock { $0 } == 4)
            #expect(maxSize.withLock { $0 } <= 2)
            #expect(status.queueSize == 0)
        }
    }

    @Test func aWorkerDyingMidProofCostsTheClientNothing() async throws {
        let dying = ScriptedWorkerDouble("dying:1", .die(after: .milliseconds(50)))
        let good = ScriptedWorkerDouble("good:1")
        let retried = Mutex<[String]>([])
        let scheduler = try Scheduler(
            configuration: Self.config(), workers: Self.addresses("dying:1", "good:1"), connectionFactory: ScriptedWorkerPool([dying, good]).factory,
            events: SchedulerEvents(requestRetried: { worker, _ in retried.withLock { $0.append(worker.description) } }))
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.code == nil)
            #expect(outcome.worker?.description == "good:1")
            #expect(outcome.attempts == 2)
            #expect(dying.proveCalls == 1)
            let status = await scheduler.status()
            #expect(status.counters.retries == 1)
            #expect(retried.withLock { $0 } == ["dying:1"])
            #expect(status.worker("dying:1")?.health == .unhealthy)
            #expect(status.workers.allSatisfy { !$0.busy })
        }
    }

    @Test(arguments: [RPCError.Code.unavailable, .internalError, .resourceExhausted])
    func maxRetriesOneMeansAtMostTwoAttempts(code: RPCError.Code) async throws {
        let doubles = (1...3).map { ScriptedWorkerDouble("w\($0):1", .fail(code, after: .milliseconds(5))) }
        let scheduler = try Scheduler(
            configuration: Self.config(), workers: Self.addresses("w1:1", "w2:1", "w3:1"), connectionFactory: ScriptedWorkerPool(doubles).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.code == code)
            #expect(outcome.attempts == 2)
            #expect(doubles.map(\.proveCalls).reduce(0, +) == 2)
            #expect(doubles.allSatisfy { $0.proveCalls <= 1 })  // the retry went to another worker
            let status = await scheduler.status()
            #expect(status.counters.retries == 1)
            #expect(status.workers.allSatisfy { !$0.busy })
        }
    }

    @Test func maxRetriesZeroMeansOneAttempt() async throws {
        let doubles = (1...2).map { ScriptedWorkerDouble("w\($0):1", .fail(.unavailable, after: .milliseconds(5))) }
        let scheduler = try Scheduler(
            configuration: Self.config(maxRetries: 0), workers: Self.addresses("w1:1", "w2:1"), connectionFactory: ScriptedWorkerPool(doubles).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.code == .unavailable)
            #expect(doubles.map(\.proveCalls).reduce(0, +) == 1)
        }
    }

    @Test func invalidArgumentIsNeverRetried() async throws {
        let doubles = (1...2).map { ScriptedWorkerDouble("w\($0):1", .fail(.invalidArgument, after: .milliseconds(5))) }
        let scheduler = try Scheduler(
            configuration: Self.config(maxRetries: 3), workers: Self.addresses("w1:1", "w2:1"), connectionFactory: ScriptedWorkerPool(doubles).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.code == .invalidArgument)
            #expect(outcome.attempts == 1)
            #expect(doubles.map(\.proveCalls).reduce(0, +) == 1)
            let status = await scheduler.status()
            #expect(status.counters.retries == 0)
            #expect(status.workers.allSatisfy { $0.health == .healthy && !$0.busy })
        }
    }

    @Test func aQueuedJobWhoseDeadlinePassesIsRemoved() async throws {
        let slow = ScriptedWorkerDouble("slow:1", .prove(after: .milliseconds(600)))
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("slow:1"), connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            async let first = scheduler.submit(Self.job("a"))
            #expect(await Self.eventually(scheduler) { $0.worker("slow:1")?.busy == true })
            let start = ContinuousClock.now
            let queued = await scheduler.submit(Self.job("b", timeout: .milliseconds(100)))
            #expect(queued.code == .deadlineExceeded)
            #expect(start.duration(to: .now) < .milliseconds(400))
            #expect(queued.attempts == 0)
            let status = await scheduler.status()
            #expect(status.queueSize == 0)
            #expect(status.counters.queueExpired == 1)
            #expect(await first.code == nil)
            #expect(slow.proveCalls == 1)  // the expired job never reached the worker
        }
    }

    @Test func aDeadlineWhileProvingEndsTheJobAndReleasesTheWorker() async throws {
        let slow = ScriptedWorkerDouble("slow:1", .prove(after: .seconds(5)))
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("slow:1"), connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let start = ContinuousClock.now
            let outcome = await scheduler.submit(Self.job(timeout: .milliseconds(150)))
            #expect(outcome.code == .deadlineExceeded)
            #expect(outcome.attempts == 1)
            #expect(start.duration(to: .now) < .milliseconds(600))
            let status = await scheduler.status()
            #expect(status.worker("slow:1")?.busy == false)
            #expect(status.worker("slow:1")?.health == .healthy)
            slow.set(.prove(after: .milliseconds(5)))
            #expect(await scheduler.submit(Self.job("next")).code == nil)
        }
    }

    @Test func wrongProofTypeOrVersionIsUnhealthyAndGetsNoJobs() async throws {
        let batch = ScriptedWorkerDouble("batch:1", probe: .serving(version: ServiceVersion.current, kind: .batch))
        let old = ScriptedWorkerDouble("old:1", probe: .serving(version: "9.0.0", kind: .transaction))
        let minor = ScriptedWorkerDouble("minor:1", probe: .serving(version: "0.2.0", kind: .transaction))
        let unknownType = ScriptedWorkerDouble("unknown:1", probe: .serving(version: ServiceVersion.current, kind: nil))
        let patch = ScriptedWorkerDouble("patch:1", probe: .serving(version: "0.1.9", kind: .transaction))
        let scheduler = try Scheduler(
            configuration: Self.config(), workers: Self.addresses("batch:1", "old:1", "minor:1", "unknown:1", "patch:1"),
            connectionFactory: ScriptedWorkerPool([batch, old, minor, unknownType, patch]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.eventually(scheduler) { $0.workers.allSatisfy { $0.health != .unknown } })
            let status = await scheduler.status()
            #expect(status.worker("batch:1")?.health == .unhealthy)
            #expect(status.worker("batch:1")?.kind == .batch)
            #expect(status.worker("old:1")?.health == .unhealthy)
            #expect(status.worker("minor:1")?.health == .unhealthy)
            #expect(status.worker("unknown:1")?.health == .unhealthy)
            #expect(status.worker("patch:1")?.health == .healthy)
            #expect(status.worker("patch:1")?.version == "0.1.9")
            for i in 0..<3 {
                #expect(await scheduler.submit(Self.job("r\(i)")).worker?.description == "patch:1")
            }
            #expect(batch.proveCalls + old.proveCalls + minor.proveCalls + unknownType.proveCalls == 0)
        }
    }

    @Test func anUnhealthyWorkerIsProbedWithBackoffAndReturnsOnlyAfterASuccessfulCheck() async throws {
        let flaky = ScriptedWorkerDouble("flaky:1", probe: .failed("connection refused"))
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("flaky:1"), connectionFactory: ScriptedWorkerPool([flaky]).factory)
        try await Self.running(scheduler) {
            // 50, 100, 200 ms after the first failure: wait for four failed probes.
            try #require(await Self.eventually(scheduler, within: .seconds(3)) { _ in flaky.probeTimes.count >= 4 })
            #expect(await scheduler.status().worker("flaky:1")?.health == .unhealthy)
            let times = flaky.probeTimes
            try #require(times.count >= 4)  // the gaps below index the first three
            let gaps = zip(times.dropFirst(), times).map { $0.0 - $0.1 }
            #expect(gaps[0] >= .milliseconds(45))
            #expect(gaps[1] >= .milliseconds(95))
            #expect(gaps[2] >= .milliseconds(195))
            // No job while unhealthy: it waits (here until its short deadline).
            #expect(await scheduler.submit(Self.job(timeout: .milliseconds(50))).code == .deadlineExceeded)
            #expect(flaky.proveCalls == 0)
            let probesBefore = flaky.probeTimes.count
            flaky.set(probe: .serving(version: ServiceVersion.current, kind: .transaction))
            #expect(await Self.allHealthy(scheduler))
            #expect(flaky.probeTimes.count > probesBefore)  // it came back through a probe
            #expect(await scheduler.submit(Self.job()).code == nil)
        }
    }

    @Test func aDeadWorkerStaysUnhealthyDuringBackoff() async throws {
        let dying = ScriptedWorkerDouble("dying:1", .die(after: .milliseconds(5)))
        let scheduler = try Scheduler(
            configuration: SchedulerConfiguration(
                kind: .transaction, healthCheckInterval: .milliseconds(100), backoffBase: .milliseconds(300), backoffMax: .seconds(1)),
            workers: Self.addresses("dying:1"), connectionFactory: ScriptedWorkerPool([dying]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            let outcome = await scheduler.submit(Self.job())
            #expect(outcome.code == .unavailable)
            let probes = dying.probeTimes.count
            dying.set(probe: .serving(version: ServiceVersion.current, kind: .transaction))  // restarted at once
            // It would answer a probe, but none is due before the backoff: it stays unhealthy meanwhile.
            try await Task.sleep(for: .milliseconds(150))
            #expect(await scheduler.status().worker("dying:1")?.health == .unhealthy)
            #expect(dying.probeTimes.count == probes)
            #expect(await Self.allHealthy(scheduler))
            #expect(dying.probeTimes.count > probes)
        }
    }

    @Test func addAndRemoveChangeThePoolAtOnce() async throws {
        let pool = ScriptedWorkerPool([ScriptedWorkerDouble("a:1"), ScriptedWorkerDouble("b:1")])
        let scheduler = try Scheduler(configuration: Self.config(), connectionFactory: pool.factory)
        try await Self.running(scheduler) {
            #expect(await scheduler.status().workers.isEmpty)
            let added = try await scheduler.addWorkers(Self.addresses("a:1", "b:1", "a:1"))
            #expect(added.map(\.description) == ["a:1", "b:1"])
            #expect(await scheduler.status().workers.map(\.address.description) == ["a:1", "b:1"])
            #expect(try await scheduler.addWorkers(Self.addresses("a:1")).isEmpty)
            #expect(await Self.allHealthy(scheduler))
            let removed = try await scheduler.removeWorkers(Self.addresses("a:1", "zzz:9"))
            #expect(removed.map(\.description) == ["a:1"])
            #expect(await scheduler.status().workers.map(\.address.description) == ["b:1"])
            #expect(await scheduler.submit(Self.job()).worker?.description == "b:1")
            #expect(await Self.eventually(scheduler) { _ in pool.workers.withLock { $0["a:1"]!.state.withLock { $0.closed } } })
        }
    }

    @Test func aHungProbeNeverBlocksDispatchOrStatus() async throws {
        let good = ScriptedWorkerDouble("good:1")
        let hung = ScriptedWorkerDouble("hung:1")
        let scheduler = try Scheduler(
            configuration: Self.config(), workers: Self.addresses("good:1", "hung:1"), connectionFactory: ScriptedWorkerPool([good, hung]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            hung.state.withLock { $0.probeDelay = .seconds(30) }
            // Let a health round start on the hung worker, then work while it hangs.
            try await Task.sleep(for: .milliseconds(250))
            let start = ContinuousClock.now
            for i in 0..<3 {
                #expect(await scheduler.submit(Self.job("r\(i)")).code == nil)
            }
            _ = await scheduler.status()
            try await scheduler.addWorkers(Self.addresses("late:1"))
            #expect(await scheduler.status().worker("late:1") != nil)
            #expect(start.duration(to: .now) < .milliseconds(300))
        }
    }

    @Test func removingABusyWorkerLetsItsJobFinish() async throws {
        let slow = ScriptedWorkerDouble("slow:1", .prove(after: .milliseconds(200)))
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("slow:1"), connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            async let first = scheduler.submit(Self.job("a"))
            #expect(await Self.eventually(scheduler) { $0.worker("slow:1")?.busy == true })
            try await scheduler.removeWorkers(Self.addresses("slow:1"))
            #expect(await scheduler.status().workers.isEmpty)
            #expect(await first.code == nil)
            // With no worker left a new job waits in the queue until its deadline.
            #expect(await scheduler.submit(Self.job("b", timeout: .milliseconds(50))).code == .deadlineExceeded)
            #expect(slow.proveCalls == 1)
        }
    }

    @Test func addressesAreValidated() throws {
        #expect(WorkerAddress("127.0.0.1:50051")?.port == 50051)
        #expect(WorkerAddress("http://worker-1:8080")?.host == "worker-1")
        #expect(WorkerAddress("nohost") == nil)
        #expect(WorkerAddress("h:0") == nil)
        #expect(WorkerAddress("h:70000") == nil)
        #expect(try WorkerAddress.list(" a:1, b:2 ,,a:1").map(\.description) == ["a:1", "b:2"])
        #expect(throws: SchedulerError.invalidAddress("b")) { try WorkerAddress.list("a:1,b") }
        let compatible = SchedulerConfiguration(kind: .transaction, version: "1.4.2")
        #expect(compatible.isCompatible(version: "1.4.0"))
        #expect(!compatible.isCompatible(version: "1.5.2"))
        #expect(!compatible.isCompatible(version: "2.4.2"))
        #expect(!compatible.isCompatible(version: "garbage"))
    }

    @Test func theRegistrySurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sched-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("workers.json").path
        let pool = ScriptedWorkerPool()
        let first = try Scheduler(configuration: Self.config(stateFile: file), workers: Self.addresses("a:1", "b:1"), connectionFactory: pool.factory)
        try await first.addWorkers(Self.addresses("c:1"))
        try await first.removeWorkers(Self.addresses("a:1"))
        #expect(try WorkerRegistryStore(path: file).load()?.map(\.description) == ["b:1", "c:1"])
        // The configured list only seeds an empty state: the operator's changes win on restart.
        let second = try Scheduler(configuration: Self.config(stateFile: file), workers: Self.addresses("a:1", "b:1"), connectionFactory: pool.factory)
        #expect(await second.status().workers.map(\.address.description) == ["b:1", "c:1"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["workers.json"])  // no temporary files left behind

        try Data("not json".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: SchedulerError.self) { try Scheduler(configuration: Self.config(stateFile: file), connectionFactory: pool.factory) }
    }

    @Test func aCancelledQueuedJobLeavesTheQueue() async throws {
        let slow = ScriptedWorkerDouble("slow:1", .prove(after: .milliseconds(300)))
        let scheduler = try Scheduler(configuration: Self.config(), workers: Self.addresses("slow:1"), connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await Self.running(scheduler) {
            #expect(await Self.allHealthy(scheduler))
            async let first = scheduler.submit(Self.job("a"))
            #expect(await Self.eventually(scheduler) { $0.worker("slow:1")?.busy == true })
            let waiting = Task { await scheduler.submit(Self.job("b")) }
            #expect(await Self.eventually(scheduler) { $0.queueSize == 1 })
            waiting.cancel()
            #expect(await waiting.value.code == .cancelled)
            #expect(await scheduler.status().queueSize == 0)
            #expect(await first.code == nil)
            #expect(slow.proveCalls == 1)
        }
    }
}

/// The scheduler in front of a real worker over gRPC.
@Suite struct SchedulerIntegrationTests {
    @Test(.timeLimit(.minutes(3))) func provesATransactionOnARealWorker() async throws {
        let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)
        let config = WorkerConfiguration(kind: .transaction, port: 0, localhost: true, threads: 2, options: options)
        let (server, _, _) = WorkerServer.make(config, logger: Logger(label: "test-worker"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try #require(try await server.listeningAddress?.ipv4).port
            let scheduler = try Scheduler(
                configuration: SchedulerConfiguration(kind: .transaction, healthCheckInterval: .seconds(1)),
                workers: [WorkerAddress(host: "127.0.0.1", port: port)], connectionFactory: GRPCWorkerConnection.factory(probeTimeout: .seconds(2)))
            let schedulerRun = Task { await scheduler.run() }
            defer { schedulerRun.cancel() }
            #expect(await SchedulerTests.allHealthy(scheduler))
            let status = await scheduler.status()
            #expect(status.workers.first?.version == ServiceVersion.current)
            #expect(status.workers.first?.kind == .transaction)

            let witness = TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: 4))
            let outcome = await scheduler.submit(SchedulerJob(requestID: "it-1", kind: .transaction, payload: witness, deadline: .now + .seconds(60)))
            let proof = try outcome.result.get()
            try ProvenTransactionCodec.decode(proof).verify()

            // A witness the worker refuses comes back as INVALID_ARGUMENT after one attempt.
            let bad = await scheduler.submit(SchedulerJob(requestID: "it-2", kind: .transaction, payload: [1, 2, 3], deadline: .now + .seconds(10)))
            #expect(bad.code == .invalidArgument)
            #expect(bad.attempts == 1)

            try await scheduler.removeWorkers(status.workers.map(\.address))
            schedulerRun.cancel()
            await schedulerRun.value
            // Graceful, not a cancelled serve task: cancelling it can leave a just-opened stream
            // unserved, which NIO traps on ("Deinited NIOAsyncWriter without calling finish()").
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }
}
