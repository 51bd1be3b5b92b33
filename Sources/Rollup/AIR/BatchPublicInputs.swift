import STARK

/// What a batch proof binds: the transaction ids and output note ids it lists, the batch id
/// (`hash_elements` of the transaction ids) and the output-note tree root (`DenseMerkleTree(padding:)`
/// over the note ids). A receiver must also call `checkUnhashedValues()`: values that need no hash
/// (no transactions, at most one note) are compared directly, not proven.
public struct BatchPublicInputs: Hashable, Sendable {
    public var transactionIDs: [Word]
    public var noteIDs: [Word]
    public var batchID: Word
    public var noteTreeRoot: Word

    public init(transactionIDs: [Word], noteIDs: [Word], batchID: Word, noteTreeRoot: Word) {
        self.transactionIDs = transactionIDs
        self.noteIDs = noteIDs
        self.batchID = batchID
        self.noteTreeRoot = noteTreeRoot
    }

    /// The honest statement over these ids (computes both hashes).
    public init(transactionIDs: [Word], noteIDs: [Word]) {
        self.init(transactionIDs: transactionIDs, noteIDs: noteIDs, batchID: Hash.words(transactionIDs),
                  noteTreeRoot: DenseMerkleTree(padding: noteIDs).root)
    }

    /// All of it as field elements, for the transcript (each list prefixed by its length).
    public var elements: [Felt] {
        [Felt(UInt64(transactionIDs.count))] + transactionIDs.flatMap(\.elements)
            + [Felt(UInt64(noteIDs.count))] + noteIDs.flatMap(\.elements)
            + batchID.elements + noteTreeRoot.elements
    }

    /// Checks the list sizes against a batch's limits (at most `ProposedBatch.maxTransactions`
    /// transaction ids and `BatchRules.maxOutputNotes` note ids) before anything is hashed.
    public func checkSizes() throws(ProtocolError) {
        guard transactionIDs.count <= ProposedBatch.maxTransactions else {
            throw .invalid("batch statement lists \(transactionIDs.count) transaction ids; at most \(ProposedBatch.maxTransactions)")
        }
        guard noteIDs.count <= BatchRules.maxOutputNotes else {
            throw .invalid("batch statement lists \(noteIDs.count) note ids; at most \(BatchRules.maxOutputNotes)")
        }
    }

    /// Checks the values the proof does not cover because no hash computes them: the batch id of
    /// no transactions is the zero word; the root over no notes is the zero word, over one note the note id.
    public func checkUnhashedValues() throws(ProtocolError) {
        if transactionIDs.isEmpty && batchID != .zero {
            throw .invalid("batch id \(batchID) of no transactions must be the zero word")
        }
        if noteIDs.count <= 1 && noteTreeRoot != (noteIDs.first ?? .zero) {
            throw .invalid("note tree root \(noteTreeRoot) over \(noteIDs.count) note(s) must be \(noteIDs.first ?? .zero)")
        }
    }

    /// The value the verifier expects on a public wire, by the wire's name in the schedule.
    func value(ofPublicWire name: String) -> Word {
        switch name {
        case BatchSchedule.batchIDWire: return batchID
        case BatchSchedule.noteTreeRootWire: return noteTreeRoot
        default: preconditionFailure("unknown public wire \(name)")
        }
    }
}
