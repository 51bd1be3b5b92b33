import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import Wire

/// The service processes run Swift concurrency on NIO's event loops (`EventLoopExecutor`): a worker
/// answering calls does that work on its `NIO-…` threads and none on the cooperative pool's.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EventLoopExecutorTests {
    /// CPU ticks (user + system) and name of each thread of a running process, by thread id.
    static func ticksByThread(_ pid: Int32) throws -> [String: (name: String, ticks: Int)] {
        let tasks = "/proc/\(pid)/task"
        var threads: [String: (name: String, ticks: Int)] = [:]
        for tid in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            guard let name = try? String(contentsOfFile: "\(tasks)/\(tid)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "\(tasks)/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after "(comm)": state is field 3, utime 14 and stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            threads[tid] = (name.trimmingCharacters(in: .whitespacesAndNewlines), (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0))
        }
        return threads
    }

    /// Ticks spent between two samples by the threads whose name passes `matches`, thread by thread
    /// (a thread that ended in between counts nothing; one that started counts all its ticks).
    static func ticksSpent(from before: [String: (name: String, ticks: Int)], to after: [String: (name: String, ticks: Int)],
                           _ matches: (String) -> Bool) -> Int {
        after.filter { matches($0.value.name) }.map { tid, thread in thread.ticks - (before[tid]?.ticks ?? 0) }.reduce(0, +)
    }

    /// A refused Prove call (a witness that does not decode): true if the worker answered INVALID_ARGUMENT.
    static func refused<Transport>(_ api: RemoteProver_Api.Client<Transport>) async throws -> Bool {
        do { _ = try await api.prove(.with { $0.proofType = .transaction; $0.payload = Data("abc".utf8) }) } catch let error as RPCError {
            return error.code == .invalidArgument
        }
        return false
    }

    /// Starts a worker with `environment`, waits for its first answer, then runs `body` with its pid and a client.
    static func withAnsweringWorker<T: Sendable>(
        environment: [String: String], _ body: (Int32, RemoteProver_Api.Client<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let port = LocalCluster.freePort()
        let worker = try LocalCluster.launch("worker", ["--proof-type", "transaction", "--port", "\(port)", "--localhost"], environment: environment)
        defer { LocalCluster.stop([worker]) }
        return try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) { client in
            let api = RemoteProver_Api.Client(wrapping: client)
            var up = false
            for _ in 0..<200 where !up {
                up = try await refused(api)
                if !up { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(up, "the worker never answered")
            return try await body(worker.processIdentifier, api)
        }
    }

    /// Starts a worker, waits for its first answer, then returns the CPU ticks its pool threads and its
    /// NIO threads spent on the next `calls` refused Prove calls.
    static func workerThreadTicks(environment: [String: String], calls: Int = 300) async throws -> (pool: Int, eventLoops: Int) {
        try await withAnsweringWorker(environment: environment) { pid, api in
            // libdispatch names the cooperative pool's threads "com.apple.root.default-qos" (15 chars kept).
            let before = try ticksByThread(pid)
            for _ in 0..<calls { #expect(try await refused(api)) }
            let after = try ticksByThread(pid)
            return (ticksSpent(from: before, to: after) { $0 == "oot.default-qos" }, ticksSpent(from: before, to: after) { $0.hasPrefix("NIO-") })
        }
    }

    @Test func aWorkersCallsRunOnItsEventLoopsNotOnTheCooperativePool() async throws {
        let ticks = try await Self.workerThreadTicks(environment: [:])
        #expect(ticks.eventLoops > 0)
        #expect(ticks.pool == 0, "the cooperative pool ran \(ticks.pool) ticks against the event loops' \(ticks.eventLoops)")
    }

    /// The control: with the executor switched off the same calls do run on the pool, so the check above can fail.
    @Test func switchedOffTheCallsRunOnTheCooperativePool() async throws {
        let ticks = try await Self.workerThreadTicks(environment: ["MRP_EVENT_LOOP_EXECUTOR": "false"])
        #expect(ticks.pool > 0, "the cooperative pool ran \(ticks.pool) ticks against the event loops' \(ticks.eventLoops)")
    }
}
