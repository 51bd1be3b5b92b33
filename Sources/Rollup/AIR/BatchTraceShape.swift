import STARK

extension BatchAIR {
    /// The trace shape of the batch statement, counted from its list sizes alone (no schedule, no
    /// hashing): what a verifier checks a proof against before it builds the AIR. Equals
    /// `BatchAIR(statement:).traceInfo`.
    public static func traceInfo(for statement: BatchPublicInputs) -> TraceInfo {
        traceInfo(chipletCycles: 1 + scheduledBlocks(transactions: statement.transactionIDs.count, notes: statement.noteIDs.count))
    }

    /// The trace shape for a chiplet of `chipletCycles` cycles (rows a power of two, at least 16).
    static func traceInfo(chipletCycles: Int) -> TraceInfo {
        var rows = 16
        while rows < chipletCycles * HasherChiplet.cycle { rows <<= 1 }
        return TraceInfo(mainWidth: HasherChiplet.width, auxWidth: 3, auxChallenges: 2, length: rows)
    }

    /// Chiplet blocks of `BatchSchedule`: the batch-id sponge (two id words a block; none without
    /// transactions) and one merge per note-tree node whose leaves include a note (none for at most one note).
    static func scheduledBlocks(transactions: Int, notes: Int) -> Int {
        var blocks = (transactions + 1) / 2
        if notes > 1 {
            // A node spanning `span` leaves at offset k·span merges iff k·span < notes, up to the padded root.
            var span = 2
            while span / 2 < notes {
                blocks += (notes + span - 1) / span
                span <<= 1
            }
        }
        return blocks
    }
}
