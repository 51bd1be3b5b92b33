import Foundation
import Logging
import ProverService
import Testing
import Wire

/// A publisher the exporter refused (its key not on the events endpoint's allow list) gets in once
/// the key is allowed — the same publisher, no restart: it connects again after each refusal.
@Test(.timeLimit(.minutes(1))) func aRefusedPublisherGetsInOnceItsKeyIsAllowed() async throws {
    let exporterKeys = try ZMQCurveKeyPair.generate(), other = try ZMQCurveKeyPair.generate(), keys = try ZMQCurveKeyPair.generate()
    let exporter = try await curveExporter(exporterKeys, allowing: [other.publicKey])
    let context = try ZMQContext()
    let publisher = try MetricEventPublisher(
        endpoint: exporter.addresses.eventsEndpoint, source: "test", context: context,
        security: .curveClient(keys, serverKey: exporterKeys.publicKey), logger: Logger(label: "test.publisher"))
    let event = MetricEvents.rejected(.batch, reason: "rate_limited", code: 8, client: "192.0.2.1")
    /// Publishes every 50 ms until the exporter applies an event or `limit` passes.
    func delivered(within limit: Duration) async throws -> Bool {
        let before = exporter.metrics.eventsApplied, end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            publisher.publish(event)
            try await Task.sleep(for: .milliseconds(50))
            if exporter.metrics.eventsApplied > before { return true }
        }
        return false
    }
    #expect(try await delivered(within: .milliseconds(1500)) == false)

    _ = exporter.replaceAllowedClients([keys.publicKey])
    let allowed = ContinuousClock.now
    #expect(try await delivered(within: .seconds(15)))
    #expect(allowed.duration(to: .now) < .seconds(5), "the refused publisher took \(allowed.duration(to: .now)) to get in")
    publisher.close()
    await exporter.stop()
    context.close()
}
