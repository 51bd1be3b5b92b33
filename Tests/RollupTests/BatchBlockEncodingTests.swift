import Testing
import STARK
@testable import Rollup

/// Hand-made batch and block objects, built without hashing or proving: ids, roots and
/// commitments are arbitrary words and every `proof` is a fake byte string.
private enum BatchSample {
    static let pMinus1 = Sample.pMinus1
    static let notCanonical = Sample.notCanonical
    static func felt(_ seed: UInt64) -> Felt { Sample.felt(seed) }
    static func word(_ seed: UInt64) -> Word { Sample.word(seed) }
    static func bytes(_ count: Int, _ seed: UInt64) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: UInt64($0) &* 31 &+ seed) }
    }

    static func header(_ seed: UInt64) -> BlockHeader {
        BlockHeader(number: UInt32(truncatingIfNeeded: seed), previousCommitment: word(seed &+ 1), accountRoot: word(seed &+ 2),
                    nullifierRoot: word(seed &+ 3), noteRoot: word(seed &+ 4), transactionCommitment: word(seed &+ 5))
    }

    static func outputNote(_ seed: UInt64) -> OutputNoteHeader {
        OutputNoteHeader(id: word(seed), metadata: NoteMetadata(sender: felt(seed &+ 9), tag: felt(seed &+ 10)))
    }

    static func proven(_ seed: UInt64, nullifiers: Int = 2, outputs: Int = 1, proofBytes: Int = 24) -> ProvenTransaction {
        ProvenTransaction(
            accountID: felt(seed), initialCommitment: word(seed &+ 10), finalCommitment: word(seed &+ 20),
            nullifiers: (0..<nullifiers).map { word(seed &+ 1_000 &+ UInt64($0)) }, inputNotesCommitment: word(seed &+ 30),
            outputNotes: (0..<outputs).map { outputNote(seed &+ 5_000 &+ UInt64($0)) },
            outputNotesCommitment: word(seed &+ 40), referenceBlock: BlockReference(number: 12, commitment: word(seed &+ 50)),
            expiration: 13,
            shape: TransactionShape(vaultBefore: 2, vaultAfter: 1, storageBefore: 3, storageAfter: 4,
                                    inputNotes: (0..<nullifiers).map { .init(isPayToID: $0 % 2 == 0, inputCount: $0 % 2 == 0 ? 1 : 3, assetCount: 2) },
                                    outputNotes: (0..<outputs).map { .init(inputCount: $0 % 17, assetCount: 16) }),
            proof: bytes(proofBytes, seed))
    }

    static func proposed(transactions: Int = 2, nullifiers: Int = 2, outputs: Int = 1) -> ProposedBatch {
        ProposedBatch(referenceBlock: header(7),
                      transactions: (0..<transactions).map { proven(100 &* UInt64($0 + 1), nullifiers: nullifiers, outputs: outputs) })
    }

    static func transactionHeader(_ seed: UInt64, nullifiers: Int = 2, outputs: Int = 1) -> TransactionHeader {
        TransactionHeader(accountID: felt(seed), initialCommitment: word(seed &+ 10), finalCommitment: word(seed &+ 20),
                          nullifiers: (0..<nullifiers).map { word(seed &+ 1_000 &+ UInt64($0)) },
                          outputNotes: (0..<outputs).map { outputNote(seed &+ 5_000 &+ UInt64($0)) })
    }

    static func provenBatch(_ seed: UInt64 = 1, transactions: Int = 2, nullifiers: Int = 2, outputs: Int = 1,
                            proofBytes: Int = 40) -> ProvenBatch {
        ProvenBatch(id: word(seed), referenceBlock: BlockReference(number: 41, commitment: word(seed &+ 1)),
                    transactions: (0..<transactions).map { transactionHeader(seed &+ 100 &* UInt64($0 + 1), nullifiers: nullifiers, outputs: outputs) },
                    noteTreeRoot: word(seed &+ 2), expiration: 77, proof: bytes(proofBytes, seed))
    }

    static func witness(_ seed: UInt64, entries: Int = 1) -> SparseLeafWitness {
        SparseLeafWitness(key: word(seed),
                          entries: (0..<entries).map { SparseMerkleTree.Entry(key: word(seed &+ 10 &* UInt64($0)), value: word(seed &+ 5 &+ UInt64($0))) },
                          path: MerklePath(siblings: (0..<SparseMerkleTree.depth).map { word(seed &+ 100 &+ UInt64($0)) }))
    }

    static func request(batches: Int = 2, accounts: Int = 2, nullifiers: Int = 1, entries: Int = 1) -> BlockProofRequest {
        BlockProofRequest(previousHeader: header(9),
                          batches: (0..<batches).map { provenBatch(UInt64($0 + 1) &* 7, transactions: 1 + $0 % 2) },
                          accountWitnesses: (0..<accounts).map { witness(10_000 &+ UInt64($0), entries: entries) },
                          nullifierWitnesses: (0..<nullifiers).map { witness(20_000 &+ UInt64($0), entries: 0) })
    }

    static func blockProof(updates: Int = 2, nullifiers: Int = 3, roots: Int = 2, transactions: Int = 3, proofBytes: Int = 64) -> BlockProof {
        BlockProof(header: header(11), previousHeader: header(10),
                   accountUpdates: (0..<updates).map {
                       AccountUpdate(accountID: felt(300 &+ UInt64($0)), initialCommitment: word(400 &+ UInt64($0)), finalCommitment: word(500 &+ UInt64($0)))
                   },
                   nullifiers: (0..<nullifiers).map { word(600 &+ UInt64($0)) },
                   batchNoteRoots: (0..<roots).map { word(700 &+ UInt64($0)) },
                   transactionIDs: (0..<transactions).map { word(800 &+ UInt64($0)) },
                   proof: bytes(proofBytes, 3))
    }
}

