import STARK

/// One row of the ledger: the asset message the row takes from the bus and the faucet's running
/// balance after the row.
///
/// `LedgerSection.rows(for:)` builds checked rows, whose balances are true integers in [0, 2^63).
/// The balance is kept as a field element so that tests can lay out rows that break the rules
/// (`LedgerSection.uncheckedRows(_:)`) and show that the constraints refuse them.
public struct LedgerRow: Hashable, Sendable {
    /// The asset message this row takes.
    public var message: AssetMessage
    /// The running balance of the row's faucet after this row.
    public var balance: Felt

    public init(message: AssetMessage, balance: Felt) {
        self.message = message
        self.balance = balance
    }
}

/// The balance ledger of a transaction: a trace section that takes every asset message (vault
/// before, input note, output note, vault after) from the ledger bus, one per row, and proves that
/// per faucet `before + Σ inputs − Σ outputs = after` (or 0 when the faucet is absent after) over
/// the integers, with every intermediate balance in [0, 2^63), and that both vault lists are
/// sorted by faucet with one entry per faucet.
///
/// ## Row order
/// Ledger rows come first, sorted by faucet (canonical value, strictly increasing between groups);
/// within a faucet's group: the vault-before entry (at most one), the inputs, the outputs, the
/// vault-after entry (at most one). Padding rows follow; there is always at least one, and the
/// trace's last row is padding, so every ledger row is the current row of some transition.
/// Each padding row is an empty group of its own (`groupStart = 1`, balance 0).
///
/// ## Columns (offsets from the section's first column)
/// See the static column indexes; every row-local constraint is evaluated on the current row,
/// so it covers rows 0…n−2, i.e. every ledger row and every padding row but the last, whose only
/// relevant cells (`active`, `groupStart`, the counters, `rangeMultiplicity`) are pinned by an
/// assertion, transition constraints and the range bus.
///
/// ## Integers as bytes
/// The faucet, the amount and the balance are not columns of their own: each is the little-endian
/// sum of its 8 byte columns, and the faucet-comparison difference of its 4. Every byte is range
/// checked on the range bus (`RangeCheckBus`: a LogUp lookup into the table 0…255), so a byte sum
/// is an integer below 2^64 (2^32 for 4 bytes) and, as p > 2^63, the amount and the balance (top
/// byte also looked up as `top + 128`, so below 128) are integers in [0, 2^63) that never wrap.
/// The faucet's bytes are made canonical (< p) by the `highInverse` check.
///
/// That alone does not stop the running balance from wrapping mod p: p − 2^63 < 2^63, so a debit
/// `b − a` with a > b can land below 2^63, and a credit `b + a` can pass p and land below 2^32.
/// One more lookup per row closes this (the "no-carry" value, in [0, 256) exactly when honest):
/// on a crediting row `top(balance) − top(amount)` (honest: balance ≥ amount; after a wrap the
/// balance is < 2^32 and the amount > 2^63 − 2^32: 0 − 127), on a debiting row
/// `127 − top(balance) − top(amount)` (honest: balance + amount = the previous balance < 2^63;
/// after a wrap both tops are 127: −127). See AIR/README.md, "Balances".
///
/// Likewise a 64-bit difference `faucet' − faucet − 1` would constrain nothing (2^64 > p), so the
/// strict increase of faucets is proven on canonical 32-bit halves: `(hi', lo') > (hi, lo)`
/// lexicographically via a same-high flag and a 4-byte difference.
///
/// ## Buses
/// Each ledger row takes `AssetMessage.compress(kind, index, faucet, amount)` once (multiplicity
/// −active) with kind = 0·before + 1·input + 2·output + 3·after. Every row but the last takes its
/// `lookupCount` range values once from the range bus; `rangeMultiplicity` offers the table.
public enum LedgerSection {
    // MARK: Columns

