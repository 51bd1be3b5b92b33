import Foundation
import Synchronization
import Testing
import ProverService

/// DNS discovery: the discovered part of the pool follows the names' answers, registered workers
/// are never removed by it, discovered ones are never persisted, and a worker that leaves mid-job
/// finishes the job.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WorkerDiscoveryTests {
    let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-discovery-\(UUID().uuidString).json").path

    func persisted() throws -> [String] {
        try #require(try WorkerRegistryStore(path: stateFile).load()).map(\.description)
    }

    @Test func discoveredWorkersComeAndGoWithoutTouchingTheRegistry() async throws {
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(stateFile: stateFile), workers: SchedulerTests.addresses("a:1"),
            connectionFactory: ScriptedWorkerPool().factory)
        var change = try await scheduler.syncDiscoveredWorkers(Set(SchedulerTests.addresses("b:1", "c:1", "a:1")))
        #expect(change.added.map(\.description) == ["b:1", "c:1"] && change.removed.isEmpty)
        #expect(await scheduler.workerAddresses.map(\.description) == ["a:1", "b:1", "c:1"])
        #expect(try persisted() == ["a:1"])

        // b leaves the name; a (registered, also listed before) never leaves through discovery.
        change = try await scheduler.syncDiscoveredWorkers(Set(SchedulerTests.addresses("c:1")))
        #expect(change.removed.map(\.description) == ["b:1"] && change.added.isEmpty)
        #expect(await scheduler.workerAddresses.map(\.description) == ["a:1", "c:1"])

        // An operator's add-workers of a discovered worker makes it registered: persisted, kept.
        try await scheduler.addWorkers(SchedulerTests.addresses("c:1"))
        #expect(try persisted() == ["a:1", "c:1"])
        change = try await scheduler.syncDiscoveredWorkers([])
        #expect(change.removed.isEmpty)
        #expect(await scheduler.workerAddresses.map(\.description) == ["a:1", "c:1"])
    }

    @Test func aDiscoveredWorkerThatLeavesMidJobFinishesIt() async throws {
        let slow = ScriptedWorkerDouble("b:1", .prove(after: .milliseconds(600)))
        let scheduler = try Scheduler(configuration: SchedulerTests.config(), connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await SchedulerTests.running(scheduler) {
            try await scheduler.syncDiscoveredWorkers(Set(SchedulerTests.addresses("b:1")))
            #expect(await SchedulerTests.allHealthy(scheduler))
            async let outcome = scheduler.submit(SchedulerTests.job(timeout: .seconds(5)))
            #expect(await SchedulerTests.eventually(scheduler) { $0.worker("b:1")?.busy == true })
            let change = try await scheduler.syncDiscoveredWorkers([])
            #expect(change.removed.map(\.description) == ["b:1"])
            #expect(await outcome.code == nil, "the job on the departing worker failed")
            #expect(await scheduler.workerAddresses.isEmpty)
        }
    }

    /// A resolver that answers from a script, one answer per lookup.
    final class ScriptedResolver: Sendable {
        let answers: Mutex<[DNSResolver.Answer]>
        init(_ answers: [DNSResolver.Answer]) { self.answers = Mutex(answers) }
        func resolve(_ host: String) async -> DNSResolver.Answer { answers.withLock { $0.isEmpty ? .noSuchName : $0.removeFirst() } }
    }

    @Test func aFailedLookupKeepsTheLastAnswerAndNXDOMAINEmptiesIt() async throws {
        let scheduler = try Scheduler(configuration: SchedulerTests.config(), connectionFactory: ScriptedWorkerPool().factory)
        let resolver = ScriptedResolver([.addresses(["10.0.0.1", "10.0.0.2"]), .failed("server unreachable"), .addresses(["10.0.0.2"]), .noSuchName])
        let discovery = WorkerDiscoveryService(
            names: SchedulerTests.addresses("workers.test:50051"), interval: .seconds(1), scheduler: scheduler,
            logger: .init(label: "test"), resolve: resolver.resolve)
        var last = await discovery.refresh([:])
        #expect(await scheduler.workerAddresses.map(\.description) == ["10.0.0.1:50051", "10.0.0.2:50051"])
        last = await discovery.refresh(last)  // the DNS server is unreachable: nobody leaves
        #expect(await scheduler.workerAddresses.count == 2)
        last = await discovery.refresh(last)
        #expect(await scheduler.workerAddresses.map(\.description) == ["10.0.0.2:50051"])
        _ = await discovery.refresh(last)  // no ready pods: the name does not exist
        #expect(await scheduler.workerAddresses.isEmpty)
    }

    @Test func theResolverReadsTheHostsFile() async {
        guard case .addresses(let addresses) = await DNSResolver.ipv4("localhost") else {
            Issue.record("localhost did not resolve")
            return
        }
        #expect(addresses.contains("127.0.0.1"))
    }
}
