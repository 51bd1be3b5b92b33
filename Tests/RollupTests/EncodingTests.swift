import Testing
import STARK
@testable import Rollup

/// The fuzz tests' reproducible generator: the witness generator's SplitMix64.
typealias EncodingFuzzRNG = WitnessRNG

/// Fixtures built without hashing (RPO is slow in debug builds): ids and commitments are arbitrary words.
enum Sample {
    /// The largest canonical element and a value the decoder must refuse.
    static let pMinus1 = Felt(unchecked: Felt.modulus - 1)
    static let notCanonical = Felt(unchecked: UInt64.max)

    /// A felt spread over all eight bytes (reduced, so canonical).
    static func felt(_ seed: UInt64) -> Felt { Felt(seed &* 0x9E37_79B9_7F4A_7C15) }
    static func word(_ seed: UInt64) -> Word { Word(felt(seed), felt(seed &+ 1), felt(seed &+ 2), felt(seed &+ 3)) }

    static func asset(_ seed: UInt64) -> FungibleAsset {
        FungibleAsset(faucet: felt(seed &+ 7), amount: (seed &* 0x2545_F491_4F6C_DD1D) % FungibleAsset.amountBound)
    }

    static func note(_ seed: UInt64, inputs: Int = 1, assets: Int = 2) -> Note {
        Note(serialNumber: word(seed), scriptRoot: word(seed &+ 10),
             inputs: (0..<inputs).map { felt(seed &+ 20 &+ UInt64($0)) },
             assets: (0..<assets).map { asset(seed &+ 40 &+ UInt64($0)) },
             metadata: NoteMetadata(sender: felt(seed &+ 60), tag: felt(seed &+ 61)))
    }

    static func witness(inputNotes: Int = 2, outputNotes: Int = 1, writes: Int = 2, vault: Int = 2, slots: Int = 3,
                        noteInputs: Int = 1, noteAssets: Int = 2) -> TransactionInputs {
        let account = Account(id: felt(1), nonce: felt(2), vault: (0..<vault).map { asset(100 &+ UInt64($0)) },
                              storage: (0..<slots).map { word(200 &+ UInt64($0)) }, codeRoot: word(3))
        return TransactionInputs(
            account: account, referenceBlock: BlockReference(number: 77, commitment: word(4)),
            inputNotes: (0..<inputNotes).map { note(1_000 &+ UInt64($0), inputs: noteInputs, assets: noteAssets) },
            outputNotes: (0..<outputNotes).map { note(5_000 &+ UInt64($0), inputs: noteInputs, assets: noteAssets) },
            storageWrites: (0..<writes).map { StorageWrite(slot: $0 % Account.maxStorageSlots, value: word(300 &+ UInt64($0))) },
            expiration: 99)
    }

    static func proven(nullifiers: Int = 2, outputs: Int = 2, proofBytes: Int = 48) -> ProvenTransaction {
        ProvenTransaction(
            accountID: felt(1), initialCommitment: word(10), finalCommitment: word(20),
            nullifiers: (0..<nullifiers).map { word(1_000 &+ UInt64($0)) }, inputNotesCommitment: word(30),
            outputNotes: (0..<outputs).map {
                OutputNoteHeader(id: word(5_000 &+ UInt64($0)), metadata: NoteMetadata(sender: felt(6_000 &+ UInt64($0)), tag: felt(7)))
            },
            outputNotesCommitment: word(40), referenceBlock: BlockReference(number: 12, commitment: word(50)),
            expiration: 13,
            shape: TransactionShape(vaultBefore: 2, vaultAfter: 1, storageBefore: 3, storageAfter: 4,
                                    inputNotes: (0..<nullifiers).map { .init(isPayToID: $0 % 2 == 0, inputCount: $0 % 2 == 0 ? 1 : 3, assetCount: 2) },
                                    outputNotes: (0..<outputs).map { .init(inputCount: $0 % 17, assetCount: 16) }),
            proof: (0..<proofBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    }
}

/// The error decoding `bytes` raises, or nil if it decodes.
private func inputsError(_ bytes: [UInt8]) -> DecodingError? {
    do { _ = try TransactionInputsCodec.decode(bytes); return nil } catch { return error }
}

private func provenError(_ bytes: [UInt8]) -> DecodingError? {
    do { _ = try ProvenTransactionCodec.decode(bytes); return nil } catch { return error }
}

/// The error for a witness that was encoded as-is but breaks a decoding rule.
private func inputsError(_ inputs: TransactionInputs) -> DecodingError? { inputsError(TransactionInputsCodec.encode(inputs)) }
private func provenError(_ tx: ProvenTransaction) -> DecodingError? { provenError(ProvenTransactionCodec.encode(tx)) }

@Suite struct TransactionInputsEncodingTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var inputNotes = 0, outputNotes = 0, writes = 0, vault = 0, slots = 0, noteInputs = 0, noteAssets = 0
        var testDescription: String {
            "in \(inputNotes) out \(outputNotes) writes \(writes) vault \(vault) slots \(slots) inputs \(noteInputs) assets \(noteAssets)"
        }
    }