    /// Kind flag: the row is the faucet's vault-before entry.
    public static let isBefore = 0
    /// Kind flag: the row is an input-note asset.
    public static let isInput = 1
    /// Kind flag: the row is an output-note asset.
    public static let isOutput = 2
    /// Kind flag: the row is the faucet's vault-after entry.
    public static let isAfter = 3
    /// The message's index: the position in its vault list for before/after rows, 0 for note assets.
    public static let index = 4
    /// Number of vault-before rows strictly above this row (0 on row 0); a before row's `index` equals it.
    public static let beforeCount = 5
    /// Number of vault-after rows strictly above this row (0 on row 0); an after row's `index` equals it.
    public static let afterCount = 6
    /// 1 on the first row of a faucet's group, and on every padding row.
    public static let groupStart = 7
    /// 1 on ledger rows, 0 on padding rows; ledger rows first.
    public static let active = 8
    /// 1 iff the next row starts another ledger group (`next.groupStart · next.active`): the
    /// faucet-increase checks apply between this row and the next.
    public static let nextGroup = 9
    /// On `nextGroup` rows: 1 if the next faucet has the same high 32-bit half (compare low halves), else 0.
    public static let sameHigh = 10
    /// Canonicity witness: the inverse of `hi − (2^32 − 1)` where the faucet's high half `hi` is not
    /// 2^32 − 1 (then the low half is free); where it is, the low half must be 0.
    public static let highInverse = 11
    /// On after rows: the inverse of the amount, proving it non-zero (the vault after holds no empty entries).
    public static let amountInverse = 12
    /// The range table's multiplicity: how many range lookups of the value `RangeCheckBus` places on this row.
    public static let rangeMultiplicity = 13
    /// 8 bytes of the faucet, little-endian: the low half is bytes 0…3, the high half bytes 4…7.
    public static let faucetBytes = 14
    /// 8 bytes of the amount, little-endian (the top byte below 128).
    public static let amountBytes = faucetBytes + 8
    /// 8 bytes of the faucet's running balance after this row, little-endian (the top byte below 128); 0 on padding rows.
    public static let balanceBytes = amountBytes + 8
    /// On `nextGroup` rows: 4 bytes of `lo' − lo − 1` (same high half) or `hi' − hi − 1` (otherwise).
    public static let diffBytes = balanceBytes + 8
    /// Main-trace columns the section occupies.
    public static let width = diffBytes + 4

    static let limb: UInt64 = 1 << 32
    static let amountBound: UInt64 = 1 << 63

    // MARK: Integers

    /// Σ 256^j·r[start + j] for j < count (Horner, from the top byte).
    @inline(__always)
    static func byteSum<E: FieldElement>(_ r: UnsafePointer<E>, _ start: Int, _ count: Int) -> E {
        var acc = r[start + count - 1]
        var j = count - 2
        while j >= 0 {
            acc = acc.scaled(by: Felt(256)) + r[start + j]
            j -= 1
        }
        return acc
    }

    /// The row's faucet: the sum of its 8 bytes.
    @inline(__always)
    public static func faucet<E: FieldElement>(_ r: UnsafePointer<E>) -> E { byteSum(r, faucetBytes, 8) }
    /// The row's amount: the sum of its 8 bytes.
    @inline(__always)
    public static func amount<E: FieldElement>(_ r: UnsafePointer<E>) -> E { byteSum(r, amountBytes, 8) }
    /// The row's balance: the sum of its 8 bytes.
    @inline(__always)
    public static func balance<E: FieldElement>(_ r: UnsafePointer<E>) -> E { byteSum(r, balanceBytes, 8) }

    // MARK: Constraints

    /// Number of main constraints.
    static let constraintCount = 28

