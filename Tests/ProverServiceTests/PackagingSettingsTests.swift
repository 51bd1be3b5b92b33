import Foundation
import Testing

/// The Debian package's settings files (`packaging/default/`) list every `MRP_*` variable each
/// service executable reads, so an operator sees every setting in `/etc/default`.
@Suite struct PackagingSettingsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each service executable's source folder and the settings file (or template) of its units.
    static let settingsFiles: [(executable: String, file: String)] = [
        ("worker", "miden-prover-worker"),
        ("scheduler", "miden-prover-scheduler.in"),
        ("proxy", "miden-prover-proxy.in"),
        ("metrics-exporter", "miden-prover-metrics-exporter"),
    ]

    /// The variables a prefix stands for where the shared settings code derives names from it:
    /// `ServerTLSSettings.resolve(…, environmentPrefix:)` reads the certificate, key and client CA;
    /// `CurveKeySettings(prefix:)` the secret key (file or value), and with `.server(` the allow list too.
    static let derivedNames: [(pattern: String, suffixes: [String])] = [
        ("environmentPrefix: \"(MRP_[A-Z0-9_]+)\"", ["_CERT_FILE", "_KEY_FILE", "_CLIENT_CA_FILE"]),
        ("CurveKeySettings\\(prefix: \"(MRP_[A-Z0-9_]+)\"\\)", ["_SECRET_KEY_FILE", "_SECRET_KEY"]),
        ("CurveKeySettings\\(prefix: \"(MRP_[A-Z0-9_]+)\"\\)\\.server\\(", ["_ALLOWED_CLIENTS_FILE", "_ALLOWED_CLIENTS"]),
    ]

    /// Every "MRP_…" string literal in the executable's sources (a prefix of derived names counts as
    /// the names it stands for), plus MRP_LOG (read by every process through `Configuration.logLevel`).
    static func variablesRead(by executable: String) throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/\(executable)")
        var names: Set<String> = ["MRP_LOG"]
        var prefixes: Set<String> = []
        func captures(_ pattern: String, in text: String) throws -> [String] {
            try NSRegularExpression(pattern: pattern).matches(in: text, range: NSRange(text.startIndex..., in: text))
                .map { String(text[Range($0.range(at: 1), in: text)!]) }
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            names.formUnion(try captures("\"(MRP_[A-Z0-9_]+)\"", in: text))
            for derived in derivedNames {
                for prefix in try captures(derived.pattern, in: text) {
                    prefixes.insert(prefix)
                    names.formUnion(derived.suffixes.map { prefix + $0 })
                }
            }
        }
        return names.subtracting(prefixes)
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

    @Test(arguments: settingsFiles.map(\.executable))
    func everyVariableIsInTheSettingsFile(executable: String) throws {
        let file = try #require(Self.settingsFiles.first { $0.executable == executable }?.file)
        let read = try Self.variablesRead(by: executable)
        #expect(read.count > 1, "no MRP_ variables found in Sources/\(executable)")
        let missing = read.subtracting(try Self.variablesListed(in: file))
        #expect(missing.isEmpty, "packaging/default/\(file) lacks \(missing.sorted())")
    }

    /// The drain and tracing settings are shown in every traced, draining service's file.
    @Test(arguments: ["miden-prover-worker", "miden-prover-scheduler.in", "miden-prover-proxy.in"])
    func drainAndTracingSettingsAreShown(file: String) throws {
        let listed = try Self.variablesListed(in: file)
        for name in ["MRP_GRACE_PERIOD", "MRP_GRACEFUL_SHUTDOWN_TIMEOUT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"] {
            #expect(listed.contains(name), "packaging/default/\(file) lacks \(name)")
        }
    }
}
