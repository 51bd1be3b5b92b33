import ArgumentParser

/// `ctl`: the operator's command line for the proving service.
@main
struct Ctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Operate the Miden remote prover: witnesses, local proving and verification, protocol hashes.",
        subcommands: [UpCommand.self, StatusCommand.self, ProveCommand.self, AddWorkersCommand.self, RemoveWorkersCommand.self, ListWorkersCommand.self, LoadCommand.self, WitnessCommand.self, ProveLocalCommand.self, VerifyCommand.self, HashCommand.self, KeygenCommand.self])
}