    /// Degrees of the section's main constraints, in `evaluate` order (faucet, amount and balance
    /// are the byte sums; lo, hi the faucet's 4-byte halves):
    ///
    ///  0. `active` boolean (2)
    ///  1–4. kind flags boolean (2)
    ///  5. `groupStart` boolean (2)
    ///  6. `sameHigh` boolean (2)
    ///  7. `before + input + output + after − active` (1): one-hot on ledger rows, all zero on padding
    ///  8. `(1 − active)·active'` (2): active never goes 0 → 1
    ///  9. `(1 − active')·(1 − groupStart')` (2): padding rows are group starts (covers the last row)
    /// 10. `nextGroup − groupStart'·active'` (2)
    /// 11. `(1 − groupStart')·(faucet' − faucet)` (2): within a group the faucet is constant
    /// 12. `lo·(1 − highInverse·(hi − (2^32 − 1)))` (3): the faucet's bytes are canonical (< p)
    /// 13. `nextGroup·sameHigh·(hi' − hi)` (3)
    /// 14. `nextGroup·(sameHigh·(lo' − lo − 1) + (1 − sameHigh)·(hi' − hi − 1) − diff)` (3):
    ///     the next group's faucet is strictly larger as an integer
    /// 15. `groupStart·(balance − δ)` (3) with δ = (before + input − output)·amount: a group's first balance
    /// 16. `(1 − groupStart')·(balance' − balance − δ')` (3): the running balance inside a group
    /// 17. `after·(amount − balance)` (2): the after entry equals the balance (δ = 0 on an after row)
    /// 18. `after·(1 − amount·amountInverse)` (3): the after entry is not zero
    /// 19. `before·(1 − groupStart)` (2): a before row opens its group
    /// 20. `after·(1 − groupStart')` (2): an after row closes its group
    /// 21. `output·input'·(1 − groupStart')` (3): inputs before outputs within a group
    /// 22. `groupStart'·(1 − after)·balance` (3): a group that closes without an after row is at 0
    /// 23. `beforeCount' − beforeCount − before` (1)
    /// 24. `afterCount' − afterCount − after` (1)
    /// 25. `before·(index − beforeCount)` (2)
    /// 26. `after·(index − afterCount)` (2)
    /// 27. `(input + output)·index` (2): note assets carry index 0
    ///
    /// The byte ranges and the no-carry conditions are range-bus lookups (`rangeLookups`), not main constraints.
    public static let constraintDegrees: [TransitionConstraintDegree] = {
        let d: [Int] = [2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 2, 3, 2, 2, 3, 3, 1, 1, 2, 2, 2]
        precondition(d.count == constraintCount)
        return d.map { TransitionConstraintDegree($0) }
    }()

    /// Degree of the ledger-bus term `(S' − S − …)·(β − m) − μ` with this section's linear m and μ = −active.
    public static let busDegree = TransitionConstraintDegree(2)

    /// Evaluates the section's main constraints into `result[0..<constraintDegrees.count]`.
    /// `s` and `n` are the current and next rows starting at the section's first column.
    @inline(__always)
    public static func evaluate<E: FieldElement>(_ s: UnsafePointer<E>, _ n: UnsafePointer<E>, result: UnsafeMutablePointer<E>) {
        let one = E.one
        let act = s[active], actN = n[active]
        let gs = s[groupStart], gsN = n[groupStart]
        let before = s[isBefore], input = s[isInput], output = s[isOutput], after = s[isAfter]
        let sameHi = s[sameHigh]

        result[0] = act * (one - act)
        result[1] = before * (one - before)
        result[2] = input * (one - input)
        result[3] = output * (one - output)
        result[4] = after * (one - after)
        result[5] = gs * (one - gs)
        result[6] = sameHi * (one - sameHi)
        result[7] = before + input + output + after - act
        result[8] = (one - act) * actN
        result[9] = (one - actN) * (one - gsN)
        result[10] = s[nextGroup] - gsN * actN

        let lo = byteSum(s, faucetBytes, 4), hi = byteSum(s, faucetBytes + 4, 4)
        let loN = byteSum(n, faucetBytes, 4), hiN = byteSum(n, faucetBytes + 4, 4)
        let limbScale = Felt(limb)
        result[11] = (one - gsN) * ((loN + hiN.scaled(by: limbScale)) - (lo + hi.scaled(by: limbScale)))
        result[12] = lo * (one - s[highInverse] * (hi - E(Felt(limb - 1))))
        result[13] = s[nextGroup] * sameHi * (hiN - hi)
        let difference = sameHi * (loN - lo - one) + (one - sameHi) * (hiN - hi - one)
        result[14] = s[nextGroup] * (difference - byteSum(s, diffBytes, 4))

        let amt = amount(s), bal = balance(s), balN = balance(n)
        let delta = (before + input - output) * amt
        let deltaN = (n[isBefore] + n[isInput] - n[isOutput]) * amount(n)
        result[15] = gs * (bal - delta)
        result[16] = (one - gsN) * (balN - bal - deltaN)
        result[17] = after * (amt - bal)
        result[18] = after * (one - amt * s[amountInverse])

        result[19] = before * (one - gs)
        result[20] = after * (one - gsN)
        result[21] = output * n[isInput] * (one - gsN)
        result[22] = gsN * (one - after) * bal

        result[23] = n[beforeCount] - s[beforeCount] - before
        result[24] = n[afterCount] - s[afterCount] - after
        result[25] = before * (s[index] - s[beforeCount])
        result[26] = after * (s[index] - s[afterCount])
        result[27] = (input + output) * s[index]
    }

