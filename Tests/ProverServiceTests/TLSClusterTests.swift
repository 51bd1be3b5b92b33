import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing
import ProverService
import Rollup
import Wire

/// gRPC over TLS on the real executables: a client reaches the proxy over TLS, the scheduler calls a
/// worker that requires its client certificate (mutual TLS); plaintext and certificate-less callers
/// are turned away. Certificates come from a throw-away CA made with `openssl`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TLSClusterTests {
    /// A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files.
    struct Certificates {
        let directory: URL
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("mrp-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(toFile: directory.appendingPathComponent("server.ext").path, atomically: true, encoding: .utf8)
            try "extendedKeyUsage=clientAuth\n".write(toFile: directory.appendingPathComponent("client.ext").path, atomically: true, encoding: .utf8)
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mrp-test-ca"], in: directory)
            for (name, cn) in [("server", "localhost"), ("client", "scheduler")] {
                try Self.openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(cn)"], in: directory)
                try Self.openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                                  "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"], in: directory)
            }
        }

        static func openssl(_ arguments: [String], in directory: URL) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func tlsClient(port: Int, ca: String, certificate: (String, String)? = nil) throws -> HTTP2ClientTransport.Posix {
        try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .tls { config in
            config.trustRoots = .certificates([.file(path: ca, format: .pem)])
            if let (chain, key) = certificate {
                config.certificateChain = [.file(path: chain, format: .pem)]
                config.privateKey = .file(path: key, format: .pem)
            }
        })
    }

    /// The worker's status over `transport`, or nil if the call failed.
    static func workerStatus(_ transport: HTTP2ClientTransport.Posix) async -> RemoteProver_WorkerStatus? {
        try? await withGRPCClient(transport: transport) { client in
            var options = CallOptions.defaults
            options.timeout = .seconds(5)
            return try await RemoteProver_WorkerStatusApi.Client(wrapping: client).status(Google_Protobuf_Empty(), options: options)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func proofsTravelOverTLSAndTheWorkerRequiresTheSchedulersCertificate() async throws {
        let certs = try Certificates()
        defer { certs.remove() }
        let workerPort = LocalCluster.freePort(), jobPort = LocalCluster.freePort(), controlPort = LocalCluster.freePort(), proxyPort = LocalCluster.freePort()
        var processes: [Process] = []
        defer { LocalCluster.stop(processes) }
        processes.append(try LocalCluster.launch("worker", [
            "--proof-type", "transaction", "--port", "\(workerPort)", "--localhost", "--threads", "1",
            "--tls-cert-file", certs.path("server.pem"), "--tls-key-file", certs.path("server.key"), "--tls-client-ca-file", certs.path("ca.pem"),
        ]))
        processes.append(try LocalCluster.launch("scheduler", [
            "--proof-type", "transaction", "--port", "\(jobPort)", "--control-port", "\(controlPort)",
            "--state-file", certs.path("state.json"), "--workers", "127.0.0.1:\(workerPort)", "--health-check-interval", "300ms",
            "--worker-tls-ca-file", certs.path("ca.pem"), "--worker-tls-cert-file", certs.path("client.pem"), "--worker-tls-key-file", certs.path("client.key"),
        ]))
        processes.append(try LocalCluster.launch("proxy", [
            "--proof-type", "transaction", "--port", "\(proxyPort)", "--localhost", "--scheduler", "tcp://127.0.0.1:\(jobPort)",
            "--max-req-per-sec", "0", "--tls-cert-file", certs.path("server.pem"), "--tls-key-file", certs.path("server.key"),
        ]))

        // The scheduler reaches the mutual-TLS worker: the proxy (over TLS) reports it healthy.
        var healthy = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !healthy && ContinuousClock.now < deadline {
            let status = try? await withGRPCClient(transport: try Self.tlsClient(port: proxyPort, ca: certs.path("ca.pem"))) {
                try await RemoteProver_ProxyStatusApi.Client(wrapping: $0).status(Google_Protobuf_Empty())
            }
            healthy = status?.workers.first?.status == .healthy
            if !healthy { try await Task.sleep(for: .milliseconds(200)) }
        }
        try #require(healthy, "the worker never became healthy behind mutual TLS")
        let proof = try await withGRPCClient(transport: try Self.tlsClient(port: proxyPort, ca: certs.path("ca.pem"))) {
            try await RemoteProver_Api.Client(wrapping: $0).prove(.with { $0.proofType = .transaction; $0.payload = ClusterTests.witness(notes: 1) })
        }
        try ProvenTransactionCodec.decode([UInt8](proof.payload)).verify()

        // Plaintext to the TLS proxy fails; the worker refuses a TLS caller without a client
        // certificate and serves one that has the CA's.
        let plain = try? await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: proxyPort), transportSecurity: .plaintext)) {
            var options = CallOptions.defaults
            options.timeout = .seconds(3)
            return try await RemoteProver_ProxyStatusApi.Client(wrapping: $0).status(Google_Protobuf_Empty(), options: options)
        }
        #expect(plain == nil, "a plaintext client got the TLS proxy's status")
        #expect(await Self.workerStatus(try Self.tlsClient(port: workerPort, ca: certs.path("ca.pem"))) == nil,
                "the worker answered a caller without a client certificate")
        let withCertificate = await Self.workerStatus(
            try Self.tlsClient(port: workerPort, ca: certs.path("ca.pem"), certificate: (certs.path("client.pem"), certs.path("client.key"))))
        #expect(withCertificate?.supportedProofType == .transaction)
    }

    @Test func halfATLSConfigurationIsRefusedBeforeAnythingListens() throws {
        #expect(throws: TLSSettingsError.self) {
            try ServerTLSSettings.resolve(certificate: "/nonexistent.pem", key: nil, clientCA: nil, variables: ("A", "B", "C"))
        }
        #expect(throws: TLSSettingsError.self) {
            try ServerTLSSettings.resolve(certificate: "/etc/hostname", key: "/etc/hostname", clientCA: nil, variables: ("A", "B", "C"))
        }
        #expect(try ServerTLSSettings.resolve(certificate: nil, key: nil, clientCA: nil, variables: ("MRP_TEST_UNSET_A", "MRP_TEST_UNSET_B", "MRP_TEST_UNSET_C")) == nil)
    }
}