/// The error decoding `bytes` as `T` raises, or nil if it decodes.
private func error<T>(_ decode: ([UInt8]) throws(DecodingError) -> T, _ bytes: [UInt8]) -> DecodingError? {
    do { _ = try decode(bytes); return nil } catch { return error }
}

private func proposedError(_ b: [UInt8]) -> DecodingError? { error(ProposedBatchCodec.decode, b) }
private func provenBatchError(_ b: [UInt8]) -> DecodingError? { error(ProvenBatchCodec.decode, b) }
private func requestError(_ b: [UInt8]) -> DecodingError? { error(BlockProofRequestCodec.decode, b) }
private func blockProofError(_ b: [UInt8]) -> DecodingError? { error(BlockProofCodec.decode, b) }

private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

/// Wire sizes from the layouts in the codecs' doc comments.
private enum WireSize {
    static let word = 32
    static let blockHeader = 4 + 5 * word
    static func transactionHeader(_ h: TransactionHeader) -> Int { 8 + 2 * word + 2 + word * h.nullifiers.count + 2 + 48 * h.outputNotes.count }
    static func provenBatch(_ b: ProvenBatch) -> Int {
        5 + word + 36 + 2 + b.transactions.map(transactionHeader).reduce(0, +) + word + 4 + 4 + b.proof.count
    }
    static func witness(_ w: SparseLeafWitness) -> Int { word + 2 + 2 * word * w.entries.count + 64 * word }
}

