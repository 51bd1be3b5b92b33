import Foundation
import Testing
@testable import Wire

/// A refused CURVE client connects again on its own: libzmq ends a connection its peer's ZAP handler
/// refused and never retries it; a socket thread with a ``ZMQHandshakeRecovery`` does, with back-off.
extension ZMQCurveTests {
    @Test func aRefusedClientGetsInOnceItsKeyIsAllowedWithoutANewSocket() async throws {
        let client = try ZMQCurveKeyPair.generate()
        let server = try Server(allowing: [try ZMQCurveKeyPair.generate().publicKey])
        let outcomes = Server.Log<ZMQHandshakeOutcome>()
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.apply(.curveClient(client, serverKey: server.pair.publicKey))
        let thread = try ZMQSocketThread(
            name: "test-recovering", socket: dealer, onReadable: nil, onError: { _ in },
            recovery: ZMQHandshakeRecovery(endpoint: server.endpoint, firstDelay: .milliseconds(100), maxDelay: .milliseconds(300)) {
                outcomes.append($0)
            })
        thread.send([Array("before".utf8)])

        // Refused, and tried again with a doubling delay up to the most.
        let deadline = ContinuousClock.now + .seconds(10)
        while outcomes.all.count < 4 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let refusal = ZMQHandshakeRefusal.authentication(status: 400)
        #expect(Array(outcomes.all.prefix(4)) == [
            .refused(refusal, retryIn: .milliseconds(100)), .refused(refusal, retryIn: .milliseconds(200)),
            .refused(refusal, retryIn: .milliseconds(300)), .refused(refusal, retryIn: .milliseconds(300)),
        ])

        // The key is allowed: the same socket gets in at its next attempt, and only what is sent
        // after the refusal arrives (the refused connection's message is gone).
        server.authenticator.replaceAllowedKeys([client.publicKey])
        while outcomes.all.last != .admitted && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(outcomes.all.last == .admitted)
        thread.send([Array("after".utf8)])
        #expect(try await server.messages(1, within: 5) == [Array("after".utf8)])
        #expect(server.decisions.all.contains { !$0.allowed && $0.clientKey == client.publicKey })
        #expect(server.decisions.all.last?.allowed == true)
        await thread.stop(); context.close(); await server.stop()
    }

    @Test func theBackOffDoublesUpToItsMostAndStartsOverAfterAnAdmission() {
        let recovery = ZMQHandshakeRecovery(endpoint: "tcp://127.0.0.1:1", firstDelay: .seconds(1), maxDelay: .seconds(30)) { _ in }
        var schedule = ZMQReconnectSchedule(recovery)
        let start = ContinuousClock.now
        var delays: [Duration] = []
        for step in 0..<7 {
            let now = start + .seconds(100 * step)
            delays.append(schedule.refused(now: now) ?? .zero)
            let again = schedule.refused(now: now)
            #expect(again == nil, "a second refusal before the attempt schedules nothing more")
            let early = schedule.takeDue(now: now), onTime = schedule.takeDue(now: now + delays.last!)
            #expect(!early && onTime)
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
        schedule.admitted()
        let afterAdmission = schedule.refused(now: start)
        #expect(afterAdmission == .seconds(1))
        #expect(schedule.timeout(now: start) == .seconds(1))
    }
}