    /// The section's boundary assertions for a trace of `rows` rows: row 0 opens a group with both
    /// vault counters at 0, and the last row is padding.
    public static func assertions(offset: Int, rows: Int) -> [Assertion<Felt>] {
        [Assertion(column: offset + groupStart, step: 0, value: .one),
         Assertion(column: offset + beforeCount, step: 0, value: .zero),
         Assertion(column: offset + afterCount, step: 0, value: .zero),
         Assertion(column: offset + active, step: rows - 1, value: .zero)]
    }

    // MARK: Range lookups

    /// Range-bus lookups per row: 28 bytes, the amount's and the balance's top byte + 128, the no-carry value.
    public static let lookupCount = 31
    /// Index of the no-carry lookup in `rangeLookups` (tests name it).
    static let noCarryLookup = 30
    /// The lookups batched into one auxiliary column each (`RangeCheckBus`), and their degrees in
    /// the trace (the no-carry value is quadratic): one fraction sum per group.
    static let lookupGroups: [(range: Range<Int>, valueDegree: Int)] = [(0..<7, 7), (7..<14, 7), (14..<21, 7), (21..<28, 7), (28..<31, 4)]

    /// Writes the row's `lookupCount` range values into `out`: every byte, then `top + 128` for the
    /// amount and the balance (so both tops are below 128), then the no-carry value
    /// `(before + input)·(top(balance) − top(amount)) + output·(127 − top(balance) − top(amount))`.
    @inline(__always)
    public static func rangeLookups<E: FieldElement>(_ s: UnsafePointer<E>, into out: UnsafeMutablePointer<E>) {
        for j in 0..<28 { out[j] = s[faucetBytes + j] }
        let amountTop = s[amountBytes + 7], balanceTop = s[balanceBytes + 7]
        let half = E(Felt(128))
        out[28] = amountTop + half
        out[29] = balanceTop + half
        out[30] = (s[isBefore] + s[isInput]) * (balanceTop - amountTop) + s[isOutput] * (E(Felt(127)) - balanceTop - amountTop)
    }

    /// Lookup `j` of `rangeLookups` alone (the constraint evaluation's path: no buffer).
    @inline(__always)
    static func rangeLookup<E: FieldElement>(_ s: UnsafePointer<E>, _ j: Int) -> E {
        if j < 28 { return s[faucetBytes + j] }
        let amountTop = s[amountBytes + 7], balanceTop = s[balanceBytes + 7]
        switch j {
        case 28: return amountTop + E(Felt(128))
        case 29: return balanceTop + E(Felt(128))
        default: return (s[isBefore] + s[isInput]) * (balanceTop - amountTop) + s[isOutput] * (E(Felt(127)) - balanceTop - amountTop)
        }
    }

    // MARK: Bus

    /// The message this row takes and its multiplicity (−active), from the row's values
    /// (`s` starts at the section's first column).
    @inline(__always)
    public static func rowMessage(_ s: UnsafePointer<QuadFelt>, alpha: QuadFelt) -> (message: QuadFelt, multiplicity: QuadFelt) {
        let kind = s[isInput] + s[isOutput].scaled(by: Felt(2)) + s[isAfter].scaled(by: Felt(3))
        let message = AssetMessage.compress(kind: kind, index: s[index], faucet: faucet(s), amount: amount(s), alpha: alpha, lift: { $0 })
        return (message, -s[active])
    }

