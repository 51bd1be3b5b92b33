/// How trace values are written as base-field elements for hashing and serialization:
/// a `Felt` is itself; a `QuadFelt` is (c0, c1), or just c0 in a degree-1 proof.
public protocol FlattenableElement: FieldElement {
    /// Base elements per value at the given extension degree.
    static func flatCount(extensionDegree: Int) -> Int
    /// Writes the value's base elements at `out`.
    static func write(_ value: Self, extensionDegree: Int, to out: UnsafeMutablePointer<Felt>)
    /// Reads a value back from its base elements.
    static func read(extensionDegree: Int, from elements: UnsafePointer<Felt>) -> Self
    /// The value as an extension element.
    var lifted: QuadFelt { get }
}

extension Felt: FlattenableElement {
    @inlinable @inline(__always)
    public static func flatCount(extensionDegree: Int) -> Int { 1 }
    @inlinable @inline(__always)
    public static func write(_ value: Felt, extensionDegree: Int, to out: UnsafeMutablePointer<Felt>) { out[0] = value }
    @inlinable @inline(__always)
    public static func read(extensionDegree: Int, from elements: UnsafePointer<Felt>) -> Felt { elements[0] }
    @inlinable @inline(__always)
    public var lifted: QuadFelt { QuadFelt(self) }
}

extension QuadFelt: FlattenableElement {
    @inlinable @inline(__always)
    public static func flatCount(extensionDegree: Int) -> Int { extensionDegree }
    @inlinable @inline(__always)
    public static func write(_ value: QuadFelt, extensionDegree: Int, to out: UnsafeMutablePointer<Felt>) {
        out[0] = value.c0
        if extensionDegree == 2 { out[1] = value.c1 }
    }
    @inlinable @inline(__always)
    public static func read(extensionDegree: Int, from elements: UnsafePointer<Felt>) -> QuadFelt {
        extensionDegree == 2 ? QuadFelt(elements[0], elements[1]) : QuadFelt(elements[0])
    }
    @inlinable @inline(__always)
    public var lifted: QuadFelt { self }
}

extension Array where Element: FlattenableElement {
    /// The values as base elements at the given extension degree.
    public func flattened(extensionDegree: Int) -> [Felt] {
        let per = Element.flatCount(extensionDegree: extensionDegree)
        var out = [Felt](repeating: .zero, count: count * per)
        out.withUnsafeMutableBufferPointer { buf in
            for (i, v) in enumerated() { Element.write(v, extensionDegree: extensionDegree, to: buf.baseAddress! + i * per) }
        }
        return out
    }
}
