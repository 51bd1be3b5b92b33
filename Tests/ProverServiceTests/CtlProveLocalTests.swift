import Foundation
import Testing
import Rollup

/// `ctl prove-local` recognises the witness kind by its magic tag and proves it with the workers'
/// backend; a file that is not a witness gets an error naming what it is.
@Suite struct CtlProveLocalTests {
    /// Runs the built `ctl` with `arguments`; returns its exit status and standard error.
    static func ctl(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let run = try ExecutableRun.run("ctl", arguments, capturing: .standardError)
        return (run.status, run.text)
    }

    @Test(.timeLimit(.minutes(3))) func provesABatchWitnessAndRefusesAProofFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-prove-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let witness = directory.appendingPathComponent("batch.wit").path
        let proof = directory.appendingPathComponent("batch.proof").path

        let made = try Self.ctl(["witness", "batch", "--txs", "1", "--notes", "1", "--seed", "7", "-o", witness])
        #expect(made.status == 0, "\(made.stderr)")
        let proved = try Self.ctl(["prove-local", witness, "-o", proof, "--threads", "2"])
        #expect(proved.status == 0, "\(proved.stderr)")
        #expect(proved.stderr.contains("proved a batch witness"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: proof)))
        try ProvenBatchCodec.decode(bytes).verify()

        // A proof is not a witness: the error says what the file is and what was expected.
        let refused = try Self.ctl(["prove-local", proof])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("ProvenBatch (MBTP)"))
        #expect(refused.stderr.contains("ProposedBatch (MBTI)"))
    }
}
