import STARK

/// The block AIR's column layout, periodic segment columns, constraints and bus message.
public enum BlockColumns {
    /// Old chain state (12 lanes).
    public static let a = 0
    /// New chain state (12 lanes).
    public static let b = 12
    /// The level's direction bit: 1 when the current node is a right child.
    public static let bit = 24
    /// The leaf index shifted right by the level.
    public static let index = 25
    /// Π (1 − bit) over the levels so far below 32.
    public static let low = 26
    /// Π bit over the levels so far from 32 on (1 before).
    public static let high = 27
    /// Segment flags: an account-tree update, a nullifier-tree update (neither: padding).
    public static let isAccount = 28, isNullifier = 29
    /// Root registers (4 lanes each).
    public static let accountRoot = 30, nullifierRoot = 34
    public static let width = 38

    /// Index of the segment's periodic columns after the chiplet's.
    public static let periodicFirst = HasherChiplet.periodicColumns.count
    static let periodicEnd = periodicFirst + 1, periodicInner = periodicFirst + 2, periodicInnerLow = periodicFirst + 3
    static let periodicBeforeEnd = periodicFirst + 4

    /// Period-512 columns: first row of the segment; last row; last row of a cycle followed by
    /// another cycle of the segment; the same when that next cycle is one of the low 32 levels;
    /// the row before the last (whose next row holds the segment's digests, also in the trace's
    /// last segment, where no transition leaves the last row).
    public static let segmentPeriodicColumns: [[Felt]] = {
        let rows = BlockAIR.segmentRows, cycle = HasherChiplet.cycle
        var first = [Felt](repeating: .zero, count: rows), end = first, inner = first, innerLow = first, beforeEnd = first
        first[0] = .one
        end[rows - 1] = .one
        beforeEnd[rows - 2] = .one
        for c in 0..<(BlockAIR.cycles - 1) {
            inner[c * cycle + cycle - 1] = .one
            if c + 1 < 32 { innerLow[c * cycle + cycle - 1] = .one }
        }
        return [first, end, inner, innerLow, beforeEnd]
    }()

    /// The bus message of an update: `α·isAccount + α²·isNullifier + α³·index + Σ α^{4+j}·old_j + Σ α^{8+j}·new_j`.
    @inline(__always)
    static func message<E: FieldElement>(isAccount: E, isNullifier: E, index: E, old: UnsafePointer<E>, new: UnsafePointer<E>,
                                         alpha: UnsafePointer<QuadFelt>, lift: (E) -> QuadFelt) -> QuadFelt {
        var m = alpha[1] * lift(isAccount) + alpha[2] * lift(isNullifier) + alpha[3] * lift(index)
        for j in 0..<4 { m += alpha[4 + j] * lift(old[j]) + alpha[8 + j] * lift(new[j]) }
        return m
    }

    /// The message as the verifier computes it from a statement's leaf update.
    static func message(isAccount: QuadFelt, isNullifier: QuadFelt, index: QuadFelt, old: [QuadFelt], new: [QuadFelt],
                        alpha: [QuadFelt]) -> QuadFelt {
        old.withUnsafeBufferPointer { o in
            new.withUnsafeBufferPointer { nw in
                alpha.withUnsafeBufferPointer { a in
                    message(isAccount: isAccount, isNullifier: isNullifier, index: index, old: o.baseAddress!, new: nw.baseAddress!,
                            alpha: a.baseAddress!, lift: { $0 })
                }
            }
        }
    }

    /// The message a row would offer: the leaves are the halves of A's and B's rate picked by the bit.
    @inline(__always)
    static func rowMessage(_ s: UnsafePointer<QuadFelt>, alpha: UnsafePointer<QuadFelt>) -> QuadFelt {
        withUnsafeTemporaryAllocation(of: QuadFelt.self, capacity: 8) { leaves in
            let bit = s[BlockColumns.bit]
            for j in 0..<4 {
                leaves[j] = s[a + j] + bit * (s[a + 4 + j] - s[a + j])
                leaves[4 + j] = s[b + j] + bit * (s[b + 4 + j] - s[b + j])
            }
            return message(isAccount: s[isAccount], isNullifier: s[isNullifier], index: s[index], old: leaves.baseAddress!,
                           new: leaves.baseAddress! + 4, alpha: alpha, lift: { $0 })
        }
    }

