import Foundation
import Logging
import Synchronization
import Testing
import ProverService
import Rollup

/// A worker registered before it is up counts as starting (UNKNOWN), not unhealthy, for the
/// start-up grace; one that never answers within it is unhealthy after.
@Suite struct WorkerStartupTests {
    /// The health changes the scheduler reported, in order.
    final class HealthLog: Sendable {
        let changes = Mutex<[String]>([])
        var events: SchedulerEvents {
            SchedulerEvents(workerHealthChanged: { worker, health in self.changes.withLock { $0.append("\(worker) \(health)") } })
        }
        var all: [String] { changes.withLock { $0 } }
    }

    @Test func aWorkerThatComesUpDuringItsGraceIsNeverReportedUnhealthy() async throws {
        let late = ScriptedWorkerDouble("late:1", probe: .failed("connection refused"))
        let log = HealthLog()
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(startupGrace: .seconds(5)), workers: SchedulerTests.addresses("late:1"),
            connectionFactory: ScriptedWorkerPool([late]).factory, events: log.events)
        try await SchedulerTests.running(scheduler) {
            // Probed every 20 ms while it is starting, never marked unhealthy.
            #expect(await SchedulerTests.eventually(scheduler) { _ in late.probeTimes.count >= 5 })
            let starting = try #require(await scheduler.status().worker("late:1"))
            #expect(starting.health == .unknown)
            #expect(starting.reason?.hasPrefix("starting: connection refused") == true)
            late.set(probe: .serving(version: ServiceVersion.current, kind: .transaction))
            #expect(await SchedulerTests.allHealthy(scheduler))
            #expect(log.all == ["late:1 healthy"])
            #expect(await scheduler.submit(SchedulerTests.job()).code == nil)
        }
    }

    @Test func aWorkerThatNeverAnswersIsUnhealthyAfterItsGrace() async throws {
        let absent = ScriptedWorkerDouble("absent:1", probe: .failed("connection refused"))
        let log = HealthLog()
        let start = ContinuousClock.now
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(startupGrace: .milliseconds(300)), workers: SchedulerTests.addresses("absent:1"),
            connectionFactory: ScriptedWorkerPool([absent]).factory, events: log.events)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.eventually(scheduler) { $0.worker("absent:1")?.health == .unhealthy })
            #expect(start.duration(to: .now) >= .milliseconds(300))
            let status = try #require(await scheduler.status().worker("absent:1"))
            #expect(status.reason?.contains("never answered") == true)
            #expect(log.all == ["absent:1 unhealthy"])
        }
    }

    @Test func aWorkerThatAnswersWithTheWrongProofTypeIsUnhealthyAtOnceDespiteTheGrace() async throws {
        let batch = ScriptedWorkerDouble("batch:1", probe: .serving(version: ServiceVersion.current, kind: .batch))
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(startupGrace: .seconds(30)), workers: SchedulerTests.addresses("batch:1"),
            connectionFactory: ScriptedWorkerPool([batch]).factory)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.eventually(scheduler, within: .seconds(1)) { $0.worker("batch:1")?.health == .unhealthy })
        }
    }

    @Test func aWorkerAddedLaterGetsItsOwnGrace() async throws {
        let pool = ScriptedWorkerPool()
        let log = HealthLog()
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(startupGrace: .seconds(5)), connectionFactory: pool.factory, events: log.events)
        try await SchedulerTests.running(scheduler) {
            let added = ScriptedWorkerDouble("added:1", probe: .failed("connection refused"))
            pool.add(added)
            try await scheduler.addWorkers(SchedulerTests.addresses("added:1"))
            #expect(await SchedulerTests.eventually(scheduler) { _ in added.probeTimes.count >= 3 })
            #expect(await scheduler.status().worker("added:1")?.health == .unknown)
            added.set(probe: .serving(version: ServiceVersion.current, kind: .transaction))
            #expect(await SchedulerTests.allHealthy(scheduler))
            #expect(log.all == ["added:1 healthy"])
        }
    }
}
