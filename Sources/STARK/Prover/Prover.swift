import Dispatch

/// Makes STARK proofs. How to use:
///
/// 1. Describe the statement as a type conforming to `AIR` (trace shape, constraints, assertions).
/// 2. Fill a `TraceTable` that satisfies it.
/// 3. Call `Prover.prove(air:trace:options:threads:)`; serialize with `ProofCodec.encode`.
/// 4. Anyone checks it with `Verifier.verify(proof:air:)`, given the same public inputs.
///
/// The proof bytes depend only on the AIR, the trace and the options, never on `threads`.
public enum Prover {
    /// Proves that `trace` satisfies `air`. Refuses, with a message naming the constraint and row,
    /// a trace that does not satisfy the AIR, and never returns a proof that does not verify: the
    /// boundary assertions are checked first (cheap), the finished proof is verified (milliseconds),
    /// and only when the proof is refused are the constraints checked row by row to name the
    /// failure (see `ProverRun.prove`). With `cancellation`, stops between phases once it is
    /// cancelled and throws `StarkError.cancelled`.
    public static func prove<A: AIR>(
        air: A, trace: TraceTable, options: ProofOptions = .default, threads: Int = Parallel.coreCount,
        timings: PhaseTimings? = nil, cancellation: ProofCancellation? = nil
    ) throws(StarkError) -> StarkProof {
        try prove(air: air, trace: trace, options: options, threads: threads, timings: timings, checkTrace: true, cancellation: cancellation)
    }

    /// As above; `checkTrace: false` skips the refusal of bad traces, the assertion check and the
    /// verification of the result (tests use it to show that a forged trace yields no verifying proof).
    /// `budget` is the extension the proof may keep in memory (see `ExtensionBudget`); tests set it
    /// to zero to prove through the streamed path.
    static func prove<A: AIR>(
        air: A, trace: TraceTable, options: ProofOptions, threads: Int, timings: PhaseTimings?, checkTrace: Bool,
        cancellation: ProofCancellation? = nil, budget: ExtensionBudget = .processDefault
    ) throws(StarkError) -> StarkProof {
        switch options.hashFunction {
        case .blake3:
            var run = ProverRun<Blake3Hasher>(
                air: air, options: options, threads: max(1, threads), timings: timings, cancellation: cancellation, allowance: ExtensionAllowance(budget))
            return try run.prove(trace: trace, checkTrace: checkTrace)
        case .rpo256:
            var run = ProverRun<RPO256Hasher>(
                air: air, options: options, threads: max(1, threads), timings: timings, cancellation: cancellation, allowance: ExtensionAllowance(budget))
            return try run.prove(trace: trace, checkTrace: checkTrace)
        }
    }
}

/// One proof being made: the protocol steps in order, specialised on the hash. The AIR is an
/// existential so that everything else compiles to concrete code; only the per-row constraint
/// calls are dynamic.
struct ProverRun<H: StarkHasher> {
    let air: any AIR
    let options: ProofOptions
    let threads: Int
    let timings: PhaseTimings?
    /// Checked between phases (see `ProofCancellation`).
    let cancellation: ProofCancellation?
    /// What is left of the extension budget: decides which segments are stored.
    var allowance: ExtensionAllowance

    /// Proves, then (with `checkTrace`) verifies the proof before returning it.
    ///
    /// Checking every constraint on every row before committing costs as much as a sixth of the
    /// constraint evaluation (1.2–1.4 s of a 30 s block proof) and only serves bad traces, which
    /// an honest prover meets only through a defect. So the row-by-row check runs only to explain
    /// a failure: when the composition polynomial exceeds its degree bound or the finished proof
    /// does not verify, it names the first failing constraint and row (or, when every constraint
    /// holds, says the prover is at fault). Verifying costs milliseconds and also covers
    /// everything after the trace (composition, DEEP, FRI, openings).
    mutating func prove(trace: TraceTable, checkTrace: Bool) throws(StarkError) -> StarkProof {
        var auxCheck: AuxTraceCheck?
        do {
            let proof = try makeProof(trace: trace, checkTrace: checkTrace, auxCheck: &auxCheck)
            if checkTrace {
                try cancellation.check(before: "verifying the proof")
                try measure("self-verification") { () throws(StarkError) in
                    try Verifier.verify(proof: proof, air: air, minimumSecurity: 0)
                }
            }
            return proof
        } catch {
            switch error {
            case .unsatisfiedConstraint, .verificationFailed, .malformedProof:
                guard checkTrace else { throw error }
            default:
                throw error
            }
            try measure("trace check") { () throws(StarkError) in
                let validator = TraceValidator(air: air, threads: threads, cancellation: cancellation)
                try validator.check(main: trace.columns)
                if let auxCheck {
                    try validator.checkAux(
                        main: trace.columns, aux: auxCheck.columns, challenges: auxCheck.challenges, assertions: auxCheck.assertions)
                }
            }
            throw .unsatisfiedConstraint("every constraint holds on the trace, yet the proof is refused (\(error)): a prover defect")
        }
    }

