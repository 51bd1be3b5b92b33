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

    /// Writes the inverses of `src` into `dst` (same count; they may be the same buffer); zero entries map to zero.
    @inlinable
    public static func invert<E: FieldElement>(_ src: UnsafeBufferPointer<E>, into dst: UnsafeMutableBufferPointer<E>) {
        let n = src.count
        precondition(dst.count == n)
        if n == 0 { return }
        let prefix = UnsafeMutableBufferPointer<E>.allocate(capacity: n)
        defer { prefix.deallocate() }
        var acc = E.one
        for i in 0..<n {
            prefix.initializeElement(at: i, to: acc)
            let v = src[i]
            if v != E.zero { acc = acc * v }
        }
        var inv = acc.inverse()
        var i = n - 1
        while i >= 0 {
            let v = src[i]  // read before dst[i] is written: `src` and `dst` may alias
            if v == E.zero {
                dst[i] = E.zero
            } else {
                dst[i] = prefix[i] * inv
                inv = inv * v
            }
            i -= 1
        }
    }
}