    @Test(arguments: [
        Shape(),
        Shape(inputNotes: 1, noteInputs: 1, noteAssets: 1),
        Shape(outputNotes: 1, writes: 1, vault: 1, slots: 1),
        Shape(inputNotes: 1, outputNotes: 1, writes: 1, vault: 1, slots: 1, noteInputs: 0, noteAssets: 0),
        Shape(inputNotes: 3, outputNotes: 2, writes: 4, vault: 3, slots: 5, noteInputs: 2, noteAssets: 3),
        Shape(inputNotes: 5, outputNotes: 7, writes: 9, vault: 11, slots: 13, noteInputs: 4, noteAssets: 5),
        Shape(inputNotes: 2, outputNotes: 2, writes: 0, vault: 0, slots: 0, noteInputs: Note.maxInputs, noteAssets: Note.maxAssets),
    ])
    func roundTrip(_ s: Shape) throws {
        let inputs = Sample.witness(inputNotes: s.inputNotes, outputNotes: s.outputNotes, writes: s.writes, vault: s.vault,
                                    slots: s.slots, noteInputs: s.noteInputs, noteAssets: s.noteAssets)
        let bytes = TransactionInputsCodec.encode(inputs)
        #expect(try TransactionInputsCodec.decode(bytes) == inputs)
        // Size from the layout: header, account, reference block, three counts, writes, expiration.
        let asset = 16, word = 32
        let note = 2 * word + 2 + 8 * s.noteInputs + 2 + asset * s.noteAssets + 16
        let expected = 5 + (16 + 4 + asset * s.vault + 2 + word * s.slots + word) + (4 + word)
            + 2 + note * s.inputNotes + 2 + note * s.outputNotes + 2 + (2 + word) * s.writes + 4
        #expect(bytes.count == expected)
    }

    @Test func layoutIsLittleEndianWithMagicAndVersion() throws {
        var inputs = Sample.witness(inputNotes: 0, outputNotes: 0, writes: 0, vault: 0, slots: 0)
        inputs.account.id = Felt(0x0102_0304_0506_0708)
        inputs.expiration = 0xA1B2_C3D4
        let bytes = TransactionInputsCodec.encode(inputs)
        #expect(Array(bytes[0..<5]) == Array("MTXI".utf8) + [1])
        #expect(Array(bytes[5..<13]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(bytes.suffix(4)) == [0xD4, 0xC3, 0xB2, 0xA1])
        #expect(bytes.count == 105)
    }

    @Test func extremeValuesRoundTrip() throws {
        var inputs = Sample.witness(inputNotes: 1, outputNotes: 1, writes: 2, vault: 1, slots: 1)
        let top = Word(Sample.pMinus1, Sample.pMinus1, Sample.pMinus1, Sample.pMinus1)
        inputs.account.id = Sample.pMinus1
        inputs.account.nonce = .zero
        inputs.account.vault = [FungibleAsset(faucet: Sample.pMinus1, amount: FungibleAsset.amountBound - 1)]
        inputs.account.storage = [top]
        inputs.account.codeRoot = .zero
        inputs.inputNotes[0].assets = [FungibleAsset(faucet: .zero, amount: 0), FungibleAsset(faucet: Sample.pMinus1, amount: FungibleAsset.amountBound - 1)]
        inputs.outputNotes[0].metadata = NoteMetadata(sender: Sample.pMinus1, tag: Sample.pMinus1)
        inputs.storageWrites = [StorageWrite(slot: 0, value: top), StorageWrite(slot: Account.maxStorageSlots - 1, value: .zero)]
        inputs.referenceBlock = BlockReference(number: .max, commitment: top)
        inputs.expiration = .max
        #expect(try TransactionInputsCodec.decode(TransactionInputsCodec.encode(inputs)) == inputs)
    }

