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
/// relevant cells (`active`, `groupStart`) are pinned by an assertion and a transition constraint.
///
/// ## Integer arithmetic in the field
/// The field is Goldilocks (p = 2^64 − 2^32 + 1). Range-checking the balance and the amount to
/// 63 bits is *not* enough on its own: p − 2^63 < 2^63, so `b − a` with b, a < 2^63 can wrap to a
/// value below 2^63 (for a > 2^63 − 2^32 + 1 and b small), and `b + a` can wrap past p to a small
/// value. Two "no-carry" constraints on bit 62 close this: on a crediting row an amount ≥ 2^62
/// must leave a balance ≥ 2^62 (true over the integers, false after a wrap, which leaves < 2^32);
/// on a debiting row an amount ≥ 2^62 must leave a balance < 2^62 (true over the integers since
/// `before = after + amount < 2^63`, false after a wrap, which leaves > 2^63 − 2^32).
///
/// Likewise a 64-bit decomposition of `faucet' − faucet − 1` constrains nothing (2^64 > p: every
/// field element has a 64-bit representative), so the strict increase of faucets is proven on
/// canonical 32-bit limbs: each faucet is decomposed into 64 bits with a canonicity check, and
/// `(hi', lo') > (hi, lo)` lexicographically via a same-high flag and a 32-bit difference.
///
/// ## Bus
/// Each ledger row takes `AssetMessage.compress(kind, index, faucet, amount)` once (multiplicity
/// −active) with kind = 0·before + 1·input + 2·output + 3·after.
public enum LedgerSection {
    // MARK: Columns

    /// The asset's faucet (a canonical field element).
    public static let faucet = 0
    /// The asset's amount, in [0, 2^63) (bits in `amountBits`).
    public static let amount = 1
    /// Kind flag: the row is the faucet's vault-before entry.
    public static let isBefore = 2
    /// Kind flag: the row is an input-note asset.
    public static let isInput = 3
    /// Kind flag: the row is an output-note asset.
    public static let isOutput = 4
    /// Kind flag: the row is the faucet's vault-after entry.
    public static let isAfter = 5
    /// The message's index: the position in its vault list for before/after rows, 0 for note assets.
    public static let index = 6
    /// The faucet's running balance after this row, in [0, 2^63) (bits in `balanceBits`); 0 on padding rows.
    public static let balance = 7
    /// Number of vault-before rows strictly above this row (0 on row 0); a before row's `index` equals it.
    public static let beforeCount = 8
    /// Number of vault-after rows strictly above this row (0 on row 0); an after row's `index` equals it.
    public static let afterCount = 9
    /// 1 on the first row of a faucet's group, and on every padding row.
    public static let groupStart = 10
    /// 1 on ledger rows, 0 on padding rows; ledger rows first.
    public static let active = 11
    /// 1 iff the next row starts another ledger group (`next.groupStart · next.active`): the
    /// faucet-increase checks apply between this row and the next.
    public static let nextGroup = 12
    /// On `nextGroup` rows: 1 if the next faucet has the same high 32-bit limb (compare low limbs), else 0.
    public static let sameHigh = 13
    /// Canonicity witness: the inverse of `hi − (2^32 − 1)` where the faucet's high limb `hi` is not
    /// 2^32 − 1 (then the low limb is free); where it is, the low limb must be 0.
    public static let highInverse = 14
    /// On after rows: the inverse of the amount, proving it non-zero (the vault after holds no empty entries).
    public static let amountInverse = 15
    /// 64 bits of the faucet, little-endian: low limb bits 0…31, high limb bits 32…63.
    public static let faucetBits = 16
    /// On `nextGroup` rows: 32 bits of `lo' − lo − 1` (same high limb) or `hi' − hi − 1` (otherwise).
    public static let diffBits = faucetBits + 64
    /// 63 bits of `balance`, little-endian.
    public static let balanceBits = diffBits + 32
    /// 63 bits of `amount`, little-endian.
    public static let amountBits = balanceBits + 63
    /// Main-trace columns the section occupies.
    public static let width = amountBits + 63

    static let limb: UInt64 = 1 << 32
    static let amountBound: UInt64 = 1 << 63

    // MARK: Constraints

    /// Number of constraints before the bit-booleanity block (see `constraintDegrees`).
    static let structuralCount = 33
    /// Index of the debit no-carry constraint `isOutput · amountBit62 · balanceBit62` (tests name it).
    static let noCarryDebitConstraint = 20
    /// Index of the credit no-carry constraint `(isBefore + isInput) · amountBit62 · (1 − balanceBit62)`.
    static let noCarryCreditConstraint = 21

