import ArgumentParser

/// `ctl`: the operator's command line for the proving service.
@main
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Operate the Miden remote prover: generate witnesses, hash protocol values.",
        subcommands: [HashCommand.self, WitnessCommand.self])
}
