/// Where the interesting fields of one honest payload lie, found by walking its documented wire
/// layout: the count and length prefixes (targets of blow-ups), the 8-byte element runs
/// (targets of values ≥ p), the field boundaries (targets of truncation and splicing) and the
/// option bytes of every embedded STARK proof.
public struct PayloadLayout: Sendable, Equatable {
    /// A little-endian count, length or size field.
    public struct CountField: Sendable, Equatable {
        public var offset: Int
        /// 1, 2 or 4 bytes.
        public var width: Int
        /// The largest value the decoder accepts, if the layout states one.
        public var limit: Int?
    }

    /// A counted list: its count field, the byte range of each item, and the length prefixes of
    /// the embedded payloads that contain it (outermost first), which change with its length.
    public struct ListField: Sendable, Equatable {
        public var count: CountField
        public var items: [Range<Int>]
        public var enclosing: [CountField]
    }

    public var counts: [CountField] = []
    /// The counted lists with at least one item (targets of item duplication, removal and swaps).
    public var lists: [ListField] = []
    /// Byte ranges made of consecutive 8-byte elements (felts, digest words, amounts).
    public var elementRuns: [Range<Int>] = []
    /// The offset where each field starts, in order.
    public var boundaries: [Int] = []
    /// The option bytes (`numQueries` … `hashFunction`) of each embedded STARK proof.
    public var proofOptions: [Range<Int>] = []
    /// Where each embedded STARK proof starts.
    public var proofStarts: [Int] = []
    /// The bytes of each STARK proof embedded in a Rollup payload (length-prefixed).
    public var embeddedProofs: [Range<Int>] = []

    /// The byte ranges of a payload of `size` bytes outside its embedded proofs: its public part.
    public func outsideProofs(of size: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for proof in embeddedProofs.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if proof.lowerBound > start { out.append(start..<proof.lowerBound) }
            start = max(start, proof.upperBound)
        }
        if start < size { out.append(start..<size) }
        return out
    }

    /// The proper prefix lengths worth decoding: all of them for a payload up to 32 KiB; for a
    /// larger one the first and last 2 KiB, every count field and proof start (and a byte
    /// either side), both ends of every element run, and every 64th length.
    public func truncationLengths(of size: Int) -> [Int] {
        guard size > 32 << 10 else { return Array(0..<size) }
        var lengths = Set(0..<min(size, 2048))
        lengths.formUnion(max(0, size - 2048)..<size)
        lengths.formUnion(stride(from: 0, to: size, by: 64))
        for field in counts {
            for d in -1...1 {
                lengths.insert(field.offset + d)
                lengths.insert(field.offset + field.width + d)
            }
        }
        for start in proofStarts { lengths.formUnion(start - 1...start + 13) }
        for run in elementRuns { lengths.formUnion([run.lowerBound, run.upperBound - 1]) }
        return lengths.filter { (0..<size).contains($0) }.sorted()
    }
}

/// Walks an honest payload along its layout, recording a `PayloadLayout`. The payload must be
/// one the codecs produced: the walker trusts its counts (and traps on a malformed one, which
/// would be a bug in the sample generation, not hostile input).
struct LayoutWalker {
    let bytes: [UInt8]
    private(set) var offset: Int
    private(set) var layout = PayloadLayout()
    /// The length prefixes of the embedded payloads being walked, outermost first.
    private var enclosing: [PayloadLayout.CountField] = []

    init(_ bytes: [UInt8], at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// `n` bytes of a field with no structure the mutator aims at.
    mutating func skip(_ n: Int) {
        precondition(n >= 0 && offset + n <= bytes.count, "honest payload shorter than its layout at byte \(offset)")
        layout.boundaries.append(offset)
        offset += n
    }

    /// A little-endian unsigned value of `width` bytes, recorded as a count field.
    mutating func count(_ width: Int, limit: Int?) -> Int {
        let value = peek(width)
        layout.counts.append(.init(offset: offset, width: width, limit: limit))
        skip(width)
        return value
    }

    /// A count of `width` bytes, then that many items, each walked by `item`; returns the count.
    @discardableResult
    mutating func list(_ width: Int, limit: Int?, _ item: (inout LayoutWalker) -> Void) -> Int {
        let n = count(width, limit: limit)
        let field = layout.counts[layout.counts.count - 1]
        var items: [Range<Int>] = []
        items.reserveCapacity(n)
        for _ in 0..<n {
            let start = offset
            item(&self)
            items.append(start..<offset)
        }
        if n > 0 { layout.lists.append(.init(count: field, items: items, enclosing: enclosing)) }
        return n
    }

    /// A u32 length prefix, then a payload walked by `body` that must use exactly that length.
    mutating func lengthPrefixed(limit: Int, _ body: (inout LayoutWalker) -> Void) {
        let length = count(4, limit: limit)
        let field = layout.counts[layout.counts.count - 1]
        let end = offset + length
        enclosing.append(field)
        body(&self)
        enclosing.removeLast()
        precondition(offset == end, "embedded payload of \(length) bytes does not match its layout (ends at \(offset), not \(end))")
    }

    /// A little-endian value read without recording it.
    func peek(_ width: Int, at position: Int? = nil) -> Int {
        let start = position ?? offset
        precondition(start + width <= bytes.count, "honest payload shorter than its layout at byte \(start)")
        var v = 0
        for k in (0..<width).reversed() { v = v << 8 | Int(bytes[start + k]) }
        return v
    }

    /// `n` consecutive 8-byte elements.
    mutating func elements(_ n: Int) {
        guard n > 0 else { return }
        let start = offset
        for _ in 0..<n { skip(8) }
        layout.elementRuns.append(start..<offset)
    }

    mutating func words(_ n: Int) { elements(4 * n) }

    /// Records the bytes of a proof embedded from here on.
    mutating func markEmbeddedProof(_ range: Range<Int>) { layout.embeddedProofs.append(range) }

    /// Records the option bytes of a proof starting here (they follow the 5-byte magic and version).
    mutating func markProofOptions() {
        layout.proofStarts.append(offset)
        layout.proofOptions.append(offset + 5 ..< offset + 13)
    }
}
