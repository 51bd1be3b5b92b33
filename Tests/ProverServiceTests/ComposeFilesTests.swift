import Foundation
import ProverService
import Testing
import Yams

/// Paths and helpers for checking `compose/` against the package's executables and metrics.
enum ComposeFiles {
    /// The package root (this file is Tests/ProverServiceTests/ComposeFilesTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let compose = root.appendingPathComponent("compose")

    /// The Swift executables a compose service may run.
    static let executables: Set<String> = ["worker", "scheduler", "proxy", "metrics-exporter", "ctl"]

    static func yaml(_ relative: String) throws -> [String: Any] {
        let text = try String(contentsOf: compose.appendingPathComponent(relative), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "\(relative) is not a YAML mapping")
    }

    static func services() throws -> [String: [String: Any]] {
        let document = try yaml("docker-compose.yml")
        return try #require(document["services"] as? [String: [String: Any]])
    }

    static func strings(_ value: Any?) -> [String] {
        switch value {
        case let list as [Any]: return list.map { "\($0)" }
        case let text as String: return text.split(separator: " ").map(String.init)
        default: return []
        }
    }

    /// The value after `flag` in `command`.
    static func flag(_ flag: String, in command: [String]) -> String? {
        guard let index = command.firstIndex(of: flag), index + 1 < command.count else { return nil }
        return command[index + 1]
    }

    /// The port of `tcp://host:port` or `host:port`.
    static func port(of endpoint: String) -> Int? {
        endpoint.split(separator: ":").last.flatMap { Int($0) }
    }

    /// Directories where SwiftPM put the executables of this test build.
    static var buildDirectories: [URL] {
        var dirs: [URL] = []
        let bundle = Bundle.main.bundleURL
        dirs.append(bundle)
        dirs.append(bundle.deletingLastPathComponent())
        if let argument = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: argument).deletingLastPathComponent()
            dirs.append(url)
            dirs.append(url.deletingLastPathComponent())
        }
        dirs.append(root.appendingPathComponent(".build/debug"))
        return dirs
    }

    static func executable(_ name: String) -> URL? {
        for dir in buildDirectories {
            let url = dir.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: url.path)
            {
                return url
            }
        }
        return nil
    }

    /// The long flags an executable's `--help` declares, or nil if it is not built.
    static func declaredFlags(_ name: String) throws -> Set<String>? {
        guard let url = executable(name) else { return nil }
        let process = Process()
        process.executableURL = url
        process.arguments = ["--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let regex = try NSRegularExpression(pattern: "--[a-z][a-z0-9-]*")
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("note: \(message)\n".utf8))
    }
}

@Suite("compose/ deployment files")
struct ComposeFilesTests {
    @Test("the services are all there and run the package's executables")
    func servicesPresent() throws {
        let services = try ComposeFiles.services()
        for name in ["proxy", "scheduler", "metrics-exporter", "worker-transaction", "worker-batch", "worker-block", "prometheus", "grafana"] {
            #expect(services[name] != nil, "missing service \(name)")
        }
        for kind in ["transaction", "batch", "block"] {
            let command = ComposeFiles.strings(services["worker-\(kind)"]?["command"])
            #expect(command.first == "worker")
            #expect(ComposeFiles.flag("--proof-type", in: command) == kind)
        }
        #expect(FileManager.default.fileExists(atPath: ComposeFiles.compose.appendingPathComponent("Dockerfile").path))
    }

    @Test("every command flag is declared by its executable")
    func flagsDeclared() throws {
        let services = try ComposeFiles.services()
        var checked = 0
        var helpCache: [String: Set<String>?] = [:]
        for (name, service) in services.sorted(by: { $0.key < $1.key }) {
            let command = ComposeFiles.strings(service["command"])
            guard let executable = command.first, ComposeFiles.executables.contains(executable) else { continue }
            let flags = command.filter { $0.hasPrefix("--") }
            #expect(!flags.isEmpty, "\(name) passes no flags")
            if helpCache[executable] == nil { helpCache[executable] = .some(try ComposeFiles.declaredFlags(executable)) }
            guard let declared = helpCache[executable] ?? nil else {
                ComposeFiles.note("\(executable) is not built in this build directory; flags of service \(name) not checked: \(flags)")
                continue
            }
            for flag in flags {
                #expect(declared.contains(flag), "service \(name): \(executable) declares no \(flag) (has \(declared.sorted()))")
            }
            checked += 1
        }
        // The worker and the exporter are part of this package and must have been checked.
        #expect(helpCache["worker"] != nil && (helpCache["worker"] ?? nil) != nil, "worker executable not found next to the tests")
        #expect((helpCache["metrics-exporter"] ?? nil) != nil, "metrics-exporter executable not found next to the tests")
        #expect(checked >= 4)
    }

