import ArgumentParser
import Foundation
import Rollup
import STARK

/// Options shared by `ctl witness batch` and `ctl witness block`: the mock chain and how its
/// transactions (and batches) get proven.
struct ChainWitnessOptions: ParsableArguments {
    @Option(help: "Accounts in the mock chain (a batch with more transactions than accounts chains some).") var accounts: Int = 8
    @Option(help: "Input and output notes per transaction.") var notes: Int = 1
    @Option(help: "Seed of the deterministic mock chain.") var seed: UInt64 = 1
    @Option(name: .customLong("prove-via"),
            help: ArgumentHelp("Prove through the service: the transaction proxy's HOST:PORT (default: prove locally). The batch proxy is at --batch-proxy, else the same host with port + \(StackLayout.portStride) (the `ctl up` layout).",
                               valueName: "HOST:PORT"))
    var proveVia: String?
    @Option(name: .customLong("batch-proxy"), help: ArgumentHelp("The batch proxy's HOST:PORT, with --prove-via.", valueName: "HOST:PORT"))
    var batchProxy: String?
    @Option(help: "Prover threads when proving locally (default: all cores).") var threads: Int = Parallel.coreCount
    @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String = "-"

    func validate() throws {
        guard (1...10_000).contains(accounts) else { throw ValidationError("--accounts must be in 1...10000") }
        guard (0...64).contains(notes) else { throw ValidationError("--notes must be in 0...64") }
        if let proveVia { _ = try HostPort(parsing: proveVia) }
        if let batchProxy { _ = try HostPort(parsing: batchProxy) }
    }

    /// Proves a transaction witness locally or through the transaction proxy, logging progress on standard error.
    func transactionProver() throws -> MockChain.ProveTransaction {
        let threads = self.threads
        guard let proveVia else {
            return { inputs in try TransactionProver.prove(inputs, threads: threads) }
        }
        let service = ServiceProver(proxy: try HostPort(parsing: proveVia))
        return { inputs in
            try ProvenTransactionCodec.decode(try service.prove(.transaction, TransactionInputsCodec.encode(inputs)))
        }
    }

    /// Proves a proposed batch locally or through the batch proxy.
    func batchProver() throws -> MockChain.ProveBatch {
        let threads = self.threads
        guard let proveVia else {
            return { batch in try BatchProver.prove(batch, threads: threads) }
        }
        let transactionProxy = try HostPort(parsing: proveVia)
        let proxy = try batchProxy.map(HostPort.init(parsing:))
            ?? HostPort(host: transactionProxy.host, port: transactionProxy.port + StackLayout.portStride)
        let service = ServiceProver(proxy: proxy)
        return { batch in try ProvenBatchCodec.decode(try service.prove(.batch, ProposedBatchCodec.encode(batch))) }
    }

    func note(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
}

/// `ctl witness batch`: a proposed batch from the mock chain, its transactions proven.
struct BatchWitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Write a batch witness (ProposedBatch) of proven mock-chain transactions, valid or breaking one rule.")

    @Option(help: "Transactions in the batch.") var txs: Int = 2
    @Option(help: ArgumentHelp("Break one rule: \(BatchViolation.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "RULE"))
    var invalid: String?
    @OptionGroup var chain: ChainWitnessOptions

    func validate() throws {
        guard (1...ProposedBatch.maxTransactions).contains(txs) else { throw ValidationError("--txs must be in 1...\(ProposedBatch.maxTransactions)") }
        if let invalid, BatchViolation(rawValue: invalid) == nil {
            throw ValidationError("unknown rule '\(invalid)'; one of \(BatchViolation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let violation = invalid.flatMap(BatchViolation.init(rawValue:))
        HeapRetention.applyFromEnvironment()
        var mock = MockChain(accounts: chain.accounts, seed: chain.seed)
        let proveTransaction = try chain.transactionProver()
        if violation == .expired {
            // An older header to reference: one block after genesis, without transactions.
            try mock.commitBlock(batches: [])
        }
        chain.note("proving \(txs) transaction(s) \(chain.proveVia.map { "through \($0)" } ?? "locally")…")
        let batch = try mock.proposeBatch(transactions: txs, notes: chain.notes, violating: violation, prove: proveTransaction)
        try writeOutput(ProposedBatchCodec.encode(batch), to: chain.output)
    }
}

/// `ctl witness block`: a block request from the mock chain, its transactions and batches proven.
struct BlockWitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Write a block witness (BlockProofRequest) of proven mock-chain batches, valid or breaking one rule.")

    @Option(help: "Batches in the block.") var batches: Int = 2
    @Option(name: .customLong("txs-per-batch"), help: "Transactions per batch.") var txsPerBatch: Int = 2
    @Option(help: ArgumentHelp("Break one rule: \(BlockViolation.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "RULE"))
    var invalid: String?
    @OptionGroup var chain: ChainWitnessOptions

    func validate() throws {
        guard (1...BlockProofRequest.maxBatches).contains(batches) else { throw ValidationError("--batches must be in 1...\(BlockProofRequest.maxBatches)") }
        guard (1...ProposedBatch.maxTransactions).contains(txsPerBatch) else {
            throw ValidationError("--txs-per-batch must be in 1...\(ProposedBatch.maxTransactions)")
        }
        if let invalid, BlockViolation(rawValue: invalid) == nil {
            throw ValidationError("unknown rule '\(invalid)'; one of \(BlockViolation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if invalid == BlockViolation.duplicateNullifier.rawValue && batches < 2 {
            throw ValidationError("--invalid duplicate-nullifier needs --batches 2 or more")
        }
    }

    func run() throws {
        let violation = invalid.flatMap(BlockViolation.init(rawValue:))
        HeapRetention.applyFromEnvironment()
        var mock = MockChain(accounts: chain.accounts, seed: chain.seed)
        let proveTransaction = try chain.transactionProver()
        let proveBatch = try chain.batchProver()
        let via = chain.proveVia == nil ? "locally" : "through the service"
        if violation == .spentNullifier {
            // A note spent by an earlier block: one block of one transaction first.
            chain.note("proving an earlier block's transaction and batch \(via)…")
            try mock.commitBlock(transactions: 1, notes: max(1, chain.notes), proveTransaction: proveTransaction, proveBatch: proveBatch)
        }
        chain.note("proving \(batches * txsPerBatch) transaction(s) and \(batches) batch(es) \(via)…")
        let request = try mock.proposeBlock(batches: batches, transactionsPerBatch: txsPerBatch, notes: chain.notes, violating: violation,
                                            proveTransaction: proveTransaction, proveBatch: proveBatch)
        try writeOutput(BlockProofRequestCodec.encode(request), to: chain.output)
    }
}
