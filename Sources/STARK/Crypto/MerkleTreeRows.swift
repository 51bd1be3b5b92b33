extension MerkleTree {
    /// Rows hashed per `StarkHasher.hashRows` call when building a tree over rows.
    @usableFromInline static var rowBlock: Int { 32 }

    /// Builds the tree whose leaf r is `H.hashElements` of row r: the `width` elements that
    /// `writeRow(r, destination)` writes (`rowCount` a power of two). Rows are hashed in blocks
    /// through `H.hashRows`, so a hash with a multi-lane kernel hashes several leaves at once.
    public init(rowCount: Int, width: Int, threads: Int = 1, writeRow: (Int, UnsafeMutablePointer<Felt>) -> Void) {
        let block = Self.rowBlock
        self.init(leafCount: rowCount, threads: threads) { range, out in
            let scratch = UnsafeMutablePointer<Felt>.allocate(capacity: max(1, block * width))
            defer { scratch.deallocate() }
            var r = range.lowerBound
            while r < range.upperBound {
                let n = min(block, range.upperBound - r)
                for k in 0..<n { writeRow(r + k, scratch + k * width) }
                H.hashRows(scratch, width: width, count: n, into: out + (r - range.lowerBound))
                r += n
            }
        }
    }
}
