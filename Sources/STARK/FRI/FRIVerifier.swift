/// Checks FRI openings: that each queried layer value matches the fold of the layer before,
/// that the openings are in the committed layers, and that the last fold lands on the remainder.
struct FRIVerifier<H: StarkHasher> {
    let options: ProofOptions
    let domain: LDEDomain
    let roots: [Digest]
    let alphas: [QuadFelt]
    let remainder: [QuadFelt]

    /// `positions` are sorted unique layer-0 positions; `values` the DEEP values there.
    func verify(positions initial: [Int], values initialValues: [QuadFelt], openings: [FRILayerOpening]) throws(StarkError) {
        let f = options.friFoldingFactor
        let degree = options.extensionDegree
        do { try options.validate() } catch { throw .verificationFailed(error.description) }
        let folding = FRIFolding(factor: f)
        let plan = FRIPlan(traceLength: domain.traceLength, options: options)
        guard openings.count == plan.layers, roots.count == plan.layers, alphas.count == plan.layers,
              remainder.count == plan.remainderBound else {
            throw .verificationFailed("FRI has \(openings.count) layer openings, \(roots.count) roots and \(remainder.count) remainder coefficients; the options plan \(plan.layers) layers and \(plan.remainderBound) coefficients")
        }
        guard positions(initial, areSortedBelow: domain.size), initialValues.count == initial.count else {
            throw .verificationFailed("FRI query positions are not sorted, unique and inside the domain of \(domain.size) points")
        }
        var positions = initial
        var values = initialValues
        var size = domain.size
        var offset = domain.offset
        var generator = domain.generator
        for (layer, opening) in openings.enumerated() {
            // The plan folds only layers of at least f points; refuse rather than divide by zero.
            guard size >= f, size % f == 0 else {
                throw .verificationFailed("FRI layer \(layer) has \(size) points, fewer than the folding factor \(f)")
            }
            let rows = size / f
            let rowIndices = Array(Set(positions.map { $0 % rows })).sorted()
            guard opening.rows.count == rowIndices.count, opening.rows.allSatisfy({ $0.count == f }) else {
                throw .verificationFailed("FRI layer \(layer): expected \(rowIndices.count) rows of \(f) values")
            }
            let leaves = opening.rows.map { H.hashElements($0.flattened(extensionDegree: degree)) }
            guard MerkleTree<H>.verify(root: roots[layer], leafCount: rows, positions: rowIndices, leaves: leaves, proof: opening.proof) else {
                throw .verificationFailed("FRI layer \(layer): openings do not match the layer commitment")
            }
            let rowOf = Dictionary(uniqueKeysWithValues: rowIndices.enumerated().map { ($1, $0) })
            for (p, v) in zip(positions, values) where opening.rows[rowOf[p % rows]!][p / rows] != v {
                throw .verificationFailed("FRI layer \(layer): value at position \(p) is not the fold of the previous layer")
            }
            values = rowIndices.enumerated().map { k, r in
                let xInverse = (offset * generator.power(UInt64(r))).inverse()
                return opening.rows[k].withUnsafeBufferPointer {
                    folding.fold($0, xInverse: xInverse, alpha: alphas[layer])
                }
            }
            positions = rowIndices
            size = rows
            offset = offset.power(UInt64(f))
            generator = generator.power(UInt64(f))
        }
        for (p, v) in zip(positions, values) {
            let x = QuadFelt(offset * generator.power(UInt64(p)))
            guard Polynomial.evaluate(remainder, at: x) == v else {
                throw .verificationFailed("FRI remainder does not match the last layer at position \(p)")
            }
        }
    }

    /// True when `positions` is non-empty, strictly increasing and below `size`.
    private func positions(_ positions: [Int], areSortedBelow size: Int) -> Bool {
        guard let first = positions.first, first >= 0 else { return false }
        return zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 } && positions.last! < size
    }
}
