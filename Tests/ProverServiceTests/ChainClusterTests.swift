import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import ProverService
import Rollup
import STARK
import Wire

/// Batch and block proofs through the real proxy → scheduler → worker processes. Witnesses come
/// from the mock chain, their transactions (and a block's batches) proven in-process; kept tiny
/// for the debug build: 2 transactions with 1 note each per batch, 2 batches per block.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ChainClusterTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    static func proveTransaction(_ inputs: TransactionInputs) throws -> ProvenTransaction {
        try TransactionProver.prove(inputs, options: options, threads: 2)
    }

    static func proveBatch(_ batch: ProposedBatch) throws -> ProvenBatch {
        try BatchProver.prove(batch, options: options, threads: 2)
    }

    func prove(_ cluster: LocalCluster, _ kind: ProofKind, _ payload: [UInt8]) async throws -> [UInt8] {
        try await cluster.withProxy {
            let proof = try await RemoteProver_Api.Client(wrapping: $0).prove(
                .with { $0.proofType = kind.wire; $0.payload = Data(payload) }, options: PayloadLimits.callOptions())
            return [UInt8](proof.payload)
        }
    }

    func refusal(_ body: () async throws -> Void) async -> RPCError? {
        do { try await body(); return nil } catch let error as RPCError { return error } catch { return RPCError(code: .unknown, message: "\(error)") }
    }

    @Test func aBatchRoundTripsAndBadBatchesAreRefused() async throws {
        let cluster = try LocalCluster(workers: 1, kind: .batch)
        defer { cluster.shutdown() }
        var chain = MockChain(accounts: 4, seed: 31)
        let batch = try chain.proposeBatch(transactions: 2, notes: 1, prove: Self.proveTransaction)
        var broken = chain
        let tampered = try broken.proposeBatch(transactions: 2, notes: 1, violating: .tamperedProof, prove: Self.proveTransaction)
        try await cluster.waitForStatus("worker healthy") { $0.workers.first?.status == .healthy }

        let proven = try ProvenBatchCodec.decode(try await prove(cluster, .batch, ProposedBatchCodec.encode(batch)))
        try proven.verify()
        #expect(proven.transactionIDs == batch.transactions.map(\.transactionID))
        #expect(proven.id == Hash.words(batch.transactions.map(\.transactionID)))
        #expect(proven.referenceBlock == chain.header.reference)

        // A flipped byte in transaction 1's proof: refused, naming the transaction.
        let bad = await refusal { _ = try await prove(cluster, .batch, ProposedBatchCodec.encode(tampered)) }
        #expect(bad?.code == .invalidArgument)
        #expect(bad?.message.contains("transaction 1") == true, "\(String(describing: bad))")

        // A transaction witness sent as a batch: refused, naming what it is.
        let transactionWitness = TransactionInputsCodec.encode(chain.transactionInputs(for: chain.accountIDs[0], notes: 1))
        let wrongKind = await refusal { _ = try await prove(cluster, .batch, transactionWitness) }
        #expect(wrongKind?.code == .invalidArgument)
        #expect(wrongKind?.message.contains("batch witness") == true, "\(String(describing: wrongKind))")
        #expect(wrongKind?.message.contains("MTXI") == true, "\(String(describing: wrongKind))")

        // 5 MiB (above gRPC's 4 MiB default) pass every hop: proxy, scheduler and worker; the
        // worker's decoder is what refuses this one.
        let big = PayloadKind.proposedBatch.magic + [UInt8](repeating: 0xFF, count: 5 << 20)
        let tooBig = await refusal { _ = try await prove(cluster, .batch, big) }
        #expect(tooBig?.code == .invalidArgument)
        #expect(tooBig?.message.contains("batch witness") == true, "\(String(describing: tooBig))")

        // A batch witness sent to a batch proxy as a block: refused by the proxy.
        let wrongType = await refusal { _ = try await prove(cluster, .block, ProposedBatchCodec.encode(batch)) }
        #expect(wrongType?.code == .invalidArgument)
    }

    @Test func aBlockRoundTripsAndTheChainAppliesIt() async throws {
        let cluster = try LocalCluster(workers: 1, kind: .block)
        defer { cluster.shutdown() }
        var chain = MockChain(accounts: 3, seed: 41)
        let request = try chain.proposeBlock(batches: 2, transactionsPerBatch: 2, notes: 1,
                                             proveTransaction: Self.proveTransaction, proveBatch: Self.proveBatch)
        try await cluster.waitForStatus("worker healthy") { $0.workers.first?.status == .healthy }

        let block = try BlockProofCodec.decode(try await prove(cluster, .block, BlockProofRequestCodec.encode(request)))
        try block.verify()
        #expect(block.header == (try chain.expectedHeader(for: request)))
        try chain.apply(block)
        #expect(chain.header.number == 1)
        #expect(chain.accountTree.root == block.header.accountRoot)

        // A batch witness sent as a block: refused, naming what it is.
        let batchWitness = ProposedBatchCodec.encode(ProposedBatch(referenceBlock: chain.header, transactions: []))
        let wrongKind = await refusal { _ = try await prove(cluster, .block, batchWitness) }
        #expect(wrongKind?.code == .invalidArgument)
        #expect(wrongKind?.message.contains("block witness") == true, "\(String(describing: wrongKind))")
    }
}
