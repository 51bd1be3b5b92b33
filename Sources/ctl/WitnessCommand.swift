import ArgumentParser
import Foundation
import Rollup

/// `ctl witness`: sample witnesses for testing the provers and the service.
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Generate a sample witness file.",
        subcommands: [TransactionWitnessCommand.self, BatchWitnessCommand.self, BlockWitnessCommand.self])
}

/// `ctl witness transaction`: a random transaction witness, valid or breaking one rule.
struct TransactionWitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transaction",
        abstract: "Write a random transaction witness (TransactionInputs).")

    @Option(help: "Number of input notes.") var inputs: Int = 1
    @Option(help: "Number of output notes.") var outputs: Int = 1
    @Option(help: "Seed of the deterministic generator.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Break one rule: \(TransactionWitnessGenerator.Violation.allCases.map(\.rawValue).joined(separator: ", ")).",
                               valueName: "RULE"))
    var invalid: String?
    @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String = "-"

    func validate() throws {
        guard (0...TransactionInputs.maxInputNotes).contains(inputs) else { throw ValidationError("--inputs must be in 0...\(TransactionInputs.maxInputNotes)") }
        guard (0...TransactionInputs.maxOutputNotes).contains(outputs) else { throw ValidationError("--outputs must be in 0...\(TransactionInputs.maxOutputNotes)") }
        if let invalid, TransactionWitnessGenerator.Violation(rawValue: invalid) == nil {
            throw ValidationError("unknown rule '\(invalid)'; one of \(TransactionWitnessGenerator.Violation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let violation = invalid.flatMap(TransactionWitnessGenerator.Violation.init(rawValue:))
        let witness = TransactionWitnessGenerator.make(inputs: inputs, outputs: outputs, seed: seed, violating: violation)
        try writeOutput(TransactionInputsCodec.encode(witness), to: output)
    }
}

/// Writes bytes to a file path, or to standard output for "-".
func writeOutput(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(bytes))
    } else {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// Reads a whole file, or standard input for "-".
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}