@Suite struct BatchEncodingTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var transactions: Int, nullifiers: Int, outputs: Int
        var testDescription: String { "transactions \(transactions) nullifiers \(nullifiers) outputs \(outputs)" }
    }

    @Test(arguments: [
        Shape(transactions: 0, nullifiers: 0, outputs: 0),
        Shape(transactions: 1, nullifiers: 0, outputs: 0),
        Shape(transactions: 1, nullifiers: 1, outputs: 3),
        Shape(transactions: 5, nullifiers: 3, outputs: 2),
    ])
    func proposedBatchRoundTrip(_ s: Shape) throws {
        let batch = BatchSample.proposed(transactions: s.transactions, nullifiers: s.nullifiers, outputs: s.outputs)
        let bytes = ProposedBatchCodec.encode(batch)
        #expect(try ProposedBatchCodec.decode(bytes) == batch)
        #expect(Array(bytes[0..<5]) == Array("MBTI".utf8) + [1])
        let embedded = batch.transactions.map { 4 + ProvenTransactionCodec.encode($0).count }.reduce(0, +)
        #expect(bytes.count == 5 + WireSize.blockHeader + 2 + embedded)
    }

    @Test func proposedBatchEmbedsCompleteTransactionPayloads() throws {
        let batch = BatchSample.proposed(transactions: 2)
        let bytes = ProposedBatchCodec.encode(batch)
        let first = ProvenTransactionCodec.encode(batch.transactions[0])
        let start = 5 + WireSize.blockHeader + 2
        #expect(Array(bytes[start ..< start + 4]) == le32(UInt32(first.count)))
        #expect(Array(bytes[start + 4 ..< start + 4 + first.count]) == first)
    }

    @Test(arguments: [
        Shape(transactions: 0, nullifiers: 0, outputs: 0),
        Shape(transactions: 1, nullifiers: 0, outputs: 1),
        Shape(transactions: 3, nullifiers: 4, outputs: 2),
        Shape(transactions: ProposedBatch.maxTransactions, nullifiers: 1, outputs: 1),
    ])
    func provenBatchRoundTrip(_ s: Shape) throws {
        let batch = BatchSample.provenBatch(transactions: s.transactions, nullifiers: s.nullifiers, outputs: s.outputs)
        let bytes = ProvenBatchCodec.encode(batch)
        #expect(try ProvenBatchCodec.decode(bytes) == batch)
        #expect(Array(bytes[0..<5]) == Array("MBTP".utf8) + [1])
        #expect(bytes.count == WireSize.provenBatch(batch))
    }

    @Test func provenBatchLayoutIsLittleEndian() {
        var batch = BatchSample.provenBatch(transactions: 0, proofBytes: 0)
        batch.id.e0 = Felt(0x0102_0304_0506_0708)
        batch.expiration = 0xA1B2_C3D4
        let bytes = ProvenBatchCodec.encode(batch)
        #expect(Array(bytes[5..<13]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(bytes.suffix(8)) == [0xD4, 0xC3, 0xB2, 0xA1, 0, 0, 0, 0])
    }

    @Test func extremeValuesRoundTrip() throws {
        let top = Word(BatchSample.pMinus1, BatchSample.pMinus1, BatchSample.pMinus1, BatchSample.pMinus1)
        var proposed = BatchSample.proposed(transactions: 1)
        proposed.referenceBlock = BlockHeader(number: .max, previousCommitment: top, accountRoot: .zero, nullifierRoot: top,
                                              noteRoot: top, transactionCommitment: .zero)
        #expect(try ProposedBatchCodec.decode(ProposedBatchCodec.encode(proposed)) == proposed)

        var batch = BatchSample.provenBatch(transactions: 1)
        batch.id = top
        batch.referenceBlock = BlockReference(number: .max, commitment: top)
        batch.transactions[0].accountID = BatchSample.pMinus1
        batch.transactions[0].outputNotes[0].metadata = NoteMetadata(sender: BatchSample.pMinus1, tag: .zero)
        batch.expiration = .max
        #expect(try ProvenBatchCodec.decode(ProvenBatchCodec.encode(batch)) == batch)
    }

    @Test func proposedBatchErrorsAreNamedUnderTheirTransaction() {
        let bad = BatchSample.notCanonical
        let cases: [(String, (inout ProposedBatch) -> Void)] = [
            ("reference block: previous commitment: element 1", { $0.referenceBlock.previousCommitment.e1 = bad }),
            ("reference block: transaction commitment: element 3", { $0.referenceBlock.transactionCommitment.e3 = bad }),
            ("transaction 0: account id", { $0.transactions[0].accountID = bad }),
            ("transaction 2: nullifier 1: element 2", { $0.transactions[2].nullifiers[1].e2 = bad }),
            ("transaction 1: output note 0: metadata.sender", { $0.transactions[1].outputNotes[0].metadata.sender = bad }),
            ("transaction 2: reference block: commitment: element 0", { $0.transactions[2].referenceBlock.commitment.e0 = bad }),
        ]
        for (path, corrupt) in cases {
            var batch = BatchSample.proposed(transactions: 3)
            corrupt(&batch)
            let error = proposedError(ProposedBatchCodec.encode(batch))
            #expect(error == .nonCanonicalFelt(field: path, value: .max), "\(path)")
            #expect(error?.description == "\(path) is 18446744073709551615, not a canonical field element (≥ p)")
        }

        var batch = BatchSample.proposed(transactions: 2)
        batch.transactions[1] = BatchSample.proven(5, nullifiers: TransactionInputs.maxInputNotes + 1)
        #expect(proposedError(ProposedBatchCodec.encode(batch))?.description == "transaction 1: 1025 nullifiers; at most 1024")
        batch.transactions[1] = BatchSample.proven(5, proofBytes: ProvenTransaction.maxProofBytes + 1)
        #expect(proposedError(ProposedBatchCodec.encode(batch))?.description == "transaction 1: 4194305 proof bytes; at most 4194304")
    }

    @Test func embeddedTransactionMustFillItsLengthExactly() {
        let batch = BatchSample.proposed(transactions: 1)
        let tx = ProvenTransactionCodec.encode(batch.transactions[0])
        let prefix = Array(ProposedBatchCodec.encode(batch)[..<(5 + WireSize.blockHeader + 2)])
        let start = prefix.count + 4

        // One byte more than the transaction: trailing data inside the embedded payload.
        let longer = prefix + le32(UInt32(tx.count + 1)) + tx + [0]
        #expect(proposedError(longer) == .trailingBytes(kind: .provenTransaction, offset: start + tx.count, count: 1))

        // One byte less: the transaction's last field is cut short, named under the transaction.
        let shorter = prefix + le32(UInt32(tx.count - 1)) + tx
        #expect(proposedError(shorter) == .truncated(offset: start + tx.count - 24, field: "transaction 0: proof", needed: 24, available: 23))

        // A length beyond the payload.
        let beyond = prefix + le32(UInt32(tx.count + 10)) + tx
        #expect(proposedError(beyond)?.description
            == "truncated at byte \(start) while reading transaction 0: ProvenTransaction payload (need \(tx.count + 10) bytes, have \(tx.count))")

        // A length beyond the limit is refused before anything is read.
        let huge = prefix + le32(UInt32(ProposedBatchCodec.maxTransactionBytes + 1)) + tx
        #expect(proposedError(huge) == .tooMany(context: "transaction 0", what: "bytes", count: ProposedBatchCodec.maxTransactionBytes + 1,
                                                limit: ProposedBatchCodec.maxTransactionBytes))

        // A payload of another kind where a transaction should be.
        let other = ProvenBatchCodec.encode(BatchSample.provenBatch())
        #expect(proposedError(prefix + le32(UInt32(other.count)) + other)?.description
            == "this is a ProvenBatch (MBTP), expected ProvenTransaction (MTXP)")
        var versioned = tx
        versioned[4] = 9
        #expect(proposedError(prefix + le32(UInt32(tx.count)) + versioned)
            == .unsupportedVersion(kind: .provenTransaction, found: 9, supported: 1))
    }

    @Test func provenBatchFieldsAreRefusedWithTheirPath() {
        let bad = BatchSample.notCanonical
        let cases: [(String, (inout ProvenBatch) -> Void)] = [
            ("id: element 0", { $0.id.e0 = bad }),
            ("reference block: commitment: element 3", { $0.referenceBlock.commitment.e3 = bad }),
            ("transaction 1: account id", { $0.transactions[1].accountID = bad }),
            ("transaction 0: initial commitment: element 1", { $0.transactions[0].initialCommitment.e1 = bad }),
            ("transaction 1: final commitment: element 2", { $0.transactions[1].finalCommitment.e2 = bad }),
            ("transaction 1: nullifier 1: element 3", { $0.transactions[1].nullifiers[1].e3 = bad }),
            ("transaction 0: output note 0: id: element 0", { $0.transactions[0].outputNotes[0].id.e0 = bad }),
            ("transaction 1: output note 0: metadata.tag", { $0.transactions[1].outputNotes[0].metadata.tag = bad }),
            ("note tree root: element 2", { $0.noteTreeRoot.e2 = bad }),
        ]
        for (path, corrupt) in cases {
            var batch = BatchSample.provenBatch(transactions: 2)
            corrupt(&batch)
            #expect(provenBatchError(ProvenBatchCodec.encode(batch)) == .nonCanonicalFelt(field: path, value: .max), "\(path)")
        }
    }

    @Test func batchCountsAboveTheirMaximaAreRefused() {
        let proposed = BatchSample.proposed(transactions: ProposedBatch.maxTransactions + 1, nullifiers: 0, outputs: 0)
        #expect(proposedError(ProposedBatchCodec.encode(proposed))?.description == "129 transactions; at most 128")

        var batch = BatchSample.provenBatch(transactions: ProposedBatch.maxTransactions + 1, nullifiers: 0, outputs: 0)
        #expect(provenBatchError(ProvenBatchCodec.encode(batch))?.description == "129 transactions; at most 128")
        batch = BatchSample.provenBatch(transactions: 2)
        batch.transactions[1] = BatchSample.transactionHeader(3, nullifiers: TransactionInputs.maxInputNotes + 1)
        #expect(provenBatchError(ProvenBatchCodec.encode(batch))?.description == "transaction 1: 1025 nullifiers; at most 1024")
        batch.transactions[1] = BatchSample.transactionHeader(3, outputs: TransactionInputs.maxOutputNotes + 1)
        #expect(provenBatchError(ProvenBatchCodec.encode(batch)) == .tooMany(context: "transaction 1", what: "output notes", count: 1025, limit: 1024))

        batch = BatchSample.provenBatch(proofBytes: 0)
        var bytes = ProvenBatchCodec.encode(batch)
        bytes.replaceSubrange(bytes.count - 4 ..< bytes.count, with: le32(UInt32(ProvenBatch.maxProofBytes + 1)))
        #expect(provenBatchError(bytes)?.description == "4194305 proof bytes; at most 4194304")
    }

    /// The embedded-payload bounds hold the largest objects the decoders accept.
    @Test func embeddedLimitsHoldTheLargestPayloads() {
        let maxTransaction = BatchSample.proven(1, nullifiers: TransactionInputs.maxInputNotes,
                                                outputs: TransactionInputs.maxOutputNotes, proofBytes: 0)
        #expect(ProvenTransactionCodec.encode(maxTransaction).count + ProvenTransaction.maxProofBytes <= ProposedBatchCodec.maxTransactionBytes)

        let header = BatchSample.transactionHeader(1, nullifiers: TransactionInputs.maxInputNotes, outputs: TransactionInputs.maxOutputNotes)
        let empty = ProvenBatchCodec.encode(BatchSample.provenBatch(transactions: 0, proofBytes: 0)).count
        let largest = empty + ProposedBatch.maxTransactions * WireSize.transactionHeader(header) + ProvenBatch.maxProofBytes
        #expect(largest <= BlockProofRequestCodec.maxBatchBytes)
    }
}

