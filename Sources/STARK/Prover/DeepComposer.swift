/// Random coefficients of the DEEP composition polynomial, drawn after the out-of-domain values.
public struct DeepCoefficients: Sendable {
    /// For (T_k(x) − T_k(z))/(x − z), main then auxiliary columns.
    public var atZ: [QuadFelt]
    /// For (T_k(x) − T_k(g·z))/(x − g·z).
    public var atNextZ: [QuadFelt]
    /// For (H_j(x) − H_j(z))/(x − z), composition columns.
    public var composition: [QuadFelt]

    /// Draws the coefficients in a fixed order (prover and verifier alike).
    static func draw<H>(from transcript: inout Transcript<H>, traceWidth: Int, compositionColumns: Int, degree: Int) -> Self {
        DeepCoefficients(
            atZ: transcript.drawExtensions(traceWidth, degree: degree),
            atNextZ: transcript.drawExtensions(traceWidth, degree: degree),
            composition: transcript.drawExtensions(compositionColumns, degree: degree))
    }

    /// The DEEP value at one point x from the trace row and composition row opened there.
    /// Shared by the verifier (at query points); the prover computes the same over the whole domain.
    public func evaluate(
        x: Felt, traceRow: [QuadFelt], compositionRow: [QuadFelt], z: QuadFelt, nextZ: QuadFelt,
        oodTrace: [QuadFelt], oodTraceNext: [QuadFelt], oodComposition: [QuadFelt]
    ) -> QuadFelt {
        var numeratorZ = QuadFelt.zero
        var numeratorNext = QuadFelt.zero
        for k in traceRow.indices {
            numeratorZ += atZ[k] * (traceRow[k] - oodTrace[k])
            numeratorNext += atNextZ[k] * (traceRow[k] - oodTraceNext[k])
        }
        for j in compositionRow.indices {
            numeratorZ += composition[j] * (compositionRow[j] - oodComposition[j])
        }
        let xE = QuadFelt(x)
        return numeratorZ * (xE - z).inverse() + numeratorNext * (xE - nextZ).inverse()
    }
}

/// Computes the DEEP composition polynomial's evaluations over the whole LDE domain (prover side).
///
/// The numerators Σ γ_k·T_k(x) (+ Σ δ_j·H_j(x)) and Σ γ'_k·T_k(x) are linear in the columns. A
/// narrow stored trace (at most `pointwiseColumns` columns in all, e.g. Fibonacci's) contributes its
/// extension values point by point; otherwise every segment, stored or streamed (see
/// `SegmentCommitment`), is first combined in coefficient form into two extension polynomials,
/// which are then evaluated coset by coset: two transforms per coset instead of reading every
/// column's extension (for a wide segment the strided reads cost more than the transforms; for two
/// columns the transforms cost twice the whole phase). The values are the same either way.
enum DeepComposer {
    /// Up to this many columns (main + aux + composition), stored segments are read point by point.
    static let pointwiseColumns = 12

