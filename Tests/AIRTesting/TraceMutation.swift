import STARK

/// One way an adversary may change an honest trace before committing to it.
public enum TraceMutation: Sendable, CustomStringConvertible {
    /// One cell gets another value.
    case cell(column: Int, row: Int, value: Felt)
    /// Two rows trade places, in the given columns only (a section of the trace, or all of it).
    case swapRows(Int, Int, columns: Range<Int>, section: String)
    /// Two segments (blocks of `segmentRows` rows) trade places.
    case swapSegments(Int, Int)
    /// A segment is copied over another.
    case duplicateSegment(from: Int, onto: Int)
    /// A segment is dropped: the later ones move up and the last one is repeated (the padding
    /// that would follow a shorter statement).
    case dropSegment(Int)

    public var description: String {
        switch self {
        case .cell(let c, let r, _): return "cell (column \(c), row \(r))"
        case .swapRows(let a, let b, _, let section): return "rows \(a) and \(b) swapped (\(section))"
        case .swapSegments(let a, let b): return "segments \(a) and \(b) swapped"
        case .duplicateSegment(let from, let onto): return "segment \(from) duplicated onto segment \(onto)"
        case .dropSegment(let s): return "segment \(s) dropped"
        }
    }

    /// Applies the mutation; returns the rows whose values may have changed.
    func apply(to columns: inout [[Felt]], segmentRows s: Int) -> [Int] {
        let n = columns[0].count
        switch self {
        case .cell(let c, let r, let value):
            columns[c][r] = value
            return [r]
        case .swapRows(let a, let b, let range, _):
            for c in range { columns[c].swapAt(a, b) }
            return [a, b]
        case .swapSegments(let x, let y):
            for c in columns.indices {
                for r in 0..<s { columns[c].swapAt(x * s + r, y * s + r) }
            }
            return Array(x * s..<(x + 1) * s) + Array(y * s..<(y + 1) * s)
        case .duplicateSegment(let from, let onto):
            for c in columns.indices {
                for r in 0..<s { columns[c][onto * s + r] = columns[c][from * s + r] }
            }
            return Array(onto * s..<(onto + 1) * s)
        case .dropSegment(let d):
            for c in columns.indices {
                for r in (d * s)..<(n - s) { columns[c][r] = columns[c][r + s] }
            }
            return Array((d * s)..<n)
        }
    }
}

/// A change an AIR allows on purpose, with the reason (documented in its soundness table).
public struct Freedom: Sendable {
    public let reason: String
    public let matches: @Sendable (TraceMutation) -> Bool

    public init(_ reason: String, matches: @escaping @Sendable (TraceMutation) -> Bool) {
        self.reason = reason
        self.matches = matches
    }

    /// Cells that may hold any value.
    public static func cells(_ reason: String, where predicate: @escaping @Sendable (_ column: Int, _ row: Int) -> Bool) -> Freedom {
        Freedom(reason) { mutation in
            if case .cell(let c, let r, _) = mutation { return predicate(c, r) }
            return false
        }
    }
}
