import ArgumentParser
import Foundation
import Rollup
import STARK

/// `ctl prove-local`: proves a witness file on this machine, without the service.
struct ProveLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove-local",
        abstract: "Prove a witness file (TransactionInputs) locally and write the proof (ProvenTransaction).")

    @Argument(help: "Witness file, or - for standard input.") var witness: String
    @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String = "-"
    @Option(help: "Prover threads (default: all cores).") var threads: Int = Parallel.coreCount

    func run() throws {
        let bytes = try readInput(witness)
        let inputs: TransactionInputs
        do { inputs = try TransactionInputsCodec.decode(bytes) } catch { throw CommandError("\(witness): \(error)") }
        let proven: ProvenTransaction
        do { proven = try TransactionProver.prove(inputs, threads: threads) } catch { throw CommandError("cannot prove: \(error)") }
        try writeOutput(ProvenTransactionCodec.encode(proven), to: output)
    }
}

/// `ctl verify`: checks a proof file and prints what it proves.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a proof file (ProvenTransaction); print its public inputs and OK, or why it fails (non-zero exit).")

    @Argument(help: "Proof file, or - for standard input.") var proof: String

    func run() throws {
        let bytes = try readInput(proof)
        let tx: ProvenTransaction
        do { tx = try ProvenTransactionCodec.decode(bytes) } catch { throw CommandError("\(proof): \(error)") }
        print("transaction proof")
        print("  account id:              \(tx.accountID)")
        print("  initial commitment:      \(tx.initialCommitment)")
        print("  final commitment:        \(tx.finalCommitment)")
        print("  input notes commitment:  \(tx.inputNotesCommitment) (\(tx.nullifiers.count) nullifiers)")
        print("  output notes commitment: \(tx.outputNotesCommitment) (\(tx.outputNotes.count) notes)")
        print("  reference block:         \(tx.referenceBlock.number) \(tx.referenceBlock.commitment)")
        print("  expiration:              \(tx.expiration)")
        print("  transaction id:          \(tx.transactionID)")
        do { try tx.verify() } catch { throw CommandError("verification failed: \(error)") }
        print("OK")
    }
}

/// A command failure: its message is printed as `Error: …` with a non-zero exit, without usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
