#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many BLAKE3 hashes of equal-size inputs at once — Merkle node merges, leaf hashes of
/// equal-width rows and proof-of-work candidates — each equal, byte for byte, to the single-item
/// function in `Blake3`/`Blake3Hasher`.
///
/// Items are hashed `Blake3Lanes.width` at a time by the multi-lane kernel when `kernel` is
/// `.vector`: each item's message words are written into one lane of the block vectors, and rows
/// longer than one block chain their blocks (and, above 1,024 bytes, their chunks and parent
/// nodes) lane by lane. A tail of at least `paddedTailMinimum` items fills one more group with
/// unused lanes; a single leftover item is hashed alone.
public enum Blake3Batch {
    /// A compression implementation.
    public enum Kernel: String, Sendable, CaseIterable {
        /// `Blake3`'s scalar compression, one item at a time.
        case scalar
        /// `Blake3Lanes.compress`, `Blake3Lanes.width` items at a time.
        case vector
    }

    /// `.vector`, unless the environment variable `MRP_BLAKE3_KERNEL=scalar|vector` says otherwise
    /// (read once per process). The lanes win in every build measured on the development machine
    /// (portable x86-64 ~29 ns, AVX2 ~16 ns, AVX-512 ~12 ns per compression against ~140 ns scalar),
    /// so no timing is needed; the override exists to test and compare both paths.
    public static let preferredKernel: Kernel = {
        guard let raw = getenv("MRP_BLAKE3_KERNEL") else { return .vector }
        let value = String(cString: raw)
        if value.isEmpty { return .vector }
        if let kernel = Kernel(rawValue: value) { return kernel }
        let warning = "MRP_BLAKE3_KERNEL: unknown kernel \"\(value)\" (use scalar or vector); using vector\n"
        _ = warning.withCString { write(2, $0, strlen($0)) }
        return .vector
    }()

    /// Items left for the vector kernel at which it still runs (with unused lanes): one padded
    /// group costs about as much as two scalar compressions in the portable build.
    @usableFromInline static var paddedTailMinimum: Int { 2 }

    typealias Vector = Blake3Lanes.Vector

    /// Lanes per group.
    static var lanes: Int { Blake3Lanes.width }

    /// Calls `body(first, n)` for consecutive groups of n ≤ `lanes` items while at least
    /// `paddedTailMinimum` are left, with `block` (16 vectors) and `cv` (8 vectors) to work in;
    /// returns the index of the first item left for the scalar path (0 with the scalar kernel).
    @inline(__always)
    static func forEachGroup(
        count: Int, kernel: Kernel, extraVectors: Int = 0,
        _ body: (_ first: Int, _ n: Int, _ block: UnsafeMutablePointer<Vector>, _ cv: UnsafeMutablePointer<Vector>) -> Void
    ) -> Int {
        guard kernel == .vector, count >= paddedTailMinimum else { return 0 }
        return withUnsafeTemporaryAllocation(of: Vector.self, capacity: 24 + extraVectors) { buffer in
            let block = buffer.baseAddress!
            block.initialize(repeating: .zero, count: 24 + extraVectors)
            var i = 0
            while count - i >= paddedTailMinimum {
                let n = min(lanes, count - i)
                body(i, n, block, block + 16)
                i += n
            }
            return i
        }
    }

    /// The 32-bit word `w` of lane `k` in `block` (word-major: the lanes of word w are contiguous).
    @inline(__always)
    static func setWord(_ block: UnsafeMutablePointer<Vector>, _ w: Int, lane k: Int, _ value: UInt32) {
        UnsafeMutableRawPointer(block).assumingMemoryBound(to: UInt32.self)[w &* lanes &+ k] = value
    }

    /// cv[0..<8] ← the BLAKE3 IV in every lane.
    @inline(__always)
    static func setIV(_ cv: UnsafeMutablePointer<Vector>) {
        let iv = Blake3.iv
        cv[0] = Vector(repeating: iv.w0); cv[1] = Vector(repeating: iv.w1)
        cv[2] = Vector(repeating: iv.w2); cv[3] = Vector(repeating: iv.w3)
        cv[4] = Vector(repeating: iv.w4); cv[5] = Vector(repeating: iv.w5)
        cv[6] = Vector(repeating: iv.w6); cv[7] = Vector(repeating: iv.w7)
    }

