import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProverService
import Rollup
import SwiftProtobuf
import Wire

/// Where the proxy is.
struct ProxyOptions: ParsableArguments {
    @Option(help: "Proxy host [default 127.0.0.1].") var host: String = "127.0.0.1"
    @Option(help: "Proxy port [env: MRP_PORT, default 8082, for batch 8092, for block 8102].") var port: Int?
    @Option(name: .customLong("tls-ca-file"), help: "Reach the proxy over TLS, trusting this PEM CA (else h2c) [env: MRP_TLS_CA_FILE].")
    var tlsCAFile: String?

    var resolvedPort: Int { resolvedPort(for: .transaction) }

    /// The given port, else `MRP_PORT`, else the proxy port of `kind` in the `ctl up` layout.
    func resolvedPort(for kind: ProofKind) -> Int {
        port ?? Configuration.environment(CtlEnvironment().proxyPort).flatMap(Int.init) ?? StackLayout.proxyPort(kind)
    }

    /// TLS trusting `--tls-ca-file` when given, else h2c.
    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        guard let ca = tlsCAFile ?? Configuration.environment(CtlEnvironment().proxyTLSCAFile) else { return .plaintext }
        return .tls { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
    }

    func withClient<T: Sendable>(_ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: HostPort(host: host, port: resolvedPort).target, transportSecurity: transportSecurity)) {
            try await body($0)
        }
    }
}

/// `ctl status`: the proxy's status, as a table or JSON.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the proxy's status and its workers.")
    @OptionGroup var proxy: ProxyOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let status: RemoteProver_ProxyStatus
        do {
            status = try await proxy.withClient { try await RemoteProver_ProxyStatusApi.Client(wrapping: $0).status(Google_Protobuf_Empty()) }
        } catch {
            throw CommandError("cannot reach the proxy at \(proxy.host):\(proxy.resolvedPort): \(error)")
        }
        if json {
            print(try status.jsonString())
            return
        }
        print("proxy \(proxy.host):\(proxy.resolvedPort)  version \(status.version)  proof type \(status.supportedProofType)")
        print(pad("WORKER", 24) + pad("VERSION", 9) + "STATUS")
        for worker in status.workers {
            print(pad(worker.name, 24) + pad(worker.version.isEmpty ? "-" : worker.version, 9) + "\(worker.status)".uppercased())
        }
    }
}

/// `ctl prove`: sends a witness file through the service and writes the proof.
struct ProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove a witness file through the service (the proof type's proxy; default port per the `ctl up` layout).")
    @Option(name: [.customLong("proof-type"), .customLong("type")], help: "transaction, batch or block.") var proofType: String = "transaction"
    @Argument(help: "Witness file, or - for standard input.") var witness: String
    @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String = "-"
    @OptionGroup var proxy: ProxyOptions

    func run() async throws {
        guard let kind = ProofKind(name: proofType) else { throw ValidationError("unknown proof type '\(proofType)': transaction, batch or block") }
        let payload = try readInput(witness)
        let target = HostPort(host: proxy.host, port: proxy.resolvedPort(for: kind))
        let proof: [UInt8]
        do {
            proof = try await callProxy(target, kind: kind, payload: payload, security: proxy.transportSecurity)
        } catch let error as RPCError {
            throw CommandError("\(error.code): \(error.message)")
        }
        try writeOutput(proof, to: output)
    }
}
