/// An AIR's own evaluator of the composition numerator Σ αₖ·Cₖ over its transition constraints
/// (main constraints, then auxiliary ones) at one point of the prover's constraint-evaluation
/// domain, made for one proof's composition coefficients αₖ and auxiliary challenges (see
/// `AIR.transitionCombination(coefficients:challenges:)`).
///
/// It must return exactly the field element the constraint-by-constraint sum gives (the verifier
/// evaluates the constraints one by one at the out-of-domain point): it only computes it faster,
/// e.g. by multiplying constraints that share a selector by it once, keeping main-trace values in
/// the base field, and computing per-proof constants (challenge powers) once.
public protocol TransitionCombination: Sendable {
    /// Σ αₖ·Cₖ(current, next) with the main rows in the base field, the auxiliary rows in the
    /// extension (empty without an auxiliary segment) and the periodic columns' values at the point.
    func evaluate(main: EvaluationFrame<Felt>, aux: EvaluationFrame<QuadFelt>, periodic: UnsafePointer<Felt>) -> QuadFelt
}
