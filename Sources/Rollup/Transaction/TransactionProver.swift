import STARK

/// Proves transactions: executes the witness (refusing one that breaks a rule), builds the
/// transaction trace and proves it against `TransactionAIR`.
public enum TransactionProver {
    /// The statement, AIR and trace for a witness; throws `ProtocolError` for a witness that breaks a rule.
    public static func trace(for inputs: TransactionInputs) throws(ProtocolError) -> (air: TransactionAIR, trace: TraceTable, outcome: TransactionOutcome) {
        let outcome = try TransactionExecutor.execute(inputs)
        let (air, trace) = try trace(inputs: inputs, outcome: outcome)
        return (air, trace, outcome)
    }

    /// The AIR and trace for a witness and a claimed outcome, without checking the rules: the
    /// prover's path after `TransactionExecutor`. `checked: false` also skips the schedule and
    /// ledger checks, which is how tests forge a trace that breaks exactly one rule.
    static func trace(inputs: TransactionInputs, outcome: TransactionOutcome, checked: Bool = true) throws(ProtocolError) -> (air: TransactionAIR, trace: TraceTable) {
        let statement = TransactionPublicInputs(inputs: inputs, outcome: outcome)
        try statement.shape.validate()
        let air = TransactionAIR(statement: statement)
        let schedule = TransactionSchedule(inputs: inputs, after: outcome.finalAccount)
        let matches = schedule.hashes.count == air.schedule.hashes.count
            && zip(schedule.hashes, air.schedule.hashes).allSatisfy({ real, expected in
                  real.blocks.map(\.modes) == expected.blocks.map(\.modes) && real.blocks.map(\.low) == expected.blocks.map(\.low)
                      && real.blocks.map(\.high) == expected.blocks.map(\.high) && real.digestPort == expected.digestPort
                      && real.capacity == expected.capacity
              })
        if checked && !matches { throw .invalid("internal: the witness's schedule differs from the statement's") }
        let rows = air.traceInfo.length
        var columns = [[Felt]](repeating: [Felt](repeating: .zero, count: rows), count: air.traceInfo.mainWidth)
        HasherChiplet.fill(&columns, offset: 0, jobs: schedule.hashes.map(\.job))
        for r in 0..<rows {
            columns[TransactionAIR.nonceColumn][r] = schedule.nonce
            for j in 0..<4 { columns[TransactionAIR.codeColumn + j][r] = schedule.codeRoot[j] }
        }
        if checked {
            try LedgerSection.fill(&columns, offset: TransactionAIR.ledgerOffset, messages: schedule.assetMessages)
        } else {
            LedgerSection.fill(&columns, offset: TransactionAIR.ledgerOffset, rows: LedgerSection.uncheckedRows(schedule.assetMessages))
        }
        return (air, TraceTable(columns: columns))
    }

    /// Proves the transaction: the published `ProvenTransaction` with its STARK proof; `cancellation`
    /// stops it between phases (`StarkError.cancelled`).
    public static func prove(
        _ inputs: TransactionInputs, options: ProofOptions = .default, threads: Int = Parallel.coreCount,
        timings: PhaseTimings? = nil, cancellation: ProofCancellation? = nil
    ) throws -> ProvenTransaction {
        let (air, trace, outcome) = try trace(for: inputs)
        let proof = try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings, cancellation: cancellation)
        return ProvenTransaction(outcome: outcome, shape: air.statement.shape, proof: ProofCodec.encode(proof))
    }

    /// Verifies a transaction proof against its public inputs. The shape is checked against the
    /// limits and the proof decoded and screened against the shape's trace (options, security,
    /// trace shape) before the AIR is built; a shape outside the limits is refused as a failed
    /// verification naming it.
    public static func verify(statement: TransactionPublicInputs, proof: [UInt8]) throws(StarkError) {
        try Verifier.verify(proofBytes: proof, expectedTraceInfo: expectedTraceInfo(statement)) { TransactionAIR(statement: statement) }
    }

    /// Decodes a transaction proof and runs the verifier's checks that need no AIR (`Verifier.screen`).
    static func screen(statement: TransactionPublicInputs, proof: [UInt8]) throws(StarkError) -> StarkProof {
        try Verifier.screen(proofBytes: proof, expectedTraceInfo: expectedTraceInfo(statement))
    }

    /// The statement's trace shape, counted from its shape; a shape outside the limits fails verification.
    static func expectedTraceInfo(_ statement: TransactionPublicInputs) throws(StarkError) -> TraceInfo {
        do { return try TransactionAIR.traceInfo(for: statement.shape) } catch {
            throw .verificationFailed("transaction statement: \(error)")
        }
    }
}
