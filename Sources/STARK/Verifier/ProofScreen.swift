extension Verifier {
    /// Decodes proof bytes and runs `screen(_:expectedTraceInfo:minimumSecurity:)` on them: the
    /// checks that need no AIR. The header (magic, version, options, trace shape) is decoded and
    /// its options, security and shape checked before the rest of the bytes are read. Returns the
    /// decoded proof for `verify(proof:air:minimumSecurity:)`.
    public static func screen(
        proofBytes: [UInt8], expectedTraceInfo: TraceInfo, minimumSecurity: Int = minimumSecurityBits
    ) throws(StarkError) -> StarkProof {
        let (options, traceInfo) = try ProofCodec.decodeContext(proofBytes)
        try screen(options: options, traceInfo: traceInfo, expectedTraceInfo: expectedTraceInfo, minimumSecurity: minimumSecurity)
        let proof = try ProofCodec.decode(proofBytes)
        try screen(proof, expectedTraceInfo: expectedTraceInfo, minimumSecurity: minimumSecurity)
        return proof
    }

    /// The screen's checks on the options and trace shape alone: valid options, the statement's
    /// trace shape, conjectured security and the 2^32 evaluation domain.
    static func screen(options: ProofOptions, traceInfo: TraceInfo, expectedTraceInfo info: TraceInfo, minimumSecurity: Int) throws(StarkError) {
        do { try options.validate() } catch { throw .verificationFailed(error.description) }
        do { try info.validate() } catch { throw .verificationFailed("the statement's trace shape: \(error.description)") }
        guard traceInfo == info else {
            throw .verificationFailed("proof shape check: the proof is for a trace of \(traceInfo) but the statement's trace is \(info)")
        }
        let security = options.conjecturedSecurity(traceLength: info.length, collisionResistance: options.hashFunction.collisionResistance)
        guard security >= minimumSecurity else { throw .insufficientSecurity(got: security, required: minimumSecurity) }
        guard info.length * options.blowupFactor <= 1 << Felt.twoAdicity else {
            throw .verificationFailed("proof shape check: trace length × blowup exceeds the field's 2^32 evaluation domain")
        }
    }

    /// The checks a proof must pass before any AIR is built, each cheap and refusing with a
    /// message that names it: valid options, conjectured security at least `minimumSecurity`,
    /// the trace shape (main and auxiliary widths, challenges, length) equal to the statement's
    /// `expectedTraceInfo`, an evaluation domain within the field's 2^32, the out-of-domain frame
    /// and auxiliary commitments of that shape, and FRI layers and remainder as `FRIPlan` says.
    /// Shape refusals start with "proof shape check:".
    public static func screen(_ proof: StarkProof, expectedTraceInfo info: TraceInfo, minimumSecurity: Int = minimumSecurityBits) throws(StarkError) {
        let options = proof.options
        try screen(options: options, traceInfo: proof.traceInfo, expectedTraceInfo: info, minimumSecurity: minimumSecurity)
        guard proof.oodMainCurrent.count == info.mainWidth, proof.oodMainNext.count == info.mainWidth,
              proof.oodAuxCurrent.count == info.auxWidth, proof.oodAuxNext.count == info.auxWidth,
              (proof.auxRoot != nil) == (info.auxWidth > 0), (proof.auxOpening != nil) == (info.auxWidth > 0) else {
            throw .verificationFailed("proof shape check: out-of-domain frame or auxiliary commitment does not match the trace shape")
        }
        let plan = FRIPlan(traceLength: info.length, options: options)
        guard proof.friRoots.count == plan.layers, proof.friOpenings.count == plan.layers,
              proof.friRemainder.count == plan.remainderBound else {
            throw .verificationFailed("proof shape check: FRI has \(proof.friRoots.count) layers and \(proof.friRemainder.count) remainder coefficients; the options plan \(plan.layers) and \(plan.remainderBound)")
        }
    }
}
