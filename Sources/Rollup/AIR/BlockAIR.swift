import STARK

/// The block statement's tree transitions as one STARK: every account and nullifier leaf update
/// is a depth-64 sparse-tree path walked twice side by side (old leaf → current root, new leaf →
/// next root) over the same siblings.
///
/// The trace is cut into segments of 64 cycles × 8 rows (one RPO256 permutation per cycle, as in
/// the hasher chiplet), one segment per leaf update, then padding segments. Columns (see
/// `BlockColumns`): the old chain's state A (12), the new chain's state B (12), the direction bit
/// of the level, the remaining leaf index, two products that make the index's bits canonical,
/// the segment flags (account update, nullifier update), and the two tree roots as registers.
///
/// What the constraints say, per update segment (flag `act` = account or nullifier):
/// - both chains run the permutation rounds; every cycle starts with zero capacity and puts the
///   previous digest left or right by the level's bit, the other half (the sibling) being equal in
///   A and B;
/// - index = 2·(next level's index) + bit, and the 64th level leaves 0: the bits are the leaf
///   index; "all top 32 bits set ⇒ all low 32 bits clear" makes them its canonical encoding;
/// - A's digest (the segment's last row) equals the tree's root register, and at the segment's
///   end the register takes B's digest; registers stay constant otherwise;
/// - the segment's first row offers (tree, index, old leaf, new leaf) on a LogUp bus; the verifier
///   takes the statement's leaf updates from it, so each is done exactly once;
/// - the layout is the statement's: updates form a prefix, accounts before nullifiers, padding only
///   after them, and the last segment's kind is asserted (no transition leaves it).
/// Boundary assertions: the registers start at the previous header's roots and end at the new
/// header's. Every header field is a public input; the header commitment is a hash of them.
public struct BlockAIR: AIR {
    public static let cycles = 64
    public static let segmentRows = cycles * HasherChiplet.cycle

    public let statement: BlockStatement
    public let updates: [LeafUpdate]
    public let traceInfo: TraceInfo

    /// The statement's AIR.
    public init(statement: BlockStatement) {
        self.statement = statement
        updates = statement.leafUpdates
        traceInfo = BlockAIR.traceInfo(updates: updates.count)
    }

    /// The trace shape for `updates` leaf updates, known before any leaf is hashed.
    public static func traceInfo(updates: Int) -> TraceInfo {
        TraceInfo(mainWidth: BlockColumns.width, auxWidth: 1, auxChallenges: 2, length: rows(updates: updates))
    }

    /// Trace rows for `updates` leaf updates: one segment each (at least one), rounded up to a power of two.
    public static func rows(updates: Int) -> Int {
        var rows = segmentRows
        while rows < updates * segmentRows { rows <<= 1 }
        return rows
    }

    public var publicInputs: [Felt] { statement.elements }

    public var mainConstraintDegrees: [TransitionConstraintDegree] {
        let round = TransitionConstraintDegree(7, cycles: [8])
        let seg = BlockAIR.segmentRows
        func d(_ base: Int, _ cycle: Int? = nil) -> TransitionConstraintDegree {
            cycle.map { TransitionConstraintDegree(base, cycles: [$0]) } ?? TransitionConstraintDegree(base)
        }
        return Array(repeating: round, count: 24)
            + Array(repeating: d(1, 8), count: 4)          // bit, index, low, high constant within a cycle
            + Array(repeating: d(1, seg), count: 2)        // segment flags constant within a segment
            + Array(repeating: d(2), count: 4)             // booleans and exclusive flags
            + [d(1, seg), d(1, seg)]                       // index steps, index ends at 0
            + [d(1, seg), d(1, seg), d(2, seg), d(2, seg), d(2, seg)]  // canonical index
            + Array(repeating: d(2, 8), count: 8)          // zero capacity at cycle starts
            + Array(repeating: d(3, 8), count: 4)          // shared siblings
            + Array(repeating: d(3, seg), count: 8)        // digest feeds the next level
            + Array(repeating: d(1, seg), count: 8)        // registers constant within a segment
            + Array(repeating: d(2, seg), count: 16)       // roots checked and advanced at segment ends
            + [d(2, seg), d(2, seg)]                       // layout: padding only after updates, nullifiers after accounts
    }

    public var auxConstraintDegrees: [TransitionConstraintDegree] { [TransitionConstraintDegree(3, cycles: [BlockAIR.segmentRows])] }

    public var periodicColumns: [[Felt]] { HasherChiplet.periodicColumns + BlockColumns.segmentPeriodicColumns }

