import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker registry's state file: `{"version":1,"workers":["host:port",...]}`, written
/// atomically (a temporary file in the same directory, then rename).
public struct WorkerRegistryStore: Sendable {
    private struct Contents: Codable {
        var version: Int
        var workers: [WorkerAddress]
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The stored addresses; nil when the file does not exist. Throws when it exists but is unreadable.
    public func load() throws(SchedulerError) -> [WorkerAddress]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let contents = try JSONDecoder().decode(Contents.self, from: data)
            guard contents.version == 1 else { throw SchedulerError.stateFile("\(path): unsupported version \(contents.version)") }
            return contents.workers
        } catch let error as SchedulerError {
            throw error
        } catch {
            throw .stateFile("\(path): \(error)")
        }
    }

    /// Replaces the file's contents atomically.
    public func save(_ workers: [WorkerAddress]) throws(SchedulerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        do {
            let data = try encoder.encode(Contents(version: 1, workers: workers))
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw SchedulerError.stateFile("\(temporary): cannot write")
            }
            guard rename(temporary, path) == 0 else {
                let code = errno
                try? FileManager.default.removeItem(atPath: temporary)
                throw SchedulerError.stateFile("\(path): rename failed (errno \(code))")
            }
        } catch let error as SchedulerError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .stateFile("\(path): \(error)")
        }
    }
}