    // MARK: Witness

    /// Ledger rows needed for `messages`, including the one padding row that always ends the section.
    public static func rowsNeeded(for messages: [AssetMessage]) -> Int { messages.count + 1 }

    /// Sorts `messages` into ledger order and computes the running balances, refusing a witness
    /// that breaks a balance rule (the prover's early refusal; the constraints refuse the same).
    public static func rows(for messages: [AssetMessage]) throws(ProtocolError) -> [LedgerRow] {
        for m in messages {
            guard m.amount < amountBound else {
                throw .invalid("ledger: \(m.kind) asset of faucet \(m.faucet) has amount \(m.amount) ≥ 2^63")
            }
            guard m.index >= 0 else { throw .invalid("ledger: \(m.kind) asset of faucet \(m.faucet) has negative index \(m.index)") }
            if m.kind == .input || m.kind == .output, m.index != 0 {
                throw .invalid("ledger: \(m.kind) note asset of faucet \(m.faucet) has index \(m.index); note assets have index 0")
            }
        }
        let sorted = messages.enumerated().sorted { a, b in
            (a.element.faucet.value, a.element.kind.rawValue, a.offset) < (b.element.faucet.value, b.element.kind.rawValue, b.offset)
        }.map(\.element)

        var rows: [LedgerRow] = []
        rows.reserveCapacity(sorted.count)
        var beforeSeen = 0, afterSeen = 0
        var start = 0
        while start < sorted.count {
            let f = sorted[start].faucet
            var end = start
            while end < sorted.count, sorted[end].faucet == f { end += 1 }
            var balance: UInt64 = 0
            var hasBefore = false, hasAfter = false
            for m in sorted[start..<end] {
                switch m.kind {
                case .before:
                    guard !hasBefore else { throw .invalid("ledger: faucet \(f) has two vault-before entries") }
                    hasBefore = true
                    guard m.index == beforeSeen else {
                        throw .invalid("ledger: vault-before entry of faucet \(f) has index \(m.index) but is number \(beforeSeen) in faucet order")
                    }
                    beforeSeen += 1
                    balance = m.amount
                case .input:
                    balance += m.amount  // both < 2^63: no overflow
                    guard balance < amountBound else {
                        throw .invalid("ledger: input of \(m.amount) takes the balance of faucet \(f) to 2^63 or more")
                    }
                case .output:
                    guard m.amount <= balance else {
                        throw .invalid("ledger: output of \(m.amount) of faucet \(f) exceeds the balance \(balance)")
                    }
                    balance -= m.amount
                case .after:
                    guard !hasAfter else { throw .invalid("ledger: faucet \(f) has two vault-after entries") }
                    hasAfter = true
                    guard m.amount == balance else {
                        throw .invalid("ledger: vault-after entry of faucet \(f) holds \(m.amount) but the balance is \(balance)")
                    }
                    guard m.amount > 0 else { throw .invalid("ledger: vault-after entry of faucet \(f) is empty") }
                    guard m.index == afterSeen else {
                        throw .invalid("ledger: vault-after entry of faucet \(f) has index \(m.index) but is number \(afterSeen) in faucet order")
                    }
                    afterSeen += 1
                }
                rows.append(LedgerRow(message: m, balance: Felt(balance)))
            }
            guard hasAfter || balance == 0 else {
                throw .invalid("ledger: faucet \(f) ends with balance \(balance) but has no vault-after entry")
            }
            start = end
        }
        return rows
    }

    /// Rows for `messages` in the given order with balances computed in the field and no rule
    /// checked: what a cheating prover would lay out (tests use it to forge traces).
    static func uncheckedRows(_ messages: [AssetMessage]) -> [LedgerRow] {
        var rows: [LedgerRow] = []
        var balance = Felt.zero
        for (i, m) in messages.enumerated() {
            if i == 0 || messages[i - 1].faucet != m.faucet { balance = .zero }
            switch m.kind {
            case .before, .input: balance += Felt(m.amount)
            case .output: balance -= Felt(m.amount)
            case .after: break
            }
            rows.append(LedgerRow(message: m, balance: balance))
        }
        return rows
    }

