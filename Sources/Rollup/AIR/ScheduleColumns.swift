import STARK

/// A schedule (transaction or batch) as full-trace periodic columns (preprocessed columns in effect):
/// per absorbed block the constant lanes, the register lanes and the word ports; per digest row
/// the digest's port. Both prover and verifier derive them from the public shape.
public struct ScheduleColumns: Sendable {
    /// Column order inside `columns`.
    public static let start = 0
    public static let constMask = 1          // 12 columns
    public static let constValue = 13        // 12 columns, mask·value
    public static let nonceBefore = 25
    public static let nonceAfter = 26
    public static let codeRoot = 27
    public static let lowKey = 28, lowMultiplicity = 29, lowIsWire = 30
    public static let highKey = 31, highMultiplicity = 32, highIsWire = 33
    public static let count = 34

    public let columns: [[Felt]]

    /// The bus key of a wire.
    public static func wireKey(_ id: Int) -> Felt { Felt(UInt64(2 + 4 * id)) }

    /// The transaction schedule's columns.
    public init(schedule: TransactionSchedule, rows: Int) {
        self.init(hashes: schedule.hashes, rows: rows)
    }

    /// The columns of any list of scheduled hashes, laid out in chiplet order (one cycle per block,
    /// padding cycles after); `rows` must cover the chiplet's cycles.
    public init(hashes: [ScheduledHash], rows: Int) {
        var c = [[Felt]](repeating: [Felt](repeating: .zero, count: rows), count: ScheduleColumns.count)
        func setPort(_ port: Port, row: Int, key: Int, multiplicity: Int, isWire: Int) {
            switch port {
            case .none:
                break
            case .wire(let id, let m):
                c[key][row] = ScheduleColumns.wireKey(id)
                c[multiplicity][row] = m >= 0 ? Felt(UInt64(m)) : -Felt(UInt64(-m))
                c[isWire][row] = .one
            case .asset(let kind, let index):
                c[key][row] = AssetMessage.key(kind: Felt(UInt64(kind.rawValue)), index: Felt(UInt64(index)))
                c[multiplicity][row] = .one
            }
        }
        var cycle = 0
        for hash in hashes {
            for (b, block) in hash.blocks.enumerated() {
                let row = cycle * HasherChiplet.cycle
                if b == 0 { for r in 0..<HasherChiplet.cycle { c[ScheduleColumns.start][row + r] = .one } }
                for (lane, mode) in block.modes.enumerated() {
                    switch mode {
                    case .free:
                        break
                    case .constant(let v):
                        c[ScheduleColumns.constMask + lane][row] = .one
                        c[ScheduleColumns.constValue + lane][row] = v
                    case .nonce(let offset):
                        precondition(lane == 1, "the nonce sits in lane 1 of the account header")
                        c[offset == 0 ? ScheduleColumns.nonceBefore : ScheduleColumns.nonceAfter][row] = .one
                    case .codeRoot(let index):
                        precondition(lane == 4 + index, "the code root fills lanes 4..<8")
                        c[ScheduleColumns.codeRoot][row] = .one
                    }
                }
                if b == 0 {
                    for (j, v) in hash.capacity.elements.enumerated() {
                        c[ScheduleColumns.constMask + 8 + j][row] = .one
                        c[ScheduleColumns.constValue + 8 + j][row] = v
                    }
                }
                setPort(block.low, row: row, key: ScheduleColumns.lowKey, multiplicity: ScheduleColumns.lowMultiplicity, isWire: ScheduleColumns.lowIsWire)
                setPort(block.high, row: row, key: ScheduleColumns.highKey, multiplicity: ScheduleColumns.highMultiplicity, isWire: ScheduleColumns.highIsWire)
                if b == hash.blocks.count - 1 {
                    setPort(hash.digestPort, row: row + HasherChiplet.cycle - 1, key: ScheduleColumns.lowKey,
                            multiplicity: ScheduleColumns.lowMultiplicity, isWire: ScheduleColumns.lowIsWire)
                }
                cycle += 1
            }
        }
        // Padding cycles start a (free) hash each, as the chiplet fills them.
        for r in (cycle * HasherChiplet.cycle)..<rows { c[ScheduleColumns.start][r] = .one }
        columns = c
    }

    /// The compressed message of a word port: `key + α·w0 + isWire·(α²·w1 + α³·w2 + α⁴·w3) + (1 − isWire)·α²·w3`,
    /// which for an asset word `[amount, 0, 0, faucet]` is exactly `AssetMessage.compress`.
    @inline(__always)
    public static func portMessage(key: QuadFelt, isWire: QuadFelt, word: UnsafePointer<QuadFelt>, alpha: UnsafePointer<QuadFelt>) -> QuadFelt {
        let wireTail = alpha[2] * word[1] + alpha[3] * word[2] + alpha[4] * word[3]
        return key + alpha[1] * word[0] + isWire * wireTail + (QuadFelt.one - isWire) * alpha[2] * word[3]
    }
}
