import Dispatch
import Testing
@testable import STARK
@testable import Rollup

/// Verifiers check the cheap things first: the trace shape a statement implies is counted without
/// building its AIR, and a proof that fails to decode or is for another trace shape is refused
/// before any AIR is built or any commitment hashed.
@Suite struct VerificationCostTests {
    static let options = ProofOptions(numQueries: 28, blowupFactor: 16, grindingBits: 0, friFoldingFactor: 4, friRemainderMaxDegree: 7)

    /// The largest shape the limits allow: full vaults and storage, 1,024 input notes (open, with
    /// every input and asset) and 1,024 output notes likewise.
    static let maximumShape = TransactionShape(
        vaultBefore: FungibleAsset.vaultLimit, vaultAfter: FungibleAsset.vaultLimit,
        storageBefore: Account.maxStorageSlots, storageAfter: Account.maxStorageSlots,
        inputNotes: Array(repeating: .init(isPayToID: false, inputCount: Note.maxInputs, assetCount: Note.maxAssets), count: TransactionInputs.maxInputNotes),
        outputNotes: Array(repeating: .init(inputCount: Note.maxInputs, assetCount: Note.maxAssets), count: TransactionInputs.maxOutputNotes))

    static func statement(_ shape: TransactionShape) -> TransactionPublicInputs {
        TransactionPublicInputs(accountID: Felt(77), initialCommitment: Word(1, 2, 3, 4), finalCommitment: Word(5, 6, 7, 8),
                                inputNotesCommitment: .zero, outputNotesCommitment: .zero,
                                referenceBlock: BlockReference(number: 9, commitment: .zero), expiration: 10, shape: shape)
    }

