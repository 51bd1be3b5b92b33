import Foundation
import Logging
import ProverService
import Testing
import Wire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds metric events for the tests.
enum MetricEvents {
    static func make(_ type: RemoteProver_ProofType, _ body: Mrp_Internal_V1_MetricEvent.OneOf_Event) -> Mrp_Internal_V1_MetricEvent {
        var event = Mrp_Internal_V1_MetricEvent()
        event.source = "test"
        event.proofType = type
        event.event = body
        return event
    }

    static func finished(_ type: RemoteProver_ProofType, code: Int32, latency: Double, queue: Double) -> Mrp_Internal_V1_MetricEvent {
        var f = Mrp_Internal_V1_RequestFinished()
        f.grpcCode = code
        f.latencySeconds = latency
        f.queueSeconds = queue
        f.worker = "w1:50051"
        return make(type, .requestFinished(f))
    }

    static func rejected(_ type: RemoteProver_ProofType, reason: String, code: Int32, client: String = "") -> Mrp_Internal_V1_MetricEvent {
        var r = Mrp_Internal_V1_RequestRejected()
        r.reason = reason
        r.grpcCode = code
        r.clientAddress = client
        return make(type, .requestRejected(r))
    }

    static func workers(_ type: RemoteProver_ProofType, _ list: [(String, Bool, RemoteProver_WorkerHealthStatus)]) -> Mrp_Internal_V1_MetricEvent {
        var s = Mrp_Internal_V1_WorkersState()
        s.workers = list.map { address, busy, health in
            var w = Mrp_Internal_V1_WorkerState()
            w.address = address
            w.busy = busy
            w.health = health
            return w
        }
        return make(type, .workersState(s))
    }
}

/// A line of the exposition text for `series` (name plus labels, as emitted), if present: its value.
func sampleValue(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        let series = line[..<space]
        let value = line[line.index(after: space)...]
        let seriesName: Substring
        var seriesLabels: [String: String] = [:]
        if let brace = series.firstIndex(of: "{") {
            seriesName = series[..<brace]
            let inner = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
            for pair in inner.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                seriesLabels[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        } else {
            seriesName = series
        }
        guard seriesName == name, seriesLabels == labels else { continue }
        return Double(value)
    }
    return nil
}

