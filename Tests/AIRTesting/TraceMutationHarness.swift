import STARK

/// What a mutation campaign found.
public struct MutationReport: Sendable, CustomStringConvertible {
    public let air: String
    /// Mutations applied (those that changed nothing are not counted).
    public var tried = 0
    /// Mutations that left the trace as it was (e.g. two identical padding segments swapped).
    public var unchanged = 0
    /// Caught mutations by the kind of check that failed first.
    public var caught: [String: Int] = [:]
    /// Surviving mutations the AIR documents as free, by reason.
    public var free: [String: Int] = [:]
    /// Surviving mutations nobody documented: each a soundness question.
    public var survivors: [Survivor] = []

    /// A mutation no check caught.
    public struct Survivor: Sendable, CustomStringConvertible {
        /// The mutation, or nil for a whole forged trace.
        public let mutation: TraceMutation?
        let forgery: String?
        init(mutation: TraceMutation) { self.mutation = mutation; forgery = nil }
        init(forgery: String) { mutation = nil; self.forgery = forgery }
        public var description: String { mutation?.description ?? "forged trace: \(forgery ?? "")" }
    }

    public var description: String {
        let by = caught.sorted { $0.key < $1.key }.map { "\($0.value) by \($0.key)" }.joined(separator: ", ")
        let freeText = free.isEmpty ? "none" : free.sorted { $0.key < $1.key }.map { "\($0.value): \($0.key)" }.joined(separator: "; ")
        var text = "\(air): \(tried) mutations, \(tried - survivors.count - free.values.reduce(0, +)) caught (\(by)); "
            + "free \(free.values.reduce(0, +)) (\(freeText)); survivors \(survivors.count)"
        for line in survivorSummary.prefix(40) { text += "\n  survived: \(line)" }
        return text
    }

    /// The survivors grouped: one line per column for changed cells (with the rows), then the
    /// structural mutations one per line.
    public var survivorSummary: [String] {
        var rowsByColumn: [Int: Set<Int>] = [:]
        var others: [String] = []
        for s in survivors {
            if case .cell(let c, let r, _)? = s.mutation { rowsByColumn[c, default: []].insert(r) } else { others.append(s.description) }
        }
        return rowsByColumn.keys.sorted().map { c in "column \(c) at rows \(rowsByColumn[c]!.sorted())" } + Array(Set(others)).sorted()
    }
}

/// Mutation testing of an AIR: from an honest trace, change one cell (every column, at the
/// trace's start, middle, end, segment boundaries and random rows, by +1 and by a random value),
/// swap rows (whole rows and within each section), swap, duplicate and drop segments, plus the
/// AIR's own whole-trace forgeries; each mutant must fail some constraint or assertion, or be a
/// documented `Freedom`.
public struct TraceMutationHarness: Sendable {
    public let name: String
    public let check: TraceCheck
    public let trace: [[Felt]]
    /// Rows per segment (a permutation cycle, a block update...), for segment mutations.
    public var segmentRows: Int?
    /// Named column ranges whose rows are also swapped on their own.
    public var sections: [(name: String, columns: Range<Int>)] = []
    public var freedoms: [Freedom] = []
    /// Extra rows every column is mutated at (beyond start, middle, end, boundaries).
    public var extraRows: [Int] = []
    public var seed: UInt64 = 9
    /// Whole traces an adversary would build for this statement (every hash honest, some rule
    /// broken), checked on every row: each must fail too.
    public var forgeries: [(name: String, columns: [[Felt]])] = []

    public init(_ name: String, air: any AIR, trace: TraceTable) {
        self.name = name
        check = TraceCheck(air: air)
        self.trace = trace.columns
    }

    var length: Int { trace[0].count }

    /// The honest trace's first failing check over all rows (nil: it passes, as it must for the
    /// campaign to mean anything).
    public func honestFailure() -> String? { check.firstFailure(trace) }