    @Test func maximumCountsRoundTrip() throws {
        let notes = Sample.witness(inputNotes: TransactionInputs.maxInputNotes, outputNotes: TransactionInputs.maxOutputNotes,
                                   writes: TransactionInputs.maxStorageWrites, vault: 3, slots: Account.maxStorageSlots,
                                   noteInputs: 1, noteAssets: 1)
        #expect(try TransactionInputsCodec.decode(TransactionInputsCodec.encode(notes)) == notes)

        var vault = Sample.witness(inputNotes: 0, outputNotes: 0, writes: 0)
        vault.account.vault = (0..<TransactionInputsCodec.maxVaultAssets).map {
            FungibleAsset(faucet: Felt(unchecked: UInt64($0)), amount: UInt64($0))
        }
        #expect(try TransactionInputsCodec.decode(TransactionInputsCodec.encode(vault)) == vault)
    }

    /// The codec checks the encoding; the transaction rules stay with the executor.
    @Test func protocolRulesAreLeftToTheExecutor() throws {
        var inputs = Sample.witness(inputNotes: 0, outputNotes: 0, writes: 0, vault: 0)
        inputs.account.vault = [FungibleAsset(faucet: 9, amount: 1), FungibleAsset(faucet: 3, amount: 1)]
        let decoded = try TransactionInputsCodec.decode(TransactionInputsCodec.encode(inputs))
        #expect(decoded == inputs)
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(decoded) }
    }

    @Test func amountsAtOrAbove2To63AreRefusedWithTheirPath() {
        var inputs = Sample.witness(inputNotes: 4, outputNotes: 2, noteAssets: 2)
        inputs.inputNotes[3].assets[1].amount = 1 << 63
        #expect(inputsError(inputs)?.description == "input note 3: asset 1: amount 9223372036854775808 ≥ 2^63")
        #expect(inputsError(inputs) == .amountTooLarge(field: "input note 3: asset 1: amount", amount: 1 << 63))

        inputs = Sample.witness(outputNotes: 2)
        inputs.outputNotes[1].assets[0].amount = .max
        #expect(inputsError(inputs)?.description == "output note 1: asset 0: amount 18446744073709551615 ≥ 2^63")

        inputs = Sample.witness(vault: 3)
        inputs.account.vault[2].amount = 1 << 63 | 5
        #expect(inputsError(inputs)?.description == "account: vault asset 2: amount 9223372036854775813 ≥ 2^63")
    }

    @Test func nonCanonicalFeltsAreRefusedWithTheirPath() {
        let bad = Sample.notCanonical
        let cases: [(String, (inout TransactionInputs) -> Void)] = [
            ("account: storage slot 7: element 2", { $0.account.storage[7].e2 = bad }),
            ("account: id", { $0.account.id = bad }),
            ("account: nonce", { $0.account.nonce = Felt(unchecked: Felt.modulus) }),
            ("account: vault asset 1: faucet", { $0.account.vault[1].faucet = bad }),
            ("account: code root: element 3", { $0.account.codeRoot.e3 = bad }),
            ("reference block: commitment: element 0", { $0.referenceBlock.commitment.e0 = bad }),
            ("input note 0: serial number: element 1", { $0.inputNotes[0].serialNumber.e1 = bad }),
            ("input note 1: script root: element 2", { $0.inputNotes[1].scriptRoot.e2 = bad }),
            ("input note 1: input 2", { $0.inputNotes[1].inputs[2] = bad }),
            ("output note 0: asset 1: faucet", { $0.outputNotes[0].assets[1].faucet = bad }),
            ("output note 1: metadata.sender", { $0.outputNotes[1].metadata.sender = bad }),
            ("output note 0: metadata.tag", { $0.outputNotes[0].metadata.tag = bad }),
            ("storage write 1: value: element 3", { $0.storageWrites[1].value.e3 = bad }),
        ]
        for (path, corrupt) in cases {
            var inputs = Sample.witness(inputNotes: 2, outputNotes: 2, writes: 2, vault: 2, slots: 8, noteInputs: 3)
            corrupt(&inputs)
            let error = inputsError(inputs)
            let value = path == "account: nonce" ? Felt.modulus : UInt64.max
            #expect(error == .nonCanonicalFelt(field: path, value: value), "\(path)")
            #expect(error?.description == "\(path) is \(value), not a canonical field element (≥ p)")
        }
        var inputs = Sample.witness(slots: 8)
        inputs.account.storage[7].e2 = bad
        #expect(inputsError(inputs)?.description
            == "account: storage slot 7: element 2 is 18446744073709551615, not a canonical field element (≥ p)")
    }

    @Test func countsAboveTheirMaximaAreRefused() {
        var inputs = Sample.witness(inputNotes: 3)
        inputs.inputNotes[2].inputs = Array(repeating: 1, count: Note.maxInputs + 1)
        #expect(inputsError(inputs)?.description == "input note 2: 17 inputs; at most 16")

        inputs = Sample.witness(outputNotes: 1)
        inputs.outputNotes[0].assets = Array(repeating: FungibleAsset(faucet: 1, amount: 1), count: Note.maxAssets + 1)
        #expect(inputsError(inputs)?.description == "output note 0: 17 assets; at most 16")

        inputs = Sample.witness(inputNotes: TransactionInputs.maxInputNotes + 1, outputNotes: 0, noteAssets: 0)
        #expect(inputsError(inputs)?.description == "1025 input notes; at most 1024")

        inputs = Sample.witness(inputNotes: 0, outputNotes: TransactionInputs.maxOutputNotes + 1, noteAssets: 0)
        #expect(inputsError(inputs)?.description == "1025 output notes; at most 1024")

        inputs = Sample.witness(slots: Account.maxStorageSlots + 1)
        #expect(inputsError(inputs)?.description == "account: 257 storage slots; at most 256")

        inputs = Sample.witness(writes: TransactionInputs.maxStorageWrites + 1)
        #expect(inputsError(inputs)?.description == "257 storage writes; at most 256")

        // The vault count is checked before any asset is read.
        var bytes = TransactionInputsCodec.encode(Sample.witness(vault: 0))
        let vaultCount = 5 + 16
        bytes.replaceSubrange(vaultCount ..< vaultCount + 4, with: [0x01, 0x00, 0x01, 0x00])
        #expect(inputsError(bytes) == .tooMany(context: "account", what: "vault assets", count: 65_537, limit: 256))
        bytes.replaceSubrange(vaultCount ..< vaultCount + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(inputsError(bytes)?.description == "account: 4294967295 vault assets; at most 256")
    }

    @Test func storageWriteSlotsMustBeBelow256() {
        var inputs = Sample.witness(writes: 3)
        inputs.storageWrites[2].slot = Account.maxStorageSlots
        #expect(inputsError(inputs)?.description == "storage write 2: slot 256 ≥ 256")
        inputs.storageWrites[2].slot = Int(UInt16.max)
        #expect(inputsError(inputs) == .valueOutOfRange(field: "storage write 2: slot", value: 65_535, limit: 256))
    }

    @Test func wrongMagicSaysWhatThePayloadIs() {
        let proven = ProvenTransactionCodec.encode(Sample.proven())
        #expect(inputsError(proven)?.description == "this is a ProvenTransaction (MTXP), expected TransactionInputs (MTXI)")
        let stark = ProofCodec.magic + [1, 2, 3, 4]
        #expect(inputsError(stark)?.description == "this is a STARK proof (STRK), expected TransactionInputs (MTXI)")
        var unknown = TransactionInputsCodec.encode(Sample.witness())
        unknown[3] = UInt8(ascii: "Z")
        #expect(inputsError(unknown)?.description == "not a TransactionInputs payload: it starts with 4D 54 58 5A (\"MTXZ\"), not \"MTXI\"")
        #expect(inputsError([0x00, 0xFF, 0x10, 0x80, 1])?.description == "not a TransactionInputs payload: it starts with 00 FF 10 80, not \"MTXI\"")
    }

    @Test func wrongVersionNamesBothVersions() {
        var bytes = TransactionInputsCodec.encode(Sample.witness())
        bytes[4] = 2
        #expect(inputsError(bytes) == .unsupportedVersion(kind: .transactionInputs, found: 2, supported: 1))
        #expect(inputsError(bytes)?.description == "TransactionInputs (MTXI) version 2 is not supported; this decoder reads version 1")
    }

    @Test func trailingBytesAreRefused() {
        let bytes = TransactionInputsCodec.encode(Sample.witness())
        #expect(inputsError(bytes + [0]) == .trailingBytes(kind: .transactionInputs, offset: bytes.count, count: 1))
        #expect(inputsError(bytes + [1, 2, 3])?.description
            == "3 bytes of trailing data at byte \(bytes.count), after a complete TransactionInputs (MTXI)")
    }

    @Test func truncationNamesTheFieldAndTheShortfall() {
        // One output note and no storage writes: the last 6 bytes are the writes count and the expiration,
        // the 8 before them output note 0's tag.
        let bytes = TransactionInputsCodec.encode(Sample.witness(outputNotes: 1, writes: 0))
        let tagStart = bytes.count - 6 - 8
        #expect(inputsError(Array(bytes[..<(tagStart + 3)]))?.description
            == "truncated at byte \(tagStart) while reading output note 0: metadata.tag (need 8 bytes, have 3)")
        #expect(inputsError([])?.description == "truncated at byte 0 while reading TransactionInputs magic tag (need 4 bytes, have 0)")
        #expect(inputsError(Array("MTXI".utf8))?.description == "truncated at byte 4 while reading TransactionInputs version (need 1 byte, have 0)")
        #expect(inputsError(Array(bytes.dropLast()))?.description
            == "truncated at byte \(bytes.count - 4) while reading expiration (need 4 bytes, have 3)")
    }
}