    static func randomShape(_ rng: inout SplitMix64, notes: Int) -> TransactionShape {
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n + 1)) }
        return TransactionShape(
            vaultBefore: below(FungibleAsset.vaultLimit), vaultAfter: below(FungibleAsset.vaultLimit),
            storageBefore: below(Account.maxStorageSlots), storageAfter: below(Account.maxStorageSlots),
            inputNotes: (0..<below(notes)).map { _ in
                let p2id = rng.next() % 2 == 0
                return .init(isPayToID: p2id, inputCount: p2id ? 1 : below(Note.maxInputs), assetCount: below(Note.maxAssets))
            },
            outputNotes: (0..<below(notes)).map { _ in .init(inputCount: below(Note.maxInputs), assetCount: below(Note.maxAssets)) })
    }

    // MARK: - The counted trace shape is the AIR's

    @Test func transactionTraceShapeIsTheAIRs() throws {
        var rng = SplitMix64(seed: 91)
        var shapes = [TransactionShape(vaultBefore: 0, vaultAfter: 0, storageBefore: 0, storageAfter: 0, inputNotes: [], outputNotes: []),
                      Self.maximumShape]
        shapes += (0..<40).map { k in Self.randomShape(&rng, notes: k < 30 ? 6 : 60) }
        // Small vaults and storage with many empty notes: the ledger or the chiplet may set the length.
        shapes.append(TransactionShape(vaultBefore: 256, vaultAfter: 256, storageBefore: 0, storageAfter: 0,
                                       inputNotes: Array(repeating: .init(isPayToID: false, inputCount: 0, assetCount: 16), count: 40), outputNotes: []))
        shapes.append(TransactionShape(vaultBefore: 1, vaultAfter: 0, storageBefore: 1, storageAfter: 3,
                                       inputNotes: [.init(isPayToID: true, inputCount: 1, assetCount: 0)],
                                       outputNotes: [.init(inputCount: 9, assetCount: 1)]))
        // Shapes of executed witnesses.
        for seed in 0..<4 {
            let inputs = TransactionWitnessGenerator.make(inputs: seed + 1, outputs: 3 - seed, seed: UInt64(40 + seed))
            shapes.append(TransactionShape(inputs: inputs, outcome: try TransactionExecutor.execute(inputs)))
        }
        var lengths = Set<Int>()
        for shape in shapes {
            let expected = TransactionAIR(statement: Self.statement(shape)).traceInfo
            #expect(try TransactionAIR.traceInfo(for: shape) == expected, "\(shape)")
            lengths.insert(expected.length)
        }
        #expect(lengths.count >= 4, "the shapes should span several trace lengths: \(lengths.sorted())")
        #expect(try TransactionAIR.traceInfo(for: Self.maximumShape).length == 1 << 18)
    }

    @Test func shapesOutsideTheLimitsHaveNoTraceShape() {
        var tooBig = Self.maximumShape
        tooBig.vaultBefore = FungibleAsset.vaultLimit + 1
        #expect(throws: ProtocolError.self) { try TransactionAIR.traceInfo(for: tooBig) }
        var absurd = Self.maximumShape
        absurd.outputNotes[0].inputCount = .max
        #expect(throws: ProtocolError.self) { try TransactionAIR.traceInfo(for: absurd) }
        #expect(throws: StarkError.self) { try TransactionProver.verify(statement: Self.statement(absurd), proof: [1]) }
    }

    @Test func batchTraceShapeIsTheAIRs() {
        var lengths = Set<Int>()
        for (transactions, notes) in [(0, 0), (1, 0), (1, 1), (1, 2), (2, 3), (3, 5), (4, 8), (5, 9), (17, 100), (64, 1023),
                                      (127, 1025), (128, 2049), (128, BatchRules.maxOutputNotes)] {
            var ids = [Word]()
            var rng = SplitMix64(seed: UInt64(transactions * 10_000 + notes))
            for _ in 0..<(transactions + notes) { ids.append(Word(rng.felt(), rng.felt(), rng.felt(), rng.felt())) }
            let statement = BatchPublicInputs(transactionIDs: Array(ids[..<transactions]), noteIDs: Array(ids[transactions...]))
            let expected = BatchAIR(statement: statement).traceInfo
            #expect(BatchAIR.traceInfo(for: statement) == expected, "\(transactions) transactions, \(notes) notes")
            lengths.insert(expected.length)
        }
        #expect(lengths.count >= 4)
    }

    @Test func blockTraceShapeIsTheAIRs() {
        let header = BlockHeader(number: 5, previousCommitment: .zero, accountRoot: .zero, nullifierRoot: .zero, noteRoot: .zero, transactionCommitment: .zero)
        for (accounts, nullifiers) in [(0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (3, 2), (4, 5)] {
            let updates = (0..<accounts).map { AccountUpdate(accountID: Felt(UInt64($0 + 1)), initialCommitment: Word(Felt(UInt64($0)), 1, 1, 1), finalCommitment: .zero) }
            let spent = (0..<nullifiers).map { Word(Felt(UInt64($0 + 1)), 2, 3, 4) }
            let statement = BlockStatement(previousHeader: header, header: header, accountUpdates: updates, nullifiers: spent)
            #expect(BlockAIR.traceInfo(updates: accounts + nullifiers) == BlockAIR(statement: statement).traceInfo, "\(accounts) + \(nullifiers)")
        }
    }

    // MARK: - Bad proofs are refused before the AIR

    /// A maximum-shape transaction whose lists match its shape, with `proof` as its proof bytes.
    static func maximumTransaction(proof: [UInt8], commitmentsMatch: Bool = true) -> ProvenTransaction {
        let nullifiers = (0..<TransactionInputs.maxInputNotes).map { Word(Felt(UInt64($0)), 1, 2, 3) }
        let headers = (0..<TransactionInputs.maxOutputNotes).map {
            OutputNoteHeader(id: Word(Felt(UInt64($0)), 4, 5, 6), metadata: NoteMetadata(sender: Felt(7), tag: Felt(8)))
        }
        return ProvenTransaction(
            accountID: Felt(77), initialCommitment: Word(1, 2, 3, 4), finalCommitment: Word(5, 6, 7, 8), nullifiers: nullifiers,
            inputNotesCommitment: commitmentsMatch ? Hash.words(nullifiers) : .zero, outputNotes: headers,
            outputNotesCommitment: commitmentsMatch ? ProvenTransaction.outputNotesCommitment(headers) : .zero,
            referenceBlock: BlockReference(number: 9, commitment: .zero), expiration: 10, shape: maximumShape, proof: proof)
    }

    @Test func garbageProofOfAMaximumTransactionIsRefusedAtDecode() {
        for proof: [UInt8] in [[], [0x01], [UInt8](repeating: 0x5A, count: 300)] {
            // Commitments that do not match their lists: the proof is refused first, before they are hashed.
            for commitmentsMatch in [true, false] {
                do {
                    try Self.maximumTransaction(proof: proof, commitmentsMatch: commitmentsMatch).verify()
                    Issue.record("a \(proof.count)-byte proof verified")
                } catch {
                    #expect("\(error)".contains("malformed proof"), "\(proof.count) bytes: \(error)")
                }
            }
        }
    }

    /// A real proof of a small transaction (a trace far shorter than the maximum shape's).
    static let smallProven: ProvenTransaction = {
        let inputs = TransactionWitnessGenerator.make(inputs: 1, outputs: 1, seed: 5)
        return try! TransactionProver.prove(inputs, options: options, threads: 2)
    }()

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// 128 maximum-shape transactions whose proofs are 1 byte, or a real proof of another trace
    /// length: `verifyTransactions` refuses each at decode or at the shape check, and all 128
    /// refusals together take less than building one maximum-shape AIR (by far: the bound only
    /// catches a verifier that builds AIRs before looking at the proof).
    @Test(arguments: ["1-byte proofs", "proofs of another trace length"])
    func batchOf128MaximumTransactionsWithBadProofsIsRefusedBeforeAnyAIR(_ kind: String) throws {
        let proof = kind == "1-byte proofs" ? [0x01] : Self.smallProven.proof
        let refusal = kind == "1-byte proofs" ? "malformed proof" : "proof shape check"
        let transactions = Array(repeating: Self.maximumTransaction(proof: proof), count: ProposedBatch.maxTransactions)
        let refused = Self.seconds {
            do {
                try BatchProver.verifyTransactions(transactions, threads: 2)
                Issue.record("\(kind) verified")
            } catch {
                #expect("\(error)".contains("transaction 0 ("), "\(error)")
                #expect("\(error)".contains(refusal), "\(error)")
            }
        }
        var air: TransactionAIR?
        let oneAIR = Self.seconds { air = TransactionAIR(statement: transactions[0].statement) }
        #expect(air?.traceInfo.length == 1 << 18)
        #expect(refused < oneAIR, "refusing 128 transactions took \(refused) s, building one AIR \(oneAIR) s")
        print("\(kind): 128 maximum-shape transactions refused in \(refused) s; one maximum-shape TransactionAIR built in \(oneAIR) s")
    }

    @Test func proofForAnotherTraceLengthIsRefusedAtTheShapeCheck() throws {
        let proven = Self.smallProven
        try proven.verify()
        // A larger vault before: the statement's trace is longer than the proof's.
        var longer = proven
        longer.shape.vaultBefore = FungibleAsset.vaultLimit
        #expect(try TransactionAIR.traceInfo(for: longer.shape).length > TransactionAIR.traceInfo(for: proven.shape).length)
        #expect(throws: StarkError.self) { try TransactionProver.verify(statement: longer.statement, proof: longer.proof) }
        do {
            try longer.verify()
            Issue.record("a proof verified against a statement of another trace length")
        } catch {
            #expect("\(error)".contains("proof shape check"), "\(error)")
        }
        // The same length but another statement gets past the screen and fails the full verification.
        var other = proven
        other.finalCommitment.e0 += .one
        do {
            try TransactionProver.verify(statement: other.statement, proof: other.proof)
            Issue.record("a proof verified against another statement")
        } catch {
            #expect(!"\(error)".contains("proof shape check"), "\(error)")
        }
    }
}
