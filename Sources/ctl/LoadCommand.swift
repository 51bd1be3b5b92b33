import ArgumentParser
import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProverService
import Rollup
import Wire

/// `ctl load`: several clients send proofs through one or more proxies for a while, each on its
/// own connection, back to back (pausing briefly after a refusal for load); every returned proof
/// is verified and checked against its witness. Prints outcomes by gRPC code and latency
/// percentiles, and exits non-zero when the run breaks its bar: a code other than
/// RESOURCE_EXHAUSTED, UNAVAILABLE or DEADLINE_EXCEEDED, a failure without a message, a call
/// unanswered past its deadline, a proof that does not verify or answers another witness.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load proxies with concurrent proofs; report outcomes by gRPC code and latency, verify every proof.")

    @Argument(help: "Witness files, sent in turn (distinct witnesses let the run notice a proof returned to the wrong caller).")
    var witnesses: [String]
    @Option(name: [.customLong("proof-type"), .customLong("type")], help: "transaction, batch or block.") var proofType: String = "transaction"
    @Option(help: "Comma-separated proxy host:port list; clients are spread over them in turn.") var proxies: String = "127.0.0.1:8082"
    @Option(name: .customLong("tls-ca-file"), help: "Reach the proxies over TLS, trusting this PEM CA (else h2c).") var tlsCAFile: String?
    @Option(help: "Concurrent clients, each with its own connection.") var clients: Int = 4
    @Option(help: "How long clients keep sending, e.g. 60s, 10m.") var duration: String = "60s"
    @Option(help: "Each call's gRPC deadline.") var deadline: String = "60s"
    @Option(help: "How long past its deadline a call may stay unanswered before it counts as hung.") var grace: String = "10s"
    @Option(name: .customLong("busy-pause"), help: "A client's pause after RESOURCE_EXHAUSTED or UNAVAILABLE.") var busyPause: String = "250ms"
    @Option(name: .customLong("progress-every"), help: "Print a progress line to standard error this often (0: never).") var progressEvery: String = "10s"
    @Option(help: "Also write the report as JSON to this file.") var json: String?

    func run() async throws {
        guard let kind = ProofKind(name: proofType) else { throw ValidationError("unknown proof type '\(proofType)': transaction, batch or block") }
        guard clients > 0 else { throw ValidationError("--clients must be at least 1") }
        guard !witnesses.isEmpty else { throw ValidationError("give at least one witness file") }
        let targets = try proxies.split(separator: ",").map { try HostPort(parsing: String($0)) }
        guard !targets.isEmpty else { throw ValidationError("--proxies is empty") }
        let settings = LoadSettings(
            kind: kind,
            duration: try DurationParsing.parse(duration, setting: "--duration"),
            deadline: try DurationParsing.parse(deadline, setting: "--deadline"),
            grace: try DurationParsing.parse(grace, setting: "--grace"),
            busyPause: try DurationParsing.parse(busyPause, setting: "--busy-pause"),
            security: tlsCAFile.map { ca in .tls { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) } } ?? .plaintext)
        let progress = try DurationParsing.parse(progressEvery, setting: "--progress-every")

        var payloads: [LoadWitness] = []
        for path in witnesses {
            let bytes = try readInput(path)
            do {
                payloads.append(LoadWitness(bytes: bytes, expected: try ProofIdentity.expected(kind, witness: bytes)))
            } catch {
                throw CommandError("\(path): not a valid \(kind) witness: \(error)")
            }
        }

        let tally = LoadTally()
        let sendable = payloads
        let started = ContinuousClock.now
        let clients = self.clients
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    await LoadClient(settings: settings, proxy: targets[client % targets.count], witnesses: sendable,
                                     firstWitness: client % sendable.count, tally: tally).run(until: started + settings.duration)
                }
            }
            if progress > .zero {
                group.addTask {
                    while (try? await Task.sleep(for: progress)) != nil {
                        let report = tally.report(duration: 0, clients: clients, deadline: 0)
                        let codes = report.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        let elapsed = Int((ContinuousClock.now - started) / .seconds(1))
                        FileHandle.standardError.write(Data("load: \(elapsed) s, \(report.requests) calls (\(codes))\n".utf8))
                    }
                }
            }
            for _ in 0..<clients { await group.next() }
            group.cancelAll()
        }
        let report = tally.report(duration: Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000, clients: clients,
                                  deadline: Double(settings.deadline / .milliseconds(1)) / 1000)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
        print(report.text)
        if !report.passed { throw ExitCode(1) }
    }
}

