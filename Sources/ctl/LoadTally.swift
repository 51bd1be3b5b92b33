import Foundation

/// Every outcome of a `ctl load` run, collected from all its clients (thread-safe).
final class LoadTally: @unchecked Sendable {
    /// The gRPC codes a loaded service may answer with instead of a proof: a full queue or rate
    /// limit, no worker reachable, the deadline passed. Anything else breaks the run's bar.
    static let allowedFailureCodes: Set<String> = ["RESOURCE_EXHAUSTED", "UNAVAILABLE", "DEADLINE_EXCEEDED"]

    private let lock = NSLock()
    private var byCode: [String: Int] = [:]
    private var firstMessage: [String: String] = [:]
    private var proofLatencies: [Double] = []
    private var allLatencies: [Double] = []
    private var problems: [String] = []
    private var problemCount = 0
    private var identityOfWitness: [Int: String] = [:]
    private var witnessOfIdentity: [String: Int] = [:]

    /// A proof came back after `seconds`; `identity` is what it verified as, or the reason it did not.
    func proof(witness: Int, seconds: Double, identity: Result<String, Error>, expected: String?) {
        lock.withLock {
            record("OK", seconds)
            proofLatencies.append(seconds)
            switch identity {
            case .failure(let error):
                problem("witness \(witness): the returned proof does not verify: \(error)")
            case .success(let id):
                if let expected, id != expected {
                    problem("witness \(witness): the returned proof is for \(id), expected \(expected)")
                }
                if let earlier = identityOfWitness[witness], earlier != id {
                    problem("witness \(witness): proofs for two statements (\(earlier); \(id))")
                }
                if let other = witnessOfIdentity[id], other != witness {
                    problem("witnesses \(other) and \(witness) got proofs of the same statement (\(id))")
                }
                identityOfWitness[witness] = id
                witnessOfIdentity[id] = witness
            }
        }
    }

    /// The call failed with gRPC `code` (UPPER_SNAKE name) and `message` after `seconds`.
    func failure(code: String, message: String, seconds: Double) {
        lock.withLock {
            record(code, seconds)
            if firstMessage[code] == nil { firstMessage[code] = message }
            if !Self.allowedFailureCodes.contains(code) { problem("\(code) is not an allowed failure: \(message)") }
            if message.trimmingCharacters(in: .whitespaces).isEmpty { problem("a \(code) failure without a message") }
        }
    }

    /// The call had no answer `seconds` after it was sent, past its deadline and the grace.
    func hung(seconds: Double) {
        lock.withLock {
            record("HUNG", seconds)
            problem("a call had no answer after \(String(format: "%.1f", seconds)) s (past its deadline)")
        }
    }

    /// The run's report.
    func report(duration: Double, clients: Int, deadline: Double) -> LoadReport {
        lock.withLock {
            LoadReport(
                durationSeconds: duration, clients: clients, deadlineSeconds: deadline, requests: allLatencies.count,
                outcomes: byCode, firstMessages: firstMessage,
                proofLatency: LoadReport.Percentiles(proofLatencies), latency: LoadReport.Percentiles(allLatencies),
                problemCount: problemCount, problems: problems)
        }
    }

    private func record(_ code: String, _ seconds: Double) {
        byCode[code, default: 0] += 1
        allLatencies.append(seconds)
    }

    /// Keeps the first 20 problems' texts; counts all.
    private func problem(_ text: String) {
        problemCount += 1
        if problems.count < 20 { problems.append(text) }
    }
}