@Suite struct ProvenTransactionEncodingTests {
    static let faucet = Felt(1000)

    /// One real execution (a few hashes) so the commitments are the executor's.
    static func executed() throws -> TransactionOutcome {
        let account = Account(id: 42, nonce: 3, vault: [FungibleAsset(faucet: faucet, amount: 50)], storage: [.zero], codeRoot: Word(1, 2, 3, 4))
        let input = Note.payToID(target: 42, serialNumber: Word(9, 9, 9, 9), assets: [FungibleAsset(faucet: faucet, amount: 30)], sender: 7)
        let output = Note.payToID(target: 99, serialNumber: Word(8, 8, 8, 8), assets: [FungibleAsset(faucet: faucet, amount: 70)], sender: 42, tag: 5)
        let inputs = TransactionInputs(account: account, referenceBlock: BlockReference(number: 10, commitment: Word(5, 5, 5, 5)),
                                       inputNotes: [input], outputNotes: [output],
                                       storageWrites: [StorageWrite(slot: 0, value: Word(1, 1, 1, 1))], expiration: 20)
        return try TransactionExecutor.execute(inputs)
    }

    @Test func fromOutcomeRoundTripsAndValidates() throws {
        let outcome = try Self.executed()
        let tx = ProvenTransaction(outcome: outcome, shape: TransactionShape(vaultBefore: 1, vaultAfter: 1, storageBefore: 1, storageAfter: 1,
            inputNotes: [.init(isPayToID: true, inputCount: 1, assetCount: 1)], outputNotes: [.init(inputCount: 1, assetCount: 1)]), proof: [1, 2, 3, 4, 5])
        #expect(tx.accountID == outcome.accountID)
        #expect(tx.initialCommitment == outcome.initialCommitment)
        #expect(tx.finalCommitment == outcome.finalCommitment)
        #expect(tx.nullifiers == outcome.nullifiers)
        #expect(tx.inputNotesCommitment == outcome.inputNotesCommitment)
        #expect(tx.outputNotes == outcome.outputNotes)
        #expect(tx.outputNotesCommitment == outcome.outputNotesCommitment)
        #expect(tx.referenceBlock == outcome.referenceBlock)
        #expect(tx.expiration == outcome.expiration)
        try tx.validate()
        let decoded = try ProvenTransactionCodec.decode(ProvenTransactionCodec.encode(tx))
        #expect(decoded == tx)
        #expect(decoded.transactionID == Hash.words([outcome.initialCommitment, outcome.finalCommitment,
                                                     outcome.inputNotesCommitment, outcome.outputNotesCommitment]))

        var forged = tx
        forged.nullifiers[0].e0 = forged.nullifiers[0].e0 + .one
        #expect(throws: ProtocolError.invalid("input notes commitment does not match the nullifiers")) { try forged.validate() }
        forged = tx
        forged.outputNotes[0].metadata.tag = 6
        #expect(throws: ProtocolError.invalid("output notes commitment does not match the output note headers")) { try forged.validate() }
    }

    @Test func transactionIDHashesTheFourCommitments() {
        let tx = Sample.proven()
        let id = tx.transactionID
        #expect(id == Hash.words([tx.initialCommitment, tx.finalCommitment, tx.inputNotesCommitment, tx.outputNotesCommitment]))
        let changes: [(inout ProvenTransaction) -> Void] = [
            { $0.initialCommitment.e0 = 1 }, { $0.finalCommitment.e1 = 1 },
            { $0.inputNotesCommitment.e2 = 1 }, { $0.outputNotesCommitment.e3 = 1 },
        ]
        for change in changes {
            var other = tx
            change(&other)
            #expect(other.transactionID != id)
        }
        var reproven = tx
        reproven.proof = [9]
        #expect(reproven.transactionID == id)
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var nullifiers: Int, outputs: Int, proofBytes: Int
        var testDescription: String { "nullifiers \(nullifiers) outputs \(outputs) proof \(proofBytes) bytes" }
    }

    @Test(arguments: [
        Shape(nullifiers: 0, outputs: 0, proofBytes: 0),
        Shape(nullifiers: 1, outputs: 0, proofBytes: 1),
        Shape(nullifiers: 0, outputs: 1, proofBytes: 17),
        Shape(nullifiers: 5, outputs: 3, proofBytes: 1_000),
        Shape(nullifiers: TransactionInputs.maxInputNotes, outputs: TransactionInputs.maxOutputNotes, proofBytes: ProvenTransaction.maxProofBytes),
    ])
    func roundTrip(_ s: Shape) throws {
        let tx = Sample.proven(nullifiers: s.nullifiers, outputs: s.outputs, proofBytes: s.proofBytes)
        let bytes = ProvenTransactionCodec.encode(tx)
        #expect(try ProvenTransactionCodec.decode(bytes) == tx)
        #expect(bytes.count == 5 + 8 + 64 + 2 + 32 * s.nullifiers + 32 + 2 + 48 * s.outputs + 32 + 36 + 4 + 8 + 3 * s.nullifiers + 2 * s.outputs + 4 + s.proofBytes)
        #expect(Array(bytes[0..<5]) == Array("MTXP".utf8) + [1])
    }

    @Test func invalidFieldsAreRefusedWithTheirPath() {
        let bad = Sample.notCanonical
        let felts: [(String, (inout ProvenTransaction) -> Void)] = [
            ("account id", { $0.accountID = bad }),
            ("initial commitment: element 0", { $0.initialCommitment.e0 = bad }),
            ("final commitment: element 2", { $0.finalCommitment.e2 = bad }),
            ("nullifier 1: element 3", { $0.nullifiers[1].e3 = bad }),
            ("input notes commitment: element 1", { $0.inputNotesCommitment.e1 = bad }),
            ("output note 1: id: element 0", { $0.outputNotes[1].id.e0 = bad }),
            ("output note 0: metadata.tag", { $0.outputNotes[0].metadata.tag = bad }),
            ("output notes commitment: element 3", { $0.outputNotesCommitment.e3 = bad }),
            ("reference block: commitment: element 2", { $0.referenceBlock.commitment.e2 = bad }),
        ]
        for (path, corrupt) in felts {
            var tx = Sample.proven()
            corrupt(&tx)
            #expect(provenError(tx)?.description == "\(path) is 18446744073709551615, not a canonical field element (≥ p)")
        }

        var tx = Sample.proven(nullifiers: TransactionInputs.maxInputNotes + 1)
        #expect(provenError(tx)?.description == "1025 nullifiers; at most 1024")
        tx = Sample.proven(outputs: TransactionInputs.maxOutputNotes + 1)
        #expect(provenError(tx)?.description == "1025 output notes; at most 1024")
        tx = Sample.proven(proofBytes: ProvenTransaction.maxProofBytes + 1)
        #expect(provenError(tx)?.description == "4194305 proof bytes; at most 4194304")

        let bytes = ProvenTransactionCodec.encode(Sample.proven(proofBytes: 10))
        #expect(provenError(Array(bytes.dropLast(4)))?.description
            == "truncated at byte \(bytes.count - 10) while reading proof (need 10 bytes, have 6)")
        #expect(provenError(bytes + [7]) == .trailingBytes(kind: .provenTransaction, offset: bytes.count, count: 1))
        var versioned = bytes
        versioned[4] = 0
        #expect(provenError(versioned)?.description == "ProvenTransaction (MTXP) version 0 is not supported; this decoder reads version 1")
        #expect(provenError(TransactionInputsCodec.encode(Sample.witness()))?.description
            == "this is a TransactionInputs (MTXI), expected ProvenTransaction (MTXP)")
    }
}

