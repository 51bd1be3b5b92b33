/// Evaluates the random linear combination of all constraint quotients on the constraint-evaluation
/// domain (a coset of size trace length × `AIRLayout.evaluationBlowup`, a subset of the LDE domain).
///
/// For each point x: Σ αᵢ·Cᵢ(x)·(x − g^{n−1})/(xⁿ − 1) over transition constraints, plus
/// Σ βⱼ·(T_{colⱼ}(x) − vⱼ)/(x − g^{stepⱼ}) over assertions.
struct ConstraintEvaluator {
    let air: any AIR
    let layout: AIRLayout
    let domain: LDEDomain
    let extensionDegree: Int

    /// Composition coefficients, in the order: main transitions, aux transitions, main assertions, aux assertions.
    let coefficients: [QuadFelt]
    let auxChallenges: [QuadFelt]
    let auxAssertions: [Assertion<QuadFelt>]

    /// Once `cancellation` is cancelled (looked at every 1,024 points) the rest is left at zero: the
    /// prover's check after this phase throws before the result is used.
    ///
    /// The domain is walked one coset of the trace domain at a time: CE index j·ce + s is the point
    /// c·ω_n^j of LDE coset s·(blowup/ce), and its next row (index + ce) is j + 1 on the same coset,
    /// so only one coset of each segment's extension is needed at once.
    func evaluate<H>(
        main: SegmentCommitment<H, Felt>, aux: SegmentCommitment<H, QuadFelt>?, threads: Int,
        cancellation: ProofCancellation? = nil
    ) -> [QuadFelt] {
        let n = domain.traceLength
        let ce = layout.evaluationBlowup
        let ceSize = n * ce
        let cosetStep = domain.blowup / ce
        let mainWidth = main.width
        let auxWidth = aux?.width ?? 0
        let mainCount = air.mainConstraintDegrees.count
        let auxCount = air.auxConstraintDegrees.count
        let offset = domain.offset
        let traceGenerator = domain.traceGenerator

        // 1/(xⁿ − 1) takes only `ce` values on the coset: xⁿ = offsetⁿ·(ω_ce)^i.
        let omegaCE = Felt.rootOfUnity(logSize: log2Exact(ce))
        let offsetN = offset.power(UInt64(n))
        let vanishingInverses = BatchInversion.invert((0..<ce).map { i in offsetN * omegaCE.power(UInt64(i)) - .one })
        let lastRow = domain.traceGenerator.power(UInt64(n - 1))

        // Periodic columns evaluated on their own small cosets: value at CE index i is table[i mod size].
        let periodicTables: [[Felt]] = layout.periodicCoefficients.map { coeffs in
            let cycle = coeffs.count
            let periodicOffset = offset.power(UInt64(n / cycle))
            return coeffs.withUnsafeBufferPointer {
                Polynomial.cosetEvaluations(coefficients: $0, blowup: ce, offset: periodicOffset, threads: 1)
            }
        }

        // Assertions grouped by row: one divisor (x − g^step) per distinct row, inverted in blocks.
        let mainAssertions = air.mainAssertions
        let assertionSteps = Array(Set(mainAssertions.map(\.step) + auxAssertions.map(\.step))).sorted()
        let assertionRoots = assertionSteps.map { domain.traceGenerator.power(UInt64($0)) }
        let stepIndex = Dictionary(uniqueKeysWithValues: assertionSteps.enumerated().map { ($1, $0) })
        // (column, value, coefficient) for each assertion, grouped by row.
        var mainGroups = [[(Int, Felt, QuadFelt)]](repeating: [], count: assertionSteps.count)
        for (k, a) in mainAssertions.enumerated() {
            mainGroups[stepIndex[a.step]!].append((a.column, a.value, coefficients[mainCount + auxCount + k]))
        }
        var auxGroups = [[(Int, QuadFelt, QuadFelt)]](repeating: [], count: assertionSteps.count)
        for (k, a) in auxAssertions.enumerated() {
            auxGroups[stepIndex[a.step]!].append((a.column, a.value, coefficients[mainCount + auxCount + mainAssertions.count + k]))
        }
        let groupCount = assertionSteps.count

        // Everything the per-row loop reads, in flat buffers (no array retains in the hot loop).
        let periodicCount = periodicTables.count
        let periodicValues = FlatBuffer(periodicTables.flatMap { $0 })
        let periodicStarts = FlatBuffer(periodicTables.indices.map { p in periodicTables[..<p].reduce(0) { $0 + $1.count } })
        let periodicMasks = FlatBuffer(periodicTables.map { $0.count - 1 })
        // On coset s, a periodic column with cycle m takes at row j the value table[(j mod m)·ce + s]:
        // all of them repeat with the longest cycle M. When small, an M-row row-major table per coset
        // replaces a gather per value and row (rows are then read in place).
        let longestCycle = periodicTables.map { $0.count / ce }.max() ?? 1
        let usesPeriodicRows = periodicCount > 0 && longestCycle * periodicCount <= 1 << 17
        let periodicRows = FlatBuffer([Felt](repeating: .zero, count: usesPeriodicRows ? longestCycle * periodicCount : 0))
        let mainGroupEnds = FlatBuffer(mainGroups.indices.map { g in mainGroups[...g].reduce(0) { $0 + $1.count } })
        let mainAssertionColumns = FlatBuffer(mainGroups.flatMap { $0.map(\.0) })
        let mainAssertionValues = FlatBuffer(mainGroups.flatMap { $0.map(\.1) })
        let mainAssertionCoefficients = FlatBuffer(mainGroups.flatMap { $0.map(\.2) })
        let auxGroupEnds = FlatBuffer(auxGroups.indices.map { g in auxGroups[...g].reduce(0) { $0 + $1.count } })
        let auxAssertionColumns = FlatBuffer(auxGroups.flatMap { $0.map(\.0) })
        let auxAssertionValues = FlatBuffer(auxGroups.flatMap { $0.map(\.1) })
        let auxAssertionCoefficients = FlatBuffer(auxGroups.flatMap { $0.map(\.2) })
        let roots = FlatBuffer(assertionRoots)
        let vanishing = FlatBuffer(vanishingInverses)
        let compositionCoefficients = FlatBuffer(coefficients)
        let challengeValues = FlatBuffer(auxChallenges)
        defer {
            periodicValues.free(); periodicStarts.free(); periodicMasks.free(); periodicRows.free()
            mainGroupEnds.free(); mainAssertionColumns.free(); mainAssertionValues.free(); mainAssertionCoefficients.free()
            auxGroupEnds.free(); auxAssertionColumns.free(); auxAssertionValues.free(); auxAssertionCoefficients.free()
            roots.free(); vanishing.free(); compositionCoefficients.free(); challengeValues.free()
        }

        var result = [QuadFelt](repeating: .zero, count: ceSize)
        let air = self.air
        // The AIR's own Σ αₖ·Cₖ when it has one (same values, fewer operations).
        let combination = air.transitionCombination(
            coefficients: Array(coefficients[..<(mainCount + auxCount)]), challenges: auxChallenges)
        let mainScratch = main.makeCosetScratch(threads: threads)
        let auxScratch = aux?.makeCosetScratch(threads: threads)
        defer {
            mainScratch?.deallocate()
            auxScratch?.deallocate()
        }
        result.withUnsafeMutableBufferPointer { out in
            let o = UncheckedSendable(out)
            for s in 0..<ce {
                if cancellation?.isCancelled == true { return }
                let t = s * cosetStep
                let cosetShift = main.lde.shift(coset: t)
                let vanishingInverse = vanishing[s]
                if usesPeriodicRows {
                    for row in 0..<longestCycle {
                        for p in 0..<periodicCount {
                            let cycle = (periodicMasks[p] + 1) / ce
                            periodicRows.base[row * periodicCount + p] = periodicValues[periodicStarts[p] + (row & (cycle - 1)) * ce + s]
                        }
                    }
                }
                main.withCoset(t, scratch: mainScratch, threads: threads) { mainCoset in
                    withOptionalCoset(aux, t, scratch: auxScratch, threads: threads) { auxCoset in
                        let shared = UncheckedSendable((mainCoset, auxCoset))
                        Parallel.forRanges(n, threads: threads, minChunk: 1 << 10) { range in
                            let (mainCoset, auxCoset) = shared.value
                            let block = 1 << 10
                            // Rows blockStart...blockEnd of the main coset, row-major: each block is
                            // read column by column (sequential), then every frame is two rows of it.
                            let tile = UnsafeMutablePointer<Felt>.allocate(capacity: (block + 1) * max(mainWidth, 1))
                            let per = UnsafeMutablePointer<Felt>.allocate(capacity: max(periodicCount, 1))
                            let res = UnsafeMutablePointer<Felt>.allocate(capacity: max(mainCount, 1))
                            let divisors = UnsafeMutablePointer<Felt>.allocate(capacity: max(groupCount * block, 1))
                            let curE = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(mainWidth, 1))
                            let nxtE = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(mainWidth, 1))
                            let auxCur = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                            let auxNxt = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                            let perE = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(periodicCount, 1))
                            let resE = UnsafeMutablePointer<QuadFelt>.allocate(capacity: max(auxCount, 1))
                            defer {
                                tile.deallocate(); per.deallocate(); res.deallocate(); divisors.deallocate()
                                curE.deallocate(); nxtE.deallocate(); auxCur.deallocate(); auxNxt.deallocate(); perE.deallocate(); resE.deallocate()
                            }
                            let challengePtr = UnsafeBufferPointer(start: challengeValues.base, count: challengeValues.count)
                            var blockStart = range.lowerBound
                            while blockStart < range.upperBound {
                                if cancellation?.isCancelled == true { return }
                                let blockEnd = min(range.upperBound, blockStart + block)
                                let length = blockEnd - blockStart
                                for c in 0..<mainWidth {
                                    let column = mainCoset + c * n
                                    for r in 0...length {
                                        tile[r * mainWidth + c] = column[(blockStart + r) & (n - 1)]
                                    }
                                }
                                let startX = cosetShift * traceGenerator.power(UInt64(blockStart))
                                // 1/(x − g^step) for each assertion row over the block.
                                if groupCount > 0 {
                                    for g in 0..<groupCount {
                                        var x = startX
                                        let root = roots[g]
                                        for r in 0..<length {
                                            divisors[g * length + r] = x - root
                                            x = x * traceGenerator
                                        }
                                    }
                                    let used = UnsafeMutableBufferPointer(start: divisors, count: groupCount * length)
                                    BatchInversion.invert(UnsafeBufferPointer(used), into: used)
                                }
                                var x = startX
                                for r in 0..<length {
                                    let j = blockStart + r
                                    let i = j * ce + s
                                    let nextJ = (j + 1) & (n - 1)
                                    let cur = UnsafePointer(tile + r * mainWidth)
                                    let nxt = UnsafePointer(tile + (r + 1) * mainWidth)
                                    let periodicRow: UnsafePointer<Felt>
                                    if usesPeriodicRows {
                                        periodicRow = UnsafePointer(periodicRows.base + (j & (longestCycle - 1)) * periodicCount)
                                    } else {
                                        for p in 0..<periodicCount {
                                            per[p] = periodicValues[periodicStarts[p] + (i & periodicMasks[p])]
                                        }
                                        periodicRow = UnsafePointer(per)
                                    }
                                    let mainFrame = EvaluationFrame(
                                        current: UnsafeBufferPointer(start: cur, count: mainWidth),
                                        next: UnsafeBufferPointer(start: nxt, count: mainWidth))
                                    var transition: QuadFelt
                                    if let combination {
                                        if let auxCoset {
                                            for c in 0..<auxWidth {
                                                auxCur[c] = auxCoset[c * n + j]
                                                auxNxt[c] = auxCoset[c * n + nextJ]
                                            }
                                        }
                                        transition = combination.evaluate(
                                            main: mainFrame,
                                            aux: EvaluationFrame(
                                                current: UnsafeBufferPointer(start: auxCur, count: auxWidth),
                                                next: UnsafeBufferPointer(start: auxNxt, count: auxWidth)),
                                            periodic: periodicRow)
                                    } else {
                                        air.evaluateMain(
                                            mainFrame,
                                            periodic: UnsafeBufferPointer(start: periodicRow, count: periodicCount),
                                            result: UnsafeMutableBufferPointer(start: res, count: mainCount))
                                        var mainSum = QuadAccumulator()
                                        for k in 0..<mainCount { mainSum.add(compositionCoefficients[k], times: res[k]) }
                                        transition = mainSum.value
                                        if auxCount > 0, let auxCoset {
                                            for c in 0..<mainWidth {
                                                curE[c] = QuadFelt(cur[c])
                                                nxtE[c] = QuadFelt(nxt[c])
                                            }
                                            for c in 0..<auxWidth {
                                                auxCur[c] = auxCoset[c * n + j]
                                                auxNxt[c] = auxCoset[c * n + nextJ]
                                            }
                                            for p in 0..<periodicCount { perE[p] = QuadFelt(periodicRow[p]) }
                                            air.evaluateAux(
                                                main: EvaluationFrame(
                                                    current: UnsafeBufferPointer(start: curE, count: mainWidth),
                                                    next: UnsafeBufferPointer(start: nxtE, count: mainWidth)),
                                                aux: EvaluationFrame(
                                                    current: UnsafeBufferPointer(start: auxCur, count: auxWidth),
                                                    next: UnsafeBufferPointer(start: auxNxt, count: auxWidth)),
                                                periodic: UnsafeBufferPointer(start: perE, count: periodicCount),
                                                challenges: challengePtr,
                                                result: UnsafeMutableBufferPointer(start: resE, count: auxCount))
                                            for k in 0..<auxCount { transition += compositionCoefficients[mainCount + k] * resE[k] }
                                        }
                                    }
                                    var total = transition.scaled(by: (x - lastRow) * vanishingInverse)
                                    var mainAssertion = 0
                                    var auxAssertion = 0
                                    for g in 0..<groupCount {
                                        var mainSum = QuadAccumulator()
                                        while mainAssertion < mainGroupEnds[g] {
                                            let value = cur[mainAssertionColumns[mainAssertion]] - mainAssertionValues[mainAssertion]
                                            mainSum.add(mainAssertionCoefficients[mainAssertion], times: value)
                                            mainAssertion += 1
                                        }
                                        var sum = mainSum.value
                                        if let auxCoset {
                                            while auxAssertion < auxGroupEnds[g] {
                                                let value = auxCoset[auxAssertionColumns[auxAssertion] * n + j] - auxAssertionValues[auxAssertion]
                                                sum += auxAssertionCoefficients[auxAssertion] * value
                                                auxAssertion += 1
                                            }
                                        }
                                        total += sum.scaled(by: divisors[g * length + r])
                                    }
                                    o.value[i] = total
                                    x = x * traceGenerator
                                }
                                blockStart = blockEnd
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// A copy of an array in memory that closures on any thread read through a plain pointer (no
/// reference counting in hot loops). `free()` releases it.
struct FlatBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    let count: Int

    init(_ values: [T]) {
        count = values.count
        base = .allocate(capacity: max(1, values.count))
        if !values.isEmpty { values.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: values.count) } }
    }

    subscript(index: Int) -> T {
        @inline(__always) get { base[index] }
    }

    func free() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// `segment.withCoset` when there is a segment; `body(nil)` otherwise.
func withOptionalCoset<H, E, R>(
    _ segment: SegmentCommitment<H, E>?, _ t: Int, scratch: CosetScratch<E>?, threads: Int,
    _ body: (UnsafePointer<E>?) -> R
) -> R {
    guard let segment else { return body(nil) }
    return segment.withCoset(t, scratch: scratch, threads: threads) { body($0) }
}
