import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Rollup
import SwiftProtobuf
import Wire

/// The scheduler's view of one worker: prove a payload, or probe its health and status.
///
/// `prove` throws an `RPCError` carrying the worker's code, or any other error for a failure to
/// reach it (both are treated as the worker's failure by the scheduler).
public protocol WorkerConnection: Sendable {
    /// Proves `payload`; the call must end by `deadline` (the scheduler enforces it too).
    func prove(kind: ProofKind, payload: [UInt8], requestID: String, deadline: ContinuousClock.Instant) async throws -> [UInt8]
    /// Calls health and status; never throws.
    func probe() async -> WorkerProbe
    /// Releases the connection (the worker was removed); in-flight calls may finish.
    func close() async
}

extension WorkerConnection {
    public func close() async {}
}

/// Makes the connection for a newly registered worker (tests inject doubles here).
public typealias WorkerConnectionFactory = @Sendable (WorkerAddress) throws -> any WorkerConnection

/// A `WorkerConnection` over gRPC: one long-lived HTTP/2 client per worker, whose connections run
/// in a task until `close()`.
public final class GRPCWorkerConnection: WorkerConnection {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let runner: Task<Void, Never>
    private let probeTimeout: Duration

    /// - Parameter probeTimeout: the limit on each health and status call (`MRP_CONNECTION_TIMEOUT`).
    /// - Parameter tls: TLS (and the scheduler's client certificate) for the worker; nil = h2c.
    /// - Parameter keepalive: how often the connection is pinged and how long the worker has to answer.
    public init(
        address: WorkerAddress, probeTimeout: Duration = .seconds(10), tls: ClientTLSSettings? = nil,
        keepalive: WorkerKeepalive = .standard
    ) throws {
        let security = tls?.transportSecurity ?? .plaintext
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.connection.keepalive = keepalive.transportSetting
        let isIPv4 = address.host.split(separator: ".").count == 4 && address.host.allSatisfy { $0.isNumber || $0 == "." }
        let transport: HTTP2ClientTransport.Posix
        if isIPv4 {
            transport = try .http2NIOPosix(target: .ipv4(address: address.host, port: address.port), transportSecurity: security, config: config)
        } else {
            transport = try .http2NIOPosix(target: .dns(host: address.host, port: address.port), transportSecurity: security, config: config)
        }
        let client = GRPCClient(transport: transport)
        self.client = client
        self.probeTimeout = probeTimeout
        self.runner = Task { try? await client.runConnections() }
    }

    /// The factory the scheduler executable uses.
    public static func factory(probeTimeout: Duration = .seconds(10), tls: ClientTLSSettings? = nil) -> WorkerConnectionFactory {
        { address in try GRPCWorkerConnection(address: address, probeTimeout: probeTimeout, tls: tls) }
    }

    public func prove(kind: ProofKind, payload: [UInt8], requestID: String, deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw RPCError(code: .deadlineExceeded, message: "deadline passed before the worker was called") }
        var options = PayloadLimits.callOptions()  // witnesses and proofs above gRPC's 4 MiB default
        options.timeout = remaining
        options.waitForReady = false
        var metadata = Metadata()
        metadata.addString(requestID, forKey: RequestID.metadataKey)
        TracePropagation.inject(into: &metadata)  // the current context is the scheduler's attempt span
        let api = RemoteProver_Api.Client(wrapping: client)
        let proof = try await api.prove(
            .with { $0.proofType = kind.wire; $0.payload = Data(payload) },
            metadata: metadata, options: options)
        return [UInt8](proof.payload)
    }

    public func probe() async -> WorkerProbe {
        var options = CallOptions.defaults
        options.timeout = probeTimeout
        options.waitForReady = false
        do {
            let health = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" }, options: options)
            guard health.status == .serving else { return .notServing("health is \(health.status)") }
            let status = try await RemoteProver_WorkerStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty(), options: options)
            return .serving(version: status.version, kind: ProofKind(wire: status.supportedProofType))
        } catch let error as RPCError {
            return .failed("\(error.code): \(error.message)")
        } catch {
            return .failed("\(error)")
        }
    }

    public func close() async {
        client.beginGracefulShutdown()
        await runner.value
    }
}