    /// The auxiliary segment as built, kept to explain a failure (see `prove`).
    struct AuxTraceCheck {
        let columns: [[QuadFelt]]
        let challenges: [QuadFelt]
        let assertions: [Assertion<QuadFelt>]
    }

    private mutating func makeProof(trace: TraceTable, checkTrace: Bool, auxCheck: inout AuxTraceCheck?) throws(StarkError) -> StarkProof {
        try options.validate()
        try air.validateDescription()
        let info = air.traceInfo
        guard trace.width == info.mainWidth, trace.length == info.length else {
            throw .invalidTrace("trace is \(trace.width)×\(trace.length) but the AIR expects \(info.mainWidth)×\(info.length)")
        }
        guard info.length * options.blowupFactor <= 1 << Felt.twoAdicity else {
            throw .invalidOptions("trace length × blowup exceeds the field's 2^32 evaluation domain")
        }
        let layout = AIRLayout(air)
        guard layout.evaluationBlowup <= options.blowupFactor else {
            throw .invalidOptions("blowup factor \(options.blowupFactor) is below the constraint degree's need (\(layout.evaluationBlowup))")
        }
        let degree = options.extensionDegree
        let n = info.length
        let domain = LDEDomain(traceLength: n, blowup: options.blowupFactor)
        var transcript = Transcript<H>(seed: transcriptContext(options: options, traceInfo: info) + air.publicInputs)

        try cancellation.check(before: "trace check")
        if checkTrace {
            try TraceValidator(air: air, threads: threads, cancellation: cancellation).checkAssertions(main: trace.columns)
        }

        // 1. Main trace: interpolate, extend, commit.
        try cancellation.check(before: "trace commit")
        let mainLimit = allowance.nextLimit
        let main = try measure("trace commit") { () throws(StarkError) in
            try SegmentCommitment<H, Felt>(
                traceColumns: trace.columns, domain: domain, extensionDegree: degree, threads: threads, storeLimit: mainLimit,
                    cancellation: cancellation)
        }
        allowance.record(stored: main.isStored, bytes: main.extensionBytes)
        transcript.absorb(main.tree.root)

        // 2. Auxiliary trace from challenges.
        var aux: SegmentCommitment<H, QuadFelt>?
        var auxChallenges: [QuadFelt] = []
        var auxAssertions: [Assertion<QuadFelt>] = []
        if info.auxWidth > 0 {
            try cancellation.check(before: "aux trace")
            auxChallenges = transcript.drawExtensions(info.auxChallenges, degree: degree)
            let columns = air.buildAuxTrace(main: trace, challenges: auxChallenges)
            guard columns.count == info.auxWidth, columns.allSatisfy({ $0.count == n }) else {
                throw .invalidTrace("auxiliary trace must be \(info.auxWidth) columns of \(n) rows")
            }
            auxAssertions = air.auxAssertions(challenges: auxChallenges)
            if checkTrace {
                try TraceValidator(air: air, threads: threads, cancellation: cancellation).checkAuxAssertions(
                    aux: columns, length: n, assertions: auxAssertions)
                auxCheck = AuxTraceCheck(columns: columns, challenges: auxChallenges, assertions: auxAssertions)
            }
            try cancellation.check(before: "aux trace commit")
            let auxLimit = allowance.nextLimit
            let committed = try measure("aux trace commit") { () throws(StarkError) in
                try SegmentCommitment<H, QuadFelt>(
                    traceColumns: columns, domain: domain, extensionDegree: degree, threads: threads, storeLimit: auxLimit,
                    cancellation: cancellation)
            }
            allowance.record(stored: committed.isStored, bytes: committed.extensionBytes)
            transcript.absorb(committed.tree.root)
            aux = committed
        }

        // 3. Constraint composition.
        let constraintCount = air.mainConstraintDegrees.count + air.auxConstraintDegrees.count
            + air.mainAssertions.count + auxAssertions.count
        let compositionCoefficients = transcript.drawExtensions(constraintCount, degree: degree)
        let evaluator = ConstraintEvaluator(
            air: air, layout: layout, domain: domain, extensionDegree: degree, coefficients: compositionCoefficients,
            auxChallenges: auxChallenges, auxAssertions: auxAssertions)
        try cancellation.check(before: "constraint evaluation")
        var quotient = measure("constraint evaluation") {
            evaluator.evaluate(main: main, aux: aux, threads: threads, cancellation: cancellation)
        }
        try cancellation.check(before: "composition commit")
        let compositionLimit = allowance.nextLimit
        let composition = try measure("composition commit") { () throws(StarkError) -> SegmentCommitment<H, QuadFelt> in
            quotient.withUnsafeMutableBufferPointer {
                Polynomial.interpolateCoset($0, offset: domain.offset, threads: threads)
            }
            let columns = layout.compositionColumns
            if quotient[(columns * n)...].contains(where: { !$0.isZero }) {
                throw .unsatisfiedConstraint("the composition polynomial exceeds its degree bound: some constraint does not hold")
            }
            let split = (0..<columns).map { j in Array(quotient[(j * n)..<((j + 1) * n)]) }
            quotient = []
            return try SegmentCommitment<H, QuadFelt>(
                coefficients: split, domain: domain, extensionDegree: degree, threads: threads, storeLimit: compositionLimit,
                    cancellation: cancellation)
        }
        transcript.absorb(composition.tree.root)

        // 4. Out-of-domain evaluation at z and g·z.
        let z = transcript.drawExtension(degree: degree)
        let nextZ = z.scaled(by: domain.traceGenerator)
        try cancellation.check(before: "out-of-domain evaluation")
        let (oodMain, oodMainNext, oodAux, oodAuxNext, oodComposition) = measure("out-of-domain") {
            let mainAt = evaluateColumns(main.coefficients, at: [z, nextZ])
            let auxAt = evaluateColumns(aux?.coefficients ?? [], at: [z, nextZ])
            let compAt = evaluateColumns(composition.coefficients, at: [z])
            return (mainAt[0], mainAt[1], auxAt[0], auxAt[1], compAt[0])
        }
        transcript.absorb(elements: StarkProof.outOfDomainElements(
            main: oodMain, mainNext: oodMainNext, aux: oodAux, auxNext: oodAuxNext, composition: oodComposition, degree: degree))

        // 5. DEEP composition.
        let deepCoefficients = DeepCoefficients.draw(
            from: &transcript, traceWidth: info.width, compositionColumns: layout.compositionColumns, degree: degree)
        try cancellation.check(before: "DEEP composition")
        let deep = measure("DEEP composition") {
            DeepComposer.evaluate(
                domain: domain, main: main, aux: aux, composition: composition,
                z: z, nextZ: nextZ, oodTrace: oodMain + oodAux, oodTraceNext: oodMainNext + oodAuxNext,
                oodComposition: oodComposition, coefficients: deepCoefficients, threads: threads)
        }

        // 6. FRI.
        var fri = FRIProver<H>()
        try measure("FRI") { () throws(StarkError) in
            try fri.commit(evaluations: deep, domain: domain, options: options, transcript: &transcript, threads: threads,
                           cancellation: cancellation)
        }

        // 7. Proof of work, then queries.
        try cancellation.check(before: "grinding")
        let nonce = measure("grinding") { transcript.grind(bits: options.grindingBits, threads: threads) }
        transcript.absorb(nonce: nonce)
        let positions = transcript.drawPositions(options.numQueries, domainSize: domain.size)
        try cancellation.check(before: "queries")
        let proof = measure("queries") {
            StarkProof(
                options: options, traceInfo: info, mainRoot: main.tree.root, auxRoot: aux?.tree.root,
                compositionRoot: composition.tree.root, friRoots: fri.layers.map { $0.tree.root },
                oodMainCurrent: oodMain, oodMainNext: oodMainNext, oodAuxCurrent: oodAux, oodAuxNext: oodAuxNext,
                oodComposition: oodComposition, friRemainder: fri.remainder, powNonce: nonce,
                mainOpening: SegmentOpening(rows: main.rows(at: positions, threads: threads), proof: main.tree.open(positions: positions)),
                auxOpening: aux.map { SegmentOpening(rows: $0.rows(at: positions, threads: threads), proof: $0.tree.open(positions: positions)) },
                compositionOpening: SegmentOpening(
                    rows: composition.rows(at: positions, threads: threads), proof: composition.tree.open(positions: positions)),
                friOpenings: fri.query(positions: positions, factor: options.friFoldingFactor))
        }
        return proof
    }

