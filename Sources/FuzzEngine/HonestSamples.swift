import Rollup
import STARK
import STARKExamples

/// The honest payloads the mutants start from, made once with small, fast proof options: two
/// Fibonacci proofs per commitment hash, and from a mock chain two blocks (2 batches of 2
/// transactions, then 1 batch), with every transaction witness, proven transaction, proposed
/// and proven batch, block request and block proof along the way.
public struct HonestSamples: Sendable {
    /// Small but accepted by the verifier (111 bits): the options the tests use.
    public static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4,
                                             friRemainderMaxDegree: 7)
    /// The second Fibonacci proof's options: another folding factor and remainder, and grinding.
    public static let otherOptions = ProofOptions(numQueries: 26, blowupFactor: 16, grindingBits: 8, friFoldingFactor: 8,
                                                  friRemainderMaxDegree: 15)

    /// A Fibonacci statement and its encoded proof.
    public struct FibonacciProof: Sendable {
        public let air: FibonacciAIR
        public let bytes: [UInt8]
    }

    public private(set) var fibonacci: [HashFunction: [FibonacciProof]] = [:]
    public private(set) var transactionInputs: [TransactionInputs] = []
    public private(set) var provenTransactions: [ProvenTransaction] = []
    public private(set) var proposedBatches: [ProposedBatch] = []
    public private(set) var provenBatches: [ProvenBatch] = []
    public private(set) var blockRequests: [BlockProofRequest] = []
    public private(set) var blockProofs: [BlockProof] = []

    /// The chain's shape: `blocks` lists the batches per block and `transactionsPerBatch` their size.
    public struct Shape: Sendable {
        public var blocks: [Int]
        public var transactionsPerBatch: Int
        public var fibonacciRows: [Int]

        public init(blocks: [Int], transactionsPerBatch: Int, fibonacciRows: [Int]) {
            self.blocks = blocks
            self.transactionsPerBatch = transactionsPerBatch
            self.fibonacciRows = fibonacciRows
        }

        /// What `stark-fuzz` uses: two blocks (2 batches of 2 transactions, then 1), Fibonacci 64 and 128 rows.
        public static let campaign = Shape(blocks: [2, 1], transactionsPerBatch: 2, fibonacciRows: [64, 128])
        /// The least that covers every kind (for debug-build tests): one block of one batch of one transaction.
        public static let minimal = Shape(blocks: [1], transactionsPerBatch: 1, fibonacciRows: [32, 64])
    }

    /// Proves the samples (deterministic: no randomness beyond the fixed mock-chain seed).
    public static func make(_ shape: Shape = .campaign, threads: Int = Parallel.coreCount) throws -> HonestSamples {
        var samples = HonestSamples()
        for hash in HashFunction.allCases {
            samples.fibonacci[hash] = try shape.fibonacciRows.enumerated().map { k, rows in
                var options = k % 2 == 0 ? Self.options : Self.otherOptions
                options.hashFunction = hash
                let (trace, result) = FibonacciAIR.trace(rows: rows)
                let air = FibonacciAIR(rows: rows, result: result)
                let proof = try Prover.prove(air: air, trace: trace, options: options, threads: threads)
                return FibonacciProof(air: air, bytes: ProofCodec.encode(proof))
            }
        }

        var chain = MockChain(accounts: 4, seed: 0xF022)
        for batches in shape.blocks {
            let request = try chain.proposeBlock(
                batches: batches, transactionsPerBatch: shape.transactionsPerBatch, notes: 1,
                proveTransaction: { inputs in
                    let proven = try TransactionProver.prove(inputs, options: Self.options, threads: threads)
                    samples.transactionInputs.append(inputs)
                    samples.provenTransactions.append(proven)
                    return proven
                },
                proveBatch: { batch in
                    let proven = try BatchProver.prove(batch, options: Self.options, threads: threads)
                    samples.proposedBatches.append(batch)
                    samples.provenBatches.append(proven)
                    return proven
                })
            let block = try BlockProver.prove(request, options: Self.options, threads: threads)
            try chain.apply(block)
            samples.blockRequests.append(request)
            samples.blockProofs.append(block)
        }
        return samples
    }

    /// The encoded honest samples of `kind`.
    public func payloads(_ kind: FuzzKind) -> [[UInt8]] {
        switch kind {
        case .starkBlake3: fibonacci[.blake3, default: []].map(\.bytes)
        case .starkRPO256: fibonacci[.rpo256, default: []].map(\.bytes)
        case .provenTransaction: provenTransactions.map(ProvenTransactionCodec.encode)
        case .provenBatch: provenBatches.map(ProvenBatchCodec.encode)
        case .blockProof: blockProofs.map(BlockProofCodec.encode)
        case .transactionInputs: transactionInputs.map(TransactionInputsCodec.encode)
        case .proposedBatch: proposedBatches.map(ProposedBatchCodec.encode)
        case .blockRequest: blockRequests.map(BlockProofRequestCodec.encode)
        }
    }
}