    @Test("published and exposed ports match the flags; endpoints line up")
    func ports() throws {
        let services = try ComposeFiles.services()
        for (name, service) in services {
            let command = ComposeFiles.strings(service["command"])
            guard let executable = command.first, ComposeFiles.executables.contains(executable) else { continue }
            var flagPorts = Set<Int>()
            for flag in ["--port", "--control-port"] {
                if let value = ComposeFiles.flag(flag, in: command) { flagPorts.insert(try #require(Int(value), "\(name) \(flag)")) }
            }
            if let events = ComposeFiles.flag("--events-endpoint", in: command), let port = ComposeFiles.port(of: events) {
                flagPorts.insert(port)
            }
            var containerPorts = Set<Int>()
            for entry in ComposeFiles.strings(service["ports"]) {
                let target = try #require(entry.split(separator: ":").last.flatMap { Int($0) }, "\(name) ports entry \(entry)")
                containerPorts.insert(target)
                #expect(flagPorts.contains(target), "\(name) publishes container port \(target), which no flag opens (\(flagPorts))")
            }
            for entry in ComposeFiles.strings(service["expose"]) {
                let port = try #require(Int(entry), "\(name) expose entry \(entry)")
                containerPorts.insert(port)
                #expect(flagPorts.contains(port), "\(name) exposes \(port), which no flag opens (\(flagPorts))")
            }
            if let port = ComposeFiles.flag("--port", in: command).flatMap(Int.init) {
                #expect(containerPorts.contains(port), "\(name) listens on \(port) but neither exposes nor publishes it")
            }
        }
        func command(_ name: String) -> [String] { ComposeFiles.strings(services[name]?["command"]) }
        let exporterEvents = try #require(ComposeFiles.flag("--events-endpoint", in: command("metrics-exporter")))
        let eventsPort = ComposeFiles.port(of: exporterEvents)
        for publisher in ["proxy", "scheduler"] {
            let endpoint = try #require(ComposeFiles.flag("--metrics-endpoint", in: command(publisher)))
            #expect(endpoint.hasPrefix("tcp://metrics-exporter:"))
            #expect(ComposeFiles.port(of: endpoint) == eventsPort)
        }
        let schedulerEndpoint = try #require(ComposeFiles.flag("--scheduler", in: command("proxy")))
        #expect(schedulerEndpoint == "tcp://scheduler:\(ComposeFiles.flag("--port", in: command("scheduler")) ?? "?")")
        let workers = try #require(ComposeFiles.flag("--workers", in: command("scheduler"))).split(separator: ",")
        #expect(!workers.isEmpty)
        let schedulerType = ComposeFiles.flag("--proof-type", in: command("scheduler")) ?? "transaction"
        for worker in workers {
            let parts = worker.split(separator: ":")
            #expect(parts.count == 2)
            #expect(ComposeFiles.flag("--port", in: command(String(parts[0]))) == String(parts[1]), "scheduler worker \(worker)")
            #expect(ComposeFiles.flag("--proof-type", in: command(String(parts[0]))) == schedulerType, "a scheduler serves one proof type")
        }
        // Every proof type has a worker service.
        for type in ["transaction", "batch", "block"] {
            #expect(services.values.contains { ComposeFiles.flag("--proof-type", in: ComposeFiles.strings($0["command"])) == type })
        }
    }

    @Test("Prometheus scrapes the exporter's port")
    func prometheusScrapes() throws {
        let services = try ComposeFiles.services()
        let exporterPort = try #require(ComposeFiles.flag("--port", in: ComposeFiles.strings(services["metrics-exporter"]?["command"])))
        #expect(exporterPort == "\(MetricsExporterConfiguration.defaultPort)")
        let config = try ComposeFiles.yaml("prometheus.yml")
        let jobs = try #require(config["scrape_configs"] as? [[String: Any]])
        var targets: [String] = []
        for job in jobs {
            #expect((job["metrics_path"] as? String ?? "/metrics") == "/metrics")
            for staticConfig in job["static_configs"] as? [[String: Any]] ?? [] {
                targets += ComposeFiles.strings(staticConfig["targets"])
            }
        }
        #expect(targets.contains("metrics-exporter:\(exporterPort)"), "targets: \(targets)")
        let volumes = ComposeFiles.strings(services["prometheus"]?["volumes"])
        #expect(volumes.contains { $0.hasPrefix("./prometheus.yml:") })
    }

    @Test("Grafana provisioning and every dashboard expression use exporter metrics")
    func dashboard() throws {
        let datasource = try ComposeFiles.yaml("grafana/provisioning/datasources/prometheus.yml")
        let sources = try #require(datasource["datasources"] as? [[String: Any]])
        #expect(sources.contains { ($0["url"] as? String) == "http://prometheus:9090" })
        let provider = try ComposeFiles.yaml("grafana/provisioning/dashboards/dashboards.yml")
        #expect((provider["providers"] as? [Any])?.isEmpty == false)

        let url = ComposeFiles.compose.appendingPathComponent("grafana/dashboards/remote-prover.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.count >= 7)
        let known = Set(ExporterMetrics.metricNames)
        let histogramSeries = Set(["queue_latency", "request_latency", "worker_proving_seconds"].flatMap { ["\($0)_bucket", "\($0)_sum", "\($0)_count"] })
        let promql: Set<String> = [
            "sum", "rate", "irate", "increase", "histogram_quantile", "topk", "by", "without", "avg", "max", "min", "count",
        ]
        let identifier = try NSRegularExpression(pattern: "[a-zA-Z_][a-zA-Z0-9_]*")
        let stripBy = try NSRegularExpression(pattern: "(by|without)\\s*\\([^)]*\\)|\\{[^}]*\\}|\\[[^\\]]*\\]|\"[^\"]*\"")
        var used = Set<String>()
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(title) has no targets")
            #expect(!targets.isEmpty)
            for target in targets {
                let expr = try #require(target["expr"] as? String, "panel \(title) target without expr")
                let stripped = stripBy.stringByReplacingMatches(in: expr, range: NSRange(expr.startIndex..., in: expr), withTemplate: " ")
                let names = identifier.matches(in: stripped, range: NSRange(stripped.startIndex..., in: stripped))
                    .compactMap { Range($0.range, in: stripped).map { String(stripped[$0]) } }
                    .filter { !promql.contains($0) }
                #expect(!names.isEmpty, "panel \(title): no metric in \(expr)")
                for name in names {
                    #expect(known.contains(name) || histogramSeries.contains(name), "panel \(title): \(name) is not an exporter metric")
                    used.insert(name)
                }
            }
        }
        #expect(used.contains("request_latency_bucket"))
        #expect(used.contains("worker_proving_seconds_bucket"))
    }
}