    /// out[k] ← lane k of cv[0..<8] as a digest (little-endian word pairs), for k < n.
    @inline(__always)
    static func storeDigests(_ cv: UnsafePointer<Vector>, count n: Int, into out: UnsafeMutablePointer<Digest>) {
        #if _endian(little)
        if n == lanes {
            // A full group: the 8×8 transpose straight into the digests' words (~15% faster).
            let o = UnsafeMutableRawPointer(out)
            for j in 0..<8 {
                let c = cv[j]
                for k in 0..<lanes { o.storeBytes(of: c[k], toByteOffset: 4 &* (8 &* k &+ j), as: UInt32.self) }
            }
            return
        }
        #endif
        let c0 = cv[0], c1 = cv[1], c2 = cv[2], c3 = cv[3], c4 = cv[4], c5 = cv[5], c6 = cv[6], c7 = cv[7]
        for k in 0..<n {
            out[k] = Digest(UInt64(c0[k]) | UInt64(c1[k]) &<< 32, UInt64(c2[k]) | UInt64(c3[k]) &<< 32,
                            UInt64(c4[k]) | UInt64(c5[k]) &<< 32, UInt64(c6[k]) | UInt64(c7[k]) &<< 32)
        }
    }

    /// block[w] ← word w of each of the `lanes` items at `bytes`, `stride` 32-bit words apart, for w < count:
    /// one full group read from memory as little-endian 32-bit words (the items' bytes are their
    /// BLAKE3 message bytes).
    @inline(__always)
    static func loadFullGroup(_ bytes: UnsafeRawPointer, stride: Int, count: Int, into block: UnsafeMutablePointer<Vector>) {
        @inline(__always) func word(_ k: Int, _ w: Int) -> UInt32 {
            bytes.load(fromByteOffset: 4 &* (k &* stride &+ w), as: UInt32.self)
        }
        for w in 0..<count {
            block[w] = Vector(word(0, w), word(1, w), word(2, w), word(3, w), word(4, w), word(5, w), word(6, w), word(7, w))
        }
    }

    /// Flags of a single-block, single-chunk root compression.
    static var singleBlockRoot: UInt32 { Blake3.chunkStart | Blake3.chunkEnd | Blake3.root }

