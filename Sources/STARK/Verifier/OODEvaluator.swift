/// Evaluates the constraint composition at the out-of-domain point z from the claimed trace
/// values there: the verifier's side of the composition check.
struct OODEvaluator {
    let air: any AIR
    let layout: AIRLayout
    let domain: LDEDomain

    func compose(
        z: QuadFelt, main: [QuadFelt], mainNext: [QuadFelt], aux: [QuadFelt], auxNext: [QuadFelt],
        coefficients: [QuadFelt], auxChallenges: [QuadFelt], auxAssertions: [Assertion<QuadFelt>]
    ) -> QuadFelt {
        let n = domain.traceLength
        let mainCount = air.mainConstraintDegrees.count
        let auxCount = air.auxConstraintDegrees.count
        let periodic = layout.periodicValues(at: z)
        var mainResult = [QuadFelt](repeating: .zero, count: mainCount)
        var auxResult = [QuadFelt](repeating: .zero, count: auxCount)
        main.withUnsafeBufferPointer { cur in
            mainNext.withUnsafeBufferPointer { nxt in
                periodic.withUnsafeBufferPointer { per in
                    mainResult.withUnsafeMutableBufferPointer { res in
                        air.evaluateMain(EvaluationFrame(current: cur, next: nxt), periodic: per, result: res)
                    }
                    if auxCount > 0 {
                        aux.withUnsafeBufferPointer { auxCur in
                            auxNext.withUnsafeBufferPointer { auxNxt in
                                auxChallenges.withUnsafeBufferPointer { ch in
                                    auxResult.withUnsafeMutableBufferPointer { res in
                                        air.evaluateAux(
                                            main: EvaluationFrame(current: cur, next: nxt),
                                            aux: EvaluationFrame(current: auxCur, next: auxNxt),
                                            periodic: per, challenges: ch, result: res)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var transition = QuadFelt.zero
        for k in 0..<mainCount { transition += coefficients[k] * mainResult[k] }
        for k in 0..<auxCount { transition += coefficients[mainCount + k] * auxResult[k] }
        let lastRow = QuadFelt(domain.traceGenerator.power(UInt64(n - 1)))
        var total = transition * (z - lastRow) * (z.power(UInt64(n)) - .one).inverse()

        let g = domain.traceGenerator
        var k = mainCount + auxCount
        for a in air.mainAssertions {
            let divisor = z - QuadFelt(g.power(UInt64(a.step)))
            total += coefficients[k] * (main[a.column] - QuadFelt(a.value)) * divisor.inverse()
            k += 1
        }
        for a in auxAssertions {
            let divisor = z - QuadFelt(g.power(UInt64(a.step)))
            total += coefficients[k] * (aux[a.column] - a.value) * divisor.inverse()
            k += 1
        }
        return total
    }
}
