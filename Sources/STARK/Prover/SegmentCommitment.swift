/// A committed trace segment (main, auxiliary, or composition columns): the columns'
/// coefficients, their evaluations on the LDE domain, and the Merkle tree over its rows.
struct SegmentCommitment<H: StarkHasher, E: FlattenableElement>: Sendable {
    /// Coefficients of each column's polynomial.
    let coefficients: [[E]]
    /// Each column evaluated on the LDE domain (offset·⟨ω_N⟩), natural order.
    let evaluations: [[E]]
    /// Merkle tree whose leaf i hashes row i of `evaluations`.
    let tree: MerkleTree<H>

    /// Commits to columns given by their coefficients. `cancellation` is checked before each
    /// column's extension and before the rows are hashed.
    init(coefficients: [[E]], domain: LDEDomain, extensionDegree: Int, threads: Int, cancellation: ProofCancellation? = nil) throws(StarkError) {
        self.coefficients = coefficients
        var evaluations: [[E]] = []
        evaluations.reserveCapacity(coefficients.count)
        for column in coefficients {
            try cancellation.check(before: "extending column \(evaluations.count)")
            evaluations.append(column.withUnsafeBufferPointer {
                Polynomial.cosetEvaluations(coefficients: $0, blowup: domain.blowup, offset: domain.offset, threads: threads)
            })
        }
        self.evaluations = evaluations
        try cancellation.check(before: "hashing the extended rows")
        tree = SegmentCommitment.commitRows(evaluations, extensionDegree: extensionDegree, threads: threads)
    }

    /// Commits to columns given by their values on the trace domain (interpolates them first).
    init(traceColumns: [[E]], domain: LDEDomain, extensionDegree: Int, threads: Int, cancellation: ProofCancellation? = nil) throws(StarkError) {
        var coefficients: [[E]] = []
        coefficients.reserveCapacity(traceColumns.count)
        for column in traceColumns {
            try cancellation.check(before: "interpolating column \(coefficients.count)")
            var c = column
            NTT.inverse(&c, threads: threads)
            coefficients.append(c)
        }
        try self.init(coefficients: coefficients, domain: domain, extensionDegree: extensionDegree, threads: threads, cancellation: cancellation)
    }

    /// Hashes every row of the column-major `columns` into a leaf and builds the tree.
    static func commitRows(_ columns: [[E]], extensionDegree: Int, threads: Int) -> MerkleTree<H> {
        let rows = columns[0].count
        let per = E.flatCount(extensionDegree: extensionDegree)
        let rowWidth = columns.count * per
        return withColumnPointers(columns) { cols in
            MerkleTree<H>(rowCount: rows, width: rowWidth, threads: threads) { r, row in
                for (k, col) in cols.enumerated() {
                    E.write(col[r], extensionDegree: extensionDegree, to: row + k * per)
                }
            }
        }
    }

    /// The rows at `positions`, each as the row's values.
    func rows(at positions: [Int]) -> [[E]] {
        positions.map { p in evaluations.map { $0[p] } }
    }
}

/// Calls `body` with stable base pointers of each column.
func withColumnPointers<E, R>(_ columns: [[E]], _ body: ([UnsafePointer<E>]) -> R) -> R {
    // Arrays of arrays: each inner array's storage is stable while `columns` is alive and unmodified.
    var pointers: [UnsafePointer<E>] = []
    pointers.reserveCapacity(columns.count)
    func recurse(_ k: Int) -> R {
        if k == columns.count { return body(pointers) }
        return columns[k].withUnsafeBufferPointer { buf in
            pointers.append(buf.baseAddress!)
            return recurse(k + 1)
        }
    }
    return recurse(0)
}

/// The low-degree-extension domain: offset·⟨ω⟩ with ω of order `size` = trace length × blowup.
public struct LDEDomain: Sendable {
    public let traceLength: Int
    public let blowup: Int
    public let offset: Felt
    public var size: Int { traceLength * blowup }
    /// Generator of the LDE subgroup.
    public let generator: Felt
    /// Generator of the trace subgroup (g, with g^n = 1).
    public let traceGenerator: Felt

    public init(traceLength: Int, blowup: Int) {
        self.traceLength = traceLength
        self.blowup = blowup
        offset = Felt.multiplicativeGenerator
        generator = Felt.rootOfUnity(logSize: log2Exact(traceLength * blowup))
        traceGenerator = Felt.rootOfUnity(logSize: log2Exact(traceLength))
    }

    /// The domain point with index i.
    public func point(_ i: Int) -> Felt { offset * generator.power(UInt64(i)) }
}
