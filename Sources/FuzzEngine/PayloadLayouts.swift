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
        let layers = list(2, limit: 32) { $0.words(1) }
        elements(2 * (mainWidth + auxWidth) * degree)
        let compositionColumns = list(2, limit: 256) { $0.elements(degree) }
        list(2, limit: 1024) { $0.elements(degree) }
        elements(1)  // proof-of-work nonce
        func opening(_ valuesPerRow: Int) {
            list(2, limit: queries) { $0.elements(valuesPerRow) }
            list(2, limit: queries * 64) { $0.words(1) }
        }
        opening(mainWidth)
        if auxWidth > 0 { opening(auxWidth * degree) }
        opening(compositionColumns * degree)
        for _ in 0..<layers { opening(folding * degree) }
    }

    /// A u32 length, then an embedded STARK proof of exactly that length.
    mutating func lengthPrefixedProof(limit: Int) {
        let start = offset + 4
        lengthPrefixed(limit: limit) { $0.starkProof() }
        markEmbeddedProof(start..<offset)
    }

    mutating func blockHeader() {
        skip(4)
        words(5)
    }

    mutating func provenTransaction() {
        skip(5)
        elements(1)
        words(2)
        let nullifiers = list(2, limit: TransactionInputs.maxInputNotes) { $0.words(1) }
        words(1)
        let outputs = list(2, limit: TransactionInputs.maxOutputNotes) { $0.elements(6) }
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
        list(2, limit: TransactionInputs.maxInputNotes) { $0.words(1) }
        list(2, limit: TransactionInputs.maxOutputNotes) { $0.elements(6) }
    }

    mutating func provenBatch() {
        skip(5)
        words(1)
        skip(4)
        words(1)
        list(2, limit: ProposedBatch.maxTransactions) { $0.transactionHeader() }
        words(1)
        skip(4)
        lengthPrefixedProof(limit: ProvenBatch.maxProofBytes)
    }

    mutating func blockProof() {
        skip(5)
        blockHeader()
        blockHeader()
        list(4, limit: BlockProofCodec.maxEntries) { $0.elements(9) }
        list(4, limit: BlockProofCodec.maxEntries) { $0.words(1) }
        list(2, limit: BlockProofRequest.maxBatches) { $0.words(1) }
        list(4, limit: BlockProofCodec.maxEntries) { $0.words(1) }
        lengthPrefixedProof(limit: BlockProof.maxProofBytes)
    }

    mutating func transactionInputs() {
        skip(5)
        elements(2)
        list(4, limit: TransactionInputsCodec.maxVaultAssets) { $0.elements(2) }
        list(2, limit: Account.maxStorageSlots) { $0.words(1) }
        words(1)
        skip(4)
        words(1)
        for limit in [TransactionInputs.maxInputNotes, TransactionInputs.maxOutputNotes] {
            list(2, limit: limit) { w in
                w.words(2)
                w.list(2, limit: Note.maxInputs) { $0.elements(1) }
                w.list(2, limit: Note.maxAssets) { $0.elements(2) }
                w.elements(2)
            }
        }
        list(2, limit: TransactionInputs.maxStorageWrites) { w in
            _ = w.count(2, limit: Account.maxStorageSlots - 1)  // slot
            w.words(1)
        }
        skip(4)
    }

    mutating func proposedBatch() {
        skip(5)
        blockHeader()
        list(2, limit: ProposedBatch.maxTransactions) { w in
            w.lengthPrefixed(limit: ProposedBatchCodec.maxTransactionBytes) { $0.provenTransaction() }
        }
    }

    mutating func sparseLeafWitness() {
        words(1)
        list(2, limit: BlockProofRequestCodec.maxLeafEntries) { $0.words(2) }
        words(SparseMerkleTree.depth)
    }

    mutating func blockRequest() {
        skip(5)
        blockHeader()
        list(2, limit: BlockProofRequest.maxBatches) { w in
            w.lengthPrefixed(limit: BlockProofRequestCodec.maxBatchBytes) { $0.provenBatch() }
        }
        for _ in 0..<2 {
            list(4, limit: BlockProofRequestCodec.maxWitnesses) { $0.sparseLeafWitness() }
        }
    }
}
