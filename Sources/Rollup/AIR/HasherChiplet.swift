import STARK

/// The hasher chiplet: RPO256 sponge computations laid out 8 rows per permutation (Miden's hasher
/// style), publishing what it absorbed and produced as messages on a LogUp bus.
///
/// Columns: the 12 state lanes, then per-cycle flags `start` (the cycle begins a new hash, its
/// capacity is free), `last` (the cycle's output is the digest), `addr` (hash number, +1 at each
/// start), `block` (index of the block within its hash) and `used` (0 for padding cycles, which
/// come last). Row 8c + r holds the state before round r of cycle c; row 8c + 7 its output.
/// Between cycles the capacity carries over unless the next cycle starts a hash; the rate is the
/// next block, free in the trace and bound through the bus.
///
/// Messages (compressed with powers of a challenge α, then offered as 1/(β − m)):
/// - absorb, on row 0 of a used cycle: `1 + α·addr + α²·block + Σ α^{3+j}·rate_j + start·Σ α^{11+j}·capacity_j`;
/// - digest, on row 7 of a used last cycle: `2 + α·addr + Σ α^{2+j}·digest_j`.
public enum HasherChiplet {
    public static let stateWidth = 12
    public static let start = 12, last = 13, addr = 14, block = 15, used = 16
    /// Main-trace columns the chiplet occupies.
    public static let width = 17
    /// Rows per permutation.
    public static let cycle = 8

    /// Periodic columns: round flag (1 on rows 0..6), row-0 flag, then ARK1 and ARK2 per lane.
    public static let periodicColumns: [[Felt]] = {
        var columns: [[Felt]] = [(0..<8).map { $0 < 7 ? Felt.one : .zero }, (0..<8).map { $0 == 0 ? Felt.one : .zero }]
        for table in [RPO256.ark1, RPO256.ark2] {
            for lane in 0..<12 { columns.append((0..<8).map { r in r < 7 ? Felt(table[12 * r + lane]) : .zero }) }
        }
        return columns
    }()

    static let mds: [Felt] = (0..<144).map { k in Felt(RPO256.mdsFirstRow[((k % 12) - (k / 12) + 12) % 12]) }

    /// Degrees of the chiplet's main constraints, in `evaluate` order.
    public static let constraintDegrees: [TransitionConstraintDegree] =
        Array(repeating: TransitionConstraintDegree(7, cycles: [8]), count: 12)
        + Array(repeating: TransitionConstraintDegree(1, cycles: [8]), count: 5)
        + Array(repeating: TransitionConstraintDegree(2), count: 3)
        + [TransitionConstraintDegree(1, cycles: [8]), TransitionConstraintDegree(2, cycles: [8]),
           TransitionConstraintDegree(1, cycles: [8]), TransitionConstraintDegree(2, cycles: [8])]

    /// Degree of the bus constraint (see `busStep`).
    public static let busDegree = TransitionConstraintDegree(3, cycles: [8])

    /// Cycles needed for `jobs`, including the one padding cycle that always ends the chiplet.
    public static func cycles(for jobs: [HashJob]) -> Int { jobs.reduce(1) { $0 + $1.blocks.count } }

    /// Writes the chiplet's columns for `jobs` (then zero-block padding hashes) into `columns[offset..<offset+width]`.
    public static func fill(_ columns: inout [[Felt]], offset: Int, jobs: [HashJob]) {
        let rows = columns[offset].count
        precondition(rows % cycle == 0 && rows / cycle >= cycles(for: jobs), "chiplet needs \(cycles(for: jobs)) cycles")
        var row = 0
        var address: UInt64 = 0
        func runCycle(_ state: inout RPO256.State, start: Bool, last: Bool, block: Int, used: Bool) {
            for r in 0..<cycle {
                for lane in 0..<stateWidth { columns[offset + lane][row] = state[lane] }
                columns[offset + HasherChiplet.start][row] = start ? .one : .zero
                columns[offset + HasherChiplet.last][row] = last ? .one : .zero
                columns[offset + addr][row] = Felt(address)
                columns[offset + HasherChiplet.block][row] = Felt(UInt64(block))
                columns[offset + HasherChiplet.used][row] = used ? .one : .zero
                if r < 7 { RPO256.applyRound(&state, round: r) }
                row += 1
            }
        }
        for job in jobs {
            var state = RPO256.State([Felt](repeating: .zero, count: 8) + job.capacity.elements)
            for (k, block) in job.blocks.enumerated() {
                for j in 0..<8 { state[j] = block[j] }
                runCycle(&state, start: k == 0, last: k == job.blocks.count - 1, block: k, used: true)
            }
            address += 1
        }
        while row < rows {
            var state = RPO256.State([Felt](repeating: .zero, count: 12))
            runCycle(&state, start: true, last: true, block: 0, used: false)
            address += 1
        }
    }

