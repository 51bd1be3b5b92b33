/// An execution trace in column-major form: `columns[c][row]`, all columns the same power-of-two length.
public struct TraceTable: Sendable {
    public private(set) var columns: [[Felt]]
    public let length: Int

    /// A zero-filled trace of the given shape.
    public init(width: Int, length: Int) {
        self.length = length
        columns = Array(repeating: [Felt](repeating: .zero, count: length), count: width)
    }

    /// Wraps existing columns (all the same length).
    public init(columns: [[Felt]]) {
        precondition(!columns.isEmpty)
        length = columns[0].count
        let n = columns[0].count
        precondition(columns.allSatisfy { $0.count == n }, "trace columns differ in length")
        self.columns = columns
    }

    public var width: Int { columns.count }

    public subscript(column: Int, row: Int) -> Felt {
        get { columns[column][row] }
        set { columns[column][row] = newValue }
    }

    /// Row `row` as an array (slow path: tests and trace validation).
    public func row(_ row: Int) -> [Felt] { columns.map { $0[row] } }

    /// Fills the trace row by row: `initial` writes row 0, `update(i, &row)` turns row i into row i + 1.
    public mutating func fill(initial: (inout [Felt]) -> Void, update: (Int, inout [Felt]) -> Void) {
        var state = [Felt](repeating: .zero, count: width)
        initial(&state)
        for row in 0..<length {
            for c in 0..<width { columns[c][row] = state[c] }
            if row + 1 < length { update(row, &state) }
        }
    }
}
