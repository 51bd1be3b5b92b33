import STARK

/// What a transaction proof binds: the account, its commitments before and after, the input- and
/// output-notes commitments, the reference block, the expiration, and the transaction's shape.
public struct TransactionPublicInputs: Hashable, Sendable {
    public var accountID: Felt
    public var initialCommitment: Word
    public var finalCommitment: Word
    public var inputNotesCommitment: Word
    public var outputNotesCommitment: Word
    public var referenceBlock: BlockReference
    public var expiration: UInt32
    public var shape: TransactionShape

    public init(accountID: Felt, initialCommitment: Word, finalCommitment: Word, inputNotesCommitment: Word,
                outputNotesCommitment: Word, referenceBlock: BlockReference, expiration: UInt32, shape: TransactionShape) {
        self.accountID = accountID
        self.initialCommitment = initialCommitment
        self.finalCommitment = finalCommitment
        self.inputNotesCommitment = inputNotesCommitment
        self.outputNotesCommitment = outputNotesCommitment
        self.referenceBlock = referenceBlock
        self.expiration = expiration
        self.shape = shape
    }

    /// The public inputs of an executed transaction.
    public init(inputs: TransactionInputs, outcome: TransactionOutcome) {
        self.init(accountID: outcome.accountID, initialCommitment: outcome.initialCommitment, finalCommitment: outcome.finalCommitment,
                  inputNotesCommitment: outcome.inputNotesCommitment, outputNotesCommitment: outcome.outputNotesCommitment,
                  referenceBlock: outcome.referenceBlock, expiration: outcome.expiration,
                  shape: TransactionShape(inputs: inputs, outcome: outcome))
    }

    /// All of it as field elements, for the transcript.
    public var elements: [Felt] {
        [accountID] + initialCommitment.elements + finalCommitment.elements + inputNotesCommitment.elements
            + outputNotesCommitment.elements + [Felt(UInt64(referenceBlock.number))] + referenceBlock.commitment.elements
            + [Felt(UInt64(expiration))] + shape.elements
    }

    /// The value the verifier expects on a public wire, by the wire's name in the schedule.
    func value(ofPublicWire name: String) -> Word {
        switch name {
        case "initial account commitment": return initialCommitment
        case "final account commitment": return finalCommitment
        case "input notes commitment": return inputNotesCommitment
        case "output notes commitment": return outputNotesCommitment
        default: preconditionFailure("unknown public wire \(name)")
        }
    }

    /// A witness with this shape and account id and placeholder values: its schedule has the same
    /// lane modes and ports as the real one, which is all the verifier needs.
    func placeholderWitness() -> (inputs: TransactionInputs, after: Account) {
        let zeroAsset = FungibleAsset(faucet: .zero, amount: 0)
        func account(vault: Int, storage: Int) -> Account {
            Account(id: accountID, nonce: .zero, vault: Array(repeating: zeroAsset, count: vault),
                    storage: Array(repeating: .zero, count: storage), codeRoot: .zero)
        }
        let inputNotes = shape.inputNotes.map { n in
            Note(serialNumber: .zero, scriptRoot: n.isPayToID ? NoteScript.p2idRoot : NoteScript.openRoot,
                 inputs: n.isPayToID ? [accountID] : Array(repeating: .zero, count: n.inputCount),
                 assets: Array(repeating: zeroAsset, count: n.assetCount), metadata: NoteMetadata(sender: .zero, tag: .zero))
        }
        let outputNotes = shape.outputNotes.map { n in
            Note(serialNumber: .zero, scriptRoot: .zero, inputs: Array(repeating: .zero, count: n.inputCount),
                 assets: Array(repeating: zeroAsset, count: n.assetCount), metadata: NoteMetadata(sender: .zero, tag: .zero))
        }
        let inputs = TransactionInputs(
            account: account(vault: shape.vaultBefore, storage: shape.storageBefore), referenceBlock: referenceBlock,
            inputNotes: inputNotes, outputNotes: outputNotes, storageWrites: [], expiration: expiration)
        return (inputs, account(vault: shape.vaultAfter, storage: shape.storageAfter))
    }
}
