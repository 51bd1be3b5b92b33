import Foundation
import Testing
import ProverService

/// A worker that stops answering health checks while it proves (its host or link went down) loses
/// the job at once: it is retried on another worker instead of waiting for the deadline.
@Suite(.serialized, .timeLimit(.minutes(1))) struct LeaseLossTests {
    @Test func aWorkerThatFailsItsHealthCheckMidProofLosesTheJobToAnother() async throws {
        let silent = ScriptedWorkerDouble("a:1", .prove(after: .seconds(30)))
        let spare = ScriptedWorkerDouble("b:1", .prove(after: .milliseconds(10)))
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(), workers: SchedulerTests.addresses("a:1"),
            connectionFactory: ScriptedWorkerPool([silent, spare]).factory)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.allHealthy(scheduler))
            let start = ContinuousClock.now
            async let outcome = scheduler.submit(SchedulerTests.job(timeout: .seconds(20)))
            #expect(await SchedulerTests.eventually(scheduler) { $0.worker("a:1")?.busy == true })
            try await scheduler.addWorkers(SchedulerTests.addresses("b:1"))
            #expect(await SchedulerTests.eventually(scheduler) { $0.worker("b:1")?.health == .healthy })
            silent.set(probe: .failed("connection timed out"))  // the link is gone: probes time out
            let result = await outcome
            #expect(result.code == nil, "the job was not retried: \(String(describing: result.code))")
            #expect(result.worker?.description == "b:1" && result.attempts == 2)
            #expect(ContinuousClock.now - start < .seconds(5), "the job waited for the lost worker")
        }
    }

    @Test func aDrainingWorkerThatAnswersNotServingKeepsItsJob() async throws {
        let draining = ScriptedWorkerDouble("a:1", .prove(after: .milliseconds(900)))
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(), workers: SchedulerTests.addresses("a:1"),
            connectionFactory: ScriptedWorkerPool([draining]).factory)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.allHealthy(scheduler))
            async let outcome = scheduler.submit(SchedulerTests.job())
            #expect(await SchedulerTests.eventually(scheduler) { $0.worker("a:1")?.busy == true })
            draining.set(probe: .notServing("health is notServing"))
            let result = await outcome
            #expect(result.code == nil && result.attempts == 1, "the draining worker's job was taken away")
        }
    }

    @Test func aHealthyBusyWorkerKeepsItsJob() async throws {
        let slow = ScriptedWorkerDouble("a:1", .prove(after: .milliseconds(800)))
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(), workers: SchedulerTests.addresses("a:1", "b:1"),
            connectionFactory: ScriptedWorkerPool([slow]).factory)
        try await SchedulerTests.running(scheduler) {
            #expect(await SchedulerTests.allHealthy(scheduler))
            let result = await scheduler.submit(SchedulerTests.job())
            #expect(result.code == nil && result.attempts == 1)
        }
    }
}
