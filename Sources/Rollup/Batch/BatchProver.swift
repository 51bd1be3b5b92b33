import STARK

/// Proves batches: verifies every transaction proof, checks the batch rules (reference block,
/// expiration, no nullifier twice, account commitments chain in order), then proves `BatchAIR`
/// binding the batch id and the output-note tree root to the listed transaction and note ids.
public enum BatchProver {
    /// Proves `batch`; throws `ProtocolError.invalid("transaction K (…): …")` for a transaction
    /// whose proof does not verify or that breaks a rule, and `StarkError` if proving fails (or is
    /// stopped by `cancellation`).
    public static func prove(
        _ batch: ProposedBatch, options: ProofOptions = .default, threads: Int = Parallel.coreCount,
        timings: PhaseTimings? = nil, cancellation: ProofCancellation? = nil
    ) throws -> ProvenBatch {
        let transactions = batch.transactions
        let headers = try check(batch, threads: threads, timings: timings)
        let ids = headers.map(\.id)

        let statement = BatchPublicInputs(transactionIDs: ids, noteIDs: headers.flatMap { $0.outputNotes.map(\.id) })
        let air = BatchAIR(statement: statement)
        try cancellation?.check(before: "batch trace build")  // checking the transactions may take a while
        let trace = PhaseTimings.measure(timings, "trace build") { air.trace() }
        let proof = try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings, cancellation: cancellation)
        return ProvenBatch(id: statement.batchID, referenceBlock: batch.referenceBlock.reference, transactions: headers,
                           noteTreeRoot: statement.noteTreeRoot, expiration: transactions.map(\.expiration).min()!,
                           proof: ProofCodec.encode(proof))
    }

    /// Everything `prove` checks before it proves: the sizes, every transaction proof, each
    /// transaction's reference block (not after the batch's) and expiration (after it), no
    /// nullifier twice and account commitments chaining in order. Returns the transactions'
    /// headers; throws `ProtocolError.invalid("transaction K (…): …")` naming the first failure.
    public static func check(_ batch: ProposedBatch, threads: Int = Parallel.coreCount,
                             timings: PhaseTimings? = nil) throws -> [TransactionHeader] {
        let transactions = batch.transactions
        try BatchRules.checkSizes(transactionCount: transactions.count,
                                  outputNoteCount: transactions.reduce(0) { $0 + $1.outputNotes.count })
        try PhaseTimings.measure(timings, "verify transactions") { try verifyTransactions(transactions, threads: threads) }
        let headers = transactions.map(TransactionHeader.init)
        let reference = batch.referenceBlock.number
        for (k, tx) in transactions.enumerated() {
            guard tx.referenceBlock.number <= reference else {
                throw ProtocolError.invalid("\(BatchRules.name(k, headers[k].id)): reference block \(tx.referenceBlock.number) is after the batch's reference block \(reference)")
            }
            guard tx.expiration > reference else {
                throw ProtocolError.invalid("\(BatchRules.name(k, headers[k].id)): expired at block \(tx.expiration), not after the batch's reference block \(reference)")
            }
        }
        try BatchRules.checkNullifiersAndAccountChains(headers)
        return headers
    }

    /// Verifies a batch proof against its public inputs (including the values no hash computes).
    /// The list sizes are bounded and the proof decoded and screened against the statement's
    /// trace shape (options, security, trace shape) before the AIR is built.
    public static func verify(statement: BatchPublicInputs, proof: [UInt8]) throws {
        try statement.checkSizes()
        try statement.checkUnhashedValues()
        try Verifier.verify(proofBytes: proof, expectedTraceInfo: BatchAIR.traceInfo(for: statement)) { BatchAIR(statement: statement) }
    }

    /// Verifies every transaction proof, spread over `threads` cores; throws for the first
    /// (lowest-index) transaction whose proof does not verify.
    static func verifyTransactions(_ transactions: [ProvenTransaction], threads: Int) throws {
        var failures = [String?](repeating: nil, count: transactions.count)
        failures.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(transactions.count, threads: threads) { k in
                do {
                    try transactions[k].verify()
                } catch {
                    out[k] = "\(BatchRules.name(k, transactions[k].transactionID)): proof does not verify: \(error)"
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw ProtocolError.invalid(failure) }
    }
}
