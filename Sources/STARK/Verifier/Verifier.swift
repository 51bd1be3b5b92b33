/// Checks STARK proofs. Independent of the prover: it needs only the AIR (built from the public
/// inputs the verifier trusts) and the proof.
///
/// Building an AIR can cost far more than refusing a bad proof, so a verifier facing untrusted
/// bytes should use `verify(proofBytes:expectedTraceInfo:minimumSecurity:air:)`: it decodes the
/// proof and checks everything that needs no AIR (options, security, trace shape, FRI plan)
/// against the trace shape the statement implies, and builds the AIR only once those pass.
public enum Verifier {
    /// Proofs below this conjectured security are refused.
    public static let minimumSecurityBits = 96

    /// Decodes and verifies proof bytes.
    public static func verify<A: AIR>(proofBytes: [UInt8], air: A, minimumSecurity: Int = minimumSecurityBits) throws(StarkError) {
        try verify(proof: ProofCodec.decode(proofBytes), air: air, minimumSecurity: minimumSecurity)
    }

    /// Decodes proof bytes, screens them against `expectedTraceInfo` (the statement's trace shape,
    /// derived without building its AIR), and only then calls `air` and verifies. A proof refused
    /// by the screen never costs an AIR.
    public static func verify<A: AIR>(
        proofBytes: [UInt8], expectedTraceInfo: TraceInfo, minimumSecurity: Int = minimumSecurityBits,
        air makeAIR: () throws(StarkError) -> A
    ) throws(StarkError) {
        let proof = try screen(proofBytes: proofBytes, expectedTraceInfo: expectedTraceInfo, minimumSecurity: minimumSecurity)
        let air = try makeAIR()
        guard air.traceInfo == expectedTraceInfo else {
            throw .verificationFailed("the statement's AIR has a trace of \(air.traceInfo), not the expected \(expectedTraceInfo)")
        }
        try verify(proof: proof, air: air, minimumSecurity: minimumSecurity)
    }

    /// Verifies that `proof` proves the statement `air`; throws naming the first failed check.
    public static func verify<A: AIR>(proof: StarkProof, air: A, minimumSecurity: Int = minimumSecurityBits) throws(StarkError) {
        try screen(proof, expectedTraceInfo: air.traceInfo, minimumSecurity: minimumSecurity)
        switch proof.options.hashFunction {
        case .blake3: try VerifierRun<Blake3Hasher>(air: air, proof: proof).verify()
        case .rpo256: try VerifierRun<RPO256Hasher>(air: air, proof: proof).verify()
        }
    }
}

/// One verification: replays the transcript and checks every claim of the proof.
struct VerifierRun<H: StarkHasher> {
    let air: any AIR
    let proof: StarkProof

