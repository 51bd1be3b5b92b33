import Foundation

/// Starts the real worker with extra environment and returns how it ended and what it wrote to
/// standard error, for settings a worker must refuse at start-up. A worker that starts anyway is
/// terminated after 10 s, so such a test fails instead of hanging.
enum WorkerStartupRefusal {
    static func run(environment: [String: String]) throws -> (refused: Bool, standardError: String) {
        let process = Process()
        process.executableURL = LocalCluster.binaries.appendingPathComponent("worker")
        process.arguments = ["--proof-type", "transaction", "--port", "\(LocalCluster.freePort())", "--localhost"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationReason == .exit && process.terminationStatus != 0, output)
    }
}