@Suite("Metrics exporter")
struct MetricsExporterTests {
    @Test("events map to the reference metrics")
    func mapping() throws {
        let metrics = ExporterMetrics()
        metrics.apply(MetricEvents.finished(.transaction, code: 0, latency: 0.3, queue: 0.02))
        metrics.apply(MetricEvents.finished(.block, code: 0, latency: 400, queue: 1.5))
        metrics.apply(MetricEvents.finished(.transaction, code: 4, latency: 2, queue: 0.001))
        metrics.apply(MetricEvents.rejected(.transaction, reason: "queue_full", code: 8))
        metrics.apply(MetricEvents.rejected(.transaction, reason: "rate_limited", code: 8, client: "10.0.0.7"))
        var retried = Mrp_Internal_V1_RequestRetried()
        retried.worker = "w1:50051"
        retried.reason = "unavailable"
        metrics.apply(MetricEvents.make(.transaction, .requestRetried(retried)))
        var queue = Mrp_Internal_V1_QueueState()
        queue.size = 7
        queue.capacity = 10
        metrics.apply(MetricEvents.make(.transaction, .queueState(queue)))
        metrics.apply(MetricEvents.workers(.transaction, [("w1:50051", true, .healthy), ("w2:50051", false, .unhealthy), ("w3:50051", false, .healthy)]))
        var proved = Mrp_Internal_V1_WorkerProved()
        proved.worker = "w1:50051"
        proved.seconds = 250
        proved.success = true
        metrics.apply(MetricEvents.make(.block, .workerProved(proved)))
        #expect(metrics.apply(Mrp_Internal_V1_MetricEvent()) == false)
        #expect(metrics.eventsApplied == 9)

        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(sampleValue(text, "mrp_requests_total", ["proof_type": "transaction"]) == 4)
        #expect(sampleValue(text, "mrp_requests_total", ["proof_type": "block"]) == 1)
        #expect(sampleValue(text, "mrp_request_failures_total", ["proof_type": "transaction", "grpc_code": "DEADLINE_EXCEEDED"]) == 1)
        #expect(sampleValue(text, "mrp_request_failures_total", ["proof_type": "transaction", "grpc_code": "RESOURCE_EXHAUSTED"]) == 2)
        #expect(text.contains("grpc_code=\"RESOURCE_EXHAUSTED\""))
        #expect(sampleValue(text, "mrp_queue_drops_total", ["proof_type": "transaction"]) == 1)
        #expect(sampleValue(text, "mrp_rate_limited_requests_total", ["proof_type": "transaction"]) == 1)
        #expect(sampleValue(text, "mrp_rate_limit_violations_total", ["proof_type": "transaction", "client_address": "10.0.0.7"]) == 1)
        #expect(sampleValue(text, "mrp_request_retries_total", ["proof_type": "transaction"]) == 1)
        #expect(sampleValue(text, "mrp_queue_size", ["proof_type": "transaction"]) == 7)
        #expect(sampleValue(text, "mrp_workers", ["proof_type": "transaction"]) == 3)
        #expect(sampleValue(text, "mrp_workers_busy", ["proof_type": "transaction"]) == 1)
        #expect(sampleValue(text, "mrp_worker_unhealthy", ["proof_type": "transaction", "worker_id": "w2:50051"]) == 1)
        #expect(sampleValue(text, "mrp_worker_unhealthy", ["proof_type": "transaction", "worker_id": "w1:50051"]) == 0)
        #expect(sampleValue(text, "mrp_worker_requests_total", ["proof_type": "block", "worker_id": "w1:50051"]) == 1)
        // Large buckets: a 400 s block proof lands in le=600 but not le=300.
        let blockBuckets = text.split(separator: "\n").filter { $0.hasPrefix("mrp_request_latency_seconds_bucket{") && $0.contains("proof_type=\"block\"") }
        #expect(blockBuckets.contains { $0.contains("le=\"600") && $0.hasSuffix(" 1") }, "\(blockBuckets)")
        #expect(blockBuckets.contains { $0.contains("le=\"300") && $0.hasSuffix(" 0") }, "\(blockBuckets)")
        #expect(sampleValue(text, "mrp_request_latency_seconds_count", ["proof_type": "block"]) == 1)
        #expect(sampleValue(text, "mrp_request_latency_seconds_sum", ["proof_type": "block"]) == 400)
        #expect(text.contains("mrp_worker_proving_seconds_bucket{") && text.contains("mrp_worker_proving_seconds_count{"))
        #expect(sampleValue(text, "mrp_worker_proving_seconds_sum", ["proof_type": "block", "worker_id": "w1:50051"]) == 250)
        #expect(sampleValue(text, "mrp_queue_latency_seconds_count", ["proof_type": "transaction"]) == 2)
        // Every emitted family is one the exporter declares.
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            #expect(ExporterMetrics.metricNames.contains(String(name)), "undeclared family \(name)")
        }
    }

    @Test("a worker that leaves the fleet loses its unhealthy series")
    func removedWorker() {
        let metrics = ExporterMetrics()
        metrics.apply(MetricEvents.workers(.batch, [("a:1", false, .unhealthy), ("b:1", false, .healthy)]))
        metrics.apply(MetricEvents.workers(.batch, [("b:1", true, .healthy)]))
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(sampleValue(text, "mrp_worker_unhealthy", ["proof_type": "batch", "worker_id": "a:1"]) == nil)
        #expect(sampleValue(text, "mrp_worker_unhealthy", ["proof_type": "batch", "worker_id": "b:1"]) == 0)
        #expect(sampleValue(text, "mrp_workers", ["proof_type": "batch"]) == 1)
        #expect(sampleValue(text, "mrp_workers_busy", ["proof_type": "batch"]) == 1)
    }

    @Test("gRPC code names")
    func codeNames() {
        #expect(ExporterMetrics.grpcCodeName(0) == "OK")
        #expect(ExporterMetrics.grpcCodeName(14) == "UNAVAILABLE")
        #expect(ExporterMetrics.grpcCodeName(16) == "UNAUTHENTICATED")
        #expect(ExporterMetrics.grpcCodeName(99) == "CODE_99")
    }

    @Test("end to end: PUB events reach GET /metrics", .timeLimit(.minutes(1)))
    func endToEnd() async throws {
        let logger = Logger(label: "test.metrics-exporter")
        let exporter = try await MetricsExporter.start(
            MetricsExporterConfiguration(port: 0, localhost: true, eventsEndpoint: "tcp://127.0.0.1:*"), logger: logger)
        defer { Task { await exporter.stop() } }
        #expect(exporter.addresses.port > 0)
        #expect(exporter.addresses.eventsEndpoint.hasPrefix("tcp://127.0.0.1:"))

        let endpoint = exporter.addresses.eventsEndpoint
        let event = MetricEvents.rejected(.batch, reason: "rate_limited", code: 8, client: "192.0.2.1")
        let bytes: [UInt8] = try event.serializedBytes()
        // PUB drops messages until the subscription arrives: publish until the exporter has seen one.
        let published = try await Task.detached {
            try publishUntilSeen(bytes, to: endpoint) { exporter.metrics.eventsApplied > 0 }
        }.value
        #expect(published)

        let (status, headers, body) = try await Task.detached {
            try httpGet(port: exporter.addresses.port, path: "/metrics")
        }.value
        #expect(status == 200)
        #expect(headers.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect((sampleValue(body, "mrp_rate_limited_requests_total", ["proof_type": "batch"]) ?? 0) >= 1)
        #expect((sampleValue(body, "mrp_rate_limit_violations_total", ["proof_type": "batch", "client_address": "192.0.2.1"]) ?? 0) >= 1)
        #expect(body.contains("grpc_code=\"RESOURCE_EXHAUSTED\""))

        let (missing, _, _) = try await Task.detached { try httpGet(port: exporter.addresses.port, path: "/other") }.value
        #expect(missing == 404)
        await exporter.stop()
    }
}

