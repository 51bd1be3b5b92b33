import ArgumentParser
import Foundation
import Wire

/// `ctl keygen NAME`: writes a CURVE key pair for a scheduler or a proxy (NAME.key, NAME.pub).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a ZeroMQ CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub (public).",
        discussion: """
            A scheduler takes its NAME.key with --curve-secret-key-file and the proxies' .pub files, \
            concatenated, with --curve-allowed-clients; a proxy takes its own NAME.key and the \
            scheduler's NAME.pub with --scheduler-public-key. Existing files are never overwritten.
            """)

    @Argument(help: "Path and base name of the two files, e.g. keys/scheduler.")
    var name: String

    func run() throws {
        do {
            let pair = try ZMQCurveKeyPair.generate()
            try ZMQCurveKeyFiles.write(pair, base: name)
            print("wrote \(name).key and \(name).pub; public key \(pair.publicKey)")
        } catch {
            throw ValidationError(error.description)
        }
    }
}
