/// A committed trace segment (main, auxiliary, or composition columns): the columns'
/// coefficients, the Merkle tree over the rows of their low-degree extension, and — when it is
/// small enough — the extension itself.
///
/// The extension is computed one coset of the trace domain at a time (see `CosetLDE`), its rows
/// hashed as each coset is produced. A segment whose extension is larger than the store limit
/// keeps only its coefficients: readers re-evaluate the cosets they need (`withCoset`), and the
/// queried rows are evaluated from the coefficients (`rows(at:threads:)`, see `PointEvaluator`). The commitment is the
/// same either way.
struct SegmentCommitment<H: StarkHasher, E: FlattenableElement>: Sendable {
    /// Bytes of the extension of `width` columns over `domain`.
    static func extensionBytes(width: Int, domain: LDEDomain) -> Int { width * domain.size * MemoryLayout<E>.stride }

    /// Bytes of this segment's extension (stored or not).
    var extensionBytes: Int { Self.extensionBytes(width: width, domain: domain) }

    /// Coefficients of each column's polynomial.
    let coefficients: [[E]]
    let domain: LDEDomain
    let lde: CosetLDE
    /// The extension when kept: `storedCosets[t]` holds coset t column-major (column c at c·n),
    /// so LDE row j·blowup + t of column c is `storedCosets[t][c·n + j]`. Nil when streamed.
    let storedCosets: [[E]]?
    /// Merkle tree whose leaf i hashes row i of the extension (natural order).
    let tree: MerkleTree<H>

    var width: Int { coefficients.count }
    var isStored: Bool { storedCosets != nil }

    /// Commits to columns given by their coefficients. `cancellation` is checked before each coset.
    init(
        coefficients: [[E]], domain: LDEDomain, extensionDegree: Int, threads: Int,
        storeLimit: Int, cancellation: ProofCancellation? = nil
    ) throws(StarkError) {
        self.coefficients = coefficients
        self.domain = domain
        let lde = CosetLDE(domain: domain, threads: threads)
        self.lde = lde
        let n = domain.traceLength
        let blowup = domain.blowup
        let width = coefficients.count
        let keep = Self.extensionBytes(width: width, domain: domain) <= storeLimit
        if keep {
            // Every coset kept: then the rows are hashed in natural order straight into the tree.
            var stored: [[E]] = []
            let prepared = withColumnPointers(coefficients) { lde.prepare(columns: $0, threads: threads) }
            defer { prepared.free() }
            let failure: StarkError? = {
                for t in 0..<blowup {
                    if let flag = cancellation, flag.isCancelled {
                        return StarkError.cancelled("\(flag.reason ?? "cancelled") (stopped before extending coset \(t))")
                    }
                    stored.append([E](unsafeUninitializedCapacity: width * n) { buffer, initialized in
                        lde.evaluate(prepared: prepared, coset: t, into: buffer.baseAddress!, threads: threads)
                        initialized = width * n
                    })
                }
                return nil
            }()
            if let failure { throw failure }
            try cancellation.check(before: "hashing the extended rows")
            storedCosets = stored
            tree = withColumnPointers(stored) { cosets in
                MerkleTree<H>(leafCount: n * blowup, threads: threads) { range, out in
                    Self.hashRows(cosets, n: n, width: width, rows: range, extensionDegree: extensionDegree, into: out)
                }
            }
            return
        }
        // Streamed: each coset is evaluated into one buffer and its rows hashed straight into the
        // tree's leaf level (row j of coset t is leaf j·blowup + t).
        let prepared = withColumnPointers(coefficients) { lde.prepare(columns: $0, threads: threads) }
        defer { prepared.free() }
        var failure: StarkError?
        tree = MerkleTree<H>(leafCount: n * blowup, threads: threads) { leaves in
            let scratch = UnsafeMutablePointer<E>.allocate(capacity: max(1, width * n))
            defer { scratch.deallocate() }
            for t in 0..<blowup {
                if let flag = cancellation, flag.isCancelled {
                    failure = StarkError.cancelled("\(flag.reason ?? "cancelled") (stopped before extending coset \(t))")
                    return
                }
                lde.evaluate(prepared: prepared, coset: t, into: scratch, threads: threads)
                let src = UncheckedSendable(UnsafePointer(scratch))
                let dst = UncheckedSendable(leaves + t)
                Parallel.forRanges(n, threads: threads, minChunk: 1 << 10) { range in
                    Self.hashRows(
                        [src.value], n: n, width: width, rows: range, extensionDegree: extensionDegree,
                        into: dst.value + range.lowerBound * blowup, stride: blowup)
                }
            }
        }
        if let failure { throw failure }
        storedCosets = nil
    }

    /// Commits to columns given by their values on the trace domain (interpolates them first).
    init(
        traceColumns: [[E]], domain: LDEDomain, extensionDegree: Int, threads: Int,
        storeLimit: Int, cancellation: ProofCancellation? = nil
    ) throws(StarkError) {
        try cancellation.check(before: "interpolating the trace columns")
        var coefficients = traceColumns
        let columnThreads = coefficients.count >= threads ? threads : 1
        let innerThreads = columnThreads == 1 ? threads : 1
        coefficients.withUnsafeMutableBufferPointer { columns in
            let cols = UncheckedSendable(columns)
            Parallel.forEach(columns.count, threads: columnThreads) { c in
                cols.value[c].withUnsafeMutableBufferPointer { NTT.inverse($0, threads: innerThreads) }
            }
        }
        try self.init(
            coefficients: coefficients, domain: domain, extensionDegree: extensionDegree, threads: threads,
            storeLimit: storeLimit, cancellation: cancellation)
    }

