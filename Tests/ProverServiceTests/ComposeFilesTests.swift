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

    /// The command of a service.
    static func command(_ service: [String: Any]?) -> [String] { strings(service?["command"]) }

    /// The value of `name` in a service's `environment` (mapping or `KEY=VALUE` list).
    static func environment(_ name: String, in service: [String: Any]) -> String? {
        switch service["environment"] {
        case let map as [String: Any]: return map[name].map { "\($0)" }
        case let list as [Any]:
            for entry in list.map({ "\($0)" }) where entry.hasPrefix("\(name)=") { return String(entry.dropFirst(name.count + 1)) }
            return nil
        default: return nil
        }
    }

    /// The proof type a proxy, scheduler or worker service serves (flag, else environment, else the
    /// proxy's and scheduler's default, transaction; a worker has no default).
    static func proofType(of service: [String: Any]) -> String? {
        let words = command(service)
        if let value = flag("--proof-type", in: words) { return value }
        if words.first == "worker" { return environment("MRP_WORKER_PROOF_TYPE", in: service) }
        return environment("MRP_PROOF_TYPE", in: service) ?? "transaction"
    }

    /// The services that run `executable`, by name.
    static func services(running executable: String, in services: [String: [String: Any]]) -> [String: [String: Any]] {
        services.filter { command($0.value).first == executable }
    }

    /// The services a service waits for (`depends_on` as a list or a mapping).
    static func dependencies(of service: [String: Any]) -> Set<String> {
        switch service["depends_on"] {
        case let map as [String: Any]: return Set(map.keys)
        case let list as [Any]: return Set(list.map { "\($0)" })
        default: return []
        }
    }

    /// The host port of a `ports` entry ("H:C", "IP:H:C", optionally "/proto"), nil if the host side is ephemeral.
    static func hostPort(of entry: String) -> Int? {
        let spec = entry.split(separator: "/").first.map(String.init) ?? entry
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        return Int(parts[parts.count - 2])
    }

    /// One proof type's stack as `ctl up` lays it out (README's ports table).
    struct Layout {
        var proxy: Int
        var control: Int
        var jobs: Int
        var worker: Int
    }

    static let layouts: [String: Layout] = [
        "transaction": Layout(proxy: 8082, control: 8083, jobs: 8084, worker: 50051),
        "batch": Layout(proxy: 8092, control: 8093, jobs: 8094, worker: 50151),
        "block": Layout(proxy: 8102, control: 8103, jobs: 8104, worker: 50251),
    ]

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
        for name in [
            "proxy", "scheduler", "worker-transaction", "proxy-batch", "scheduler-batch", "worker-batch",
            "proxy-block", "scheduler-block", "worker-block", "metrics-exporter", "prometheus", "grafana",
        ] {
            #expect(services[name] != nil, "missing service \(name)")
        }
        // Every service starts with a plain `docker compose up`.
        for (name, service) in services {
            #expect(service["profiles"] == nil, "service \(name) is behind a profile")
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

    @Test("published and exposed ports match the flags; metric events reach the exporter")
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
        // Every proxy and scheduler publishes its metric events to the exporter.
        let exporterEvents = try #require(ComposeFiles.flag("--events-endpoint", in: ComposeFiles.command(services["metrics-exporter"])))
        let eventsPort = try #require(ComposeFiles.port(of: exporterEvents))
        var publishers = 0
        for (name, service) in services.sorted(by: { $0.key < $1.key }) {
            guard let executable = ComposeFiles.command(service).first, ["proxy", "scheduler"].contains(executable) else { continue }
            publishers += 1
            let endpoint = ComposeFiles.flag("--metrics-endpoint", in: ComposeFiles.command(service))
            #expect(endpoint == "tcp://metrics-exporter:\(eventsPort)", "\(name) publishes metric events to \(endpoint ?? "nowhere")")
            #expect(ComposeFiles.dependencies(of: service).contains("metrics-exporter"), "\(name) does not depend on metrics-exporter")
        }
        #expect(publishers == 2 * ComposeFiles.layouts.count)
    }

    @Test("each proof type is a full stack: proxy -> its scheduler -> workers of that type, on the ctl up ports")
    func stacks() throws {
        let services = try ComposeFiles.services()
        let proxies = ComposeFiles.services(running: "proxy", in: services)
        let schedulers = ComposeFiles.services(running: "scheduler", in: services)
        let workers = ComposeFiles.services(running: "worker", in: services)
        let kinds = Set(ComposeFiles.layouts.keys)
        for (role, group) in [("proxy", proxies), ("scheduler", schedulers), ("worker", workers)] {
            let types = group.values.map { ComposeFiles.proofType(of: $0) ?? "?" }
            #expect(Set(types) == kinds, "\(role) proof types: \(types.sorted())")
        }
        #expect(proxies.count == kinds.count, "one proxy per proof type: \(proxies.keys.sorted())")
        #expect(schedulers.count == kinds.count, "one scheduler per proof type: \(schedulers.keys.sorted())")

        var usedSchedulers = Set<String>()
        for (name, proxy) in proxies.sorted(by: { $0.key < $1.key }) {
            let command = ComposeFiles.command(proxy)
            let type = try #require(ComposeFiles.proofType(of: proxy))
            let layout = try #require(ComposeFiles.layouts[type], "proxy \(name): unknown proof type \(type)")
            #expect(ComposeFiles.flag("--port", in: command) == "\(layout.proxy)", "proxy \(name) port")
            #expect(ComposeFiles.strings(proxy["ports"]).compactMap { ComposeFiles.hostPort(of: $0) }.contains(layout.proxy), "proxy \(name) does not publish \(layout.proxy)")
            let endpoints = try #require(ComposeFiles.flag("--scheduler", in: command), "proxy \(name) names no scheduler").split(separator: ",").map(String.init)
            #expect(!endpoints.isEmpty)
            for endpoint in endpoints {
                #expect(endpoint.hasPrefix("tcp://"), "proxy \(name): scheduler endpoint \(endpoint)")
                let address = endpoint.dropFirst("tcp://".count).split(separator: ":").map(String.init)
                try #require(address.count == 2, "proxy \(name): scheduler endpoint \(endpoint)")
                let scheduler = try #require(schedulers[address[0]], "proxy \(name): \(address[0]) is not a scheduler service")
                usedSchedulers.insert(address[0])
                let schedulerCommand = ComposeFiles.command(scheduler)
                #expect(ComposeFiles.flag("--port", in: schedulerCommand) == address[1], "proxy \(name): \(endpoint) is not \(address[0])'s job port")
                #expect(ComposeFiles.proofType(of: scheduler) == type, "proxy \(name) (\(type)) sends to \(address[0]) (\(ComposeFiles.proofType(of: scheduler) ?? "?"))")
                let jobHost = ComposeFiles.flag("--job-host", in: schedulerCommand) ?? ComposeFiles.environment("MRP_SCHEDULER_HOST", in: scheduler)
                #expect(jobHost == "0.0.0.0", "\(address[0]) binds its job endpoint on \(jobHost ?? "127.0.0.1"): \(name) cannot reach it")
                #expect(ComposeFiles.dependencies(of: proxy).contains(address[0]), "proxy \(name) does not depend on \(address[0])")
            }
        }
        #expect(usedSchedulers == Set(schedulers.keys), "schedulers no proxy uses: \(Set(schedulers.keys).subtracting(usedSchedulers).sorted())")

        var usedWorkers = Set<String>()
        for (name, scheduler) in schedulers.sorted(by: { $0.key < $1.key }) {
            let command = ComposeFiles.command(scheduler)
            let type = try #require(ComposeFiles.proofType(of: scheduler))
            let layout = try #require(ComposeFiles.layouts[type], "scheduler \(name): unknown proof type \(type)")
            #expect(ComposeFiles.flag("--port", in: command) == "\(layout.jobs)", "scheduler \(name) job port")
            #expect(ComposeFiles.flag("--control-port", in: command) == "\(layout.control)", "scheduler \(name) control port")
            let list = try #require(ComposeFiles.flag("--workers", in: command), "scheduler \(name) has no workers").split(separator: ",").map(String.init)
            #expect(!list.isEmpty)
            for entry in list {
                let parts = entry.split(separator: ":").map(String.init)
                try #require(parts.count == 2, "scheduler \(name): worker \(entry)")
                let worker = try #require(workers[parts[0]], "scheduler \(name): \(parts[0]) is not a worker service")
                usedWorkers.insert(parts[0])
                let workerCommand = ComposeFiles.command(worker)
                #expect(ComposeFiles.flag("--port", in: workerCommand) == parts[1], "scheduler \(name): \(entry) is not \(parts[0])'s port")
                #expect(ComposeFiles.proofType(of: worker) == type, "scheduler \(name) (\(type)) has worker \(parts[0]) (\(ComposeFiles.proofType(of: worker) ?? "?"))")
                #expect(!workerCommand.contains("--localhost"), "worker \(parts[0]) binds loopback: \(name) cannot reach it")
                #expect(ComposeFiles.dependencies(of: scheduler).contains(parts[0]), "scheduler \(name) does not depend on \(parts[0])")
            }
            let ports = list.compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
            #expect(ports.min() == layout.worker, "scheduler \(name): workers from \(ports.min() ?? 0), ctl up uses \(layout.worker)")
        }
        #expect(usedWorkers == Set(workers.keys), "workers no scheduler uses: \(Set(workers.keys).subtracting(usedWorkers).sorted())")
    }

    @Test("published host ports are unique")
    func uniqueHostPorts() throws {
        let services = try ComposeFiles.services()
        var owners: [Int: [String]] = [:]
        for (name, service) in services {
            for entry in ComposeFiles.strings(service["ports"]) {
                let port = try #require(ComposeFiles.hostPort(of: entry), "\(name) ports entry \(entry) has no fixed host port")
                owners[port, default: []].append(name)
            }
        }
        for (port, names) in owners.sorted(by: { $0.key < $1.key }) {
            #expect(names.count == 1, "host port \(port) published by \(names.sorted())")
        }
        for layout in ComposeFiles.layouts.values { #expect(owners[layout.proxy] != nil, "no service publishes \(layout.proxy)") }
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
        let histogramSeries = Set(["mrp_queue_latency_seconds", "mrp_request_latency_seconds", "mrp_worker_proving_seconds"].flatMap { ["\($0)_bucket", "\($0)_sum", "\($0)_count"] })
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
        #expect(used.contains("mrp_request_latency_seconds_bucket"))
        #expect(used.contains("mrp_worker_proving_seconds_bucket"))
    }
}
