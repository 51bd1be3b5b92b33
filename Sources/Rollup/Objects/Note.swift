import STARK

/// Who sent a note and its routing tag.
public struct NoteMetadata: Hashable, Sendable {
    public var sender: Felt
    public var tag: Felt
    public init(sender: Felt, tag: Felt) {
        self.sender = sender
        self.tag = tag
    }
    /// As a Word `[sender, tag, 0, 0]`.
    public var word: Word { Word(sender, tag, .zero, .zero) }
}

/// Well-known note script roots. Notes are not executed: the protocol recognises these two.
public enum NoteScript {
    /// Pay-to-id: `inputs = [target account id]`; only the target may consume it.
    /// Defined as `hash_bytes("miden-remote-prover::P2ID")`.
    public static let p2idRoot = Word(RPO256.hashBytes(Array("miden-remote-prover::P2ID".utf8)))
    /// Open note: any account may consume it. Defined as `hash_bytes("miden-remote-prover::OPEN")`.
    public static let openRoot = Word(RPO256.hashBytes(Array("miden-remote-prover::OPEN".utf8)))
}

/// A note: value in transit from one account to another, spent by publishing its nullifier.
public struct Note: Hashable, Sendable {
    public static let maxInputs = 16
    public static let maxAssets = 16

    /// Secret; without it nobody can compute the nullifier.
    public var serialNumber: Word
    public var scriptRoot: Word
    public var inputs: [Felt]
    public var assets: [FungibleAsset]
    public var metadata: NoteMetadata

    public init(serialNumber: Word, scriptRoot: Word, inputs: [Felt], assets: [FungibleAsset], metadata: NoteMetadata) {
        self.serialNumber = serialNumber
        self.scriptRoot = scriptRoot
        self.inputs = inputs
        self.assets = assets
        self.metadata = metadata
    }

    /// A pay-to-id note for `target`.
    public static func payToID(target: Felt, serialNumber: Word, assets: [FungibleAsset], sender: Felt, tag: Felt = .zero) -> Note {
        Note(serialNumber: serialNumber, scriptRoot: NoteScript.p2idRoot, inputs: [target], assets: assets,
             metadata: NoteMetadata(sender: sender, tag: tag))
    }

    public var inputsCommitment: Word { Hash.elements(inputs) }
    /// `merge(merge(serial_num, script_root), hash_elements(inputs))`.
    public var recipient: Word { Hash.merge(Hash.merge(serialNumber, scriptRoot), inputsCommitment) }
    /// `hash_elements(asset words)`.
    public var assetsCommitment: Word { FungibleAsset.commitment(assets) }
    /// `merge(recipient, assets_commitment)`.
    public var id: Word { Hash.merge(recipient, assetsCommitment) }
    /// `hash_elements(serial_num ‖ script_root ‖ hash_elements(inputs) ‖ assets_commitment)`.
    public var nullifier: Word {
        Hash.words([serialNumber, scriptRoot, inputsCommitment, assetsCommitment])
    }

    /// True if `account` may consume this note: a P2ID note addressed to it, or an open note.
    public func isConsumable(by account: Felt) -> Bool {
        if scriptRoot == NoteScript.openRoot { return true }
        return scriptRoot == NoteScript.p2idRoot && inputs == [account]
    }

    /// Checks counts and amounts; throws naming the offending part.
    public func validate() throws(ProtocolError) {
        guard inputs.count <= Note.maxInputs else { throw .invalid("\(inputs.count) inputs; at most \(Note.maxInputs)") }
        guard assets.count <= Note.maxAssets else { throw .invalid("\(assets.count) assets; at most \(Note.maxAssets)") }
        for (k, asset) in assets.enumerated() where !asset.isValid {
            throw .invalid("asset \(k): amount \(asset.amount) ≥ 2^63")
        }
    }
}
