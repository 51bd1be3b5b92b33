import Foundation
import ProverService
import Testing

/// The Debian package's settings files (`packaging/default/`) list every `MRP_*` variable each
/// service executable reads, and nothing else, so an operator sees every setting in
/// `/etc/default`. What an executable reads is its ``EnvironmentVariableGroup`` (the settings code
/// reads through it); the source checks below keep every read going through those groups.
@Suite struct PackagingSettingsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each service executable and the settings file (or template) of its units.
    static let settingsFiles: [(executable: String, file: String)] = [
        ("worker", "miden-prover-worker"),
        ("scheduler", "miden-prover-scheduler.in"),
        ("proxy", "miden-prover-proxy.in"),
        ("metrics-exporter", "miden-prover-metrics-exporter"),
    ]

    /// The variables `executable` reads, from its group in ``ServiceEnvironment``.
    static func variablesRead(by executable: String) throws -> Set<String> {
        Set(try #require(ServiceEnvironment.byExecutable[executable], "no variable group for \(executable)").names)
    }

    /// The variables a settings file sets or shows commented (`NAME=` or `#NAME=` at a line start).
    static func variablesListed(in file: String) throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("packaging/default/\(file)"), encoding: .utf8)
        return Set(text.split(separator: "\n").compactMap { line -> String? in
            let body = line.hasPrefix("#") ? line.dropFirst() : line[...]
            guard let equals = body.firstIndex(of: "="), body.hasPrefix("MRP_") || body.hasPrefix("OTEL_") else { return nil }
            return String(body[..<equals])
        })
    }

    /// `(file, captured text)` for every match of `pattern` in the Swift files under `folder`.
    static func matches(_ pattern: String, under folder: String, skipping skipped: String? = nil) throws -> [(file: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        let regex = try NSRegularExpression(pattern: pattern)
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !(skipped.map { file.hasPrefix($0) } ?? false) {
            let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                found.append(("\(folder)/\(file)", String(text[Range(match.range(at: 1), in: text)!])))
            }
        }
        return found
    }

    @Test(arguments: settingsFiles.map(\.executable))
    func theSettingsFileListsExactlyTheVariablesTheExecutableReads(executable: String) throws {
        let file = try #require(Self.settingsFiles.first { $0.executable == executable }?.file)
        let read = try Self.variablesRead(by: executable)
        let listed = try Self.variablesListed(in: file).filter { $0.hasPrefix("MRP_") }
        #expect(read.count > 5, "\(executable) reads almost nothing: \(read.sorted())")
        #expect(read.subtracting(listed).isEmpty, "packaging/default/\(file) lacks \(read.subtracting(listed).sorted())")
        #expect(listed.subtracting(read).isEmpty, "packaging/default/\(file) sets \(listed.subtracting(read).sorted()), which \(executable) does not read")
    }

    /// The executables print the same lists (the k8s manifest check reads them that way).
    @Test(arguments: settingsFiles.map(\.executable))
    func theExecutablePrintsItsVariables(executable: String) throws {
        let (status, output) = try ExecutableRun.run(executable, ["--print-environment"], capturing: .standardOutput)
        #expect(status == 0)
        #expect(output.split(separator: "\n").map(String.init) == ServiceEnvironment.byExecutable[executable]?.names)
    }

    /// Names are spelled in the variable groups only: the services, `ctl` and the shared settings
    /// code read through a group's properties, never through a name of their own.
    @Test func noVariableNameIsSpelledOutsideTheVariableGroups() throws {
        var spelled: [(file: String, text: String)] = []
        for folder in ["Sources/worker", "Sources/scheduler", "Sources/proxy", "Sources/metrics-exporter", "Sources/ctl"] {
            spelled += try Self.matches("\"(MRP_[A-Z0-9_]*)\"", under: folder)
        }
        spelled += try Self.matches("\"(MRP_[A-Z0-9_]*)\"", under: "Sources/ProverService", skipping: "Environment/")
        #expect(spelled.isEmpty, "read through a variable group instead: \(spelled.map { "\($0.file): \($0.text)" })")
    }

    /// What the engine reads itself (its hash kernels, its memory budget) is in the worker's list.
    @Test func theEnginesVariablesAreTheWorkersToo() throws {
        let engine = try Self.matches("\"(MRP_[A-Z0-9_]+)\"", under: "Sources/STARK") + Self.matches("\"(MRP_[A-Z0-9_]+)\"", under: "Sources/Rollup")
        #expect(!engine.isEmpty)
        let worker = try Self.variablesRead(by: "worker")
        let missing = engine.filter { !worker.contains($0.text) }
        #expect(missing.isEmpty, "the worker's variable group lacks \(missing.map { "\($0.text) (\($0.file))" })")
    }

    /// Help texts and messages name only variables some executable reads (a renamed variable
    /// leaves no stale name behind).
    @Test func helpAndMessagesNameOnlyVariablesThatAreRead() throws {
        let known = Set(ServiceEnvironment.byExecutable.values.flatMap(\.names))
        var mentioned: [(file: String, text: String)] = []
        for folder in ["Sources/worker", "Sources/scheduler", "Sources/proxy", "Sources/metrics-exporter", "Sources/ctl", "Sources/ProverService"] {
            mentioned += try Self.matches("(?<![A-Za-z0-9_])(MRP_[A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9_])", under: folder, skipping: "Environment/")
        }
        #expect(mentioned.count > 50)
        let unknown = mentioned.filter { !known.contains($0.text) }
        #expect(unknown.isEmpty, "\(unknown.map { "\($0.file): \($0.text)" })")
    }

    /// The drain and tracing settings are shown in every traced, draining service's file.
    @Test(arguments: ["miden-prover-worker", "miden-prover-scheduler.in", "miden-prover-proxy.in"])
    func drainAndTracingSettingsAreShown(file: String) throws {
        let listed = try Self.variablesListed(in: file)
        for name in DrainVariables().names + ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"] {
            #expect(listed.contains(name), "packaging/default/\(file) lacks \(name)")
        }
    }
}
