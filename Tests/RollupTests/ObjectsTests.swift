import Testing
import STARK
@testable import Rollup

/// Each commitment of PROTOCOL.md computed by hand from RPO256 primitives and compared with the objects.
@Suite struct ObjectsTests {
    static let faucet: Felt = 1_000_003
    static let asset = FungibleAsset(faucet: faucet, amount: 250)
    static let account = Account(id: 77, nonce: 5, vault: [asset], storage: [Word(1, 2, 3, 4), Word(5, 6, 7, 8)], codeRoot: Word(9, 10, 11, 12))
    static let note = Note(serialNumber: Word(21, 22, 23, 24), scriptRoot: NoteScript.p2idRoot, inputs: [77],
                           assets: [asset], metadata: NoteMetadata(sender: 99, tag: 3))

    func rpo(_ xs: [Felt]) -> [Felt] { Word(RPO256.hashElements(xs)).elements }
    func merge(_ a: [Felt], _ b: [Felt]) -> [Felt] { Word(RPO256.merge(Word(a).digest, Word(b).digest)).elements }

    @Test func assetWordLayout() {
        #expect(Self.asset.word.elements == [250, 0, 0, Self.faucet])
    }

    @Test func accountCommitmentByHand() {
        let vaultRoot = rpo([250, 0, 0, Self.faucet])
        let storageRoot = rpo([1, 2, 3, 4, 5, 6, 7, 8])
        let commitment = rpo([77, 5, 0, 0] + vaultRoot + storageRoot + [9, 10, 11, 12])
        #expect(Self.account.vaultRoot.elements == vaultRoot)
        #expect(Self.account.storageRoot.elements == storageRoot)
        #expect(Self.account.commitment.elements == commitment)
        // An empty vault and storage hash to the zero word.
        let empty = Account(id: 1, nonce: 0, vault: [], storage: [], codeRoot: .zero)
        #expect(empty.vaultRoot == .zero && empty.storageRoot == .zero)
    }

    @Test func noteCommitmentsByHand() {
        let serial: [Felt] = [21, 22, 23, 24]
        let script = NoteScript.p2idRoot.elements
        let inputsHash = rpo([77])
        let recipient = merge(merge(serial, script), inputsHash)
        let assetsCommitment = rpo([250, 0, 0, Self.faucet])
        #expect(Self.note.recipient.elements == recipient)
        #expect(Self.note.assetsCommitment.elements == assetsCommitment)
        #expect(Self.note.id.elements == merge(recipient, assetsCommitment))
        #expect(Self.note.nullifier.elements == rpo(serial + script + inputsHash + assetsCommitment))
        #expect(Self.note.metadata.word.elements == [99, 3, 0, 0])
    }

    @Test func scriptRootsAreTheDocumentedHashes() {
        #expect(NoteScript.p2idRoot == Word(RPO256.hashBytes(Array("miden-remote-prover::P2ID".utf8))))
        #expect(NoteScript.openRoot != NoteScript.p2idRoot)
        #expect(Self.note.isConsumable(by: 77))
        #expect(!Self.note.isConsumable(by: 78))
    }

    @Test func transactionCommitmentsByHand() throws {
        let inputs = TransactionWitnessGenerator.make(inputs: 2, outputs: 2, seed: 9)
        let outcome = try TransactionExecutor.execute(inputs)
        #expect(outcome.inputNotesCommitment.elements == rpo(inputs.inputNotes.flatMap(\.nullifier.elements)))
        #expect(outcome.outputNotesCommitment.elements == rpo(inputs.outputNotes.flatMap { $0.id.elements + $0.metadata.word.elements }))
    }
}
