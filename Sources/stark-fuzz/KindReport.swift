import FuzzEngine

/// What one kind's campaign saw: outcome counts, refusal categories, explanations, failures,
/// the slowest case and the truncation sweep.
struct KindReport {
    let kind: FuzzKind
    var cases = 0
    var refusedAtDecode = 0
    var refusedAtVerification = 0
    var acceptedHonest = 0
    var acceptedValidWitness = 0
    var acceptedExplained = 0
    var failures: [(caseIndex: Int, message: String)] = []
    var decodeCategories: [String: Int] = [:]
    var verificationCategories: [String: Int] = [:]
    var explanations: [String: Int] = [:]
    var slowestNanos: UInt64 = 0
    var slowestCase = 0
    var wallNanos: UInt64 = 0
    var sweepPrefixes = 0
    var sweepDecoded: [(sample: Int, length: Int)] = []
    var peakRSSMiB = 0

    init(kind: FuzzKind) { self.kind = kind }

    var accepted: Int { acceptedHonest + acceptedValidWitness + acceptedExplained + failures.count }
    var failed: Bool { !failures.isEmpty || !sweepDecoded.isEmpty }

    mutating func record(_ outcome: CaseOutcome, caseIndex: Int, nanos: UInt64) {
        cases += 1
        if nanos > slowestNanos {
            slowestNanos = nanos
            slowestCase = caseIndex
        }
        switch outcome {
        case .refusedAtDecode(let category):
            refusedAtDecode += 1
            decodeCategories[category, default: 0] += 1
        case .refusedAtVerification(let category):
            refusedAtVerification += 1
            verificationCategories[category, default: 0] += 1
        case .accepted(.honest): acceptedHonest += 1
        case .accepted(.validWitness): acceptedValidWitness += 1
        case .accepted(.explained(let why)):
            acceptedExplained += 1
            explanations[why, default: 0] += 1
        case .accepted(.unexplained(let why)):
            failures.append((caseIndex, why))
        }
    }

    /// The lines printed for this kind.
    var lines: [String] {
        var out: [String] = []
        let verifyWord = kind.isProof ? "verification" : "prover checks"
        out.append("\(kind.rawValue): \(cases) cases in \(seconds(wallNanos)) s, slowest \(milliseconds(slowestNanos)) ms (case \(slowestCase)), peak RSS \(peakRSSMiB) MiB")
        out.append("  refused at decode \(refusedAtDecode), refused by \(verifyWord) \(refusedAtVerification), accepted \(accepted)"
            + " (honest bytes \(acceptedHonest), valid witness \(acceptedValidWitness), explained \(acceptedExplained), FAILED \(failures.count))")
        if !decodeCategories.isEmpty { out.append("  decode refusals: " + breakdown(decodeCategories)) }
        if !verificationCategories.isEmpty { out.append("  \(verifyWord) refusals: " + breakdown(verificationCategories)) }
        if !explanations.isEmpty { out.append("  explained acceptances (fields the proof does not bind): " + breakdown(explanations)) }
        if sweepPrefixes > 0 {
            out.append("  truncation sweep: \(sweepPrefixes) prefixes of the honest samples, "
                + (sweepDecoded.isEmpty ? "all refused at decode" : "\(sweepDecoded.count) DECODED (first: sample \(sweepDecoded[0].sample), \(sweepDecoded[0].length) bytes)"))
        }
        for f in failures.prefix(10) { out.append("  FAILED case \(f.caseIndex): \(f.message)") }
        return out
    }

    private func breakdown(_ counts: [String: Int]) -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

func seconds(_ nanos: UInt64) -> String { String(Double(nanos / 10_000_000) / 100) }
func milliseconds(_ nanos: UInt64) -> String { String(Double(nanos / 10_000) / 100) }
