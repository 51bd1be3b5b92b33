/// Montgomery's trick: inverts many field elements with one inversion and 3(n−1) products.
public enum BatchInversion {
    /// Returns the inverses of `values`; zero entries map to zero.
    @inlinable
    public static func invert<E: FieldElement>(_ values: [E]) -> [E] {
        var out = values
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                invert(src, into: dst)
            }
        }
        return out
    }

    /// Writes the inverses of `src` into `dst` (same count); zero entries map to zero.
    @inlinable
    public static func invert<E: FieldElement>(_ src: UnsafeBufferPointer<E>, into dst: UnsafeMutableBufferPointer<E>) {
        let n = src.count
        precondition(dst.count == n)
        if n == 0 { return }
        var acc = E.one
        for i in 0..<n {
            dst[i] = acc
            if src[i] != E.zero { acc = acc * src[i] }
        }
        var inv = acc.inverse()
        var i = n - 1
        while i >= 0 {
            let v = src[i]
            if v == E.zero {
                dst[i] = E.zero
            } else {
                dst[i] = dst[i] * inv
                inv = inv * v
            }
            i -= 1
        }
    }
}