@Suite struct BlockEncodingTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var batches: Int, accounts: Int, nullifiers: Int, entries: Int
        var testDescription: String { "batches \(batches) accounts \(accounts) nullifiers \(nullifiers) entries \(entries)" }
    }

    @Test(arguments: [
        Shape(batches: 0, accounts: 0, nullifiers: 0, entries: 0),
        Shape(batches: 1, accounts: 1, nullifiers: 0, entries: 0),
        Shape(batches: 2, accounts: 3, nullifiers: 2, entries: 1),
        Shape(batches: 3, accounts: 1, nullifiers: 1, entries: BlockProofRequestCodec.maxLeafEntries),
    ])
    func requestRoundTrip(_ s: Shape) throws {
        let request = BatchSample.request(batches: s.batches, accounts: s.accounts, nullifiers: s.nullifiers, entries: s.entries)
        let bytes = BlockProofRequestCodec.encode(request)
        #expect(try BlockProofRequestCodec.decode(bytes) == request)
        #expect(Array(bytes[0..<5]) == Array("MBKI".utf8) + [1])
        let batches = request.batches.map { 4 + WireSize.provenBatch($0) }.reduce(0, +)
        let witnesses = (request.accountWitnesses + request.nullifierWitnesses).map(WireSize.witness).reduce(0, +)
        #expect(bytes.count == 5 + WireSize.blockHeader + 2 + batches + 4 + 4 + witnesses)
    }

    @Test func requestAtItsBatchLimitRoundTrips() throws {
        let request = BlockProofRequest(previousHeader: BatchSample.header(1),
                                        batches: (0..<BlockProofRequest.maxBatches).map { BatchSample.provenBatch(UInt64($0), transactions: 1, proofBytes: 3) },
                                        accountWitnesses: [], nullifierWitnesses: [])
        #expect(try BlockProofRequestCodec.decode(BlockProofRequestCodec.encode(request)) == request)
    }

    struct ProofShape: Sendable, CustomTestStringConvertible {
        var updates: Int, nullifiers: Int, roots: Int, transactions: Int, proofBytes: Int
        var testDescription: String { "updates \(updates) nullifiers \(nullifiers) roots \(roots) txs \(transactions) proof \(proofBytes)" }
    }

    @Test(arguments: [
        ProofShape(updates: 0, nullifiers: 0, roots: 0, transactions: 0, proofBytes: 0),
        ProofShape(updates: 1, nullifiers: 0, roots: 1, transactions: 1, proofBytes: 1),
        ProofShape(updates: 3, nullifiers: 5, roots: 2, transactions: 4, proofBytes: 100),
        ProofShape(updates: 2, nullifiers: 2, roots: BlockProofRequest.maxBatches, transactions: 2, proofBytes: 7),
    ])
    func blockProofRoundTrip(_ s: ProofShape) throws {
        let proof = BatchSample.blockProof(updates: s.updates, nullifiers: s.nullifiers, roots: s.roots, transactions: s.transactions, proofBytes: s.proofBytes)
        let bytes = BlockProofCodec.encode(proof)
        #expect(try BlockProofCodec.decode(bytes) == proof)
        #expect(Array(bytes[0..<5]) == Array("MBKP".utf8) + [1])
        #expect(bytes.count == 5 + 2 * WireSize.blockHeader + 4 + 72 * s.updates + 4 + 32 * s.nullifiers + 2 + 32 * s.roots
            + 4 + 32 * s.transactions + 4 + s.proofBytes)
    }

    @Test func blockHeaderLayoutIsLittleEndian() {
        var proof = BatchSample.blockProof(updates: 0, nullifiers: 0, roots: 0, transactions: 0, proofBytes: 0)
        proof.header.number = 0x0A0B_0C0D
        proof.header.previousCommitment.e0 = Felt(0x1122_3344_5566_7788)
        let bytes = BlockProofCodec.encode(proof)
        #expect(Array(bytes[5..<17]) == [0x0D, 0x0C, 0x0B, 0x0A, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
    }

    @Test func extremeValuesRoundTrip() throws {
        let top = Word(BatchSample.pMinus1, BatchSample.pMinus1, BatchSample.pMinus1, BatchSample.pMinus1)
        var request = BatchSample.request(batches: 1, accounts: 1, nullifiers: 1)
        request.previousHeader.number = .max
        request.accountWitnesses[0].key = top
        request.accountWitnesses[0].entries[0].value = top
        request.nullifierWitnesses[0].path.siblings[63] = top
        #expect(try BlockProofRequestCodec.decode(BlockProofRequestCodec.encode(request)) == request)

        var proof = BatchSample.blockProof()
        proof.header = BlockHeader(number: .max, previousCommitment: top, accountRoot: top, nullifierRoot: .zero, noteRoot: top,
                                   transactionCommitment: top)
        proof.accountUpdates[1] = AccountUpdate(accountID: BatchSample.pMinus1, initialCommitment: .zero, finalCommitment: top)
        #expect(try BlockProofCodec.decode(BlockProofCodec.encode(proof)) == proof)
    }

    @Test func requestFieldsAreRefusedWithTheirPath() {
        let bad = BatchSample.notCanonical
        let cases: [(String, (inout BlockProofRequest) -> Void)] = [
            ("previous header: account root: element 2", { $0.previousHeader.accountRoot.e2 = bad }),
            ("previous header: nullifier root: element 0", { $0.previousHeader.nullifierRoot.e0 = bad }),
            ("batch 0: id: element 1", { $0.batches[0].id.e1 = bad }),
            ("batch 1: transaction 1: nullifier 0: element 3", { $0.batches[1].transactions[1].nullifiers[0].e3 = bad }),
            ("batch 1: note tree root: element 0", { $0.batches[1].noteTreeRoot.e0 = bad }),
            ("account witness 1: key: element 3", { $0.accountWitnesses[1].key.e3 = bad }),
            ("account witness 0: leaf entry 1: key: element 0", { $0.accountWitnesses[0].entries[1].key.e0 = bad }),
            ("account witness 1: leaf entry 0: value: element 2", { $0.accountWitnesses[1].entries[0].value.e2 = bad }),
            ("account witness 0: path sibling 63: element 3", { $0.accountWitnesses[0].path.siblings[63].e3 = bad }),
            ("nullifier witness 1: path sibling 0: element 0", { $0.nullifierWitnesses[1].path.siblings[0].e0 = bad }),
        ]
        for (path, corrupt) in cases {
            var request = BatchSample.request(batches: 2, accounts: 2, nullifiers: 2, entries: 2)
            corrupt(&request)
            let error = requestError(BlockProofRequestCodec.encode(request))
            #expect(error == .nonCanonicalFelt(field: path, value: .max), "\(path)")
            #expect(error?.description == "\(path) is 18446744073709551615, not a canonical field element (≥ p)")
        }
    }

    @Test func blockProofFieldsAreRefusedWithTheirPath() {
        let bad = BatchSample.notCanonical
        let cases: [(String, (inout BlockProof) -> Void)] = [
            ("header: note root: element 1", { $0.header.noteRoot.e1 = bad }),
            ("previous header: previous commitment: element 3", { $0.previousHeader.previousCommitment.e3 = bad }),
            ("account update 1: account id", { $0.accountUpdates[1].accountID = bad }),
            ("account update 0: final commitment: element 2", { $0.accountUpdates[0].finalCommitment.e2 = bad }),
            ("nullifier 2: element 1", { $0.nullifiers[2].e1 = bad }),
            ("batch note root 1: element 0", { $0.batchNoteRoots[1].e0 = bad }),
            ("transaction id 2: element 3", { $0.transactionIDs[2].e3 = bad }),
        ]
        for (path, corrupt) in cases {
            var proof = BatchSample.blockProof()
            corrupt(&proof)
            #expect(blockProofError(BlockProofCodec.encode(proof)) == .nonCanonicalFelt(field: path, value: .max), "\(path)")
        }
    }

    @Test func blockCountsAboveTheirMaximaAreRefused() {
        var request = BatchSample.request(batches: 0, accounts: 1, nullifiers: 0)
        request.batches = Array(repeating: BatchSample.provenBatch(transactions: 0, proofBytes: 0), count: BlockProofRequest.maxBatches + 1)
        #expect(requestError(BlockProofRequestCodec.encode(request))?.description == "65 batches; at most 64")

        request = BatchSample.request(batches: 0, accounts: 2, entries: BlockProofRequestCodec.maxLeafEntries + 1)
        #expect(requestError(BlockProofRequestCodec.encode(request))?.description == "account witness 0: 17 leaf entries; at most 16")

        var batch = BatchSample.provenBatch(transactions: 1)
        batch.transactions[0] = BatchSample.transactionHeader(1, outputs: TransactionInputs.maxOutputNotes + 1)
        request = BlockProofRequest(previousHeader: BatchSample.header(1), batches: [BatchSample.provenBatch(), batch],
                                    accountWitnesses: [], nullifierWitnesses: [])
        #expect(requestError(BlockProofRequestCodec.encode(request))?.description == "batch 1: transaction 0: 1025 output notes; at most 1024")

        // Witness counts, read right after the batches, are checked before any witness is read.
        let empty = BlockProofRequestCodec.encode(BatchSample.request(batches: 0, accounts: 0, nullifiers: 0))
        let tooMany = le32(UInt32(BlockProofRequestCodec.maxWitnesses + 1))
        #expect(requestError(Array(empty.dropLast(8)) + tooMany + le32(0))?.description == "1048577 account witnesses; at most 1048576")
        #expect(requestError(Array(empty.dropLast(4)) + tooMany)?.description == "1048577 nullifier witnesses; at most 1048576")
        // An allowed but large count in a short payload is a truncation (and allocates little).
        #expect(requestError(Array(empty.dropLast(8)) + le32(UInt32(BlockProofRequestCodec.maxWitnesses)) + le32(0))
            == .truncated(offset: empty.count - 4, field: "account witness 0: key: element 0", needed: 8, available: 4))

        // A batch length beyond its limit.
        let prefix = Array(BlockProofRequestCodec.encode(request)[..<(5 + WireSize.blockHeader)])
        #expect(requestError(prefix + [1, 0] + le32(UInt32(BlockProofRequestCodec.maxBatchBytes + 1)))?.description
            == "batch 0: 16777217 bytes; at most 16777216")

        // BlockProof: each u32 count, and the proof length, over its limit.
        let proof = BatchSample.blockProof(updates: 0, nullifiers: 0, roots: 0, transactions: 0, proofBytes: 0)
        let bytes = BlockProofCodec.encode(proof)
        let counts = 5 + 2 * WireSize.blockHeader
        let over = le32(UInt32(BlockProofCodec.maxEntries + 1))
        for (at, message) in [(counts, "1048577 account updates; at most 1048576"), (counts + 4, "1048577 nullifiers; at most 1048576"),
                              (counts + 10, "1048577 transaction ids; at most 1048576"),
                              (counts + 14, "16777217 proof bytes; at most 16777216")] {
            var mutated = bytes
            mutated.replaceSubrange(at ..< at + 4, with: at == counts + 14 ? le32(UInt32(BlockProof.maxProofBytes + 1)) : over)
            #expect(blockProofError(mutated)?.description == message)
        }
        var roots = bytes
        roots.replaceSubrange(counts + 8 ..< counts + 10, with: [65, 0])
        #expect(blockProofError(roots) == .tooMany(context: "", what: "batch note roots", count: 65, limit: 64))
    }

    @Test func embeddedBatchErrorsAreNamedUnderTheirBatch() {
        let request = BatchSample.request(batches: 1, accounts: 0, nullifiers: 0)
        let batch = ProvenBatchCodec.encode(request.batches[0])
        let prefix = Array(BlockProofRequestCodec.encode(request)[..<(5 + WireSize.blockHeader + 2)])
        let start = prefix.count + 4
        let witnessCounts = le32(0) + le32(0)
        #expect(requestError(prefix + le32(UInt32(batch.count + 2)) + batch + [0, 0] + witnessCounts)
            == .trailingBytes(kind: .provenBatch, offset: start + batch.count, count: 2))
        #expect(requestError(prefix + le32(UInt32(batch.count - 1)) + batch + witnessCounts)?.description
            == "truncated at byte \(start + batch.count - 40) while reading batch 0: proof (need 40 bytes, have 39)")
        let transaction = ProvenTransactionCodec.encode(BatchSample.proven(1))
        #expect(requestError(prefix + le32(UInt32(transaction.count)) + transaction + witnessCounts)?.description
            == "this is a ProvenTransaction (MTXP), expected ProvenBatch (MBTP)")
    }
}

