/// The versioned binary encoding of a `StarkProof`.
///
/// Layout (little-endian): magic "STRK", version byte, options, trace shape, commitments,
/// out-of-domain values, FRI remainder, proof-of-work nonce, then the openings of the main,
/// auxiliary and composition segments and of each FRI layer. Every count is bounded (the FRI layer
/// and remainder counts are exactly the options' `FRIPlan`) and every field element must be
/// canonical, as must every digest word of an RPO256 proof; the decoder never trusts a length it
/// has not checked.
public enum ProofCodec {
    public static let magic: [UInt8] = Array("STRK".utf8)

    /// A named byte range of an encoded proof (used by tamper tests and diagnostics).
    public struct Section: Sendable, Hashable {
        public let name: String
        public let range: Range<Int>
    }

    /// Encodes a proof.
    public static func encode(_ proof: StarkProof) -> [UInt8] { encodeWithSections(proof).bytes }

    /// Encodes a proof and reports where each section lies.
    public static func encodeWithSections(_ proof: StarkProof) -> (bytes: [UInt8], sections: [Section]) {
        var w = ByteWriter()
        var sections: [Section] = []
        var mark = 0
        func close(_ name: String) {
            sections.append(Section(name: name, range: mark..<w.count))
            mark = w.count
        }
        let degree = proof.options.extensionDegree
        func ext(_ v: QuadFelt) {
            w.felt(v.c0)
            if degree == 2 { w.felt(v.c1) }
        }
        func exts(_ vs: [QuadFelt]) {
            w.u16(UInt16(vs.count))
            vs.forEach(ext)
        }
        func digests(_ ds: [Digest]) {
            w.u16(UInt16(ds.count))
            ds.forEach { w.digest($0) }
        }

        w.raw(magic)
        w.u8(StarkProof.formatVersion)
        close("header")
        let o = proof.options
        w.u8(UInt8(o.numQueries))
        w.u8(UInt8(o.blowupFactor.trailingZeroBitCount))
        w.u8(UInt8(o.grindingBits))
        w.u8(UInt8(o.extensionDegree))
        w.u8(UInt8(o.friFoldingFactor))
        w.u16(UInt16(o.friRemainderMaxDegree))
        w.u8(o.hashFunction.rawValue)
        let t = proof.traceInfo
        w.u16(UInt16(t.mainWidth))
        w.u16(UInt16(t.auxWidth))
        w.u8(UInt8(t.auxChallenges))
        w.u8(UInt8(t.length.trailingZeroBitCount))
        close("context")
        w.digest(proof.mainRoot)
        if let aux = proof.auxRoot { w.digest(aux) }
        w.digest(proof.compositionRoot)
        digests(proof.friRoots)
        close("commitments")
        proof.oodMainCurrent.forEach(ext)
        proof.oodMainNext.forEach(ext)
        proof.oodAuxCurrent.forEach(ext)
        proof.oodAuxNext.forEach(ext)
        exts(proof.oodComposition)
        close("out-of-domain")
        exts(proof.friRemainder)
        close("fri-remainder")
        w.u64(proof.powNonce)
        close("pow-nonce")

        func opening<E: FlattenableElement>(_ op: SegmentOpening<E>, _ name: String) {
            w.u16(UInt16(op.rows.count))
            for row in op.rows {
                for v in row.flattened(extensionDegree: degree) { w.felt(v) }
            }
            digests(op.proof)
            close(name)
        }
        opening(proof.mainOpening, "main-queries")
        if let aux = proof.auxOpening { opening(aux, "aux-queries") }
        opening(proof.compositionOpening, "composition-queries")
        for (i, layer) in proof.friOpenings.enumerated() {
            w.u16(UInt16(layer.rows.count))
            for row in layer.rows { row.forEach(ext) }
            digests(layer.proof)
            close("fri-layer-\(i)-queries")
        }
        return (w.bytes, sections)
    }

    /// Decodes only the header and context of proof bytes: magic, version, options and trace
    /// shape (the first 19 bytes), each checked as `decode` checks them. A verifier screens these
    /// before it decodes the rest.
    public static func decodeContext(_ bytes: [UInt8]) throws(StarkError) -> (options: ProofOptions, traceInfo: TraceInfo) {
        var r = ByteReader(bytes)
        return try context(&r)
    }

