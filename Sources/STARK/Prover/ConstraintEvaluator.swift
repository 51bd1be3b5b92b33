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
    func evaluate(main: [[Felt]], aux: [[QuadFelt]], threads: Int, cancellation: ProofCancellation? = nil) -> [QuadFelt] {
        let n = domain.traceLength
        let ce = layout.evaluationBlowup
        let ceSize = n * ce
        let step = domain.blowup / ce
        let ldeMask = domain.size - 1
        let mainWidth = main.count
        let auxWidth = aux.count
        let mainCount = air.mainConstraintDegrees.count
        let auxCount = air.auxConstraintDegrees.count
        let ceGenerator = Felt.rootOfUnity(logSize: log2Exact(ceSize))
        let offset = domain.offset

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

        // Assertions grouped by row: one divisor (x − g^step) per distinct row, inverted in a batch.
        let mainAssertions = air.mainAssertions
        let assertionSteps = Array(Set(mainAssertions.map(\.step) + auxAssertions.map(\.step))).sorted()
        let divisorInverses: [[Felt]] = assertionSteps.map { s in
            let root = domain.traceGenerator.power(UInt64(s))
            var values = [Felt](repeating: .zero, count: ceSize)
            values.withUnsafeMutableBufferPointer { buf in
                let b = UncheckedSendable(buf)
                Parallel.forRanges(ceSize, threads: threads, minChunk: 1 << 12) { range in
                    var x = offset * ceGenerator.power(UInt64(range.lowerBound))
                    for i in range {
                        b.value[i] = x - root
                        x = x * ceGenerator
                    }
                    BatchInversion.invert(UnsafeBufferPointer(rebasing: b.value[range]), into: UnsafeMutableBufferPointer(rebasing: b.value[range]))
                }
            }
            return values
        }
        let stepIndex = Dictionary(uniqueKeysWithValues: assertionSteps.enumerated().map { ($1, $0) })
        // (group, column, value, coefficient) for each assertion, grouped.
        var mainGroups = [[(Int, Felt, QuadFelt)]](repeating: [], count: assertionSteps.count)
        for (k, a) in mainAssertions.enumerated() {
            mainGroups[stepIndex[a.step]!].append((a.column, a.value, coefficients[mainCount + auxCount + k]))
        }
        var auxGroups = [[(Int, QuadFelt, QuadFelt)]](repeating: [], count: assertionSteps.count)
        for (k, a) in auxAssertions.enumerated() {
            auxGroups[stepIndex[a.step]!].append((a.column, a.value, coefficients[mainCount + auxCount + mainAssertions.count + k]))
        }

        var result = [QuadFelt](repeating: .zero, count: ceSize)
        let air = self.air
        let coefficients = self.coefficients
        let challenges = auxChallenges
        withColumnPointers(main) { mainCols in
            withColumnPointers(aux) { auxCols in
                result.withUnsafeMutableBufferPointer { out in
                    let o = UncheckedSendable(out)
                    let shared = UncheckedSendable((mainCols, auxCols, periodicTables, divisorInverses, mainGroups, auxGroups))
                    Parallel.forRanges(ceSize, threads: threads, minChunk: 1 << 10) { range in
                        let (mainCols, auxCols, periodicTables, divisorInverses, mainGroups, auxGroups) = shared.value
                        let periodicCount = periodicTables.count
                        let cur = UnsafeMutableBufferPointer<Felt>.allocate(capacity: mainWidth)
                        let nxt = UnsafeMutableBufferPointer<Felt>.allocate(capacity: mainWidth)
                        let per = UnsafeMutableBufferPointer<Felt>.allocate(capacity: max(periodicCount, 1))
                        let res = UnsafeMutableBufferPointer<Felt>.allocate(capacity: max(mainCount, 1))
                        let curE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: mainWidth)
                        let nxtE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: mainWidth)
                        let auxCur = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                        let auxNxt = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxWidth, 1))
                        let perE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(periodicCount, 1))
                        let resE = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: max(auxCount, 1))
                        defer {
                            for p in [cur, nxt, per, res] { p.deallocate() }
                            for p in [curE, nxtE, auxCur, auxNxt, perE, resE] { p.deallocate() }
                        }
                        challenges.withUnsafeBufferPointer { challengePtr in
                            var x = offset * ceGenerator.power(UInt64(range.lowerBound))
                            for i in range {
                                if i & 1023 == 0, cancellation?.isCancelled == true { return }
                                let row = i * step
                                let nextRow = (row + domain.blowup) & ldeMask
                                for c in 0..<mainWidth {
                                    cur[c] = mainCols[c][row]
                                    nxt[c] = mainCols[c][nextRow]
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
                                if auxCount > 0 {
                                    for c in 0..<mainWidth {
                                        curE[c] = QuadFelt(cur[c])
                                        nxtE[c] = QuadFelt(nxt[c])
                                    }
                                    for c in 0..<auxWidth {
                                        auxCur[c] = auxCols[c][row]
                                        auxNxt[c] = auxCols[c][nextRow]
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
                                var total = transition.scaled(by: (x - lastRow) * vanishingInverses[i & (ce - 1)])
                                for g in 0..<mainGroups.count {
                                    var sum = QuadFelt.zero
                                    for (column, value, coefficient) in mainGroups[g] {
                                        sum += coefficient.scaled(by: mainCols[column][row] - value)
                                    }
                                    for (column, value, coefficient) in auxGroups[g] {
                                        sum += coefficient * (auxCols[column][row] - value)
                                    }
                                    total += sum.scaled(by: divisorInverses[g][i])
                                }
                                o.value[i] = total
                                x = x * ceGenerator
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