    /// Evaluates every column polynomial at each point: each column's base elements (one for Felt,
    /// two for QuadFelt) are the coefficients of base polynomials, read in place with a stride and
    /// evaluated together (`PointEvaluator`); a QuadFelt column's value is P₀(z) + φ·P₁(z).
    func evaluateColumns<E: FlattenableElement>(_ columns: [[E]], at points: [QuadFelt]) -> [[QuadFelt]] {
        guard let length = columns.first?.count else { return points.map { _ in [] } }
        let per = MemoryLayout<E>.stride / MemoryLayout<Felt>.stride
        let values = withColumnPointers(columns) { pointers in
            let bases = pointers.flatMap { column in
                (0..<per).map { UnsafeRawPointer(column).assumingMemoryBound(to: Felt.self) + $0 }
            }
            return PointEvaluator.evaluate(bases, stride: per, length: length, at: points, threads: threads)
        }
        let phi = QuadFelt(.zero, .one)
        let flatWidth = columns.count * per
        return points.indices.map { q in
            (0..<columns.count).map { c in
                let base = q * flatWidth + c * per
                return per == 1 ? values[base] : values[base] + phi * values[base + 1]
            }
        }
    }

    func measure<T, E: Error>(_ phase: String, _ body: () throws(E) -> T) throws(E) -> T {
        guard let timings else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        timings.add(phase, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
        return value
    }
}
