/// The shape of an execution trace: main columns (base field), auxiliary columns (extension
/// field, built after the main commitment from verifier challenges) and the number of rows.
public struct TraceInfo: Hashable, Sendable {
    /// Number of main-segment columns.
    public var mainWidth: Int
    /// Number of auxiliary-segment columns (0 when the AIR has no auxiliary segment).
    public var auxWidth: Int
    /// Number of verifier challenges the auxiliary segment is built from.
    public var auxChallenges: Int
    /// Number of rows: a power of two, at least 8.
    public var length: Int

    public init(mainWidth: Int, auxWidth: Int = 0, auxChallenges: Int = 0, length: Int) {
        self.mainWidth = mainWidth
        self.auxWidth = auxWidth
        self.auxChallenges = auxChallenges
        self.length = length
    }

    /// Total columns across both segments.
    public var width: Int { mainWidth + auxWidth }

    /// Upper bounds the decoder enforces on untrusted trace shapes.
    public static let maxWidth = 1024
    public static let maxLogLength = 30
    public static let minLength = 8

    /// Checks the shape is one the engine supports; throws naming the bad field.
    public func validate() throws(StarkError) {
        guard length >= TraceInfo.minLength, length & (length - 1) == 0,
              length <= 1 << TraceInfo.maxLogLength else {
            throw .invalidTrace("trace length \(length) must be a power of two in \(TraceInfo.minLength)...2^\(TraceInfo.maxLogLength)")
        }
        guard mainWidth >= 1, mainWidth <= TraceInfo.maxWidth else {
            throw .invalidTrace("main trace width \(mainWidth) must be in 1...\(TraceInfo.maxWidth)")
        }
        guard auxWidth >= 0, auxWidth <= TraceInfo.maxWidth else {
            throw .invalidTrace("auxiliary trace width \(auxWidth) must be in 0...\(TraceInfo.maxWidth)")
        }
        guard auxChallenges >= 0, auxChallenges <= 64, (auxWidth == 0) == (auxChallenges == 0) else {
            throw .invalidTrace("auxiliary challenges \(auxChallenges) do not fit auxiliary width \(auxWidth)")
        }
    }
}

/// The degree of a transition constraint, as a multiple of the trace-polynomial degree plus the
/// contribution of periodic columns it multiplies by (Winterfell's convention).
public struct TransitionConstraintDegree: Hashable, Sendable {
    /// Degree in the trace columns.
    public var base: Int
    /// Cycle lengths of the periodic columns the constraint is multiplied by.
    public var cycles: [Int]

    public init(_ base: Int, cycles: [Int] = []) {
        precondition(base >= 1, "constraint degree must be at least 1")
        self.base = base
        self.cycles = cycles
    }

    /// Degree of the constraint polynomial for a trace of `length` rows.
    public func evaluationDegree(traceLength n: Int) -> Int {
        var d = base * (n - 1)
        for c in cycles { d += (n / c) * (c - 1) }
        return d
    }
}

/// A claim that a trace cell holds a value: column `column` at row `step` equals `value`.
public struct Assertion<E: FieldElement>: Hashable, Sendable {
    public var column: Int
    public var step: Int
    public var value: E

    public init(column: Int, step: Int, value: E) {
        self.column = column
        self.step = step
        self.value = value
    }
}
