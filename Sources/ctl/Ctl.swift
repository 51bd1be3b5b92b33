import ArgumentParser

/// `ctl`: the operator's command line for the proving service.
@main
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Operate the Miden remote prover: witnesses, local proving and verification, protocol hashes.",
        subcommands: [HashCommand.self, WitnessCommand.self, ProveLocalCommand.self, VerifyCommand.self])
}