/// The settings every client of one `ctl load` run shares.
struct LoadSettings: Sendable {
    var kind: ProofKind
    var duration: Duration
    var deadline: Duration
    var grace: Duration
    var busyPause: Duration
    var security: HTTP2ClientTransport.Posix.TransportSecurity
}

/// A witness to send and the identity its proof must have, when known in advance.
struct LoadWitness: Sendable {
    var bytes: [UInt8]
    var expected: String?
}

/// One client of a load run: a connection to one proxy, calls back to back until the end time.
struct LoadClient: Sendable {
    let settings: LoadSettings
    let proxy: HostPort
    let witnesses: [LoadWitness]
    let firstWitness: Int
    let tally: LoadTally

    /// What one call ended with.
    private enum Answer: Sendable {
        case proof([UInt8])
        case failure(code: String, message: String)
        case hung
    }

    func run(until end: ContinuousClock.Instant) async {
        do {
            try await withGRPCClient(transport: .http2NIOPosix(target: proxy.target, transportSecurity: settings.security)) { client in
                let api = RemoteProver_Api.Client(wrapping: client)
                var next = firstWitness
                while ContinuousClock.now < end, !Task.isCancelled {
                    let index = next
                    next = (next + 1) % witnesses.count
                    let sent = ContinuousClock.now
                    let answer = await call(api, witnesses[index].bytes)
                    let seconds = Double((ContinuousClock.now - sent) / .microseconds(1)) / 1e6
                    switch answer {
                    case .proof(let proof):
                        let identity = await verify(proof)
                        tally.proof(witness: index, seconds: seconds, identity: identity, expected: witnesses[index].expected)
                    case .failure(let code, let message):
                        tally.failure(code: code, message: message, seconds: seconds)
                        if code == "RESOURCE_EXHAUSTED" || code == "UNAVAILABLE" { try? await Task.sleep(for: settings.busyPause) }
                    case .hung:
                        tally.hung(seconds: seconds)
                    }
                }
            }
        } catch {
            tally.failure(code: "CLIENT_ERROR", message: "\(proxy): \(error)", seconds: 0)
        }
    }

    /// One Prove call with the run's deadline, abandoned (and counted as hung) when it has no
    /// answer by the deadline plus the grace.
    private func call(_ api: RemoteProver_Api.Client<HTTP2ClientTransport.Posix>, _ witness: [UInt8]) async -> Answer {
        var options = PayloadLimits.callOptions()
        options.timeout = settings.deadline
        let request = RemoteProver_ProofRequest.with { $0.proofType = settings.kind.wire; $0.payload = Data(witness) }
        let limit = settings.deadline + settings.grace
        let callOptions = options
        return await withTaskGroup(of: Answer?.self) { group in
            group.addTask {
                do {
                    return .proof([UInt8](try await api.prove(request, options: callOptions).payload))
                } catch let error as RPCError {
                    return .failure(code: Self.name(of: error.code), message: error.message)
                } catch {
                    return .failure(code: "CLIENT_ERROR", message: "\(error)")
                }
            }
            group.addTask {
                do { try await Task.sleep(for: limit) } catch { return nil }
                return .hung
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .hung
        }
    }

    /// Verifies a proof on a Dispatch thread (verification is CPU work; the clients' tasks stay free).
    private func verify(_ proof: [UInt8]) async -> Result<String, Error> {
        let kind = settings.kind
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { try ProofIdentity.verified(kind, proof: proof) })
            }
        }
    }

    /// A gRPC code's canonical name, e.g. RESOURCE_EXHAUSTED.
    static func name(of code: RPCError.Code) -> String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                     "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]
        return names.indices.contains(code.rawValue) ? names[code.rawValue] : "CODE_\(code.rawValue)"
    }
}