    /// Reads and checks the header and context.
    static func context(_ r: inout ByteReader) throws(StarkError) -> (options: ProofOptions, traceInfo: TraceInfo) {
        let tag = try r.take(4, "magic tag")
        guard Array(tag) == magic else { throw .malformedProof("not a STARK proof (magic tag \(Array(tag)) is not \"STRK\")") }
        let version = try r.u8("format version")
        guard version == StarkProof.formatVersion else {
            throw .malformedProof("unsupported proof format version \(version) (this build reads \(StarkProof.formatVersion))")
        }
        let numQueries = Int(try r.u8("options.numQueries"))
        let blowupLog = Int(try r.u8("options.blowupFactor"))
        guard blowupLog <= 7 else { throw .malformedProof("options.blowupFactor 2^\(blowupLog) is too large") }
        let grinding = Int(try r.u8("options.grindingBits"))
        let extensionDegree = Int(try r.u8("options.extensionDegree"))
        let folding = Int(try r.u8("options.friFoldingFactor"))
        let remainderMax = Int(try r.u16("options.friRemainderMaxDegree"))
        let hashByte = try r.u8("options.hashFunction")
        guard let hash = HashFunction(rawValue: hashByte) else {
            throw .malformedProof("options.hashFunction \(hashByte) is not a known hash")
        }
        let options = ProofOptions(
            numQueries: numQueries, blowupFactor: 1 << blowupLog, grindingBits: grinding, extensionDegree: extensionDegree,
            friFoldingFactor: folding, friRemainderMaxDegree: remainderMax, hashFunction: hash)
        do { try options.validate() } catch { throw .malformedProof(error.description) }

        let mainWidth = Int(try r.u16("traceInfo.mainWidth"))
        let auxWidth = Int(try r.u16("traceInfo.auxWidth"))
        let auxChallenges = Int(try r.u8("traceInfo.auxChallenges"))
        let logLength = Int(try r.u8("traceInfo.length"))
        guard logLength <= TraceInfo.maxLogLength else { throw .malformedProof("traceInfo.length 2^\(logLength) is too large") }
        let traceInfo = TraceInfo(mainWidth: mainWidth, auxWidth: auxWidth, auxChallenges: auxChallenges, length: 1 << logLength)
        do { try traceInfo.validate() } catch { throw .malformedProof(error.description) }
        return (options, traceInfo)
    }

