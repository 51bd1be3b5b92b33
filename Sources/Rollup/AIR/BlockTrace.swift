import STARK

/// One leaf update as the block trace runs it: the update, the siblings of its path at the time
/// it is applied (bottom-up), and both root registers before it.
public struct BlockTraceStep: Sendable {
    public var update: LeafUpdate
    public var siblings: [Word]
    public var accountRoot: Word
    public var nullifierRoot: Word
}

/// One 512-row segment of a block trace: a leaf update, or padding that carries both roots.
enum BlockTraceSegment: Sendable {
    case update(BlockTraceStep)
    case padding(accountRoot: Word, nullifierRoot: Word)
}

/// Fills the block AIR's trace: one segment per step (in parallel: segments are independent once
/// the paths and roots are known), then padding segments.
enum BlockTrace {
    static func build(air: BlockAIR, steps: [BlockTraceStep], threads: Int) -> TraceTable {
        let segments = air.traceInfo.length / BlockAIR.segmentRows
        precondition(steps.count <= segments, "the trace has no room for every step")
        let header = air.statement.header
        let padding = BlockTraceSegment.padding(accountRoot: header.accountRoot, nullifierRoot: header.nullifierRoot)
        return build(segments: steps.map { .update($0) } + Array(repeating: padding, count: segments - steps.count), threads: threads)
    }

    /// The trace of these segments in this order (their count a power of two). The honest layout
    /// is `build(air:steps:threads:)`'s; tests lay out others to forge.
    static func build(segments: [BlockTraceSegment], threads: Int) -> TraceTable {
        let n = segments.count * BlockAIR.segmentRows, width = BlockColumns.width
        precondition(n & (n - 1) == 0, "a block trace has a power-of-two number of segments")
        // The segments are written straight into the trace's columns (no second copy of the trace).
        var columns = [[Felt]](repeating: [], count: width)
        for c in 0..<width { columns[c] = [Felt](repeating: .zero, count: n) }
        withMutableColumnPointers(&columns) { pointers in
            pointers.withUnsafeBufferPointer { table in
                let shared = UncheckedSendable(table.baseAddress!)
                Parallel.forRanges(segments.count, threads: threads, minChunk: 1) { range in
                    for segment in range {
                        let writer = SegmentWriter(columns: shared.value, first: segment * BlockAIR.segmentRows)
                        switch segments[segment] {
                        case .update(let step): writer.update(step)
                        case .padding(let accountRoot, let nullifierRoot): writer.padding(roots: (accountRoot, nullifierRoot))
                        }
                    }
                }
            }
        }
        return TraceTable(columns: columns)
    }

    /// Calls `body` with a base pointer into each column's storage (stable for the call).
    private static func withMutableColumnPointers<R>(_ columns: inout [[Felt]], _ body: ([UnsafeMutablePointer<Felt>]) -> R) -> R {
        columns.withUnsafeMutableBufferPointer { outer in
            var pointers: [UnsafeMutablePointer<Felt>] = []
            pointers.reserveCapacity(outer.count)
            func recurse(_ k: Int) -> R {
                if k == outer.count { return body(pointers) }
                return outer[k].withUnsafeMutableBufferPointer { column in
                    pointers.append(column.baseAddress!)
                    return recurse(k + 1)
                }
            }
            return recurse(0)
        }
    }
}

/// Writes one segment of the trace through a pointer to each column.
private struct SegmentWriter {
    let columns: UnsafePointer<UnsafeMutablePointer<Felt>>
    let first: Int

    func set(_ column: Int, _ row: Int, _ value: Felt) { columns[column][first + row] = value }

    /// Records one permutation of `state` into lanes `lane..<lane+12` of cycle `cycle` (8 rows).
    func permutation(_ state: inout RPO256.State, lane: Int, cycle: Int) {
        for r in 0..<HasherChiplet.cycle {
            let row = cycle * HasherChiplet.cycle + r
            for j in 0..<12 { set(lane + j, row, state[j]) }
            if r < 7 { RPO256.applyRound(&state, round: r) }
        }
    }

    func fill(_ column: Int, _ value: Felt) {
        for r in 0..<BlockAIR.segmentRows { set(column, r, value) }
    }

    func registers(_ account: Word, _ nullifier: Word) {
        for j in 0..<4 {
            fill(BlockColumns.accountRoot + j, account[j])
            fill(BlockColumns.nullifierRoot + j, nullifier[j])
        }
    }

    func update(_ step: BlockTraceStep) {
        let u = step.update
        var old = u.oldLeaf, new = u.newLeaf
        var low = Felt.one, high = Felt.one
        for level in 0..<BlockAIR.cycles {
            let bit = (u.index >> UInt64(level)) & 1
            if level < 32 { low = bit == 1 ? .zero : low } else { high = bit == 1 ? high : .zero }
            let sibling = step.siblings[level].elements
            var stateA = RPO256.State((bit == 1 ? sibling + old.elements : old.elements + sibling) + [.zero, .zero, .zero, .zero])
            var stateB = RPO256.State((bit == 1 ? sibling + new.elements : new.elements + sibling) + [.zero, .zero, .zero, .zero])
            permutation(&stateA, lane: BlockColumns.a, cycle: level)
            permutation(&stateB, lane: BlockColumns.b, cycle: level)
            old = Word(stateA.digest)
            new = Word(stateB.digest)
            for r in 0..<HasherChiplet.cycle {
                let row = level * HasherChiplet.cycle + r
                set(BlockColumns.bit, row, Felt(bit))
                set(BlockColumns.index, row, Felt(u.index >> UInt64(level)))
                set(BlockColumns.low, row, low)
                set(BlockColumns.high, row, high)
            }
        }
        fill(u.tree == .account ? BlockColumns.isAccount : BlockColumns.isNullifier, .one)
        registers(step.accountRoot, step.nullifierRoot)
    }

    /// Both chains permute zero states; bits and index zero.
    func padding(roots: (Word, Word)) {
        zeroChain(lane: BlockColumns.a)
        zeroChain(lane: BlockColumns.b)
        idle(roots: roots)
    }

    /// Every cycle permutes the zero state: the same 8 rows, computed once.
    private func zeroChain(lane: Int) {
        for cycle in 0..<BlockAIR.cycles {
            for r in 0..<HasherChiplet.cycle {
                for j in 0..<12 { set(lane + j, cycle * HasherChiplet.cycle + r, SegmentWriter.zeroPermutationRows[r][j]) }
            }
        }
    }

    /// The states of a zero-state permutation before each round (and its output on row 7).
    static let zeroPermutationRows: [[Felt]] = {
        var state = RPO256.State()
        return (0..<HasherChiplet.cycle).map { r in
            defer { if r < 7 { RPO256.applyRound(&state, round: r) } }
            return state.elements
        }
    }()

    private func idle(roots: (Word, Word)) {
        // Zero bits: low stays 1, high drops to 0 at level 32.
        fill(BlockColumns.low, .one)
        for r in 0..<(32 * HasherChiplet.cycle) { set(BlockColumns.high, r, .one) }
        registers(roots.0, roots.1)
    }
}
