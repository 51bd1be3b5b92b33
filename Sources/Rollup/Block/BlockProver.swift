import STARK

/// Proves blocks: verifies every batch proof, checks the block rules against the witness, applies
/// the account and nullifier updates to the previous trees (through the witness paths) and proves
/// the transition with `BlockAIR`.
public enum BlockProver {
    /// The statement, AIR and trace steps for a request; throws `ProtocolError` naming the batch,
    /// account or nullifier that breaks a rule.
    public static func prepare(_ request: BlockProofRequest, threads: Int = Parallel.coreCount, timings: PhaseTimings? = nil) throws -> (statement: BlockStatement, steps: [BlockTraceStep], proof: BlockProof) {
        let previous = request.previousHeader
        guard request.batches.count <= BlockProofRequest.maxBatches else {
            throw ProtocolError.invalid("\(request.batches.count) batches; at most \(BlockProofRequest.maxBatches)")
        }
        guard previous.number < UInt32.max else { throw ProtocolError.invalid("block number \(previous.number) cannot be incremented") }
        let number = previous.number + 1
        // Bound the work before doing any: accounts touched and nullifiers spent, as the batches list them.
        let touched = Set(request.batches.flatMap { $0.transactions.map(\.accountID) }).count
        let spent = request.batches.reduce(0) { $0 + $1.transactions.reduce(0) { $0 + $1.nullifiers.count } }
        guard touched + spent <= BlockProofRequest.maxTreeUpdates else {
            throw ProtocolError.invalid("the block updates \(touched) accounts and \(spent) nullifiers; at most \(BlockProofRequest.maxTreeUpdates) tree updates in all")
        }
        try PhaseTimings.measure(timings, "verify batches") { try verifyBatches(request.batches, threads: threads) }
        return try PhaseTimings.measure(timings, "rules and tree updates") { try applyRules(request, number: number, threads: threads) }
    }

    /// The block rules on verified batches, then the tree updates through the witness paths.
    static func applyRules(_ request: BlockProofRequest, number: UInt32, threads: Int) throws -> (statement: BlockStatement, steps: [BlockTraceStep], proof: BlockProof) {
        let previous = request.previousHeader
        let updates = try BlockRules.accountUpdates(request.batches, blockNumber: number, previous: previous)
        let nullifiers = try BlockRules.nullifiers(request.batches)

        // Account tree: one witness per updated account, leaf = the first initial commitment.
        var accounts = PartialSparseMerkleTree(root: previous.accountRoot)
        let accountWitnesses = try BlockRules.witnessesByKey(request.accountWitnesses, tree: "account")
        var accountLeaves: [(index: UInt64, leaf: Word, path: MerklePath)] = []
        for u in updates {
            guard let w = accountWitnesses[u.key] else { throw ProtocolError.invalid("account \(u.accountID): no account-tree witness") }
            guard w.entries == [SparseMerkleTree.Entry(key: u.key, value: u.initialCommitment)] else {
                if w.entries.isEmpty { throw ProtocolError.invalid("account \(u.accountID) is not in the account tree") }
                throw ProtocolError.invalid("account \(u.accountID): the account tree holds another commitment than its first transaction starts from (stale state)")
            }
            accountLeaves.append((w.index, SparseMerkleTree.leafHash(w.entries), w.path))
        }
        try accounts.add(accountLeaves, threads: threads) { "account \(updates[$0].accountID): witness path" }
        if accountWitnesses.count != updates.count {
            let updated = Set(updates.map(\.key))
            let extra = accountWitnesses.keys.first { !updated.contains($0) }!
            throw ProtocolError.invalid("account witness for \(extra.e3), which no batch updates")
        }

        // Nullifier tree: every new nullifier's leaf must be empty.
        var spent = PartialSparseMerkleTree(root: previous.nullifierRoot)
        let nullifierWitnesses = try BlockRules.witnessesByKey(request.nullifierWitnesses, tree: "nullifier")
        var nullifierLeaves: [(index: UInt64, leaf: Word, path: MerklePath)] = []
        for n in nullifiers {
            guard let w = nullifierWitnesses[n] else { throw ProtocolError.invalid("nullifier \(n): no nullifier-tree witness") }
            if let entry = w.entries.first(where: { $0.key == n }) {
                throw ProtocolError.invalid("nullifier \(n) is already spent (in block \(entry.value.e0))")
            }
            guard w.entries.isEmpty else {
                throw ProtocolError.invalid("nullifier \(n) shares its leaf index with a spent nullifier; such leaves are not supported")
            }
            nullifierLeaves.append((w.index, .zero, w.path))
        }
        try spent.add(nullifierLeaves, threads: threads) { "nullifier \(nullifiers[$0]): witness path" }
        if nullifierWitnesses.count != nullifiers.count {
            let listed = Set(nullifiers)
            let extra = nullifierWitnesses.keys.first { !listed.contains($0) }!
            throw ProtocolError.invalid("nullifier witness for \(extra), which no batch spends")
        }

        // Apply the updates in statement order, recording each path and both roots before it. Each
        // tree's updates are applied as one batch (in order); the other tree's root is the one
        // after its last update so far.
        let leafUpdates = BlockStatement.leafUpdates(accountUpdates: updates, nullifiers: nullifiers, blockNumber: number)
        let accountUpdates = leafUpdates.filter { $0.tree == .account }
        let nullifierUpdates = leafUpdates.filter { $0.tree != .account }
        let accountSteps = accounts.update(accountUpdates.map { ($0.index, $0.newLeaf) }, threads: threads)
        let nullifierSteps = spent.update(nullifierUpdates.map { ($0.index, $0.newLeaf) }, threads: threads)
        var steps: [BlockTraceStep] = []
        steps.reserveCapacity(leafUpdates.count)
        var (accountsDone, nullifiersDone) = (0, 0)
        func rootBefore(_ done: Int, _ treeSteps: [(siblings: [Word], rootBefore: Word)], final: Word) -> Word {
            done < treeSteps.count ? treeSteps[done].rootBefore : final
        }
        for u in leafUpdates {
            let accountRoot = rootBefore(accountsDone, accountSteps, final: accounts.root)
            let nullifierRoot = rootBefore(nullifiersDone, nullifierSteps, final: spent.root)
            let siblings: [Word]
            if u.tree == .account {
                siblings = accountSteps[accountsDone].siblings
                accountsDone += 1
            } else {
                siblings = nullifierSteps[nullifiersDone].siblings
                nullifiersDone += 1
            }
            steps.append(BlockTraceStep(update: u, siblings: siblings, accountRoot: accountRoot, nullifierRoot: nullifierRoot))
        }

        let transactionIDs = request.batches.flatMap(\.transactionIDs)
        let noteRoots = request.batches.map(\.noteTreeRoot)
        let header = BlockHeader(
            number: number, previousCommitment: previous.commitment, accountRoot: accounts.root, nullifierRoot: spent.root,
            noteRoot: DenseMerkleTree(padding: noteRoots).root, transactionCommitment: Hash.words(transactionIDs))
        let statement = BlockStatement(previousHeader: previous, header: header, accountUpdates: updates, nullifiers: nullifiers)
        let unproven = BlockProof(header: header, previousHeader: previous, accountUpdates: updates, nullifiers: nullifiers,
                                  batchNoteRoots: noteRoots, transactionIDs: transactionIDs, proof: [])
        return (statement, steps, unproven)
    }