    /// out[i] = Blake3.mergeDigests(pairs[2i], pairs[2i + 1]) for i < count. `out` may not overlap `pairs`.
    public static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>,
                             kernel: Kernel = preferredKernel) {
        let done = forEachGroup(count: count, kernel: kernel) { first, n, block, cv in
            #if _endian(little)
            let full = n == lanes
            #else
            let full = false
            #endif
            if full {
                // Digest pairs are 64 contiguous bytes: the message block itself.
                loadFullGroup(UnsafeRawPointer(pairs + 2 &* first), stride: 16, count: 16, into: block)
            } else {
                for k in 0..<n {
                    let a = pairs[2 &* (first &+ k)], b = pairs[2 &* (first &+ k) &+ 1]
                    setWord(block, 0, lane: k, Blake3.lo(a.w0)); setWord(block, 1, lane: k, Blake3.hi(a.w0))
                    setWord(block, 2, lane: k, Blake3.lo(a.w1)); setWord(block, 3, lane: k, Blake3.hi(a.w1))
                    setWord(block, 4, lane: k, Blake3.lo(a.w2)); setWord(block, 5, lane: k, Blake3.hi(a.w2))
                    setWord(block, 6, lane: k, Blake3.lo(a.w3)); setWord(block, 7, lane: k, Blake3.hi(a.w3))
                    setWord(block, 8, lane: k, Blake3.lo(b.w0)); setWord(block, 9, lane: k, Blake3.hi(b.w0))
                    setWord(block, 10, lane: k, Blake3.lo(b.w1)); setWord(block, 11, lane: k, Blake3.hi(b.w1))
                    setWord(block, 12, lane: k, Blake3.lo(b.w2)); setWord(block, 13, lane: k, Blake3.hi(b.w2))
                    setWord(block, 14, lane: k, Blake3.lo(b.w3)); setWord(block, 15, lane: k, Blake3.hi(b.w3))
                }
            }
            setIV(cv)
            Blake3Lanes.compress(cv: cv, block: block, counter: 0, blockLen: 64, flags: singleBlockRoot)
            storeDigests(cv, count: n, into: out + first)
        }
        for i in done..<max(done, count) { out[i] = Blake3.mergeDigests(pairs[2 * i], pairs[2 * i + 1]) }
    }

    /// out[i] = Blake3Hasher.merge(seed, value: start + i) for i < count (wrapping at 2^64):
    /// proof-of-work candidates.
    public static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>,
                             kernel: Kernel = preferredKernel) {
        let done = forEachGroup(count: count, kernel: kernel) { first, n, block, cv in
            block[0] = Vector(repeating: Blake3.lo(seed.w0)); block[1] = Vector(repeating: Blake3.hi(seed.w0))
            block[2] = Vector(repeating: Blake3.lo(seed.w1)); block[3] = Vector(repeating: Blake3.hi(seed.w1))
            block[4] = Vector(repeating: Blake3.lo(seed.w2)); block[5] = Vector(repeating: Blake3.hi(seed.w2))
            block[6] = Vector(repeating: Blake3.lo(seed.w3)); block[7] = Vector(repeating: Blake3.hi(seed.w3))
            for k in 0..<n {
                let value = start &+ UInt64(first &+ k)
                setWord(block, 8, lane: k, Blake3.lo(value))
                setWord(block, 9, lane: k, Blake3.hi(value))
            }
            for w in 10..<16 { block[w] = .zero }
            setIV(cv)
            Blake3Lanes.compress(cv: cv, block: block, counter: 0, blockLen: 40, flags: singleBlockRoot)
            storeDigests(cv, count: n, into: out + first)
        }
        for i in done..<max(done, count) { out[i] = Blake3.hash40(seed: seed, value: start &+ UInt64(i)) }
    }

    /// out[i] = Blake3Hasher.hashElements(rows[i·width ..< (i + 1)·width]) for i < count
    /// (row-major rows of equal width). `out` may not overlap `rows`.
    ///
    /// Every row has the same shape, so all lanes take the same path: a row of up to 128
    /// elements is one chunk whose blocks are chained per lane (the last one with the ROOT flag);
    /// a longer row is several chunks (counters 0, 1, …) joined by parent compressions in
    /// BLAKE3's tree order (left subtree: the largest power-of-two number of whole chunks).
    public static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>,
                                kernel: Kernel = preferredKernel) {
        let chunks = (width + 127) / 128
        let done = width == 0 ? 0 : forEachGroup(count: count, kernel: kernel, extraVectors: 8 * chunks) { first, n, block, cv in
            let chunkCVs = cv + 8
            for c in 0..<chunks {
                compressChunk(rows + first &* width, width: width, lanes: n, chunk: c, root: chunks == 1,
                              block: block, cv: chunkCVs + 8 &* c)
            }
            if chunks > 1 { joinChunks(chunkCVs, count: chunks, root: true, block: block) }
            storeDigests(chunkCVs, count: n, into: out + first)
        }
        for i in done..<max(done, count) {
            out[i] = Blake3Hasher.hashElements(UnsafeBufferPointer(start: rows + i &* width, count: width))
        }
    }

    /// cv[0..<8] ← the chaining value (or, with `root`, the digest words) of chunk `chunk` — elements
    /// 128·chunk ..< min(width, 128·(chunk + 1)) — of the first `lanes` rows at `rows`, lane k
    /// reading row k.
    @inline(__always)
    static func compressChunk(_ rows: UnsafePointer<Felt>, width: Int, lanes n: Int, chunk: Int, root: Bool,
                              block: UnsafeMutablePointer<Vector>, cv: UnsafeMutablePointer<Vector>) {
        let start = 128 &* chunk
        let end = min(width, start &+ 128)
        let blocks = (end - start + 7) / 8
        setIV(cv)
        for b in 0..<blocks {
            let first = start &+ 8 &* b
            let elements = min(8, end - first)
            #if _endian(little)
            let full = n == lanes
            #else
            let full = false
            #endif
            if full {
                // Elements are stored as their canonical values: little-endian words in place.
                loadFullGroup(UnsafeRawPointer(rows + first), stride: 2 &* width, count: 2 &* elements, into: block)
            } else {
                for k in 0..<n {
                    let row = rows + (k &* width &+ first)
                    for j in 0..<elements {
                        let value = row[j].value
                        setWord(block, 2 &* j, lane: k, Blake3.lo(value))
                        setWord(block, 2 &* j &+ 1, lane: k, Blake3.hi(value))
                    }
                }
            }
            for w in (2 &* elements)..<16 { block[w] = .zero }
            var flags: UInt32 = b == 0 ? Blake3.chunkStart : 0
            if b == blocks - 1 { flags |= Blake3.chunkEnd | (root ? Blake3.root : 0) }
            Blake3Lanes.compress(cv: cv, block: block, counter: UInt64(chunk), blockLen: UInt32(8 &* elements), flags: flags)
        }
    }

    /// Joins the chaining values of `count` ≥ 2 consecutive chunks, `cvs[8c ..< 8c + 8]` for chunk c,
    /// into their subtree's chaining value (the digest words with `root`) in `cvs[0..<8]`.
    static func joinChunks(_ cvs: UnsafeMutablePointer<Vector>, count: Int, root: Bool, block: UnsafeMutablePointer<Vector>) {
        if count == 1 { return }
        // BLAKE3's split: the largest power of two below `count` chunks go left.
        let left = 1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
        joinChunks(cvs, count: left, root: false, block: block)
        joinChunks(cvs + 8 &* left, count: count - left, root: false, block: block)
        block.update(from: cvs, count: 8)
        (block + 8).update(from: cvs + 8 &* left, count: 8)
        setIV(cvs)
        Blake3Lanes.compress(cv: cvs, block: block, counter: 0, blockLen: 64,
                             flags: Blake3.parent | (root ? Blake3.root : 0))
    }
}