    static func evaluate<H>(
        domain: LDEDomain, main: SegmentCommitment<H, Felt>, aux: SegmentCommitment<H, QuadFelt>?,
        composition: SegmentCommitment<H, QuadFelt>,
        z: QuadFelt, nextZ: QuadFelt, oodTrace: [QuadFelt], oodTraceNext: [QuadFelt], oodComposition: [QuadFelt],
        coefficients: DeepCoefficients, threads: Int
    ) -> [QuadFelt] {
        let n = domain.traceLength
        let blowup = domain.blowup
        let size = domain.size
        let mainWidth = main.width
        let auxWidth = aux?.width ?? 0
        let compWidth = composition.width
        // Constant parts of the numerators: Σ γ_k·T_k(z) (+ Σ δ_j·H_j(z)) and Σ γ'_k·T_k(gz).
        var constantZ = QuadFelt.zero
        var constantNext = QuadFelt.zero
        for k in 0..<(mainWidth + auxWidth) {
            constantZ += coefficients.atZ[k] * oodTrace[k]
            constantNext += coefficients.atNextZ[k] * oodTraceNext[k]
        }
        for j in 0..<compWidth { constantZ += coefficients.composition[j] * oodComposition[j] }

        // Segments combined in coefficient form: all of them, unless the trace is narrow and stored.
        let pointwise = mainWidth + auxWidth + compWidth <= pointwiseColumns
        let readMain = pointwise && main.isStored
        let readAux = pointwise && (aux?.isStored ?? false)
        let readComp = pointwise && composition.isStored
        let combined = !(readMain && (aux == nil || readAux) && readComp)
        var comboZ = [QuadFelt](repeating: .zero, count: combined ? n : 0)
        var comboNext = [QuadFelt](repeating: .zero, count: combined ? n : 0)
        if combined {
            withColumnPointers(readMain ? [] : main.coefficients) { mainCols in
                withColumnPointers(readAux ? [] : aux?.coefficients ?? []) { auxCols in
                    withColumnPointers(readComp ? [] : composition.coefficients) { compCols in
                        comboZ.withUnsafeMutableBufferPointer { zBuffer in
                            comboNext.withUnsafeMutableBufferPointer { nextBuffer in
                                let out = UncheckedSendable((zBuffer, nextBuffer))
                                let cols = UncheckedSendable((mainCols, auxCols, compCols))
                                Parallel.forRanges(n, threads: threads, minChunk: 1 << 12) { range in
                                    let (zOut, nextOut) = out.value
                                    let (mainCols, auxCols, compCols) = cols.value
                                    for i in range {
                                        var sumZ = QuadFelt.zero
                                        var sumNext = QuadFelt.zero
                                        for k in 0..<mainCols.count {
                                            let t = mainCols[k][i]
                                            sumZ += coefficients.atZ[k].scaled(by: t)
                                            sumNext += coefficients.atNextZ[k].scaled(by: t)
                                        }
                                        for k in 0..<auxCols.count {
                                            let t = auxCols[k][i]
                                            sumZ += coefficients.atZ[mainWidth + k] * t
                                            sumNext += coefficients.atNextZ[mainWidth + k] * t
                                        }
                                        for j in 0..<compCols.count { sumZ += coefficients.composition[j] * compCols[j][i] }
                                        zOut[i] = sumZ
                                        nextOut[i] = sumNext
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let prepared = combined ? withColumnPointers([comboZ, comboNext]) { main.lde.prepare(columns: $0, threads: threads) } : nil
        defer { prepared?.free() }
        comboZ = []
        comboNext = []
        let comboCoset = UnsafeMutablePointer<QuadFelt>.allocate(capacity: combined ? 2 * n : 1)
        defer { comboCoset.deallocate() }

        var out = [QuadFelt](repeating: .zero, count: size)
        out.withUnsafeMutableBufferPointer { buffer in
            let o = UncheckedSendable(buffer)
            for t in 0..<blowup {
                if let prepared { main.lde.evaluate(prepared: prepared, coset: t, into: comboCoset, threads: threads) }
                let cosetShift = main.lde.shift(coset: t)
                withStoredCosets(readMain ? main : nil, readAux ? aux : nil, readComp ? composition : nil, t) { mainCoset, auxCoset, compCoset in
                    let cosets = UncheckedSendable((mainCoset, auxCoset, compCoset, combined ? UnsafePointer(comboCoset) : nil))
                    Parallel.forRanges(n, threads: threads, minChunk: 1 << 12) { whole in
                        let (mainCoset, auxCoset, compCoset, comboCoset) = cosets.value
                        // 1/(x − z) and 1/(x − gz) through base-field norms, inverted in cache-sized blocks.
                        let block = 1 << 12
                        let norms = UnsafeMutableBufferPointer<Felt>.allocate(capacity: 2 * block)
                        defer { norms.deallocate() }
                        var blockStart = whole.lowerBound
                        while blockStart < whole.upperBound {
                            let range = blockStart..<min(whole.upperBound, blockStart + block)
                            let count = range.count
                            let startX = cosetShift * domain.traceGenerator.power(UInt64(range.lowerBound))
                            var x = startX
                            for i in 0..<count {
                                norms[2 * i] = norm(x: x, minus: z)
                                norms[2 * i + 1] = norm(x: x, minus: nextZ)
                                x = x * domain.traceGenerator
                            }
                            let used = UnsafeMutableBufferPointer(rebasing: norms[0..<(2 * count)])
                            BatchInversion.invert(UnsafeBufferPointer(used), into: used)
                            x = startX
                            for j in range {
                                let local = j - range.lowerBound
                                // 1/(x − w) = conj(x − w)/norm(x − w).
                                let invZ = (QuadFelt(x) - z).conjugate.scaled(by: norms[2 * local])
                                let invNext = (QuadFelt(x) - nextZ).conjugate.scaled(by: norms[2 * local + 1])
                                var sumZ = QuadFelt.zero
                                var sumNext = QuadFelt.zero
                                if let comboCoset {
                                    sumZ = comboCoset[j]
                                    sumNext = comboCoset[n + j]
                                }
                                if let mainCoset {
                                    for k in 0..<mainWidth {
                                        let t = mainCoset[k * n + j]
                                        sumZ += coefficients.atZ[k].scaled(by: t)
                                        sumNext += coefficients.atNextZ[k].scaled(by: t)
                                    }
                                }
                                if let auxCoset {
                                    for k in 0..<auxWidth {
                                        let t = auxCoset[k * n + j]
                                        sumZ += coefficients.atZ[mainWidth + k] * t
                                        sumNext += coefficients.atNextZ[mainWidth + k] * t
                                    }
                                }
                                if let compCoset {
                                    for c in 0..<compWidth { sumZ += coefficients.composition[c] * compCoset[c * n + j] }
                                }
                                o.value[j * blowup + t] = (sumZ - constantZ) * invZ + (sumNext - constantNext) * invNext
                                x = x * domain.traceGenerator
                            }
                            blockStart = range.upperBound
                        }
                    }
                }
            }
        }
        return out
    }

    /// Calls `body` with coset t of a stored segment, or nil when there is none.
    static func withStoredCoset<H, E, R>(_ segment: SegmentCommitment<H, E>?, _ t: Int, _ body: (UnsafePointer<E>?) -> R) -> R {
        guard let segment else { return body(nil) }
        return segment.withCoset(t, scratch: nil, threads: 1) { body($0) }
    }

    /// Calls `body` with coset t of each stored segment given (nil for one not given).
    static func withStoredCosets<H, R>(
        _ main: SegmentCommitment<H, Felt>?, _ aux: SegmentCommitment<H, QuadFelt>?, _ composition: SegmentCommitment<H, QuadFelt>?,
        _ t: Int, _ body: (UnsafePointer<Felt>?, UnsafePointer<QuadFelt>?, UnsafePointer<QuadFelt>?) -> R
    ) -> R {
        withStoredCoset(main, t) { m in withStoredCoset(aux, t) { a in withStoredCoset(composition, t) { c in body(m, a, c) } } }
    }

    /// Norm of (x − w) for base x and extension w = w0 + w1·φ: with a = x − w0, b = −w1,
    /// N(a + bφ) = a² + ab + 2b².
    @inline(__always)
    static func norm(x: Felt, minus w: QuadFelt) -> Felt {
        let a = x - w.c0
        let b = -w.c1
        return a * (a + b) + (b * b).double()
    }
}