    /// Proves the block: the published `BlockProof` with its STARK proof; `cancellation` stops it
    /// between phases (`StarkError.cancelled`).
    public static func prove(
        _ request: BlockProofRequest, options: ProofOptions = .default, threads: Int = Parallel.coreCount,
        timings: PhaseTimings? = nil, cancellation: ProofCancellation? = nil
    ) throws -> BlockProof {
        let (statement, steps, unproven) = try prepare(request, threads: threads, timings: timings)
        try cancellation?.check(before: "block trace build")  // the tree updates may take a while
        let air = BlockAIR(statement: statement)
        let trace = PhaseTimings.measure(timings, "trace build") { BlockTrace.build(air: air, steps: steps, threads: threads) }
        let proof = try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings, cancellation: cancellation)
        var block = unproven
        block.proof = ProofCodec.encode(proof)
        return block
    }

    /// Verifies a block proof's STARK against its statement. The number of tree updates is
    /// bounded and the proof decoded and screened against the statement's trace shape (options,
    /// security, trace shape) before the AIR (and its leaf hashes) is built.
    public static func verify(statement: BlockStatement, proof: [UInt8]) throws(StarkError) {
        let updates = statement.accountUpdates.count + statement.nullifiers.count
        guard updates <= BlockProofRequest.maxTreeUpdates else {
            throw .verificationFailed("block statement: \(updates) tree updates; at most \(BlockProofRequest.maxTreeUpdates)")
        }
        try Verifier.verify(proofBytes: proof, expectedTraceInfo: BlockAIR.traceInfo(updates: updates)) { BlockAIR(statement: statement) }
    }

    /// Verifies every batch proof, spread over `threads` cores; throws naming the first bad batch.
    static func verifyBatches(_ batches: [ProvenBatch], threads: Int) throws {
        var failures = [String?](repeating: nil, count: batches.count)
        failures.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out.baseAddress!)
            Parallel.forEach(batches.count, threads: threads) { k in
                do { try batches[k].verify() } catch { shared.value[k] = "\(error)" }
            }
        }
        if let k = failures.firstIndex(where: { $0 != nil }) {
            throw ProtocolError.invalid("batch \(k) (id \(batches[k].id.e0)…): proof does not verify: \(failures[k]!)")
        }
    }
}