@Suite struct BatchBlockFramingTests {
    /// One small valid payload of each kind, with its decoder.
    static let payloads: [(kind: PayloadKind, bytes: [UInt8], decode: @Sendable ([UInt8]) -> DecodingError?)] = [
        (.proposedBatch, ProposedBatchCodec.encode(BatchSample.proposed(transactions: 2)), { proposedError($0) }),
        (.provenBatch, ProvenBatchCodec.encode(BatchSample.provenBatch(transactions: 2)), { provenBatchError($0) }),
        (.blockProofRequest, BlockProofRequestCodec.encode(BatchSample.request(batches: 1, accounts: 1, nullifiers: 1, entries: 1)),
         { requestError($0) }),
        (.blockProof, BlockProofCodec.encode(BatchSample.blockProof()), { blockProofError($0) }),
    ]

    @Test func theFourKindsAreKnown() {
        for (kind, tag) in [(PayloadKind.proposedBatch, "MBTI"), (.provenBatch, "MBTP"), (.blockProofRequest, "MBKI"), (.blockProof, "MBKP")] {
            #expect(kind.tag == tag)
            #expect(PayloadKind.recognise(Array(tag.utf8)) == kind)
        }
        #expect(Set(PayloadKind.known.map(\.tag)).count == PayloadKind.known.count)
    }