/// Connects a PUB socket to `endpoint` and publishes `frame` every 50 ms until `seen()` (at most 5 s):
/// PUB drops messages until the subscriber's subscription has arrived.
func publishUntilSeen(
    _ frame: [UInt8], to endpoint: String, security: ZMQLinkSecurity = .plaintext, attempts: Int = 100, seen: () -> Bool
) throws -> Bool {
    let context = try ZMQContext()
    let pub = try ZMQSocket(context: context, type: .pub)
    defer {
        pub.close()
        context.close()
    }
    try pub.setLinger(.zero)
    try pub.apply(security)
    try pub.connect(endpoint)
    for _ in 0..<attempts {
        try pub.send([frame])
        usleep(50_000)
        if seen() { return true }
    }
    return false
}

/// The events endpoint with CURVE: events from an allow-listed publisher count, a stranger's and a
/// plaintext publisher's never arrive.
@Test(.timeLimit(.minutes(1))) func aCurveEventsEndpointTakesEventsOnlyFromAllowListedPublishers() async throws {
    let exporterKeys = try ZMQCurveKeyPair.generate(), publisher = try ZMQCurveKeyPair.generate(), stranger = try ZMQCurveKeyPair.generate()
    let exporter = try await curveExporter(exporterKeys, allowing: [publisher.publicKey])
    let endpoint = exporter.addresses.eventsEndpoint
    let bytes = try rejectedEvent()
    for security in [ZMQLinkSecurity.curveClient(stranger, serverKey: exporterKeys.publicKey), .plaintext] {
        let through = try await Task.detached { try publishUntilSeen(bytes, to: endpoint, security: security, attempts: 20) { exporter.metrics.eventsApplied > 0 } }.value
        #expect(!through, "\(security) got an event in")
    }
    let allowed = try await Task.detached {
        try publishUntilSeen(bytes, to: endpoint, security: .curveClient(publisher, serverKey: exporterKeys.publicKey)) { exporter.metrics.eventsApplied > 0 }
    }.value
    #expect(allowed)
    await exporter.stop()
}

/// An exporter on free ports whose CURVE events endpoint has `keys` and admits `allowed`.
func curveExporter(_ keys: ZMQCurveKeyPair, allowing allowed: Set<String>) async throws -> MetricsExporter {
    try await MetricsExporter.start(
        MetricsExporterConfiguration(
            port: 0, localhost: true, eventsEndpoint: "tcp://127.0.0.1:*",
            eventsCurve: ZMQCurveServerKeys(keyPair: keys, allowedClients: allowed)),
        logger: Logger(label: "test.metrics-exporter"))
}

/// One serialized metric event (a rate-limited batch request).
func rejectedEvent() throws -> [UInt8] {
    try MetricEvents.rejected(.batch, reason: "rate_limited", code: 8, client: "192.0.2.1").serializedBytes()
}

/// A blocking HTTP/1.1 GET over a plain POSIX socket to 127.0.0.1 (`Connection: close`).
func httpGet(port: Int, path: String) throws -> (status: Int, headers: String, body: String) {
    struct HTTPError: Error { let message: String }
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw HTTPError(message: "socket") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPError(message: "connect errno \(errno)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    guard sent == request.count else { throw HTTPError(message: "send") }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response.append(contentsOf: chunk[0..<n])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw HTTPError(message: "no header end in \(text)") }
    let head = String(text[..<split.lowerBound])
    let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return (status, head, String(text[split.upperBound...]))
}