    /// The mutations of a campaign, deterministic from the seed.
    public func mutations() -> [TraceMutation] {
        let n = length, width = trace.count
        var rng = SplitMix64(seed: seed)
        var rows: Set<Int> = [0, 1, 2, n / 2 - 1, n / 2, n - 2, n - 1]
        var swaps: [(Int, Int)] = [(0, 1), (n / 2 - 1, n / 2), (n - 2, n - 1), (1, n - 2)]
        var out: [TraceMutation] = []
        if let s = segmentRows, n / s >= 2 {
            let m = n / s
            rows.formUnion([s - 1, s, s / 2, (m - 1) * s - 1, (m - 1) * s, (m - 1) * s + s / 2])
            swaps += [(s - 1, s), ((m - 1) * s - 1, (m - 1) * s), (s / 2, s + s / 2)]
            var segmentMutations: [TraceMutation] = [
                .swapSegments(0, 1), .swapSegments(m - 2, m - 1), .swapSegments(0, m - 1),
                .duplicateSegment(from: 0, onto: 1), .duplicateSegment(from: 1, onto: 0),
                .duplicateSegment(from: m - 2, onto: m - 1), .duplicateSegment(from: m - 1, onto: 0),
                .dropSegment(0), .dropSegment(m - 2),
            ]
            if m > 4 { segmentMutations += [.swapSegments(m / 2, m / 2 + 1), .dropSegment(m / 2), .duplicateSegment(from: m / 2, onto: m / 2 + 1)] }
            out += segmentMutations
        }
        for _ in 0..<3 { rows.insert(Int(rng.next() % UInt64(n))) }
        for _ in 0..<2 {
            let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
            if a != b { swaps.append((a, b)) }
        }
        rows.formUnion(extraRows.filter { $0 >= 0 && $0 < n })
        for c in 0..<width {
            for r in rows.sorted() {
                out.append(.cell(column: c, row: r, value: trace[c][r] + .one))
                out.append(.cell(column: c, row: r, value: Felt(rng.next() % Felt.modulus)))
            }
        }
        for (a, b) in swaps {
            out.append(.swapRows(a, b, columns: 0..<width, section: "whole rows"))
            for section in sections { out.append(.swapRows(a, b, columns: section.columns, section: section.name)) }
        }
        return out
    }

    /// Runs every mutation (in parallel) and reports what caught it.
    public func run(threads: Int = 2) -> MutationReport {
        let all = mutations()
        var outcomes = [Outcome](repeating: .unchanged, count: all.count)
        let s = segmentRows ?? 1
        outcomes.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out.baseAddress!)
            Parallel.forEach(all.count, threads: threads) { k in
                var columns = trace
                let touched = all[k].apply(to: &columns, segmentRows: s)
                guard touched.contains(where: { r in columns.indices.contains { columns[$0][r] != trace[$0][r] } }) else {
                    shared.value[k] = .unchanged
                    return
                }
                let transitions = Array(Set(touched.flatMap { [$0 - 1, $0] })).sorted()
                if let failure = check.firstFailure(columns, transitions: transitions) {
                    shared.value[k] = .caught(failure.split(separator: " ").prefix(2).joined(separator: " "))
                } else if let freedom = freedoms.first(where: { $0.matches(all[k]) }) {
                    shared.value[k] = .free(freedom.reason)
                } else {
                    shared.value[k] = .survived
                }
            }
        }
        var report = MutationReport(air: name)
        for forgery in forgeries {
            report.tried += 1
            if let failure = check.firstFailure(forgery.columns) {
                report.caught[failure.split(separator: " ").prefix(2).joined(separator: " "), default: 0] += 1
            } else {
                report.survivors.append(MutationReport.Survivor(forgery: forgery.name))
            }
        }
        for (mutation, outcome) in zip(all, outcomes) {
            switch outcome {
            case .unchanged: report.unchanged += 1; continue
            case .caught(let by): report.caught[by, default: 0] += 1
            case .free(let reason): report.free[reason, default: 0] += 1
            case .survived: report.survivors.append(MutationReport.Survivor(mutation: mutation))
            }
            report.tried += 1
        }
        return report
    }

    enum Outcome { case unchanged, caught(String), free(String), survived }
}
