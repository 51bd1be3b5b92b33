/// Two consecutive rows of a trace, as seen by a transition constraint.
@frozen
public struct EvaluationFrame<E: FieldElement> {
    /// Row i.
    public let current: UnsafeBufferPointer<E>
    /// Row i + 1.
    public let next: UnsafeBufferPointer<E>

    @inlinable @inline(__always)
    public init(current: UnsafeBufferPointer<E>, next: UnsafeBufferPointer<E>) {
        self.current = current
        self.next = next
    }
}

/// An Algebraic Intermediate Representation: the statement a proof is about.
///
/// An AIR fixes the trace shape, the transition constraints (polynomials in two consecutive rows
/// that vanish on every row but the last) with their degrees, the boundary assertions, periodic
/// columns and public inputs. Optionally it has an auxiliary segment, built from the main trace
/// and verifier challenges (for permutation or LogUp buses), with its own constraints.
///
/// Performance contract: the prover calls `evaluateMain(_:periodic:result:)` over `Felt` once per
/// row of the constraint-evaluation domain, and the verifier calls the `QuadFelt` overload once.
/// Write the constraints once as an `@inline(__always)` generic over `FieldElement` in your module
/// and forward both overloads to it, so each is compiled specialised.
public protocol AIR: Sendable {
    /// The trace shape.
    var traceInfo: TraceInfo { get }
    /// Public inputs, absorbed into the transcript: every value the assertions depend on.
    var publicInputs: [Felt] { get }
    /// Degrees of the main transition constraints, one per constraint, in evaluation order.
    var mainConstraintDegrees: [TransitionConstraintDegree] { get }
    /// Degrees of the auxiliary transition constraints.
    var auxConstraintDegrees: [TransitionConstraintDegree] { get }
    /// Periodic columns: each a power-of-two number of values (≥ 2) repeated along the trace.
    var periodicColumns: [[Felt]] { get }
    /// Boundary assertions on the main trace.
    var mainAssertions: [Assertion<Felt>] { get }
    /// Boundary assertions on the auxiliary trace, which may depend on the challenges.
    func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>]

    /// Main transition constraints over the base field (prover, on the trace extension).
    func evaluateMain(_ frame: EvaluationFrame<Felt>, periodic: UnsafeBufferPointer<Felt>, result: UnsafeMutableBufferPointer<Felt>)
    /// Main transition constraints over the extension (verifier, at the out-of-domain point).
    func evaluateMain(_ frame: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>)
    /// Auxiliary transition constraints (main values lifted into the extension).
    func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>)
    /// Builds the auxiliary columns from the main trace and the challenges (prover only).
    func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]]
    /// The prover's fast evaluator of Σ αₖ·Cₖ for one proof (`coefficients`: one per main, then
    /// auxiliary transition constraint), or nil — the default — to evaluate the constraints one by one.
    func transitionCombination(coefficients: [QuadFelt], challenges: [QuadFelt]) -> (any TransitionCombination)?
}

extension AIR {
    public var auxConstraintDegrees: [TransitionConstraintDegree] { [] }
    public var periodicColumns: [[Felt]] { [] }
    public func auxAssertions(challenges: [QuadFelt]) -> [Assertion<QuadFelt>] { [] }
    public func evaluateAux(
        main: EvaluationFrame<QuadFelt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafeBufferPointer<QuadFelt>,
        challenges: UnsafeBufferPointer<QuadFelt>, result: UnsafeMutableBufferPointer<QuadFelt>
    ) {}
    public func buildAuxTrace(main: TraceTable, challenges: [QuadFelt]) -> [[QuadFelt]] { [] }
    public func transitionCombination(coefficients: [QuadFelt], challenges: [QuadFelt]) -> (any TransitionCombination)? { nil }

    /// Checks the AIR's own description is consistent (degrees, periodic columns, assertion targets).
    public func validateDescription() throws(StarkError) {
        let info = traceInfo
        try info.validate()
        if info.auxWidth == 0 && !auxConstraintDegrees.isEmpty {
            throw .invalidTrace("auxiliary constraints without an auxiliary segment")
        }
        for (k, column) in periodicColumns.enumerated() {
            guard column.count >= 2, column.count & (column.count - 1) == 0, column.count <= info.length else {
                throw .invalidTrace("periodic column \(k) has \(column.count) values; need a power of two in 2...trace length")
            }
        }
        for (k, a) in mainAssertions.enumerated() {
            guard a.column >= 0, a.column < info.mainWidth, a.step >= 0, a.step < info.length else {
                throw .invalidTrace("assertion \(k) targets column \(a.column), row \(a.step) outside the trace")
            }
        }
    }
}

/// Per-AIR values both prover and verifier derive: composition layout and periodic polynomials.
public struct AIRLayout: Sendable {
    public let traceLength: Int
    /// Degree bound of the composition (quotient) polynomial, as a number of columns of `traceLength` coefficients.
    public let compositionColumns: Int
    /// Constraint-evaluation domain size as a multiple of the trace length (power of two).
    public let evaluationBlowup: Int
    /// Periodic columns in coefficient form, each interpolated over its own cycle.
    public let periodicCoefficients: [[Felt]]

    public init(_ air: any AIR) {
        let n = air.traceInfo.length
        traceLength = n
        let maxDegree = (air.mainConstraintDegrees + air.auxConstraintDegrees)
            .map { $0.evaluationDegree(traceLength: n) }.max() ?? 0
        // Transition quotients have degree maxDegree − (n − 1); boundary quotients n − 2.
        let quotientDegree = max(maxDegree - (n - 1), n - 2)
        let columns = max(1, (quotientDegree + n) / n)
        compositionColumns = columns
        var ce = 1
        while ce < columns { ce <<= 1 }
        evaluationBlowup = ce
        periodicCoefficients = air.periodicColumns.map { values in
            var c = values
            NTT.inverse(&c)
            return c
        }
    }

    /// Evaluates the periodic columns at x (their polynomials in x^(n/cycle)).
    public func periodicValues<E: FieldElement>(at x: E) -> [E] {
        periodicCoefficients.map { coeffs in
            let point = x.power(UInt64(traceLength / coeffs.count))
            return coeffs.withUnsafeBufferPointer { Polynomial.evaluate($0, at: point) }
        }
    }
}
