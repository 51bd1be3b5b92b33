import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import ProverService
import Rollup
import Wire

/// A scripted proxy (test double): answers each Prove call by what its script says for the witness.
private struct ScriptedProxy: RemoteProver_Api.SimpleServiceProtocol {
    let script: @Sendable ([UInt8]) throws -> [UInt8]

    func prove(request: RemoteProver_ProofRequest, context: ServerContext) async throws -> RemoteProver_Proof {
        let proof = try script([UInt8](request.payload))
        return .with { $0.payload = Data(proof) }
    }
}

/// `ctl load` against a scripted proxy: an honest service (proofs, refusals for load with a
/// message) passes; a proof returned to the wrong caller, a proof that does not verify, a
/// disallowed code and a failure without a message each fail the run, named in its report.
@Suite(.serialized) struct CtlLoadTests {
    static let witnesses = [1, 2].map { seed in
        TransactionInputsCodec.encode(TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: UInt64(seed)))
    }
    static let proofOfFirst: [UInt8] = try! ProvingBackend().prove(.transaction, payload: witnesses[0])

    /// Serves `script` on a free loopback port, runs `ctl load` against it for two seconds and
    /// returns its exit status, its report text and the JSON report's outcomes.
    func load(_ script: @escaping @Sendable ([UInt8]) throws -> [UInt8]) async throws -> (status: Int32, text: String, outcomes: [String: Int]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (k, witness) in Self.witnesses.enumerated() {
            let path = directory.appendingPathComponent("tx\(k).witness").path
            try Data(witness).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let json = directory.appendingPathComponent("report.json").path
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: [ScriptedProxy(script: script)])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try #require(try await server.listeningAddress?.ipv4?.port)
            let arguments = ["load"] + files + ["--proxies", "127.0.0.1:\(port)", "--clients", "2", "--duration", "2s",
                                                "--deadline", "5s", "--busy-pause", "50ms", "--progress-every", "0", "--json", json]
            let (status, text) = try await ExecutableRun.run("ctl", arguments, capturing: .standardOutput)
            server.beginGracefulShutdown()
            try await group.waitForAll()
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
            return (status, text, report?["outcomes"] as? [String: Int] ?? [:])
        }
    }

    static func isFirst(_ witness: [UInt8]) -> Bool { witness == witnesses[0] }

    @Test(.timeLimit(.minutes(2))) func anHonestServiceUnderLoadPasses() async throws {
        let proof = Self.proofOfFirst
        let run = try await load { witness in
            guard Self.isFirst(witness) else { throw RPCError(code: .resourceExhausted, message: "the queue is full (4 jobs waiting)") }
            return proof
        }
        #expect(run.status == 0, "\(run.text)")
        #expect(run.text.contains("PASS"))
        #expect((run.outcomes["OK"] ?? 0) > 0)
        #expect((run.outcomes["RESOURCE_EXHAUSTED"] ?? 0) > 0)
    }

    @Test(.timeLimit(.minutes(2))) func aProofReturnedToTheWrongCallerFails() async throws {
        let proof = Self.proofOfFirst
        let run = try await load { _ in proof }
        #expect(run.status == 1)
        #expect(run.text.contains("FAIL"))
        #expect(run.text.contains("witness 1: the returned proof is for account"), "\(run.text)")
    }

    @Test(.timeLimit(.minutes(2))) func aProofThatDoesNotVerifyFails() async throws {
        var tampered = Self.proofOfFirst
        tampered[tampered.count - 40] ^= 0x01
        let bad = tampered
        let run = try await load { witness in
            guard Self.isFirst(witness) else { throw RPCError(code: .unavailable, message: "no worker") }
            return bad
        }
        #expect(run.status == 1)
        #expect(run.text.contains("the returned proof does not verify"), "\(run.text)")
    }

    @Test(.timeLimit(.minutes(2))) func aDisallowedCodeOrAMissingMessageFails() async throws {
        let proof = Self.proofOfFirst
        let internalError = try await load { witness in
            guard Self.isFirst(witness) else { throw RPCError(code: .internalError, message: "boom") }
            return proof
        }
        #expect(internalError.status == 1)
        #expect(internalError.text.contains("INTERNAL is not an allowed failure: boom"), "\(internalError.text)")

        let silent = try await load { witness in
            guard Self.isFirst(witness) else { throw RPCError(code: .unavailable, message: "") }
            return proof
        }
        #expect(silent.status == 1)
        #expect(silent.text.contains("a UNAVAILABLE failure without a message"), "\(silent.text)")
    }
}
