#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many RPO256 hashes at once — Merkle node merges, leaf hashes of equal-width rows and
/// transcript merges with consecutive values — each equal, bit for bit, to the single-item
/// function in `RPO256`/`RPO256Hasher`.
///
/// Items are hashed `RPO256Lanes.width` at a time by the multi-lane kernel when `kernel` is
/// `.vector`; a short tail is hashed one at a time (or padded into one more vector group when
/// that is cheaper). Which kernel is faster depends on the build: with the host's vector units
/// (`-Xswiftc -target-cpu -Xswiftc native`) the lanes run on AVX-512/AVX2 and win ~2.5×; in the
/// portable x86-64 build (SSE2 only) the scalar permutation wins. `preferredKernel` is chosen
/// once per process by timing both on this machine (results never depend on the choice).
public enum RPO256Batch {
    /// A permutation implementation.
    public enum Kernel: String, Sendable, CaseIterable {
        /// `RPO256.permute`, one state at a time.
        case scalar
        /// `RPO256Lanes.permute`, `RPO256Lanes.width` states at a time.
        case vector
    }

    /// The faster kernel in this build on this machine, measured once (a few milliseconds) on
    /// first use. The environment variable `MRP_RPO256_KERNEL=scalar|vector` overrides it.
    public static let preferredKernel: Kernel = {
        if let forced = getenv("MRP_RPO256_KERNEL").flatMap({ Kernel(rawValue: String(cString: $0)) }) {
            return forced
        }
        let timing = measureKernels(rounds: 5)
        return timing.vectorNanoseconds < timing.scalarNanoseconds ? .vector : .scalar
    }()

    /// Nanoseconds per permutation of each kernel: the minimum over `rounds` alternating runs
    /// of `RPO256Lanes.width` permutations each (thread CPU time, so other processes' load
    /// matters less).
    public static func measureKernels(rounds: Int, groupsPerRound: Int = 1) -> (scalarNanoseconds: Double, vectorNanoseconds: Double) {
        let width = RPO256Lanes.width
        var bestScalar = Double.infinity, bestVector = Double.infinity
        withUnsafeTemporaryAllocation(of: RPO256Lanes.Vector.self, capacity: 12) { lanes in
            let v = lanes.baseAddress!
            for j in 0..<12 { v[j] = RPO256Lanes.Vector(repeating: UInt64(j + 1)) }
            var state = RPO256.State()
            for _ in 0..<max(1, rounds) {
                var t0 = threadCPUNanoseconds()
                for _ in 0..<(groupsPerRound * width) { RPO256.permute(&state) }
                bestScalar = min(bestScalar, Double(threadCPUNanoseconds() - t0) / Double(groupsPerRound * width))
                t0 = threadCPUNanoseconds()
                for _ in 0..<groupsPerRound { RPO256Lanes.permute(v) }
                bestVector = min(bestVector, Double(threadCPUNanoseconds() - t0) / Double(groupsPerRound * width))
            }
            // Keep the results alive.
            if state.lanes.0 == v[0][0] &+ 1 { bestScalar += 0 }
        }
        return (bestScalar, bestVector)
    }

    /// CPU time of the calling thread in nanoseconds.
    static func threadCPUNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// A tail of at least this many items is padded into one more vector group (one group costs
    /// about as much as three scalar permutations with the host's vector units).
    @usableFromInline static let paddedTailMinimum = 4

    /// Runs `count` permutations: `load(i, lanes)` writes the 12 input lanes of item i (lane j at
    /// `lanes[j * stride]`), `store(i, lanes)` reads its output lanes the same way. With the
    /// vector kernel `stride` is `RPO256Lanes.width` (the lanes of one item are a column of the
    /// structure-of-arrays block); with the scalar kernel it is 1.
    @inlinable @inline(__always)
    static func run(
        count: Int, kernel: Kernel,
        load: (Int, UnsafeMutablePointer<UInt64>, Int) -> Void,
        store: (Int, UnsafePointer<UInt64>, Int) -> Void
    ) {
        let width = RPO256Lanes.width
        var i = 0
        if kernel == .vector {
            withUnsafeTemporaryAllocation(of: RPO256Lanes.Vector.self, capacity: 12) { block in
                let v = block.baseAddress!
                v.initialize(repeating: .zero, count: 12)
                let raw = UnsafeMutableRawPointer(v).assumingMemoryBound(to: UInt64.self)
                while count - i >= paddedTailMinimum {
                    let n = min(width, count - i)
                    for k in 0..<n { load(i + k, raw + k, width) }
                    RPO256Lanes.permute(v)
                    for k in 0..<n { store(i + k, raw + k, width) }
                    i += n
                }
            }
        }
        var state = RPO256.State()
        while i < count {
            state.withLanes { load(i, $0, 1) }
            RPO256.permute(&state)
            state.withLanes { store(i, $0, 1) }
            i += 1
        }
    }

