import Foundation

/// Runs one of the built executables to completion: its exit status and one of its output streams
/// (the other goes nowhere).
enum ExecutableRun {
    /// Which stream to capture.
    enum Stream { case standardOutput, standardError }

    /// Runs `name` (from `LocalCluster.binaries`) with `arguments`, blocking the calling thread.
    static func run(_ name: String, _ arguments: [String], capturing stream: Stream) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = LocalCluster.binaries.appendingPathComponent(name)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = stream == .standardOutput ? pipe : FileHandle.nullDevice
        process.standardError = stream == .standardError ? pipe : FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The same on a Dispatch thread, for async tests (the cooperative pool stays free).
    static func run(_ name: String, _ arguments: [String], capturing stream: Stream) async throws -> (status: Int32, text: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(name, arguments, capturing: stream) })
            }
        }
    }
}
