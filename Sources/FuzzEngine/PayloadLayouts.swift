import Rollup
import STARK

// The wire layouts of the STARK proof and of the Rollup payloads, as their codecs document
// them (ProofCodec, ProvenTransactionCodec, ProvenBatchCodec, BlockProofCodec,
// TransactionInputsCodec, ProposedBatchCodec, BlockProofRequestCodec).

extension PayloadLayout {
    /// The layout of an honest payload of `kind`.
    public static func of(_ kind: FuzzKind, _ bytes: [UInt8]) -> PayloadLayout {
        var w = LayoutWalker(bytes)
        switch kind {
        case .starkBlake3, .starkRPO256: w.starkProof()
        case .provenTransaction: w.provenTransaction()
        case .provenBatch: w.provenBatch()
        case .blockProof: w.blockProof()
        case .transactionInputs: w.transactionInputs()
        case .proposedBatch: w.proposedBatch()
        case .blockRequest: w.blockRequest()
        }
        precondition(w.offset == bytes.count, "\(kind) layout ends at byte \(w.offset) of \(bytes.count)")
        return w.layout
    }
}

extension LayoutWalker {
    /// `ProofCodec`: header, options, trace shape, commitments, out-of-domain values, FRI
    /// remainder, nonce, then the openings of each segment and FRI layer.
    mutating func starkProof() {
        markProofOptions()
        skip(5)
        let queries = count(1, limit: 255)
        skip(1)  // log2 blowup
        skip(1)  // grinding bits
        let degree = count(1, limit: 2)
        let folding = count(1, limit: 8)
        _ = count(2, limit: 1023)  // remainder max degree
        skip(1)  // hash
        let mainWidth = count(2, limit: nil)
        let auxWidth = count(2, limit: nil)
        _ = count(1, limit: nil)  // aux challenges
        skip(1)  // log2 trace length
        words(1)
        if auxWidth > 0 { words(1) }
        words(1)
        let layers = count(2, limit: 32)
        words(layers)
        elements(2 * (mainWidth + auxWidth) * degree)
        let compositionColumns = count(2, limit: 256)
        elements(compositionColumns * degree)
        elements(count(2, limit: 1024) * degree)
        elements(1)  // proof-of-work nonce
        func opening(_ valuesPerRow: Int) {
            let rows = count(2, limit: queries)
            elements(rows * valuesPerRow)
            words(count(2, limit: queries * 64))
        }
        opening(mainWidth)
        if auxWidth > 0 { opening(auxWidth * degree) }
        opening(compositionColumns * degree)
        for _ in 0..<layers { opening(folding * degree) }
    }

    /// A u32 length, then an embedded STARK proof of exactly that length.
    mutating func lengthPrefixedProof(limit: Int) {
        let length = count(4, limit: limit)
        let end = offset + length
        markEmbeddedProof(offset..<end)
        starkProof()
        precondition(offset == end, "embedded proof length \(length) does not match its layout")
    }

    mutating func blockHeader() {
        skip(4)
        words(5)
    }

    mutating func provenTransaction() {
        skip(5)
        elements(1)
        words(2)
        let nullifiers = count(2, limit: TransactionInputs.maxInputNotes)
        words(nullifiers)
        words(1)
        let outputs = count(2, limit: TransactionInputs.maxOutputNotes)
        elements(6 * outputs)
        words(1)
        skip(4)  // reference block number
        words(1)
        skip(4)  // expiration
        for limit in [FungibleAsset.vaultLimit, FungibleAsset.vaultLimit, Account.maxStorageSlots, Account.maxStorageSlots] {
            _ = count(2, limit: limit)
        }
        for _ in 0..<nullifiers {
            _ = count(1, limit: 1)  // kind
            _ = count(1, limit: Note.maxInputs)
            _ = count(1, limit: Note.maxAssets)
        }
        for _ in 0..<outputs {
            _ = count(1, limit: Note.maxInputs)
            _ = count(1, limit: Note.maxAssets)
        }
        lengthPrefixedProof(limit: ProvenTransaction.maxProofBytes)
    }

    mutating func transactionHeader() {
        elements(1)
        words(2)
        words(count(2, limit: TransactionInputs.maxInputNotes))
        elements(6 * count(2, limit: TransactionInputs.maxOutputNotes))
    }

    mutating func provenBatch() {
        skip(5)
        words(1)
        skip(4)
        words(1)
        for _ in 0..<count(2, limit: ProposedBatch.maxTransactions) { transactionHeader() }
        words(1)
        skip(4)
        lengthPrefixedProof(limit: ProvenBatch.maxProofBytes)
    }

    mutating func blockProof() {
        skip(5)
        blockHeader()
        blockHeader()
        elements(9 * count(4, limit: BlockProofCodec.maxEntries))
        words(count(4, limit: BlockProofCodec.maxEntries))
        words(count(2, limit: BlockProofRequest.maxBatches))
        words(count(4, limit: BlockProofCodec.maxEntries))
        lengthPrefixedProof(limit: BlockProof.maxProofBytes)
    }

    mutating func transactionInputs() {
        skip(5)
        elements(2)
        elements(2 * count(4, limit: TransactionInputsCodec.maxVaultAssets))
        words(count(2, limit: Account.maxStorageSlots))
        words(1)
        skip(4)
        words(1)
        for limit in [TransactionInputs.maxInputNotes, TransactionInputs.maxOutputNotes] {
            for _ in 0..<count(2, limit: limit) {
                words(2)
                elements(count(2, limit: Note.maxInputs))
                elements(2 * count(2, limit: Note.maxAssets))
                elements(2)
            }
        }
        for _ in 0..<count(2, limit: TransactionInputs.maxStorageWrites) {
            _ = count(2, limit: Account.maxStorageSlots - 1)  // slot
            words(1)
        }
        skip(4)
    }

    /// A u32 length, then an embedded payload walked by `walk`, which must use exactly that length.
    mutating func embedded(limit: Int, _ walk: (inout LayoutWalker) -> Void) {
        let length = count(4, limit: limit)
        let end = offset + length
        walk(&self)
        precondition(offset == end, "embedded payload length \(length) does not match its layout")
    }

    mutating func proposedBatch() {
        skip(5)
        blockHeader()
        for _ in 0..<count(2, limit: ProposedBatch.maxTransactions) {
            embedded(limit: ProposedBatchCodec.maxTransactionBytes) { $0.provenTransaction() }
        }
    }

    mutating func sparseLeafWitness() {
        words(1)
        words(2 * count(2, limit: BlockProofRequestCodec.maxLeafEntries))
        words(SparseMerkleTree.depth)
    }

    mutating func blockRequest() {
        skip(5)
        blockHeader()
        for _ in 0..<count(2, limit: BlockProofRequest.maxBatches) {
            embedded(limit: BlockProofRequestCodec.maxBatchBytes) { $0.provenBatch() }
        }
        for _ in 0..<2 {
            for _ in 0..<count(4, limit: BlockProofRequestCodec.maxWitnesses) { sparseLeafWitness() }
        }
    }
}
