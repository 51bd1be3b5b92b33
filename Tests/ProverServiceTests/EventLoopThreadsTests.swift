import Foundation
import Testing
import ProverService

/// `MRP_EVENT_LOOP_THREADS` sizes the NIO singleton group the servers and the executor run on; a
/// value that is not a loop count stops the process at start-up, naming the variable.
extension EventLoopExecutorTests {
    /// The names of a running process's threads.
    static func threadNames(_ pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").compactMap {
            (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Starts a worker with `environment`, waits for its answer, and returns its singleton event loop count.
    static func eventLoopCount(environment: [String: String]) async throws -> Int {
        try await withAnsweringWorker(environment: environment) { pid, _ in
            try threadNames(pid).filter { $0.hasPrefix("NIO-SGLTN-") }.count
        }
    }

    @Test(arguments: [("1", 1), ("3", 3)])
    func theVariableSizesTheEventLoops(value: String, loops: Int) async throws {
        for executor in ["true", "false"] {
            let count = try await Self.eventLoopCount(environment: ["MRP_EVENT_LOOP_THREADS": value, "MRP_EVENT_LOOP_EXECUTOR": executor])
            #expect(count == loops, "MRP_EVENT_LOOP_THREADS=\(value), executor \(executor): \(count) loops")
        }
    }

    @Test(arguments: ["0", "-1", "two", "2.5", "100000"])
    func aValueThatIsNotALoopCountStopsTheWorker(value: String) throws {
        let (refused, output) = try WorkerStartupRefusal.run(environment: ["MRP_EVENT_LOOP_THREADS": value])
        #expect(refused, "the worker ran with MRP_EVENT_LOOP_THREADS=\(value)")
        #expect(output.contains("MRP_EVENT_LOOP_THREADS '\(value)'"), "\(output)")
    }

    @Test func loopCountParsing() throws {
        #expect(try EventLoopExecutor.loopCount(nil) == nil)
        #expect(try EventLoopExecutor.loopCount("4") == 4)
        #expect(try EventLoopExecutor.loopCount("\(EventLoopExecutor.maxThreads)") == EventLoopExecutor.maxThreads)
        #expect(throws: EventLoopSettingsError.self) { try EventLoopExecutor.loopCount("\(EventLoopExecutor.maxThreads + 1)") }
    }
}
