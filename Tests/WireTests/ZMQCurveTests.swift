import Foundation
import Synchronization
import Testing
import Wire

/// CURVE links: key files, and a scheduler-style ROUTER that lets in only allow-listed clients.
@Suite("ZeroMQ CURVE", .serialized, .timeLimit(.minutes(1)))
struct ZMQCurveTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-curve-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test func keyFilesRoundTripAndTheSecretFileIsPrivate() throws {
        let pair = try ZMQCurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40 && pair.publicKey != pair.secretKey)
        #expect(try ZMQCurveKeyPair(secretKey: pair.secretKey) == pair)
        try ZMQCurveKeyFiles.write(pair, base: path("scheduler"))
        #expect(try ZMQCurveKeyFiles.readSecret(path("scheduler.key")) == pair)
        #expect(try ZMQCurveKeyFiles.readPublicKeys(path("scheduler.pub")) == [pair.publicKey])
        #expect(try ZMQCurveKeyFiles.publicKey(path("scheduler.pub")) == pair.publicKey)
        #expect(try ZMQCurveKeyFiles.publicKey(pair.publicKey) == pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: path("scheduler.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: ZMQCurveKeyError.file(path: path("scheduler.key"), reason: "exists; not overwritten")) {
            try ZMQCurveKeyFiles.write(try ZMQCurveKeyPair.generate(), base: path("scheduler"))
        }
    }

    @Test func anAllowListIsTheConcatenatedPublicFilesAndKeysMayHoldAHash() throws {
        // '#' is a Z85 digit: a key holding one is read whole, not cut at a comment.
        let hashKey = String(repeating: "0#000", count: 8)
        let first = try ZMQCurveKeyPair.generate(), second = try ZMQCurveKeyPair.generate()
        let text = "# proxies\n\(first.publicKey)\n\n  \(second.publicKey)  \n#\n\(hashKey)\n# \(try ZMQCurveKeyPair.generate().publicKey) (revoked)\n"
        FileManager.default.createFile(atPath: path("allowed"), contents: Data(text.utf8))
        #expect(try ZMQCurveKeyFiles.readPublicKeys(path("allowed")) == [first.publicKey, second.publicKey, hashKey])
    }

    @Test func malformedKeysAndFilesGetClearErrors() throws {
        #expect(throws: ZMQCurveKeyError.malformed(role: "secret key", reason: "39 characters, a Z85 CURVE key has 40")) {
            try ZMQCurveKeyPair(secretKey: String(repeating: "a", count: 39))
        }
        #expect(throws: ZMQCurveKeyError.malformed(role: "public key", reason: "not Z85 text")) {
            try ZMQCurveKeyPair.checked(String(repeating: "~", count: 40), role: "public key")
        }
        #expect(throws: ZMQCurveKeyError.file(path: path("missing"), reason: "cannot be read")) {
            try ZMQCurveKeyFiles.readSecret(path("missing"))
        }
        FileManager.default.createFile(atPath: path("empty"), contents: Data("# nothing here\n".utf8))
        #expect(throws: ZMQCurveKeyError.file(path: path("empty"), reason: "lists no key")) {
            try ZMQCurveKeyFiles.readPublicKeys(path("empty"))
        }
        FileManager.default.createFile(atPath: path("bad"), contents: Data("\(try ZMQCurveKeyPair.generate().publicKey)\nshort\n".utf8))
        #expect(throws: ZMQCurveKeyError.file(path: path("bad"), reason: "key 2: bad CURVE public key: 5 characters, a Z85 CURVE key has 40")) {
            try ZMQCurveKeyFiles.readPublicKeys(path("bad"))
        }
    }

    /// A CURVE ROUTER with an authenticator in its own context, and what it received and decided.
    final class Server: Sendable {
        let context: ZMQContext
        let pair: ZMQCurveKeyPair
        let authenticator: ZMQAuthenticator
        let thread: ZMQSocketThread
        let endpoint: String
        /// Values appended from socket threads.
        final class Log<T: Sendable>: Sendable {
            let values = Mutex<[T]>([])
            func append(_ value: T) { values.withLock { $0.append(value) } }
            var all: [T] { values.withLock { $0 } }
        }
        let received = Log<[UInt8]>()
        let decisions = Log<ZMQAuthenticator.Decision>()

        init(allowing keys: Set<String>) throws {
            context = try ZMQContext()
            pair = try ZMQCurveKeyPair.generate()
            let decisions = self.decisions, received = self.received
            authenticator = try ZMQAuthenticator(context: context, domain: "mrp-jobs", allowedKeys: keys) { decisions.append($0) }
            let router = try ZMQSocket(context: context, type: .router)
            try router.setLinger(.zero)
            try router.apply(.curveServer(pair, domain: "mrp-jobs"))
            endpoint = try router.bind("tcp://127.0.0.1:*")
            thread = try ZMQSocketThread(
                name: "test-curve", socket: router,
                onReadable: { socket in
                    while let frames = try? socket.receive(timeout: .zero) { received.append(frames.last ?? []) }
                },
                onError: { _ in })
        }

        /// Waits up to `seconds` for `count` messages; returns what arrived.
        func messages(_ count: Int, within seconds: Double) async throws -> [[UInt8]] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while received.all.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return received.all
        }

        func stop() async {
            await thread.stop()
            await authenticator.stop()
            context.close()
        }
    }

    /// Sends one message from a DEALER with `security` in a context of its own.
    func send(_ text: String, to server: Server, security: ZMQLinkSecurity) throws -> (ZMQContext, ZMQSocketThread) {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.setLinger(.zero)
        try dealer.apply(security)
        try dealer.connect(server.endpoint)
        let thread = try ZMQSocketThread(name: "test-client", socket: dealer, onReadable: nil, onError: { _ in })
        thread.send([Array(text.utf8)])
        return (context, thread)
    }

    @Test func anAllowListedClientGetsInAndItsTrafficIsEncrypted() async throws {
        let client = try ZMQCurveKeyPair.generate()
        let server = try Server(allowing: [client.publicKey])
        let (context, thread) = try send("hello", to: server, security: .curveClient(client, serverKey: server.pair.publicKey))
        #expect(try await server.messages(1, within: 5) == [Array("hello".utf8)])
        let decision = try #require(server.decisions.all.first)
        #expect(decision.allowed && decision.mechanism == "CURVE" && decision.clientKey == client.publicKey && decision.address == "127.0.0.1")
        await thread.stop(); context.close(); await server.stop()
    }

    @Test func anUnknownKeyIsRefusedAndNamedInTheDecision() async throws {
        let stranger = try ZMQCurveKeyPair.generate()
        let server = try Server(allowing: [try ZMQCurveKeyPair.generate().publicKey])
        let (context, thread) = try send("let me in", to: server, security: .curveClient(stranger, serverKey: server.pair.publicKey))
        #expect(try await server.messages(1, within: 1).isEmpty)
        let decision = try #require(server.decisions.all.first)
        #expect(!decision.allowed && decision.clientKey == stranger.publicKey && decision.reason == "key not on the allow list")
        await thread.stop(); context.close(); await server.stop()
    }

    @Test func aPlaintextClientAndAClientWithTheWrongServerKeyNeverGetIn() async throws {
        let client = try ZMQCurveKeyPair.generate()
        let server = try Server(allowing: [client.publicKey])
        let plain = try send("plaintext", to: server, security: .plaintext)
        let wrong = try send("wrong server", to: server, security: .curveClient(client, serverKey: try ZMQCurveKeyPair.generate().publicKey))
        #expect(try await server.messages(1, within: 1).isEmpty)
        // Neither reached the authenticator: the handshake failed before the client's key was known.
        #expect(server.decisions.all.filter(\.allowed).isEmpty)
        for (context, thread) in [plain, wrong] { await thread.stop(); context.close() }
        await server.stop()
    }
}
