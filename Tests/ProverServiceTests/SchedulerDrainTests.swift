import Foundation
import GRPCCore
import Logging
import Testing
import ProverService
import Rollup
import Wire

/// `SchedulerFrontEnd.drain`: a scheduler front end over scripted workers, drained while jobs are
/// running and queued.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SchedulerDrainTests {
    typealias Reply = Mrp_Internal_V1_SchedulerReply

    static func withDrainableFrontEnd(
        proofTime: Duration, _ body: @Sendable @escaping (SchedulerFrontEnd, String) async throws -> Void
    ) async throws {
        let pool = ScriptedWorkerPool([ScriptedWorkerDouble("w1:1", .prove(after: proofTime))])
        let context = try ZMQContext()
        defer { context.close() }
        let scheduler = try Scheduler(
            configuration: SchedulerTests.config(), workers: SchedulerTests.addresses("w1:1"), connectionFactory: pool.factory,
            logger: Logger(label: "drain-scheduler"))
        let frontEnd = SchedulerFrontEnd(
            scheduler: scheduler,
            configuration: SchedulerFrontEndConfiguration(jobEndpoint: "tcp://127.0.0.1:*", controlEndpoint: "tcp://127.0.0.1:*"),
            context: context, logger: Logger(label: "drain-frontend"))
        let endpoints = try await frontEnd.start()
        do {
            try await SchedulerTests.running(scheduler, limit: .seconds(60)) {
                #expect(await SchedulerTests.allHealthy(scheduler))
                try await body(frontEnd, endpoints.jobs)
            }
        } catch {
            await frontEnd.stop()
            throw error
        }
        await frontEnd.stop()
    }

    /// Sends `count` jobs at once; returns their replies as they come (in a task) once one job runs and the rest wait.
    static func sendJobs(_ count: Int, to endpoint: String, scheduler: Scheduler) async throws -> Task<[Reply], any Error> {
        let replies = Task {
            try await withThrowingTaskGroup(of: Reply.self) { group in
                for k in 0..<count {
                    group.addTask {
                        try await SchedulerFrontEndTests.call(endpoint, SchedulerFrontEndTests.job("d\(k)", payload: [UInt8(k)]), as: Reply.self)
                    }
                }
                var all: [Reply] = []
                for try await reply in group { all.append(reply) }
                return all
            }
        }
        #expect(await SchedulerTests.eventually(scheduler, within: .seconds(10)) { $0.queueSize == count - 1 })
        return replies
    }

    static func code(_ reply: Reply) -> RPCError.Code? {
        guard case .failure(let failure)? = reply.result.outcome else { return nil }
        return RPCError.Code(Status.Code(rawValue: Int(failure.code))!)
    }

    @Test func queuedAndRunningJobsFinishWithinTheGracePeriodAndNewOnesAreRefused() async throws {
        try await Self.withDrainableFrontEnd(proofTime: .milliseconds(300)) { frontEnd, jobs in
            let replies = try await Self.sendJobs(3, to: jobs, scheduler: frontEnd.scheduler)
            let clock = ContinuousClock()
            let drain = Task { await clock.measure { await frontEnd.drain(DrainSettings(gracePeriod: .seconds(20), shutdownTimeout: .seconds(2))) } }
            try await Task.sleep(for: .milliseconds(50))
            let late = try await SchedulerFrontEndTests.call(jobs, SchedulerFrontEndTests.job("late", payload: [9]), as: Reply.self)
            #expect(Self.code(late) == .unavailable)
            #expect(late.result.failure.message.contains("shutting down"))
            let answered = try await replies.value
            #expect(answered.count == 3)
            #expect(answered.allSatisfy { Self.code($0) == nil && !$0.result.proof.isEmpty }, "\(answered)")
            let took = await drain.value
            #expect(took < .seconds(5), "the drain ends when the last job is answered: \(took)")
        }
    }

    @Test func jobsLeftWhenTheGracePeriodEndsComeBackAsUnavailable() async throws {
        try await Self.withDrainableFrontEnd(proofTime: .seconds(30)) { frontEnd, jobs in
            let replies = try await Self.sendJobs(3, to: jobs, scheduler: frontEnd.scheduler)
            let clock = ContinuousClock()
            let took = await clock.measure {
                await frontEnd.drain(DrainSettings(gracePeriod: .milliseconds(200), shutdownTimeout: .seconds(2)))
            }
            let answered = try await replies.value
            #expect(answered.count == 3)
            for reply in answered {
                #expect(Self.code(reply) == .unavailable, "\(reply)")
                #expect(reply.result.failure.message.contains("scheduler shut down before the job was finished"))
            }
            #expect(took < .seconds(2), "handed back well inside grace + timeout: \(took)")
            let status = await frontEnd.scheduler.status()
            #expect(status.queueSize == 0 && status.workers.allSatisfy { !$0.busy })
        }
    }
}
