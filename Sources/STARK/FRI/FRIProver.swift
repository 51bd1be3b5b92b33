/// The commit phase of FRI: commits to each layer's rows, folds with a fresh challenge, and ends
/// with the remainder polynomial in coefficient form. Then answers queries layer by layer.
struct FRIProver<H: StarkHasher> {
    struct Layer {
        let evaluations: [QuadFelt]
        let tree: MerkleTree<H>
    }

    private(set) var layers: [Layer] = []
    private(set) var remainder: [QuadFelt] = []

    /// Runs the commit phase on the layer-0 evaluations (over `domain`), drawing folding challenges from `transcript`.
    mutating func commit(
        evaluations initial: [QuadFelt], domain: LDEDomain, options: ProofOptions,
        transcript: inout Transcript<H>, threads: Int, cancellation: ProofCancellation? = nil
    ) throws(StarkError) {
        let f = options.friFoldingFactor
        let folding = FRIFolding(factor: f)
        let plan = FRIPlan(traceLength: domain.traceLength, options: options)
        var current = initial
        var offset = domain.offset
        var generator = domain.generator
        let degree = options.extensionDegree
        for layer in 0..<plan.layers {
            try cancellation.check(before: "FRI layer \(layer)")
            let size = current.count
            let rows = size / f
            // Leaf r hashes the f values at positions r + k·rows.
            let per = degree
            let tree = current.withUnsafeBufferPointer { src in
                MerkleTree<H>(rowCount: rows, width: f * per, threads: threads) { r, row in
                    for k in 0..<f { QuadFelt.write(src[r + k * rows], extensionDegree: degree, to: row + k * per) }
                }
            }
            transcript.absorb(tree.root)
            let alpha = transcript.drawExtension(degree: degree)

            // Fold: next[r] = fold(row r) at x_r = offset·generator^r.
            var next = [QuadFelt](repeating: .zero, count: rows)
            let offsetInverse = offset.inverse()
            let generatorInverse = generator.inverse()
            current.withUnsafeBufferPointer { src in
                next.withUnsafeMutableBufferPointer { out in
                    let o = UncheckedSendable(out)
                    let s = UncheckedSendable(src)
                    Parallel.forRanges(rows, threads: threads, minChunk: 1 << 10) { range in
                        let row = UnsafeMutableBufferPointer<QuadFelt>.allocate(capacity: f)
                        defer { row.deallocate() }
                        var xInverse = offsetInverse * generatorInverse.power(UInt64(range.lowerBound))
                        for r in range {
                            for k in 0..<f { row[k] = s.value[r + k * rows] }
                            o.value[r] = folding.fold(UnsafeBufferPointer(row), xInverse: xInverse, alpha: alpha)
                            xInverse = xInverse * generatorInverse
                        }
                    }
                }
            }
            layers.append(Layer(evaluations: current, tree: tree))
            current = next
            offset = offset.power(UInt64(f))
            generator = generator.power(UInt64(f))
        }
        // Remainder: interpolate the last layer; everything above the degree bound must vanish.
        current.withUnsafeMutableBufferPointer { Polynomial.interpolateCoset($0, offset: offset, threads: threads) }
        if current[plan.remainderBound...].contains(where: { !$0.isZero }) {
            throw .unsatisfiedConstraint("FRI remainder exceeds its degree bound: the DEEP composition is not low-degree")
        }
        remainder = Array(current[..<plan.remainderBound])
        transcript.absorb(elements: remainder.flattened(extensionDegree: degree))
    }

    /// Openings for the query positions (over the layer-0 domain): per layer, the queried rows and a batched Merkle proof.
    func query(positions initial: [Int], factor f: Int) -> [FRILayerOpening] {
        var positions = initial
        var openings: [FRILayerOpening] = []
        for layer in layers {
            let rows = layer.evaluations.count / f
            let rowIndices = Array(Set(positions.map { $0 % rows })).sorted()
            let values = rowIndices.map { r in (0..<f).map { k in layer.evaluations[r + k * rows] } }
            openings.append(FRILayerOpening(rows: values, proof: layer.tree.open(positions: rowIndices)))
            positions = rowIndices
        }
        return openings
    }
}