@Suite struct EncodingFuzzTests {
    /// Every proper prefix of a valid payload is refused as truncated.
    @Test func everyTruncationIsRefused() {
        let witness = TransactionInputsCodec.encode(Sample.witness(inputNotes: 2, outputNotes: 2, writes: 2, vault: 2, slots: 2, noteInputs: 2, noteAssets: 2))
        for length in 0..<witness.count {
            guard case .truncated? = inputsError(Array(witness[..<length])) else {
                Issue.record("witness prefix of \(length) bytes was not refused as truncated")
                return
            }
        }
        let proven = ProvenTransactionCodec.encode(Sample.proven(nullifiers: 3, outputs: 3, proofBytes: 40))
        for length in 0..<proven.count {
            guard case .truncated? = provenError(Array(proven[..<length])) else {
                Issue.record("proven transaction prefix of \(length) bytes was not refused as truncated")
                return
            }
        }
    }

    /// The case of a refusal, to check the fuzzing reaches the value checks and not only the framing.
    static func kind(_ error: DecodingError) -> String {
        switch error {
        case .wrongMagic: "magic"
        case .unsupportedVersion: "version"
        case .truncated: "truncated"
        case .nonCanonicalFelt: "felt"
        case .amountTooLarge: "amount"
        case .valueOutOfRange: "range"
        case .tooMany: "count"
        case .trailingBytes: "trailing"
        }
    }

