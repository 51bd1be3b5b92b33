import Foundation
import ProverService
import Testing
import Wire

/// An exporter with every metric family it can emit populated by one event of each kind.
private func everyFamily() -> ExporterMetrics {
    let metrics = ExporterMetrics()
    metrics.apply(MetricEvents.finished(.transaction, code: 0, latency: 0.3, queue: 0.02))
    metrics.apply(MetricEvents.finished(.transaction, code: 4, latency: 2, queue: 0.001))
    metrics.apply(MetricEvents.rejected(.transaction, reason: "queue_full", code: 8))
    metrics.apply(MetricEvents.rejected(.transaction, reason: "rate_limited", code: 8, client: "10.0.0.7"))
    var retried = Mrp_Internal_V1_RequestRetried()
    retried.worker = "w1:50051"
    metrics.apply(MetricEvents.make(.transaction, .requestRetried(retried)))
    var queue = Mrp_Internal_V1_QueueState()
    queue.size = 3
    metrics.apply(MetricEvents.make(.transaction, .queueState(queue)))
    metrics.apply(MetricEvents.workers(.transaction, [("w1:50051", true, .healthy), ("w2:50051", false, .unhealthy)]))
    var proved = Mrp_Internal_V1_WorkerProved()
    proved.worker = "w1:50051"
    proved.seconds = 1.5
    proved.success = true
    metrics.apply(MetricEvents.make(.transaction, .workerProved(proved)))
    return metrics
}

/// `promtool` on PATH (Debian's `prometheus` package), if installed.
private let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
/// CI installs promtool, so there the check must run; elsewhere it runs when promtool is present.
private let promtoolRequired = promtool != nil || ProcessInfo.processInfo.environment["CI"] == "true"

@Suite("Metric naming")
struct MetricNamingTests {
    @Test("every family follows the Prometheus naming conventions (promtool check metrics)", .enabled(if: promtoolRequired))
    func promtoolClean() throws {
        let tool = try #require(promtool, "promtool is not installed (apt-get install prometheus)")
        let metrics = everyFamily()
        let text = metrics.render()
        let families = Set(String(decoding: text, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(families == Set(ExporterMetrics.metricNames), "the sample must exercise every family")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(report)")
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool: \(report)")
    }

    @Test("the names by rule: prefix, _total on counters only, no _count outside histograms")
    func namesByRule() {
        let text = String(decoding: everyFamily().render(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            let name = String(parts[2]), type = String(parts[3])
            #expect(name.hasPrefix("mrp_"), "\(name) lacks the mrp_ prefix")
            #expect(name.hasSuffix("_total") == (type == "counter"), "\(name) is a \(type)")
            #expect(!name.hasSuffix("_count"), "\(name) ends in _count")
        }
        // Every reference name maps to a family we emit.
        for (_, ours) in ExporterMetrics.referenceNames { #expect(ExporterMetrics.metricNames.contains(ours)) }
        #expect(ExporterMetrics.referenceNames.count == 13)
    }

    @Test("the per-client rate-limit series are bounded: the most recent violators are kept")
    func boundedClientSeries() {
        let metrics = ExporterMetrics(maxClientSeries: 50)
        for i in 0..<250 {
            metrics.apply(MetricEvents.rejected(.transaction, reason: "rate_limited", code: 8, client: "10.1.\(i / 256).\(i % 256)"))
        }
        // A client seen again keeps its series (and its count) while newer clients arrive.
        for i in 0..<60 {
            metrics.apply(MetricEvents.rejected(.transaction, reason: "rate_limited", code: 8, client: "203.0.113.1"))
            metrics.apply(MetricEvents.rejected(.transaction, reason: "rate_limited", code: 8, client: "192.0.2.\(i)"))
        }
        metrics.apply(MetricEvents.rejected(.batch, reason: "rate_limited", code: 8, client: "203.0.113.1"))
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let series = text.split(separator: "\n").filter { $0.hasPrefix(ExporterMetrics.Name.rateLimitViolations + "{") }
        let transaction = series.filter { $0.contains("proof_type=\"transaction\"") }
        #expect(transaction.count == 50)
        #expect(series.count == 51)
        #expect(sampleValue(text, ExporterMetrics.Name.rateLimitViolations, ["proof_type": "transaction", "client_address": "203.0.113.1"]) == 60)
        #expect(sampleValue(text, ExporterMetrics.Name.rateLimitViolations, ["proof_type": "transaction", "client_address": "192.0.2.59"]) == 1)
        #expect(sampleValue(text, ExporterMetrics.Name.rateLimitViolations, ["proof_type": "transaction", "client_address": "10.1.0.0"]) == nil)
        // The unlabelled total still counts every violation.
        #expect(sampleValue(text, ExporterMetrics.Name.rateLimitedRequests, ["proof_type": "transaction"]) == 370)
    }
}
