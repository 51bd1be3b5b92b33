import ArgumentParser
import Foundation
import Rollup
import STARK

/// `ctl prove-local`: proves a witness file of any kind (recognised by its magic tag) on this
/// machine, without the service, with the same backend a worker uses.
struct ProveLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove-local",
        abstract: "Prove a witness file (TransactionInputs, ProposedBatch or BlockProofRequest) locally and write the proof (ProvenTransaction, ProvenBatch or BlockProof).")

    @Argument(help: "Witness file, or - for standard input.") var witness: String
    @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String = "-"
    @Option(help: "Prover threads (default: all cores).") var threads: Int = Parallel.coreCount

    func run() throws {
        HeapRetention.applyFromEnvironment()
        let bytes = try readInput(witness)
        guard let kind = ProofKind(witness: bytes) else {
            let known = ProofKind.allCases.map(\.witnessPayload.description).joined(separator: ", ")
            let what = PayloadKind.recognise(Array(bytes.prefix(4))).map { "a \($0)" } ?? "not a witness this project reads"
            throw CommandError("\(witness): \(what); expected one of \(known)")
        }
        let proof: [UInt8]
        do { proof = try ProvingBackend(threads: threads).prove(kind, payload: bytes) } catch {
            throw CommandError("\(witness): cannot prove this \(kind) witness: \(error)")
        }
        FileHandle.standardError.write(Data("proved a \(kind) witness (\(bytes.count) bytes): \(proof.count)-byte \(kind.proofPayload.name)\n".utf8))
        try writeOutput(proof, to: output)
    }
}

/// `ctl verify`: checks a proof file of any kind (recognised by its magic tag) and prints what it proves.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a proof file (ProvenTransaction, ProvenBatch or BlockProof); print its public data and OK, or why it fails (non-zero exit).")

    @Argument(help: "Proof file, or - for standard input.") var proof: String

    func run() throws {
        let bytes = try readInput(proof)
        let magic = Array(bytes.prefix(4))
        do {
            switch magic {
            case PayloadKind.provenTransaction.magic: try verifyTransaction(bytes)
            case PayloadKind.provenBatch.magic: try verifyBatch(bytes)
            case PayloadKind.blockProof.magic: try verifyBlock(bytes)
            default:
                let known = [PayloadKind.provenTransaction, .provenBatch, .blockProof].map(\.description).joined(separator: ", ")
                let what = PayloadKind.recognise(magic).map { "a \($0)" } ?? "not a proof this project writes"
                throw CommandError("\(proof): \(what); expected one of \(known)")
            }
        } catch let error as DecodingError {
            throw CommandError("\(proof): \(error)")
        }
        print("OK")
    }

    private func check(_ body: () throws -> Void) throws {
        do { try body() } catch { throw CommandError("verification failed: \(error)") }
    }

    private func verifyTransaction(_ bytes: [UInt8]) throws {
        let tx = try ProvenTransactionCodec.decode(bytes)
        print("transaction proof")
        print("  account id:              \(tx.accountID)")
        print("  initial commitment:      \(tx.initialCommitment)")
        print("  final commitment:        \(tx.finalCommitment)")
        print("  input notes commitment:  \(tx.inputNotesCommitment) (\(tx.nullifiers.count) nullifiers)")
        print("  output notes commitment: \(tx.outputNotesCommitment) (\(tx.outputNotes.count) notes)")
        print("  reference block:         \(tx.referenceBlock.number) \(tx.referenceBlock.commitment)")
        print("  expiration:              \(tx.expiration)")
        print("  transaction id:          \(tx.transactionID)")
        try check { try tx.verify() }
    }

    private func verifyBatch(_ bytes: [UInt8]) throws {
        let batch = try ProvenBatchCodec.decode(bytes)
        print("batch proof")
        print("  batch id:                \(batch.id)")
        print("  reference block:         \(batch.referenceBlock.number) \(batch.referenceBlock.commitment)")
        print("  transactions:            \(batch.transactions.count)")
        print("  account updates:         \(batch.accountUpdates.count)")
        print("  nullifiers:              \(batch.nullifiers.count)")
        print("  output notes:            \(batch.outputNotes.count), note tree root \(batch.noteTreeRoot)")
        print("  expiration:              \(batch.expiration)")
        try check { try batch.verify() }
    }

    private func verifyBlock(_ bytes: [UInt8]) throws {
        let block = try BlockProofCodec.decode(bytes)
        print("block proof")
        print("  block number:            \(block.header.number)")
        print("  commitment:              \(block.header.commitment)")
        print("  previous commitment:     \(block.header.previousCommitment)")
        print("  account root:            \(block.header.accountRoot) (\(block.accountUpdates.count) updates)")
        print("  nullifier root:          \(block.header.nullifierRoot) (\(block.nullifiers.count) nullifiers)")
        print("  note root:               \(block.header.noteRoot) (\(block.batchNoteRoots.count) batches)")
        print("  transaction commitment:  \(block.header.transactionCommitment) (\(block.transactionIDs.count) transactions)")
        try check { try block.verify() }
    }
}

/// A command failure: its message is printed as `Error: …` with a non-zero exit, without usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
