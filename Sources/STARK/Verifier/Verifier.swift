/// Checks STARK proofs. Independent of the prover: it needs only the AIR (built from the public
/// inputs the verifier trusts) and the proof.
public enum Verifier {
    /// Proofs below this conjectured security are refused.
    public static let minimumSecurityBits = 96

    /// Decodes and verifies proof bytes.
    public static func verify<A: AIR>(proofBytes: [UInt8], air: A, minimumSecurity: Int = minimumSecurityBits) throws(StarkError) {
        try verify(proof: ProofCodec.decode(proofBytes), air: air, minimumSecurity: minimumSecurity)
    }

    /// Verifies that `proof` proves the statement `air`; throws naming the first failed check.
    public static func verify<A: AIR>(proof: StarkProof, air: A, minimumSecurity: Int = minimumSecurityBits) throws(StarkError) {
        switch proof.options.hashFunction {
        case .blake3: try VerifierRun<Blake3Hasher>(air: air, proof: proof).verify(minimumSecurity: minimumSecurity)
        case .rpo256: try VerifierRun<RPO256Hasher>(air: air, proof: proof).verify(minimumSecurity: minimumSecurity)
        }
    }
}

/// One verification: replays the transcript and checks every claim of the proof.
struct VerifierRun<H: StarkHasher> {
    let air: any AIR
    let proof: StarkProof

    func verify(minimumSecurity: Int) throws(StarkError) {
        let options = proof.options
        let info = air.traceInfo
        do { try options.validate() } catch { throw .verificationFailed(error.description) }
        guard proof.traceInfo == info else {
            throw .verificationFailed("proof is for a trace of \(proof.traceInfo) but the statement has \(info)")
        }
        try air.validateDescription()
        let security = options.conjecturedSecurity(traceLength: info.length, collisionResistance: H.collisionResistance)
        guard security >= minimumSecurity else { throw .insufficientSecurity(got: security, required: minimumSecurity) }

        guard info.length * options.blowupFactor <= 1 << Felt.twoAdicity else {
            throw .verificationFailed("trace length × blowup exceeds the field's 2^32 evaluation domain")
        }
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
        guard proof.oodMainCurrent.count == info.mainWidth, proof.oodMainNext.count == info.mainWidth,
              proof.oodAuxCurrent.count == info.auxWidth, proof.oodAuxNext.count == info.auxWidth,
              (proof.auxRoot != nil) == (info.auxWidth > 0), (proof.auxOpening != nil) == (info.auxWidth > 0) else {
            throw .verificationFailed("out-of-domain frame or auxiliary commitment does not match the trace shape")
        }
        let plan = FRIPlan(traceLength: n, options: options)
        guard proof.friRoots.count == plan.layers, proof.friOpenings.count == plan.layers,
              proof.friRemainder.count == plan.remainderBound else {
            throw .verificationFailed("FRI has \(proof.friRoots.count) layers and \(proof.friRemainder.count) remainder coefficients; expected \(plan.layers) and \(plan.remainderBound)")
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