    /// The chiplet's boundary assertions when it fills the whole trace from row 0: the first cycle
    /// starts hash 0 at block 0, and the last row ends a padding hash.
    public static func boundaryAssertions(rows: Int) -> [Assertion<Felt>] {
        [Assertion(column: start, step: 0, value: .one),
         Assertion(column: addr, step: 0, value: .zero),
         Assertion(column: block, step: 0, value: .zero),
         Assertion(column: used, step: rows - 1, value: .zero),
         Assertion(column: last, step: rows - 1, value: .one)]
    }

    /// Evaluates the chiplet's main constraints into `result[0..<constraintDegrees.count]`.
    /// `s` and `n` are the current and next rows starting at the chiplet's first column;
    /// `periodic` starts at the chiplet's periodic columns.
    @inline(__always)
    public static func evaluate<E: FieldElement>(
        _ s: UnsafePointer<E>, _ n: UnsafePointer<E>, periodic: UnsafePointer<E>, result: UnsafeMutablePointer<E>
    ) {
        let k = periodic[0]
        let boundary = E.one - k
        roundResiduals(s, n, periodic: periodic, result: result)
        let carry = boundary * (E.one - n[start])
        for i in 8..<12 { result[i] += carry * (n[i] - s[i]) }
        result[12] = k * (n[start] - s[start])
        result[13] = k * (n[last] - s[last])
        result[14] = k * (n[addr] - s[addr])
        result[15] = k * (n[block] - s[block])
        result[16] = k * (n[used] - s[used])
        result[17] = s[start] * (E.one - s[start])
        result[18] = s[last] * (E.one - s[last])
        result[19] = s[used] * (E.one - s[used])
        result[20] = boundary * (n[addr] - s[addr] - n[start])
        result[21] = boundary * (n[block] - (E.one - n[start]) * (s[block] + E.one))
        result[22] = boundary * (s[last] - n[start])
        result[23] = boundary * (E.one - s[used]) * n[used]
    }

    /// The permutation-round constraints of one 12-lane state: `result[i] = k·(n_i^7 − MDS(MDS(s)^7 + ARK1) − ARK2)_i`
    /// on the round rows (k = periodic[0]), i.e. row r + 1 is round r applied to row r (the inverse S-box checked
    /// forwards). `periodic` starts at the chiplet's periodic columns (round flag, row-0 flag, ARK1, ARK2).
    @inline(__always)
    public static func roundResiduals<E: FieldElement>(
        _ s: UnsafePointer<E>, _ n: UnsafePointer<E>, periodic: UnsafePointer<E>, result: UnsafeMutablePointer<E>
    ) {
        let k = periodic[0]
        if E.self == Felt.self {
            // The prover's path (once per constraint-evaluation row): the shift-and-add MDS.
            let sF = UnsafeRawPointer(s).assumingMemoryBound(to: Felt.self)
            let nF = UnsafeRawPointer(n).assumingMemoryBound(to: Felt.self)
            let pF = UnsafeRawPointer(periodic).assumingMemoryBound(to: Felt.self)
            let out = UnsafeMutableRawPointer(result).assumingMemoryBound(to: Felt.self)
            withUnsafeTemporaryAllocation(of: Felt.self, capacity: 12) { tmp in
                let a = tmp.baseAddress!
                RPO256.mdsAffine(sF, plus: pF + 2, into: a)
                for i in 0..<12 {
                    let x = a[i], x2 = x * x
                    a[i] = x2 * x2 * x2 * x
                }
                RPO256.mdsAffine(a, plus: pF + 14, into: a)
                let kF = pF[0]
                for i in 0..<12 {
                    let x = nF[i], x2 = x * x
                    out[i] = kF * (x2 * x2 * x2 * x - a[i])
                }
            }
            return
        }
        mds.withUnsafeBufferPointer { m in
            withUnsafeTemporaryAllocation(of: E.self, capacity: 24) { tmp in
                let a = tmp.baseAddress!
                let b = a + 12
                for i in 0..<12 {
                    var acc = periodic[2 + i]
                    for j in 0..<12 { acc += s[j].scaled(by: m[12 * i + j]) }
                    let x2 = acc * acc
                    a[i] = x2 * x2 * x2 * acc
                }
                for i in 0..<12 {
                    var acc = periodic[14 + i]
                    for j in 0..<12 { acc += a[j].scaled(by: m[12 * i + j]) }
                    b[i] = acc
                }
                for i in 0..<12 {
                    let x = n[i]
                    let x2 = x * x
                    result[i] = k * (x2 * x2 * x2 * x - b[i])
                }
            }
        }
    }