    /// Degrees of the section's main constraints, in `evaluate` order:
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
    /// 12. `faucet − (lo + 2^32·hi)` (1) with lo, hi the bit sums of `faucetBits`
    /// 13. `lo·(1 − highInverse·(hi − (2^32 − 1)))` (3): the decomposition is canonical (< p)
    /// 14. `nextGroup·sameHigh·(hi' − hi)` (3)
    /// 15. `nextGroup·(sameHigh·(lo' − lo − 1) + (1 − sameHigh)·(hi' − hi − 1) − Σ 2^j·diffBit_j)` (3):
    ///     the next group's faucet is strictly larger as an integer
    /// 16. `balance − Σ 2^j·balanceBit_j` (1)
    /// 17. `amount − Σ 2^j·amountBit_j` (1)
    /// 18. `groupStart·(balance − δ)` (3) with δ = (before + input − output)·amount: a group's first balance
    /// 19. `(1 − groupStart')·(balance' − balance − δ')` (3): the running balance inside a group
    /// 20. `output·amountBit62·balanceBit62` (3): a debit does not wrap below 0
    /// 21. `(before + input)·amountBit62·(1 − balanceBit62)` (3): a credit does not wrap past p
    /// 22. `after·(amount − balance)` (2): the after entry equals the balance (δ = 0 on an after row)
    /// 23. `after·(1 − amount·amountInverse)` (3): the after entry is not zero
    /// 24. `before·(1 − groupStart)` (2): a before row opens its group
    /// 25. `after·(1 − groupStart')` (2): an after row closes its group
    /// 26. `output·input'·(1 − groupStart')` (3): inputs before outputs within a group
    /// 27. `groupStart'·(1 − after)·balance` (3): a group that closes without an after row is at 0
    /// 28. `beforeCount' − beforeCount − before` (1)
    /// 29. `afterCount' − afterCount − after` (1)
    /// 30. `before·(index − beforeCount)` (2)
    /// 31. `after·(index − afterCount)` (2)
    /// 32. `(input + output)·index` (2): note assets carry index 0
    /// 33… booleanity of the 64 faucet, 32 difference, 63 balance and 63 amount bits (2 each).
    public static let constraintDegrees: [TransitionConstraintDegree] = {
        let d: [Int] = [2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 3, 3, 3, 1, 1, 3, 3, 3, 3, 2, 3, 2, 2, 3, 3, 1, 1, 2, 2, 2]
        precondition(d.count == structuralCount)
        return d.map { TransitionConstraintDegree($0) }
            + Array(repeating: TransitionConstraintDegree(2), count: 64 + 32 + 63 + 63)
    }()

    /// Degree of the bus constraint `(S' − S)·(β − m) − μ` with this section's linear m and μ = −active.
    public static let busDegree = TransitionConstraintDegree(2)

    /// Σ 2^j·r[start + j] for j < count, by doubling (no constants).
    @inline(__always)
    static func bitSum<E: FieldElement>(_ r: UnsafePointer<E>, _ start: Int, _ count: Int) -> E {
        var acc = E.zero
        var j = count - 1
        while j >= 0 {
            acc = acc + acc + r[start + j]
            j -= 1
        }
        return acc
    }

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
        result[11] = (one - gsN) * (n[faucet] - s[faucet])

        let lo = bitSum(s, faucetBits, 32), hi = bitSum(s, faucetBits + 32, 32)
        let loN = bitSum(n, faucetBits, 32), hiN = bitSum(n, faucetBits + 32, 32)
        result[12] = s[faucet] - (lo + hi.scaled(by: Felt(limb)))
        result[13] = lo * (one - s[highInverse] * (hi - E(Felt(limb - 1))))
        result[14] = s[nextGroup] * sameHi * (hiN - hi)
        let difference = sameHi * (loN - lo - one) + (one - sameHi) * (hiN - hi - one)
        result[15] = s[nextGroup] * (difference - bitSum(s, diffBits, 32))

        result[16] = s[balance] - bitSum(s, balanceBits, 63)
        result[17] = s[amount] - bitSum(s, amountBits, 63)
        let delta = (before + input - output) * s[amount]
        let deltaN = (n[isBefore] + n[isInput] - n[isOutput]) * n[amount]
        result[18] = gs * (s[balance] - delta)
        result[19] = (one - gsN) * (n[balance] - s[balance] - deltaN)
        let amountTop = s[amountBits + 62], balanceTop = s[balanceBits + 62]
        result[20] = output * amountTop * balanceTop
        result[21] = (before + input) * amountTop * (one - balanceTop)
        result[22] = after * (s[amount] - s[balance])
        result[23] = after * (one - s[amount] * s[amountInverse])

        result[24] = before * (one - gs)
        result[25] = after * (one - gsN)
        result[26] = output * n[isInput] * (one - gsN)
        result[27] = gsN * (one - after) * s[balance]