    /// out[i] = RPO256.merge(pairs[2i], pairs[2i + 1]) for i < count. `out` may not overlap `pairs`.
    @inlinable
    public static func merge(pairs: UnsafePointer<Digest>, count: Int, into out: UnsafeMutablePointer<Digest>, kernel: Kernel = preferredKernel) {
        run(count: count, kernel: kernel, load: { i, s, st in
            let a = pairs[2 * i], b = pairs[2 * i + 1]
            s[0] = a.w0; s[st] = a.w1; s[2 * st] = a.w2; s[3 * st] = a.w3
            s[4 * st] = b.w0; s[5 * st] = b.w1; s[6 * st] = b.w2; s[7 * st] = b.w3
            s[8 * st] = 0; s[9 * st] = 0; s[10 * st] = 0; s[11 * st] = 0
        }, store: { i, s, st in
            out[i] = Digest(s[0], s[st], s[2 * st], s[3 * st])
        })
    }

    /// out[i] = RPO256.hashElements(rows[i·width ..< (i + 1)·width]) for i < count (row-major
    /// rows of equal width). `out` may not overlap `rows`.
    @inlinable
    public static func hashRows(_ rows: UnsafePointer<Felt>, width: Int, count: Int, into out: UnsafeMutablePointer<Digest>, kernel: Kernel = preferredKernel) {
        if width == 0 {
            out.update(repeating: .zero, count: count)
            return
        }
        // Every row has the same block structure: permutation b absorbs elements 8b..<8b + 8.
        let blocks = (width + 7) / 8
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4 * count) { digestLanes in
            // Capacity lanes carried between blocks: 4 per row.
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4 * count) { capacity in
                let cap = capacity.baseAddress!
                for i in 0..<count {
                    cap[4 * i] = UInt64(width % 8); cap[4 * i + 1] = 0; cap[4 * i + 2] = 0; cap[4 * i + 3] = 0
                }
                for b in 0..<blocks {
                    let first = 8 * b
                    let k = min(8, width - first)
                    run(count: count, kernel: kernel, load: { i, s, st in
                        let row = rows + i * width + first
                        for j in 0..<k { s[j * st] = row[j].value }
                        for j in k..<8 { s[j * st] = 0 }
                        for j in 0..<4 { s[(8 + j) * st] = cap[4 * i + j] }
                    }, store: { i, s, st in
                        for j in 0..<4 {
                            cap[4 * i + j] = s[(8 + j) * st]
                            digestLanes[4 * i + j] = s[j * st]
                        }
                    })
                }
            }
            for i in 0..<count {
                out[i] = Digest(digestLanes[4 * i], digestLanes[4 * i + 1], digestLanes[4 * i + 2], digestLanes[4 * i + 3])
            }
        }
    }

    /// out[i] = RPO256Hasher.merge(seed, value: start + i) for i < count (transcript draws and
    /// proof-of-work candidates).
    @inlinable
    public static func merge(_ seed: Digest, valuesFrom start: UInt64, count: Int, into out: UnsafeMutablePointer<Digest>, kernel: Kernel = preferredKernel) {
        run(count: count, kernel: kernel, load: { i, s, st in
            s[0] = seed.w0; s[st] = seed.w1; s[2 * st] = seed.w2; s[3 * st] = seed.w3
            s[4 * st] = Felt(start &+ UInt64(i)).value
            s[5 * st] = 0; s[6 * st] = 0; s[7 * st] = 0
            s[8 * st] = 5; s[9 * st] = 0; s[10 * st] = 0; s[11 * st] = 0
        }, store: { i, s, st in
            out[i] = Digest(s[0], s[st], s[2 * st], s[3 * st])
        })
    }
}
