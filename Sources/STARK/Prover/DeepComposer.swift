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
enum DeepComposer {
    static func evaluate(
        domain: LDEDomain, main: [[Felt]], aux: [[QuadFelt]], composition: [[QuadFelt]],
        z: QuadFelt, nextZ: QuadFelt, oodTrace: [QuadFelt], oodTraceNext: [QuadFelt], oodComposition: [QuadFelt],
        coefficients: DeepCoefficients, threads: Int
    ) -> [QuadFelt] {
        let size = domain.size
        let mainWidth = main.count
        let auxWidth = aux.count
        // Constant parts of the numerators: Σ γ_k·T_k(z) (+ Σ δ_j·H_j(z)) and Σ γ'_k·T_k(gz).
        var constantZ = QuadFelt.zero
        var constantNext = QuadFelt.zero
        for k in 0..<(mainWidth + auxWidth) {
            constantZ += coefficients.atZ[k] * oodTrace[k]
            constantNext += coefficients.atNextZ[k] * oodTraceNext[k]
        }
        for j in composition.indices { constantZ += coefficients.composition[j] * oodComposition[j] }

        var out = [QuadFelt](repeating: .zero, count: size)
        withColumnPointers(main) { mainCols in
            withColumnPointers(aux) { auxCols in
                withColumnPointers(composition) { compCols in
                    out.withUnsafeMutableBufferPointer { buffer in
                        let o = UncheckedSendable(buffer)
                        let cols = UncheckedSendable((mainCols, auxCols, compCols))
                        Parallel.forRanges(size, threads: threads, minChunk: 1 << 12) { whole in
                            let (mainCols, auxCols, compCols) = cols.value
                            // 1/(x − z) and 1/(x − gz) through base-field norms, inverted in cache-sized blocks.
                            let block = 1 << 12
                            let norms = UnsafeMutableBufferPointer<Felt>.allocate(capacity: 2 * block)
                            defer { norms.deallocate() }
                            var blockStart = whole.lowerBound
                            while blockStart < whole.upperBound {
                                let range = blockStart..<min(whole.upperBound, blockStart + block)
                                let count = range.count
                                let startX = domain.offset * domain.generator.power(UInt64(range.lowerBound))
                                var x = startX
                                for i in 0..<count {
                                    norms[2 * i] = norm(x: x, minus: z)
                                    norms[2 * i + 1] = norm(x: x, minus: nextZ)
                                    x = x * domain.generator
                                }
                                let used = UnsafeMutableBufferPointer(rebasing: norms[0..<(2 * count)])
                                BatchInversion.invert(UnsafeBufferPointer(used), into: used)
                                x = startX
                                for i in range {
                                    let local = i - range.lowerBound
                                    var sumZ = QuadFelt.zero
                                    var sumNext = QuadFelt.zero
                                    for k in 0..<mainWidth {
                                        let t = mainCols[k][i]
                                        sumZ += coefficients.atZ[k].scaled(by: t)
                                        sumNext += coefficients.atNextZ[k].scaled(by: t)
                                    }
                                    for k in 0..<auxWidth {
                                        let t = auxCols[k][i]
                                        sumZ += coefficients.atZ[mainWidth + k] * t
                                        sumNext += coefficients.atNextZ[mainWidth + k] * t
                                    }
                                    for j in 0..<compCols.count { sumZ += coefficients.composition[j] * compCols[j][i] }
                                    // 1/(x − w) = conj(x − w)/norm(x − w).
                                    let invZ = (QuadFelt(x) - z).conjugate.scaled(by: norms[2 * local])
                                    let invNext = (QuadFelt(x) - nextZ).conjugate.scaled(by: norms[2 * local + 1])
                                    o.value[i] = (sumZ - constantZ) * invZ + (sumNext - constantNext) * invNext
                                    x = x * domain.generator
                                }
                                blockStart = range.upperBound
                            }
                        }
                    }
                }
            }
        }
        return out
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