    /// Runs after `Verifier.screen` has passed for `air.traceInfo` (options, security, shape, FRI plan).
    func verify() throws(StarkError) {
        let options = proof.options
        let info = air.traceInfo
        try air.validateDescription()
        // Digests are canonical: the decoder refuses any other, and so does every Merkle check
        // (roots included) for a proof built in memory.
        let layout = AIRLayout(air)
        let degree = options.extensionDegree
        let n = info.length
        let domain = LDEDomain(traceLength: n, blowup: options.blowupFactor)
        guard layout.evaluationBlowup <= options.blowupFactor else {
            throw .verificationFailed("blowup factor \(options.blowupFactor) is too small for the constraint degree")
        }
        guard proof.oodComposition.count == layout.compositionColumns else {
            throw .verificationFailed("proof has \(proof.oodComposition.count) composition columns, the statement needs \(layout.compositionColumns)")
        }

        // Replay the transcript.
        var transcript = Transcript<H>(seed: transcriptContext(options: options, traceInfo: info) + air.publicInputs)
        transcript.absorb(proof.mainRoot)
        var auxChallenges: [QuadFelt] = []
        if let auxRoot = proof.auxRoot {
            auxChallenges = transcript.drawExtensions(info.auxChallenges, degree: degree)
            transcript.absorb(auxRoot)
        }
        let auxAssertions = air.auxAssertions(challenges: auxChallenges)
        for (k, a) in auxAssertions.enumerated() where a.column < 0 || a.column >= info.auxWidth || a.step < 0 || a.step >= n {
            throw .verificationFailed("auxiliary assertion \(k) targets column \(a.column), row \(a.step) outside the trace")
        }
        let mainAssertions = air.mainAssertions
        let constraintCount = air.mainConstraintDegrees.count + air.auxConstraintDegrees.count
            + mainAssertions.count + auxAssertions.count
        let coefficients = transcript.drawExtensions(constraintCount, degree: degree)
        transcript.absorb(proof.compositionRoot)
        let z = transcript.drawExtension(degree: degree)
        let nextZ = z.scaled(by: domain.traceGenerator)
        let oodTrace = proof.oodMainCurrent + proof.oodAuxCurrent
        let oodTraceNext = proof.oodMainNext + proof.oodAuxNext
        transcript.absorb(elements: proof.outOfDomainElements)
        let deepCoefficients = DeepCoefficients.draw(
            from: &transcript, traceWidth: info.width, compositionColumns: layout.compositionColumns, degree: degree)
        var alphas: [QuadFelt] = []
        for root in proof.friRoots {
            transcript.absorb(root)
            alphas.append(transcript.drawExtension(degree: degree))
        }
        transcript.absorb(elements: proof.friRemainder.flattened(extensionDegree: degree))
        guard transcript.acceptsProofOfWork(nonce: proof.powNonce, bits: options.grindingBits) else {
            throw .verificationFailed("proof-of-work nonce does not meet \(options.grindingBits) bits")
        }
        transcript.absorb(nonce: proof.powNonce)
        let positions = transcript.drawPositions(options.numQueries, domainSize: domain.size)

        // Out-of-domain consistency: the constraints at z equal the committed composition at z.
        let expected = OODEvaluator(air: air, layout: layout, domain: domain).compose(
            z: z, main: proof.oodMainCurrent, mainNext: proof.oodMainNext, aux: proof.oodAuxCurrent,
            auxNext: proof.oodAuxNext, coefficients: coefficients, auxChallenges: auxChallenges, auxAssertions: auxAssertions)
        var claimed = QuadFelt.zero
        let zn = z.power(UInt64(n))
        var zPower = QuadFelt.one
        for h in proof.oodComposition {
            claimed += h * zPower
            zPower = zPower * zn
        }
        guard expected == claimed else {
            throw .verificationFailed("constraint evaluations at the out-of-domain point do not match the composition commitment")
        }

        // Openings of the committed segments at the query positions.
        try checkOpening(proof.mainOpening, root: proof.mainRoot, positions: positions, width: info.mainWidth, domain: domain, name: "main trace")
        if let auxOpening = proof.auxOpening, let auxRoot = proof.auxRoot {
            try checkOpening(auxOpening, root: auxRoot, positions: positions, width: info.auxWidth, domain: domain, name: "auxiliary trace")
        }
        try checkOpening(proof.compositionOpening, root: proof.compositionRoot, positions: positions,
                         width: layout.compositionColumns, domain: domain, name: "composition")

        // DEEP values at the positions, then FRI.
        var deepValues: [QuadFelt] = []
        deepValues.reserveCapacity(positions.count)
        for (k, p) in positions.enumerated() {
            var row = proof.mainOpening.rows[k].map { QuadFelt($0) }
            if let auxOpening = proof.auxOpening { row += auxOpening.rows[k] }
            deepValues.append(deepCoefficients.evaluate(
                x: domain.point(p), traceRow: row, compositionRow: proof.compositionOpening.rows[k], z: z, nextZ: nextZ,
                oodTrace: oodTrace, oodTraceNext: oodTraceNext, oodComposition: proof.oodComposition))
        }
        try FRIVerifier<H>(options: options, domain: domain, roots: proof.friRoots, alphas: alphas, remainder: proof.friRemainder)
            .verify(positions: positions, values: deepValues, openings: proof.friOpenings)
    }

    func checkOpening<E: FlattenableElement>(
        _ opening: SegmentOpening<E>, root: Digest, positions: [Int], width: Int, domain: LDEDomain, name: String
    ) throws(StarkError) {
        guard opening.rows.count == positions.count, opening.rows.allSatisfy({ $0.count == width }) else {
            throw .verificationFailed("\(name) opening has \(opening.rows.count) rows; expected \(positions.count) of width \(width)")
        }
        let degree = proof.options.extensionDegree
        let leaves = opening.rows.map { H.hashElements($0.flattened(extensionDegree: degree)) }
        guard MerkleTree<H>.verify(root: root, leafCount: domain.size, positions: positions, leaves: leaves, proof: opening.proof) else {
            throw .verificationFailed("\(name) openings do not match the \(name) commitment")
        }
    }
}