    /// Evaluates the main constraints (order and degrees as `BlockAIR.mainConstraintDegrees`).
    @inline(__always)
    static func evaluate<E: FieldElement>(_ s: UnsafePointer<E>, _ n: UnsafePointer<E>, periodic p: UnsafePointer<E>, result out: UnsafeMutablePointer<E>) {
        HasherChiplet.roundResiduals(s + a, n + a, periodic: p, result: out)
        HasherChiplet.roundResiduals(s + b, n + b, periodic: p, result: out + 12)
        let k = p[0], rowZero = p[1]
        let first = p[periodicFirst], end = p[periodicEnd], inner = p[periodicInner], innerLow = p[periodicInnerLow]
        let beforeEnd = p[periodicBeforeEnd]
        let one = E.one
        let bitS = s[bit], bitN = n[bit]
        let acc = s[isAccount], nul = s[isNullifier]
        let active = acc + nul
        // (No array literals in this function: it runs once per constraint-evaluation row.)
        var i = 24
        for c in bit...high {  // bit, index, low, high
            out[i] = k * (n[c] - s[c]); i += 1
        }
        let within = one - end
        for c in isAccount...isNullifier {
            out[i] = within * (n[c] - s[c]); i += 1
        }
        out[i] = bitS * (one - bitS); i += 1
        out[i] = acc * (one - acc); i += 1
        out[i] = nul * (one - nul); i += 1
        out[i] = acc * nul; i += 1
        // index = 2·index' + bit between the levels; the last level's index is its bit. Checks of
        // the last level sit on the segment's second-to-last row (its values are the last row's),
        // as no transition constraint reaches the trace's last row.
        out[i] = inner * (s[index] - n[index] - n[index] - bitS); i += 1
        out[i] = beforeEnd * (s[index] - bitS); i += 1
        // Canonical index: low = Π(1 − b_j) for j < 32, high = Π b_j for j ≥ 32; high ⇒ low.
        out[i] = first * (s[low] - one + bitS); i += 1
        out[i] = first * (s[high] - one); i += 1
        out[i] = inner * (n[low] - s[low]) + innerLow * s[low] * bitN; i += 1
        out[i] = inner * (n[high] - s[high]) + (inner - innerLow) * s[high] * (one - bitN); i += 1
        out[i] = beforeEnd * s[high] * (one - s[low]); i += 1
        // Merge inputs: zero capacity, the sibling half shared by both chains.
        let start = rowZero * active
        for j in 8..<12 {
            out[i] = start * s[a + j]; i += 1
            out[i] = start * s[b + j]; i += 1
        }
        for j in 0..<4 {
            let lowHalf = s[a + j] - s[b + j], highHalf = s[a + 4 + j] - s[b + 4 + j]
            out[i] = start * (highHalf + bitS * (lowHalf - highHalf)); i += 1
        }
        // Each digest goes into the next level's rate, left or right by the next bit.
        let chain = inner * active
        for base in stride(from: a, through: b, by: b - a) {
            for j in 0..<4 {
                let d = s[base + j]
                out[i] = chain * (n[base + j] - d + bitN * (n[base + 4 + j] - n[base + j])); i += 1
            }
        }
        // Root registers: constant inside a segment; the old chain's digest (on the segment's last
        // row, seen from the row before) must be the register; at the segment's end the new
        // chain's digest replaces it.
        for j in 0..<8 {
            out[i] = within * (n[accountRoot + j] - s[accountRoot + j]); i += 1
        }
        for t in 0..<2 {
            let register = t == 0 ? accountRoot : nullifierRoot, flag = t == 0 ? acc : nul
            for j in 0..<4 {
                let r = s[register + j]
                out[i] = beforeEnd * flag * (n[a + j] - r); i += 1
                out[i] = end * (n[register + j] - r - flag * (s[b + j] - r)); i += 1
            }
        }
        // Layout: updates form a prefix, accounts before nullifiers, padding only as a suffix. The
        // bus fixes how many segments of each tree there are, so this fixes where each one lies
        // (the trace's last segment is asserted separately: no transition leaves it).
        out[i] = end * (one - active) * (n[isAccount] + n[isNullifier]); i += 1
        out[i] = end * nul * n[isAccount]
    }
}