    /// Overwrites, bit flips, 0xFF runs (to hit felts ≥ p and amounts ≥ 2^63), insertions and deletions.
    static func mutate(_ bytes: [UInt8], _ rng: inout EncodingFuzzRNG) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: out[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: out[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2:  // a run of 0xFF: the high half of a felt ≥ p, an amount ≥ 2^63, a huge count
                let end = min(out.count, at + Int.random(in: 4...8, using: &rng))
                for k in at..<end { out[k] = 0xFF }
            case 3:
                let end = min(out.count, at + Int.random(in: 1...8, using: &rng))
                for k in at..<end { out[k] = UInt8.random(in: 0...255, using: &rng) }
            case 4: out.insert(contentsOf: (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            default:
                if out.count > 1 { out.removeSubrange(at..<min(out.count, at + Int.random(in: 1...4, using: &rng))) }
            }
        }
        return out
    }

    @Test func randomMutationsDecodeCanonicallyOrThrow() {
        var rng = EncodingFuzzRNG(seed: 0x4D54_5849)
        let witness = TransactionInputsCodec.encode(Sample.witness(inputNotes: 2, outputNotes: 1, writes: 2, vault: 2, slots: 2, noteInputs: 2, noteAssets: 2))
        var decoded = 0, refused = 0
        var kinds: Set<String> = []
        for trial in 0..<2_000 {
            let mutated = Self.mutate(witness, &rng)
            do {
                let inputs = try TransactionInputsCodec.decode(mutated)
                decoded += 1
                guard TransactionInputsCodec.encode(inputs) == mutated else {
                    Issue.record("witness mutation \(trial) decoded but does not re-encode to the same bytes")
                    return
                }
            } catch {
                refused += 1
                kinds.insert(Self.kind(error))
                #expect(!error.description.isEmpty)
            }
        }
        #expect(decoded > 0 && refused > 0)
        #expect(kinds.isSuperset(of: ["truncated", "felt", "amount", "range", "count", "trailing"]), "\(kinds.sorted())")

        let proven = ProvenTransactionCodec.encode(Sample.proven(nullifiers: 2, outputs: 2, proofBytes: 24))
        decoded = 0
        refused = 0
        kinds = []
        for trial in 0..<2_000 {
            let mutated = Self.mutate(proven, &rng)
            do {
                let tx = try ProvenTransactionCodec.decode(mutated)
                decoded += 1
                guard ProvenTransactionCodec.encode(tx) == mutated else {
                    Issue.record("proven transaction mutation \(trial) decoded but does not re-encode to the same bytes")
                    return
                }
            } catch {
                refused += 1
                kinds.insert(Self.kind(error))
                #expect(!error.description.isEmpty)
            }
        }
        #expect(decoded > 0 && refused > 0)
        #expect(kinds.isSuperset(of: ["truncated", "felt", "count", "trailing"]), "\(kinds.sorted())")
    }
}