    /// Decodes a proof; truncated, oversized, non-canonical or garbage input throws `StarkError.malformedProof`.
    public static func decode(_ bytes: [UInt8]) throws(StarkError) -> StarkProof {
        var r = ByteReader(bytes)
        let (options, traceInfo) = try context(&r)
        let numQueries = options.numQueries
        let extensionDegree = options.extensionDegree
        let folding = options.friFoldingFactor
        let hash = options.hashFunction
        let mainWidth = traceInfo.mainWidth
        let auxWidth = traceInfo.auxWidth

        let degree = extensionDegree
        // RPO256 digests are words of field elements and must be canonical; BLAKE3 digests are bytes.
        let rpoDigests = hash == .rpo256
        func ext(_ what: @autoclosure () -> String) throws(StarkError) -> QuadFelt {
            let c0 = try r.felt(what())
            let c1 = degree == 2 ? try r.felt(what()) : Felt.zero
            return QuadFelt(c0, c1)
        }
        func exts(_ count: Int, _ what: String) throws(StarkError) -> [QuadFelt] {
            var out: [QuadFelt] = []
            out.reserveCapacity(count)
            for i in 0..<count { out.append(try ext("\(what)[\(i)]")) }
            return out
        }
        func count(_ what: String, max: Int) throws(StarkError) -> Int {
            let c = Int(try r.u16("\(what) count"))
            guard c <= max else { throw .malformedProof("\(what) count \(c) exceeds the limit \(max)") }
            return c
        }
        func digests(_ what: String, max: Int) throws(StarkError) -> [Digest] {
            let c = try count(what, max: max)
            var out: [Digest] = []
            out.reserveCapacity(c)
            for i in 0..<c { out.append(try r.digest("\(what)[\(i)]", canonicalWords: rpoDigests)) }
            return out
        }

        let mainRoot = try r.digest("main trace root", canonicalWords: rpoDigests)
        let auxRoot = auxWidth > 0 ? try r.digest("auxiliary trace root", canonicalWords: rpoDigests) : nil
        let compositionRoot = try r.digest("composition root", canonicalWords: rpoDigests)
        let plan = FRIPlan(traceLength: traceInfo.length, options: options)
        let friRoots = try digests("FRI layer roots", max: 32)
        guard friRoots.count == plan.layers else {
            throw .malformedProof("FRI layer roots count \(friRoots.count) is not the \(plan.layers) layers the options plan for \(traceInfo.length) rows")
        }

        let oodMainCurrent = try exts(mainWidth, "out-of-domain main row")
        let oodMainNext = try exts(mainWidth, "out-of-domain main next row")
        let oodAuxCurrent = try exts(auxWidth, "out-of-domain auxiliary row")
        let oodAuxNext = try exts(auxWidth, "out-of-domain auxiliary next row")
        let compositionColumns = try count("out-of-domain composition values", max: 256)
        let oodComposition = try exts(compositionColumns, "out-of-domain composition values")
        let remainderCount = try count("FRI remainder coefficients", max: FRIPlan.maxRemainderBound)
        guard remainderCount == plan.remainderBound else {
            throw .malformedProof("FRI remainder coefficients count \(remainderCount) is not the \(plan.remainderBound) the options plan for \(traceInfo.length) rows")
        }
        let friRemainder = try exts(remainderCount, "FRI remainder coefficients")
        let powNonce = try r.u64("proof-of-work nonce")
        guard powNonce < Felt.modulus else { throw .malformedProof("proof-of-work nonce \(powNonce) is not below p") }

        let maxNodes = numQueries * 64
        func opening<E: FlattenableElement>(_ what: String, width: Int, as: E.Type) throws(StarkError) -> SegmentOpening<E> {
            let rows = try count("\(what) rows", max: numQueries)
            let per = E.flatCount(extensionDegree: degree)
            var values: [[E]] = []
            values.reserveCapacity(rows)
            var flat = [Felt](repeating: .zero, count: per)
            for i in 0..<rows {
                var row: [E] = []
                row.reserveCapacity(width)
                for c in 0..<width {
                    for k in 0..<per { flat[k] = try r.felt("\(what) row \(i) column \(c)") }
                    row.append(flat.withUnsafeBufferPointer { E.read(extensionDegree: degree, from: $0.baseAddress!) })
                }
                values.append(row)
            }
            return SegmentOpening(rows: values, proof: try digests("\(what) Merkle nodes", max: maxNodes))
        }
        let mainOpening = try opening("main trace queries", width: mainWidth, as: Felt.self)
        let auxOpening = auxWidth > 0 ? try opening("auxiliary trace queries", width: auxWidth, as: QuadFelt.self) : nil
        let compositionOpening = try opening("composition queries", width: compositionColumns, as: QuadFelt.self)
        var friOpenings: [FRILayerOpening] = []
        for layer in 0..<friRoots.count {
            let rows = try count("FRI layer \(layer) rows", max: numQueries)
            var values: [[QuadFelt]] = []
            for i in 0..<rows { values.append(try exts(folding, "FRI layer \(layer) row \(i)")) }
            friOpenings.append(FRILayerOpening(rows: values, proof: try digests("FRI layer \(layer) Merkle nodes", max: maxNodes)))
        }
        try r.finish("the last FRI layer")

        return StarkProof(
            options: options, traceInfo: traceInfo, mainRoot: mainRoot, auxRoot: auxRoot, compositionRoot: compositionRoot,
            friRoots: friRoots, oodMainCurrent: oodMainCurrent, oodMainNext: oodMainNext, oodAuxCurrent: oodAuxCurrent,
            oodAuxNext: oodAuxNext, oodComposition: oodComposition, friRemainder: friRemainder, powNonce: powNonce,
            mainOpening: mainOpening, auxOpening: auxOpening, compositionOpening: compositionOpening, friOpenings: friOpenings)
    }
}
