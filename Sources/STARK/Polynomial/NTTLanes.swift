#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Radix-4 butterflies on `NTTLanes.width` consecutive base elements at once: eight groups of a
/// base-field transform, or four of an extension-field one (an extension element is two base
/// elements, both scaled by the same base-field twiddle). The same values as the scalar
/// butterflies, bit for bit (every result is canonical), with each product split into 32-bit
/// halves (`RPO256Lanes.mul`) so it maps onto `vpmuludq`.
///
/// Build note: in the portable x86-64 build (SSE2 only) the scalar butterflies are faster; with
/// the host's vector units (`-Xswiftc -target-cpu -Xswiftc native`, AVX2 or AVX-512) these are.
/// `NTT` uses them when `preferred` says so: decided once per process by timing both kernels on
/// one small transform (`MRP_NTT_KERNEL=scalar|vector` overrides). Results never depend on it.
public enum NTTLanes {
    /// One vector of consecutive field elements.
    public typealias Vector = SIMD8<UInt64>
    /// Groups computed together.
    public static let width = Vector.scalarCount

    /// Whether `NTT` uses these kernels in this build on this machine.
    public static let preferred: Bool = {
        if let forced = getenv("MRP_NTT_KERNEL").map({ String(cString: $0) }), forced == "scalar" || forced == "vector" {
            return forced == "vector"
        }
        let timing = measureKernels(rounds: 5)
        return timing.vectorNanoseconds < timing.scalarNanoseconds
    }()

    /// Nanoseconds per butterfly of a 2^12 forward transform with each kernel: the minimum over
    /// `rounds` alternating runs (thread CPU time).
    public static func measureKernels(rounds: Int) -> (scalarNanoseconds: Double, vectorNanoseconds: Double) {
        let logN = 12, n = 1 << logN
        var values = (0..<n).map { Felt(UInt64($0) &* 0x9E37_79B9_7F4A_7C15 % Felt.modulus) }
        var best = (Double.infinity, Double.infinity)
        let butterflies = Double(n / 2 * logN)
        for _ in 0..<max(1, rounds) {
            for lanes in [false, true] {
                let start = RPO256Batch.threadCPUNanoseconds()
                values.withUnsafeMutableBufferPointer { NTT.transform($0, inverseRoots: false, threads: 1, lanes: lanes) }
                let ns = Double(RPO256Batch.threadCPUNanoseconds() - start) / butterflies
                if lanes { best.1 = min(best.1, ns) } else { best.0 = min(best.0, ns) }
            }
        }
        return best
    }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Felt>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inlinable @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Felt>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }

    /// a + b mod p for canonical lanes; canonical result.
    @inlinable @inline(__always)
    static func add(_ a: Vector, _ b: Vector) -> Vector {
        let p = Vector(repeating: Felt.modulus)
        var s = a &+ b
        s.replace(with: s &+ Vector(repeating: 0xFFFF_FFFF), where: s .< a)  // a carried 2^64 is 2^32 − 1
        s.replace(with: s &- p, where: s .>= p)
        return s
    }

    /// a − b mod p for canonical lanes; canonical result.
    @inlinable @inline(__always)
    static func sub(_ a: Vector, _ b: Vector) -> Vector {
        let d = a &- b
        return d.replacing(with: d &+ Vector(repeating: Felt.modulus), where: a .< b)
    }

    /// a·b mod p; canonical result.
    @inlinable @inline(__always)
    static func mul(_ a: Vector, _ b: Vector) -> Vector { RPO256Lanes.canonical(RPO256Lanes.mul(a, b)) }

    /// `NTT.radix4Run` on `count` groups (a multiple of `width / 2`) of extension elements, read as
    /// pairs of base elements at `q` (`half` counts extension elements), `width / 2` at a time.
    @inlinable @inline(__always)
    static func radix4RunPairs(
        _ q: UnsafeMutablePointer<Felt>, half: Int, count: Int,
        w1: UnsafePointer<Felt>, w2: UnsafePointer<Felt>, w3: UnsafePointer<Felt>
    ) {
        radix4Vectors(q, stride: 2 &* half, vectors: count / (width / 2), twiddleStep: width / 2, w1: w1, w2: w2, w3: w3, twiddles: pairs)
    }

    /// (t0, t0, t1, t1, t2, t2, t3, t3): one twiddle per extension element of a vector.
    @inlinable @inline(__always)
    static func pairs(_ t: UnsafePointer<Felt>) -> Vector {
        let a = t[0].value, b = t[1].value, c = t[2].value, d = t[3].value
        return Vector(a, a, b, b, c, c, d, d)
    }

    /// `NTT.radix4Run` on `count` groups (a multiple of `width`), `width` at a time.
    @inlinable @inline(__always)
    static func radix4Run(
        _ q: UnsafeMutablePointer<Felt>, half: Int, count: Int,
        w1: UnsafePointer<Felt>, w2: UnsafePointer<Felt>, w3: UnsafePointer<Felt>
    ) {
        radix4Vectors(q, stride: half, vectors: count / width, twiddleStep: width, w1: w1, w2: w2, w3: w3, twiddles: load)
    }

    /// The radix-4 loop: `vectors` steps of `width` base elements from q, q + stride, q + 2·stride
    /// and q + 3·stride, with twiddle vectors `twiddles(t)` read from w1, w2, w3 advancing by
    /// `twiddleStep`.
    @inlinable @inline(__always)
    static func radix4Vectors(
        _ q: UnsafeMutablePointer<Felt>, stride: Int, vectors: Int, twiddleStep: Int,
        w1: UnsafePointer<Felt>, w2: UnsafePointer<Felt>, w3: UnsafePointer<Felt>,
        twiddles: (UnsafePointer<Felt>) -> Vector
    ) {
        var p0 = q, p1 = q + stride
        var p2 = p1 + stride, p3 = p2 + stride
        var t1 = w1, t2 = w2, t3 = w3
        for _ in 0..<vectors {
            let x0 = load(p0), x2 = load(p2), v1 = twiddles(t1)
            let y1 = mul(load(p1), v1), y3 = mul(load(p3), v1)
            let a0 = add(x0, y1), a1 = sub(x0, y1)
            let u2 = mul(add(x2, y3), twiddles(t2)), u3 = mul(sub(x2, y3), twiddles(t3))
            store(add(a0, u2), p0)
            store(sub(a0, u2), p2)
            store(add(a1, u3), p1)
            store(sub(a1, u3), p3)
            p0 += width; p1 += width; p2 += width; p3 += width
            t1 += twiddleStep; t2 += twiddleStep; t3 += twiddleStep
        }
    }
}
