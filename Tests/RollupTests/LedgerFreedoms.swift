import AIRTesting
@testable import STARK
@testable import Rollup

/// The ledger section's intentionally free cells (the soundness table in `AIR/README.md`), as
/// predicates over an honest trace whose section starts at column `offset`.
enum LedgerFreedoms {
    static func freedoms(offset o: Int, trace: [[Felt]]) -> [Freedom] {
        let n = trace[0].count
        let value: @Sendable (Int, Int) -> Felt = { column, row in trace[o + column][row] }
        let section = o..<(o + LedgerSection.width)
        let diffBytes = (o + LedgerSection.diffBytes)..<(o + LedgerSection.diffBytes + 4)
        return [
            .cells("the last row is padding: no row-local constraint covers it and no bus takes from it (active is asserted 0); its range multiplicity is not free (offered by the last transition)") { c, r in
                r == n - 1 && section.contains(c) && c != o + LedgerSection.rangeMultiplicity
            },
            .cells("a padding row's index: its bus multiplicity is −active = 0 and no constraint reads it") { c, r in
                c == o + LedgerSection.index && value(LedgerSection.active, r) == .zero
            },
            .cells("sameHigh and the difference bytes where nextGroup = 0: only booleanity and the byte range apply, the faucet comparison is off") { c, r in
                (c == o + LedgerSection.sameHigh || diffBytes.contains(c)) && value(LedgerSection.nextGroup, r) == .zero
            },
            .cells("highInverse where the faucet's low half is 0: the canonicity witness is needed only for a non-zero low half") { c, r in
                c == o + LedgerSection.highInverse && (0..<4).allSatisfy { value(LedgerSection.faucetBytes + $0, r) == .zero }
            },
            .cells("amountInverse off vault-after rows: it only proves an after entry non-zero") { c, r in
                c == o + LedgerSection.amountInverse && value(LedgerSection.isAfter, r) == .zero
            },
        ]
    }
}