    @Test func validPayloadsDecode() {
        for p in Self.payloads { #expect(p.decode(p.bytes) == nil, "\(p.kind)") }
    }

    @Test func wrongMagicSaysWhatThePayloadIs() {
        let others = Self.payloads.map { ($0.kind, $0.bytes) }
            + [(PayloadKind.transactionInputs, Array("MTXI".utf8) + [1]), (.provenTransaction, ProvenTransactionCodec.encode(BatchSample.proven(1)))]
        for p in Self.payloads {
            for (kind, bytes) in others where kind != p.kind {
                #expect(p.decode(bytes)?.description == "this is a \(kind), expected \(p.kind)")
            }
            var unknown = p.bytes
            unknown[0] = UInt8(ascii: "X")
            #expect(p.decode(unknown) == .wrongMagic(expected: p.kind, found: Array(unknown[0..<4])))
            #expect(p.decode(unknown)?.description.hasPrefix("not a \(p.kind.name) payload: it starts with 58 ") == true)
        }
    }

    @Test func wrongVersionIsRefused() {
        for p in Self.payloads {
            var bytes = p.bytes
            bytes[4] = 2
            #expect(p.decode(bytes) == .unsupportedVersion(kind: p.kind, found: 2, supported: 1))
            #expect(p.decode(bytes)?.description == "\(p.kind) version 2 is not supported; this decoder reads version 1")
        }
    }

    @Test func trailingBytesAreRefused() {
        for p in Self.payloads {
            #expect(p.decode(p.bytes + [0]) == .trailingBytes(kind: p.kind, offset: p.bytes.count, count: 1))
            #expect(p.decode(p.bytes + [1, 2, 3])?.description
                == "3 bytes of trailing data at byte \(p.bytes.count), after a complete \(p.kind)")
        }
    }