    /// Writes the section for `messages` (sorted and checked by `rows(for:)`) into
    /// `columns[offset..<offset+width]`; throws `ProtocolError` for a witness that breaks a rule.
    public static func fill(_ columns: inout [[Felt]], offset: Int, messages: [AssetMessage]) throws(ProtocolError) {
        fill(&columns, offset: offset, rows: try rows(for: messages))
    }

    /// Writes the section for `rows` as given (no rule checked), then padding rows, then the
    /// range table's multiplicities for the section's lookups.
    public static func fill(_ columns: inout [[Felt]], offset: Int, rows: [LedgerRow]) {
        let length = columns[offset].count
        precondition(rows.count < length, "the ledger needs \(rows.count + 1) rows; the trace has \(length)")
        func startsGroup(_ i: Int) -> Bool { i == 0 || i >= rows.count || rows[i - 1].message.faucet != rows[i].message.faucet }
        func bytes(_ value: UInt64, into first: Int, count: Int, row: Int) {
            for j in 0..<count { columns[offset + first + j][row] = Felt((value >> UInt64(8 * j)) & 0xFF) }
        }
        var befores: UInt64 = 0, afters: UInt64 = 0
        for i in 0..<length {
            columns[offset + beforeCount][i] = Felt(befores)
            columns[offset + afterCount][i] = Felt(afters)
            columns[offset + groupStart][i] = startsGroup(i) ? .one : .zero
            guard i < rows.count else {
                // Padding: an empty group; every other cell zero (the zero faucet's high half is not 2^32 − 1).
                for c in [isBefore, isInput, isOutput, isAfter, index, active, nextGroup, sameHigh, amountInverse] {
                    columns[offset + c][i] = .zero
                }
                columns[offset + highInverse][i] = (Felt.zero - Felt(limb - 1)).inverse()
                for c in faucetBytes..<width { columns[offset + c][i] = .zero }
                continue
            }
            let m = rows[i].message
            let f = m.faucet.value
            for (c, kind) in [(isBefore, AssetKind.before), (isInput, .input), (isOutput, .output), (isAfter, .after)] {
                columns[offset + c][i] = m.kind == kind ? .one : .zero
            }
            columns[offset + index][i] = Felt(UInt64(m.index))
            columns[offset + active][i] = .one
            let hi = f >> 32
            columns[offset + highInverse][i] = hi == limb - 1 ? .zero : (Felt(hi) - Felt(limb - 1)).inverse()
            let amountFelt = Felt(m.amount)
            columns[offset + amountInverse][i] = m.kind == .after && !amountFelt.isZero ? amountFelt.inverse() : .zero
            bytes(f, into: faucetBytes, count: 8, row: i)
            bytes(amountFelt.value, into: amountBytes, count: 8, row: i)
            bytes(rows[i].balance.value, into: balanceBytes, count: 8, row: i)
            if i + 1 < rows.count, startsGroup(i + 1) {
                let g = rows[i + 1].message.faucet.value
                let same = g >> 32 == hi
                let difference = same
                    ? Felt(g & (limb - 1)) - Felt(f & (limb - 1)) - .one
                    : Felt(g >> 32) - Felt(hi) - .one
                columns[offset + nextGroup][i] = .one
                columns[offset + sameHigh][i] = same ? .one : .zero
                bytes(difference.value, into: diffBytes, count: 4, row: i)
            } else {
                columns[offset + nextGroup][i] = .zero
                columns[offset + sameHigh][i] = .zero
                bytes(0, into: diffBytes, count: 4, row: i)
            }
            if m.kind == .before { befores += 1 }
            if m.kind == .after { afters += 1 }
        }
        RangeCheckBus.fillMultiplicities(&columns, offset: offset)
    }
}
