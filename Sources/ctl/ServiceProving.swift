import ArgumentParser
import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProverService
import Rollup
import Wire

/// Where `ctl up` puts each proof type's stack: the transaction stack's ports plus
/// `portStride` × the proof type number (proxy 8082 / 8092 / 8102, control 8083 / 8093 / 8103,
/// scheduler 8084 / 8094 / 8104), workers from 50051 / 50151 / 50251.
enum StackLayout {
    static let transactionProxyPort = 8082
    static let portStride = 10
    static let workerPortStride = 100

    /// The proxy port of `kind`'s stack when the transaction proxy is at `base`.
    static func proxyPort(_ kind: ProofKind, base: Int = transactionProxyPort) -> Int { base + portStride * kind.rawValue }
}

/// A "host:port" option value.
struct HostPort: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    /// An IPv4 literal as an address (TLS must not send an IP as the server name), else a DNS name.
    var target: any ResolvableTarget {
        let isIPv4 = host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
        return isIPv4 ? .ipv4(address: host, port: port) : .dns(host: host, port: port)
    }

    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port),
              colon != text.startIndex else {
            throw ValidationError("'\(text)' is not HOST:PORT")
        }
        host = String(text[..<colon])
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}

/// Proves payloads through a proxy with the same gRPC client code as `ctl prove`, blocking the
/// calling thread (the mock chain's proving closures are synchronous; ctl calls them from its
/// main thread, never from a concurrency pool thread).
struct ServiceProver: Sendable {
    let proxy: HostPort

    /// How long a refusal for load (RESOURCE_EXHAUSTED: the proxy's per-client rate limit or a
    /// full queue) is retried before it becomes the caller's error.
    static let busyRetries = 240

    /// Sends `payload` as a `kind` request and returns the proof payload, pacing itself when the
    /// service refuses for load; any other gRPC error becomes a `CommandError` naming the proxy and the code.
    func prove(_ kind: ProofKind, _ payload: [UInt8]) throws -> [UInt8] {
        var attempt = 0
        while true {
            switch call(kind, payload) {
            case .success(let proof):
                return proof
            case .failure(let error as RPCError) where error.code == .resourceExhausted && attempt < ServiceProver.busyRetries:
                attempt += 1
                Thread.sleep(forTimeInterval: 0.25)  // 240 × 0.25 s: a minute
            case .failure(let error as RPCError):
                throw CommandError("\(kind) proxy \(proxy): \(error.code): \(error.message)")
            case .failure(let error):
                throw CommandError("\(kind) proxy \(proxy): \(error)")
            }
        }
    }

    /// One blocking call.
    private func call(_ kind: ProofKind, _ payload: [UInt8]) -> Result<[UInt8], Error> {
        let result = Mutexed<Result<[UInt8], Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let proxy = self.proxy
        Task {
            do {
                let proof = try await callProxy(proxy, kind: kind, payload: payload)
                result.set(.success(proof))
            } catch {
                result.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return result.get()!
    }
}

/// One `Api/Prove` call to the proxy at `proxy`, with limits that let witnesses and proofs above
/// gRPC's 4 MiB default through.
func callProxy(
    _ proxy: HostPort, kind: ProofKind, payload: [UInt8], security: HTTP2ClientTransport.Posix.TransportSecurity = .plaintext
) async throws -> [UInt8] {
    try await withGRPCClient(transport: .http2NIOPosix(target: proxy.target, transportSecurity: security)) { client in
        let proof = try await RemoteProver_Api.Client(wrapping: client).prove(
            .with { $0.proofType = kind.wire; $0.payload = Data(payload) }, options: PayloadLimits.callOptions())
        return [UInt8](proof.payload)
    }
}

/// A value guarded by a lock, shared between a task and the thread waiting for it.
final class Mutexed<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