        result[28] = n[beforeCount] - s[beforeCount] - before
        result[29] = n[afterCount] - s[afterCount] - after
        result[30] = before * (s[index] - s[beforeCount])
        result[31] = after * (s[index] - s[afterCount])
        result[32] = (input + output) * s[index]

        var k = structuralCount
        for c in faucetBits..<width {
            let b = s[c]
            result[k] = b * (one - b)
            k += 1
        }
    }

    /// The section's boundary assertions for a trace of `rows` rows: row 0 opens a group with both
    /// vault counters at 0, and the last row is padding.
    public static func assertions(offset: Int, rows: Int) -> [Assertion<Felt>] {
        [Assertion(column: offset + groupStart, step: 0, value: .one),
         Assertion(column: offset + beforeCount, step: 0, value: .zero),
         Assertion(column: offset + afterCount, step: 0, value: .zero),
         Assertion(column: offset + active, step: rows - 1, value: .zero)]
    }

    // MARK: Bus

    /// The message this row takes and its multiplicity (−active), from the row's values
    /// (`s` starts at the section's first column).
    @inline(__always)
    public static func rowMessage(_ s: UnsafePointer<QuadFelt>, alpha: QuadFelt) -> (message: QuadFelt, multiplicity: QuadFelt) {
        let kind = s[isInput] + s[isOutput].scaled(by: Felt(2)) + s[isAfter].scaled(by: Felt(3))
        let message = AssetMessage.compress(kind: kind, index: s[index], faucet: s[faucet], amount: s[amount], alpha: alpha, lift: { $0 })
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

    /// Writes the section for `rows` as given (no rule checked), then padding rows.
    public static func fill(_ columns: inout [[Felt]], offset: Int, rows: [LedgerRow]) {
        let length = columns[offset].count
        precondition(rows.count < length, "the ledger needs \(rows.count + 1) rows; the trace has \(length)")
        func startsGroup(_ i: Int) -> Bool { i == 0 || i >= rows.count || rows[i - 1].message.faucet != rows[i].message.faucet }
        func bits(_ value: UInt64, into first: Int, count: Int, row: Int) {
            for j in 0..<count { columns[offset + first + j][row] = (value >> UInt64(j)) & 1 == 1 ? .one : .zero }
        }
        var befores: UInt64 = 0, afters: UInt64 = 0
        for i in 0..<length {
            columns[offset + beforeCount][i] = Felt(befores)
            columns[offset + afterCount][i] = Felt(afters)
            columns[offset + groupStart][i] = startsGroup(i) ? .one : .zero
            guard i < rows.count else {
                // Padding: an empty group; every other cell zero (the zero faucet's high limb is not 2^32 − 1).
                for c in [faucet, amount, isBefore, isInput, isOutput, isAfter, index, balance, active, nextGroup, sameHigh, amountInverse] {
                    columns[offset + c][i] = .zero
                }
                columns[offset + highInverse][i] = (Felt.zero - Felt(limb - 1)).inverse()
                for c in faucetBits..<width { columns[offset + c][i] = .zero }
                continue
            }
            let m = rows[i].message
            let f = m.faucet.value
            columns[offset + faucet][i] = m.faucet
            columns[offset + amount][i] = Felt(m.amount)
            for (c, kind) in [(isBefore, AssetKind.before), (isInput, .input), (isOutput, .output), (isAfter, .after)] {
                columns[offset + c][i] = m.kind == kind ? .one : .zero
            }
            columns[offset + index][i] = Felt(UInt64(m.index))
            columns[offset + balance][i] = rows[i].balance
            columns[offset + active][i] = .one
            let hi = f >> 32
            columns[offset + highInverse][i] = hi == limb - 1 ? .zero : (Felt(hi) - Felt(limb - 1)).inverse()
            let amountFelt = Felt(m.amount)
            columns[offset + amountInverse][i] = m.kind == .after && !amountFelt.isZero ? amountFelt.inverse() : .zero
            bits(f, into: faucetBits, count: 64, row: i)
            bits(rows[i].balance.value, into: balanceBits, count: 63, row: i)
            bits(amountFelt.value, into: amountBits, count: 63, row: i)
            if i + 1 < rows.count, startsGroup(i + 1) {
                let g = rows[i + 1].message.faucet.value
                let same = g >> 32 == hi
                let difference = same
                    ? Felt(g & (limb - 1)) - Felt(f & (limb - 1)) - .one
                    : Felt(g >> 32) - Felt(hi) - .one
                columns[offset + nextGroup][i] = .one
                columns[offset + sameHigh][i] = same ? .one : .zero
                bits(difference.value, into: diffBits, count: 32, row: i)
            } else {
                columns[offset + nextGroup][i] = .zero
                columns[offset + sameHigh][i] = .zero
                bits(0, into: diffBits, count: 32, row: i)
            }
            if m.kind == .before { befores += 1 }
            if m.kind == .after { afters += 1 }
        }
    }
}