    /// Every proper prefix of a valid payload is refused as truncated.
    @Test func everyTruncationIsRefused() {
        for p in Self.payloads {
            for length in 0..<p.bytes.count {
                guard case .truncated? = p.decode(Array(p.bytes[..<length])) else {
                    Issue.record("\(p.kind) prefix of \(length) bytes was not refused as truncated")
                    break
                }
            }
        }
    }

    @Test func truncationNamesTheField() {
        let proof = BatchSample.blockProof(proofBytes: 10)
        let bytes = BlockProofCodec.encode(proof)
        #expect(blockProofError(Array(bytes.dropLast(4)))?.description
            == "truncated at byte \(bytes.count - 10) while reading proof (need 10 bytes, have 6)")
        #expect(proposedError([])?.description == "truncated at byte 0 while reading ProposedBatch magic tag (need 4 bytes, have 0)")
        #expect(requestError(Array("MBKI".utf8))?.description == "truncated at byte 4 while reading BlockProofRequest version (need 1 byte, have 0)")
        let request = BlockProofRequestCodec.encode(BatchSample.request(batches: 0, accounts: 1, nullifiers: 0))
        #expect(requestError(Array(request.dropLast(4 + 8)))?.description
            == "truncated at byte \(request.count - 4 - 8) while reading account witness 0: path sibling 63: element 3 (need 8 bytes, have 0)")
    }


    /// Re-encodes a payload of `kind` the way its codec would, or nil if it does not decode.
    private static func reencode(_ kind: PayloadKind, _ bytes: [UInt8]) -> [UInt8]? {
        switch kind {
        case .proposedBatch: (try? ProposedBatchCodec.decode(bytes)).map(ProposedBatchCodec.encode)
        case .provenBatch: (try? ProvenBatchCodec.decode(bytes)).map(ProvenBatchCodec.encode)
        case .blockProofRequest: (try? BlockProofRequestCodec.decode(bytes)).map(BlockProofRequestCodec.encode)
        default: (try? BlockProofCodec.decode(bytes)).map(BlockProofCodec.encode)
        }
    }

    @Test func randomMutationsDecodeCanonicallyOrThrow() {
        var rng = EncodingFuzzRNG(seed: 0x4D42_4B50)
        for p in Self.payloads {
            var decoded = 0, refused = 0
            var cases: Set<String> = []
            for trial in 0..<1_500 {
                let mutated = EncodingFuzzTests.mutate(p.bytes, &rng)
                if let error = p.decode(mutated) {
                    refused += 1
                    cases.insert(EncodingFuzzTests.kind(error))
                    #expect(!error.description.isEmpty)
                } else {
                    decoded += 1
                    guard Self.reencode(p.kind, mutated) == mutated else {
                        Issue.record("\(p.kind) mutation \(trial) decoded but does not re-encode to the same bytes")
                        return
                    }
                }
            }
            #expect(decoded > 0 && refused > 0, "\(p.kind): \(decoded) decoded, \(refused) refused")
            #expect(cases.isSuperset(of: ["truncated", "felt", "count", "trailing"]), "\(p.kind): \(cases.sorted())")
        }
    }
}