    /// Hashes rows `rows` into `out[0]`, `out[stride]`, … (one leaf digest per row, `rows.count` of
    /// them): the one place rows are hashed. The rows are spread over `cosets` (each column-major, column c at c·n): row r is
    /// position r / cosets.count of coset r % cosets.count (a power of two).
    static func hashRows(
        _ cosets: [UnsafePointer<E>], n: Int, width: Int, rows: Range<Int>, extensionDegree: Int,
        into out: UnsafeMutablePointer<Digest>, stride: Int = 1
    ) {
        let per = E.flatCount(extensionDegree: extensionDegree)
        let rowWidth = width * per
        let cosetMask = cosets.count - 1
        let cosetShift = cosets.count.trailingZeroBitCount
        // Rows are written in blocks and hashed through `H.hashRows`, so a hash with a multi-lane
        // kernel (RPO256) hashes several leaves at once.
        let block = MerkleTree<H>.rowBlock
        let scratch = UnsafeMutablePointer<Felt>.allocate(capacity: max(block * rowWidth, 1))
        let digests = UnsafeMutablePointer<Digest>.allocate(capacity: block)
        defer { scratch.deallocate(); digests.deallocate() }
        var r = rows.lowerBound
        while r < rows.upperBound {
            let count = min(block, rows.upperBound - r)
            for k in 0..<count {
                let coset = cosets[(r + k) & cosetMask]
                let j = (r + k) >> cosetShift
                let row = scratch + k * rowWidth
                for c in 0..<width {
                    E.write(coset[c * n + j], extensionDegree: extensionDegree, to: row + c * per)
                }
            }
            if stride == 1 {
                H.hashRows(scratch, width: rowWidth, count: count, into: out + (r - rows.lowerBound))
            } else {
                H.hashRows(scratch, width: rowWidth, count: count, into: digests)
                for k in 0..<count { out[(r - rows.lowerBound + k) * stride] = digests[k] }
            }
            r += count
        }
    }

    /// What re-evaluating this segment's cosets needs (its prepared columns and a buffer for one
    /// coset), or nil when the extension is stored and none is needed. The caller deallocates it.
    func makeCosetScratch(threads: Int = 1) -> CosetScratch<E>? {
        if isStored { return nil }
        let prepared = withColumnPointers(coefficients) { lde.prepare(columns: $0, threads: threads) }
        return CosetScratch(prepared: prepared, buffer: .allocate(capacity: max(1, width * domain.traceLength)))
    }

    /// Calls `body` with coset t of the extension, column-major (column c at c·n): the stored
    /// values, or the coset evaluated into `scratch` (from `makeCosetScratch`).
    func withCoset<R>(_ t: Int, scratch: CosetScratch<E>?, threads: Int, _ body: (UnsafePointer<E>) -> R) -> R {
        if let storedCosets {
            return storedCosets[t].withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        guard let scratch else { preconditionFailure("a streamed segment needs a coset scratch buffer") }
        lde.evaluate(prepared: scratch.prepared, coset: t, into: scratch.buffer, threads: threads)
        return body(UnsafePointer(scratch.buffer))
    }

    /// The rows at `positions` (LDE indices), each as the row's values: read from the stored
    /// extension, or evaluated from the coefficients.
    func rows(at positions: [Int], threads: Int) -> [[E]] {
        let n = domain.traceLength
        let blowup = domain.blowup
        let logBlowup = log2Exact(blowup)
        if let storedCosets {
            return positions.map { p in (0..<width).map { c in storedCosets[p & (blowup - 1)][c * n + (p >> logBlowup)] } }
        }
        // Each value's base elements (one for Felt, two for QuadFelt) are coefficients of base
        // polynomials, read in place with a stride.
        let per = MemoryLayout<E>.stride / MemoryLayout<Felt>.stride
        let points = positions.map { domain.point($0) }
        let values = withColumnPointers(coefficients) { columns in
            let bases = columns.flatMap { column in
                (0..<per).map { UnsafeRawPointer(column).assumingMemoryBound(to: Felt.self) + $0 }
            }
            return PointEvaluator.evaluate(bases, stride: per, length: n, at: points, threads: threads)
        }
        let flatWidth = width * per
        return values.withUnsafeBufferPointer { v in
            points.indices.map { q in
                (0..<width).map { c in E.read(extensionDegree: per, from: v.baseAddress! + q * flatWidth + c * per) }
            }
        }
    }
}

/// A streamed segment's means to re-evaluate its cosets one at a time: its columns prepared once
/// (`CosetLDE.prepare`) and a buffer that receives one coset (width × n values).
struct CosetScratch<E: FieldElement> {
    let prepared: PreparedColumns<E>
    let buffer: UnsafeMutablePointer<E>

    func deallocate() {
        prepared.free()
        buffer.deallocate()
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