    public var mainAssertions: [Assertion<Felt>] {
        let last = traceInfo.length - 1
        let previous = statement.previousHeader, header = statement.header
        var out: [Assertion<Felt>] = []
        func word(_ column: Int, _ row: Int, _ w: Word) {
            for j in 0..<4 { out.append(Assertion(column: column + j, step: row, value: w[j])) }
        }
        word(BlockColumns.accountRoot, 0, previous.accountRoot)
        word(BlockColumns.nullifierRoot, 0, previous.nullifierRoot)
        // The last segment's kind, which no transition reaches beyond: with the layout constraints
        // and the bus, every segment's place is then fixed by the statement.
        let fills = updates.count * BlockAIR.segmentRows == traceInfo.length
        let lastTree = fills ? updates.last?.tree : nil
        out.append(Assertion(column: BlockColumns.isAccount, step: last, value: lastTree == .account ? .one : .zero))
        out.append(Assertion(column: BlockColumns.isNullifier, step: last, value: lastTree == .nullifier ? .one : .zero))
        // The new roots: in the registers after a padding segment; when the updates fill the trace,
        // the last update's new chain ends at its tree's new root and the other register holds the other.
        if let lastTree {
            if lastTree == .account {
                word(BlockColumns.b, last, header.accountRoot)
                word(BlockColumns.nullifierRoot, last, header.nullifierRoot)
            } else {
                word(BlockColumns.accountRoot, last, header.accountRoot)
                word(BlockColumns.b, last, header.nullifierRoot)
            }
        } else {
            word(BlockColumns.accountRoot, last, header.accountRoot)
            word(BlockColumns.nullifierRoot, last, header.nullifierRoot)
        }
        return out
    }

    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] {
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        var expected = QuadFelt.zero
        for u in updates {
            let m = BlockColumns.message(isAccount: QuadFelt(u.tree == .account ? Felt.one : .zero),
                                         isNullifier: QuadFelt(u.tree == .nullifier ? Felt.one : .zero),
                                         index: QuadFelt(Felt(u.index)),
                                         old: u.oldLeaf.elements.map { QuadFelt($0) }, new: u.newLeaf.elements.map { QuadFelt($0) },
                                         alpha: alpha)
            expected += (beta - m).inverse()
        }
        return [Assertion(column: 0, step: 0, value: .zero), Assertion(column: 0, step: traceInfo.length - 1, value: expected)]
    }

    public func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>) {
        BlockColumns.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>) {
        BlockColumns.evaluate(frame.current.baseAddress!, frame.next.baseAddress!, periodic: periodic.baseAddress!, result: result.baseAddress!)
    }

    public func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {
        HasherChiplet.withAlphaPowers(challenges[0]) { alpha in
            let s = main.current.baseAddress!
            let first = periodic[BlockColumns.periodicFirst]
            let m = BlockColumns.rowMessage(s, alpha: alpha)
            let multiplicity = first * (s[BlockColumns.isAccount] + s[BlockColumns.isNullifier])
            result[0] = (aux.next[0] - aux.current[0]) * (challenges[1] - m) - multiplicity
        }
    }

    /// The prover's fast Σ αₖ·Cₖ (see `BlockTransitionCombination`).
    public func transitionCombination(coefficients: [QuadFelt], challenges: [QuadFelt]) -> (any TransitionCombination)? {
        BlockTransitionCombination(coefficients: coefficients, challenges: challenges)
    }

    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] {
        let n = main.length
        let alpha = HasherChiplet.alphaPowers(challenges[0])
        let beta = challenges[1]
        // Only segment-first rows of update segments carry a message.
        let starts = stride(from: 0, to: n, by: BlockAIR.segmentRows).filter {
            main[BlockColumns.isAccount, $0] + main[BlockColumns.isNullifier, $0] != .zero
        }
        var denominators = [QuadFelt](repeating: .one, count: starts.count)
        var row = [QuadFelt](repeating: .zero, count: BlockColumns.width)
        alpha.withUnsafeBufferPointer { a in
            for (k, r) in starts.enumerated() {
                for c in 0..<BlockColumns.width { row[c] = QuadFelt(main[c, r]) }
                denominators[k] = beta - row.withUnsafeBufferPointer { BlockColumns.rowMessage($0.baseAddress!, alpha: a.baseAddress!) }
            }
        }
        let inverses = BatchInversion.invert(denominators)
        var sum = [QuadFelt](repeating: .zero, count: n)
        var running = QuadFelt.zero
        var next = 0
        for i in 0..<(n - 1) {
            if next < starts.count && starts[next] == i {
                running += inverses[next]
                next += 1
            }
            sum[i + 1] = running
        }
        return [sum]
    }
}
