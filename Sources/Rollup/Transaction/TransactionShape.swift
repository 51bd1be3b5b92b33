import STARK

/// The public shape of a transaction: the sizes that fix which hashes its proof computes.
/// It travels in `ProvenTransaction` so a verifier can rebuild the transaction AIR.
public struct TransactionShape: Hashable, Sendable {
    /// The shape of one input note.
    public struct InputNote: Hashable, Sendable {
        /// P2ID notes are addressed to the account; open notes to anyone.
        public var isPayToID: Bool
        public var inputCount: Int
        public var assetCount: Int
        public init(isPayToID: Bool, inputCount: Int, assetCount: Int) {
            self.isPayToID = isPayToID
            self.inputCount = inputCount
            self.assetCount = assetCount
        }
    }

    /// The shape of one output note.
    public struct OutputNote: Hashable, Sendable {
        public var inputCount: Int
        public var assetCount: Int
        public init(inputCount: Int, assetCount: Int) {
            self.inputCount = inputCount
            self.assetCount = assetCount
        }
    }

    public var vaultBefore: Int
    public var vaultAfter: Int
    public var storageBefore: Int
    public var storageAfter: Int
    public var inputNotes: [InputNote]
    public var outputNotes: [OutputNote]

    public init(vaultBefore: Int, vaultAfter: Int, storageBefore: Int, storageAfter: Int,
                inputNotes: [InputNote], outputNotes: [OutputNote]) {
        self.vaultBefore = vaultBefore
        self.vaultAfter = vaultAfter
        self.storageBefore = storageBefore
        self.storageAfter = storageAfter
        self.inputNotes = inputNotes
        self.outputNotes = outputNotes
    }

    /// The shape of an executed transaction.
    public init(inputs: TransactionInputs, outcome: TransactionOutcome) {
        self.init(
            vaultBefore: inputs.account.vault.count, vaultAfter: outcome.finalAccount.vault.count,
            storageBefore: inputs.account.storage.count, storageAfter: outcome.finalAccount.storage.count,
            inputNotes: inputs.inputNotes.map {
                InputNote(isPayToID: $0.scriptRoot == NoteScript.p2idRoot, inputCount: $0.inputs.count, assetCount: $0.assets.count)
            },
            outputNotes: inputs.outputNotes.map { OutputNote(inputCount: $0.inputs.count, assetCount: $0.assets.count) })
    }

    /// All counts as field elements, for the proof's public inputs.
    public var elements: [Felt] {
        var out = [vaultBefore, vaultAfter, storageBefore, storageAfter, inputNotes.count, outputNotes.count].map { Felt(UInt64($0)) }
        for note in inputNotes { out += [note.isPayToID ? 1 : 0, note.inputCount, note.assetCount].map { Felt(UInt64($0)) } }
        for note in outputNotes { out += [note.inputCount, note.assetCount].map { Felt(UInt64($0)) } }
        return out
    }

    /// Checks the counts are within the protocol's limits.
    public func validate() throws(ProtocolError) {
        guard (0...FungibleAsset.vaultLimit).contains(vaultBefore), (0...FungibleAsset.vaultLimit).contains(vaultAfter) else {
            throw .invalid("shape: vault sizes must be in 0...\(FungibleAsset.vaultLimit)")
        }
        guard (0...Account.maxStorageSlots).contains(storageBefore), (0...Account.maxStorageSlots).contains(storageAfter) else {
            throw .invalid("shape: storage sizes must be in 0...\(Account.maxStorageSlots)")
        }
        guard inputNotes.count <= TransactionInputs.maxInputNotes, outputNotes.count <= TransactionInputs.maxOutputNotes else {
            throw .invalid("shape: too many notes")
        }
        for (k, n) in inputNotes.enumerated() {
            guard (0...Note.maxInputs).contains(n.inputCount), (0...Note.maxAssets).contains(n.assetCount),
                  !n.isPayToID || n.inputCount == 1 else { throw .invalid("shape: input note \(k) counts out of range") }
        }
        for (k, n) in outputNotes.enumerated() {
            guard (0...Note.maxInputs).contains(n.inputCount), (0...Note.maxAssets).contains(n.assetCount) else {
                throw .invalid("shape: output note \(k) counts out of range")
            }
        }
    }
}

extension FungibleAsset {
    /// The most distinct faucets a vault may hold.
    public static let vaultLimit = 256
}
