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

        var result = [QuadFelt](repeating: .zero, count: ceSize)
        let air = self.air
        let coefficients = self.coefficients
        let challenges = auxChallenges
        let mainScratch = main.makeCosetScratch()
        let auxScratch = aux?.makeCosetScratch()
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
                main.withCoset(t, scratch: mainScratch, threads: threads) { mainCoset in
                    withOptionalCoset(aux, t, scratch: auxScratch, threads: threads) { auxCoset in
                        let shared = UncheckedSendable((mainCoset, auxCoset, periodicTables, mainGroups, auxGroups, assertionRoots))
                        Parallel.forRanges(n, threads: threads, minChunk: 1 << 10) { range in
                            let (mainCoset, auxCoset, periodicTables, mainGroups, auxGroups, assertionRoots) = shared.value
                            let periodicCount = periodicTables.count
                            let block = 1 << 10
                            let cur = UnsafeMutableBufferPointer<Felt>.allocate(capacity: mainWidth)
                            let nxt = UnsafeMutableBufferPointer<Felt>.allocate(capacity: mainWidth)
                            let per = UnsafeMutableBufferPointer<Felt>.allocate(capacity: max(periodicCount, 1))
                            let res = UnsafeMutableBufferPointer<Felt>.allocate(capacity: max(mainCount, 1))
                            let divisors = UnsafeMutableBufferPointer<Felt>.allocate(capacity: max(groupCount * block, 1))
                            let curE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: mainWidth)
                            let nxtE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: mainWidth)
                            let auxCur = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                            let auxNxt = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                            let perE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(periodicCount, 1))
                            let resE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxCount, 1))
                            defer {
                                for p in [cur, nxt, per, res, divisors] { p.deallocate() }
                                for p in [curE, nxtE, auxCur, auxNxt, perE, resE] { p.deallocate() }
                            }
                            challenges.withUnsafeBufferPointer { challengePtr in
                                var blockStart = range.lowerBound
                                while blockStart < range.upperBound {
                                    if cancellation?.isCancelled == true { return }
                                    let blockEnd = min(range.upperBound, blockStart + block)
                                    let startX = cosetShift * traceGenerator.power(UInt64(blockStart))
                                    // 1/(x − g^step) for each assertion row over the block.
                                    let length = blockEnd - blockStart
                                    if groupCount > 0 {
                                        for g in 0..<groupCount {
                                            var x = startX
                                            for j in blockStart..<blockEnd {
                                                divisors[g * length + j - blockStart] = x - assertionRoots[g]
                                                x = x * traceGenerator
                                            }
                                        }
                                        let used = UnsafeMutableBufferPointer(rebasing: divisors[0..<(groupCount * length)])
                                        BatchInversion.invert(UnsafeBufferPointer(used), into: used)
                                    }
                                    var x = startX
                                    for j in blockStart..<blockEnd {
                                        let i = j * ce + s
                                        let nextJ = (j + 1) & (n - 1)
                                        for c in 0..<mainWidth {
                                            cur[c] = mainCoset[c * n + j]
                                            nxt[c] = mainCoset[c * n + nextJ]
                                        }
                                        for p in 0..<periodicCount {
                                            let table = periodicTables[p]
                                            per[p] = table[i & (table.count - 1)]
                                        }
                                        air.evaluateMain(
                                            EvaluationFrame(current: UnsafeBufferPointer(cur), next: UnsafeBufferPointer(nxt)),
                                            periodic: UnsafeBufferPointer(start: per.baseAddress, count: periodicCount),
                                            result: UnsafeMutableBufferPointer(start: res.baseAddress, count: mainCount))
                                        var transition = QuadFelt.zero
                                        for k in 0..<mainCount { transition += coefficients[k].scaled(by: res[k]) }
                                        if auxCount > 0, let auxCoset {
                                            for c in 0..<mainWidth {
                                                curE[c] = QuadFelt(cur[c])
                                                nxtE[c] = QuadFelt(nxt[c])
                                            }
                                            for c in 0..<auxWidth {
                                                auxCur[c] = auxCoset[c * n + j]
                                                auxNxt[c] = auxCoset[c * n + nextJ]
                                            }
                                            for p in 0..<periodicCount { perE[p] = QuadFelt(per[p]) }
                                            air.evaluateAux(
                                                main: EvaluationFrame(current: UnsafeBufferPointer(curE), next: UnsafeBufferPointer(nxtE)),
                                                aux: EvaluationFrame(
                                                    current: UnsafeBufferPointer(start: auxCur.baseAddress, count: auxWidth),
                                                    next: UnsafeBufferPointer(start: auxNxt.baseAddress, count: auxWidth)),
                                                periodic: UnsafeBufferPointer(start: perE.baseAddress, count: periodicCount),
                                                challenges: challengePtr,
                                                result: UnsafeMutableBufferPointer(start: resE.baseAddress, count: auxCount))
                                            for k in 0..<auxCount { transition += coefficients[mainCount + k] * resE[k] }
                                        }
                                        var total = transition.scaled(by: (x - lastRow) * vanishingInverses[s])
                                        for g in 0..<groupCount {
                                            var sum = QuadFelt.zero
                                            for (column, value, coefficient) in mainGroups[g] {
                                                sum += coefficient.scaled(by: mainCoset[column * n + j] - value)
                                            }
                                            if let auxCoset {
                                                for (column, value, coefficient) in auxGroups[g] {
                                                    sum += coefficient * (auxCoset[column * n + j] - value)
                                                }
                                            }
                                            total += sum.scaled(by: divisors[g * length + j - blockStart])
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
        }
        return result
    }
}

/// `segment.withCoset` when there is a segment; `body(nil)` otherwise.
func withOptionalCoset<H, E, R>(
    _ segment: SegmentCommitment<H, E>?, _ t: Int, scratch: UnsafeMutablePointer<E>?, threads: Int,
    _ body: (UnsafePointer<E>?) -> R
) -> R {
    guard let segment else { return body(nil) }
    return segment.withCoset(t, scratch: scratch, threads: threads) { body($0) }
}