    /// Powers α^0…α^15 for message compression.
    public static func alphaPowers(_ alpha: QuadFelt) -> [QuadFelt] {
        withAlphaPowers(alpha) { Array(UnsafeBufferPointer(start: $0, count: 16)) }
    }

    /// Calls `body` with α^0…α^15 in a temporary buffer (no allocation on the heap: per-row use).
    @inline(__always)
    public static func withAlphaPowers<R>(_ alpha: QuadFelt, _ body: (UnsafePointer<QuadFelt>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: QuadFelt.self, capacity: 16) { powers in
            powers[0] = .one
            for j in 1..<16 { powers[j] = powers[j - 1] * alpha }
            return body(powers.baseAddress!)
        }
    }

    /// The compressed absorb message.
    @inline(__always)
    public static func absorbMessage<E: FieldElement>(
        address: E, block: E, rate: UnsafePointer<E>, capacity: UnsafePointer<E>, start: E, alpha: UnsafePointer<QuadFelt>,
        lift: (E) -> QuadFelt
    ) -> QuadFelt {
        var m = QuadFelt.one + alpha[1] * lift(address) + alpha[2] * lift(block)
        for j in 0..<8 { m += alpha[3 + j] * lift(rate[j]) }
        var cap = QuadFelt.zero
        for j in 0..<4 { cap += alpha[11 + j] * lift(capacity[j]) }
        return m + cap * lift(start)
    }

    /// The compressed digest message.
    @inline(__always)
    public static func digestMessage<E: FieldElement>(
        address: E, digest: UnsafePointer<E>, alpha: UnsafePointer<QuadFelt>, lift: (E) -> QuadFelt
    ) -> QuadFelt {
        var m = QuadFelt(Felt(2)) + alpha[1] * lift(address)
        for j in 0..<4 { m += alpha[2 + j] * lift(digest[j]) }
        return m
    }

    /// The messages of a job at `address`, as the verifier computes them from public data.
    public static func messages(of job: HashJob, address: UInt64, alpha: [QuadFelt]) -> [QuadFelt] {
        alpha.withUnsafeBufferPointer { a in
            var out: [QuadFelt] = []
            let cap = job.capacity.elements
            for (k, block) in job.blocks.enumerated() {
                out.append(block.withUnsafeBufferPointer { r in
                    cap.withUnsafeBufferPointer { c in
                        absorbMessage(address: Felt(address), block: Felt(UInt64(k)), rate: r.baseAddress!, capacity: c.baseAddress!,
                                      start: k == 0 ? Felt.one : .zero, alpha: a.baseAddress!, lift: { QuadFelt($0) })
                    }
                })
            }
            let d = job.digest.elements
            out.append(d.withUnsafeBufferPointer {
                digestMessage(address: Felt(address), digest: $0.baseAddress!, alpha: a.baseAddress!, lift: { QuadFelt($0) })
            })
            return out
        }
    }

    /// The message this row offers (0 when none) and its multiplicity, from the row's values.
    @inline(__always)
    public static func rowMessage(
        _ s: UnsafePointer<QuadFelt>, periodic: UnsafePointer<QuadFelt>, alpha: UnsafePointer<QuadFelt>
    ) -> (message: QuadFelt, multiplicity: QuadFelt) {
        let rowZero = periodic[1]
        let rowSeven = QuadFelt.one - periodic[0]
        let absorb = absorbMessage(address: s[addr], block: s[block], rate: s, capacity: s + 8, start: s[start], alpha: alpha, lift: { $0 })
        let digest = digestMessage(address: s[addr], digest: s, alpha: alpha, lift: { $0 })
        let message = rowZero * absorb + rowSeven * digest
        let multiplicity = s[used] * (rowZero + rowSeven * s[last])
        return (message, multiplicity)
    }

    /// Bus step: (S' − S)·(β − m) − μ, zero on every row when S accumulates μ/(β − m).
    @inline(__always)
    public static func busStep(
        current: QuadFelt, next: QuadFelt, message: QuadFelt, multiplicity: QuadFelt, beta: QuadFelt
    ) -> QuadFelt {
        (next - current) * (beta - message) - multiplicity
    }
}
