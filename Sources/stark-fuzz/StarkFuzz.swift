import ArgumentParser
import Dispatch
import FuzzEngine
#if canImport(Glibc)
import Glibc
#endif
import STARK

extension FuzzKind: ExpressibleByArgument {}

/// Throws mutated honest payloads at every decoder and verifier (build with `-c release`).
@main
struct StarkFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stark-fuzz",
        abstract: "Mutate honest proofs and witnesses and check every decoder and verifier refuses them cleanly.",
        discussion: """
            Each kind's honest samples are proven once (small, fast options), then every case mutates one: bit flips, \
            byte overwrites, 8-byte elements set ≥ p, count and length prefixes blown up, truncations, appended, \
            deleted and duplicated bytes, splices of two samples. A mutated proof that verifies fails the run, \
            unless it differs from an honest one only in fields its proof is documented not to bind. Case k depends \
            only on --seed, the kind and k: replay one with --start-case k --cases 1.
            """)

    @Option(help: "Seed of the mutations (the honest samples do not depend on it).")
    var seed: UInt64 = 1

    @Option(help: "Cases per kind.")
    var cases: Int = 100_000

    @Option(name: .customLong("start-case"), help: "Number of the first case (to replay a case).")
    var startCase: Int = 0

    @Option(name: .customLong("kind"), parsing: .upToNextOption,
            help: "Kinds to fuzz (default all): \(FuzzKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kinds: [FuzzKind] = FuzzKind.allCases

    @Option(name: .customLong("max-rss-mib"), help: "Fail if the peak resident memory exceeds this many MiB.")
    var maxRSSMiB: Int = 1024

    @Option(name: .customLong("progress-every"), help: "Print a progress line every this many cases (0: never).")
    var progressEvery: Int = 10_000

    @Option(help: "Threads for proving the honest samples (cases run on one thread).")
    var threads: Int = Parallel.coreCount

    @Flag(inversion: .prefixedNo, help: "Also decode every proper prefix of every honest sample (all must be refused).")
    var sweep = true

    @Flag(help: "Print every case: its sample, mutations and outcome.")
    var verbose = false

    @Option(name: .customLong("save-dir"), help: "Write each case's mutated bytes to DIR/<kind>-<case>.bin.")
    var saveDir: String?

    func validate() throws {
        guard cases >= 0, startCase >= 0 else { throw ValidationError("--cases and --start-case must not be negative") }
        guard maxRSSMiB > 0 else { throw ValidationError("--max-rss-mib must be positive") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    mutating func run() throws {
        CrashContext.install(kinds: FuzzKind.allCases.map(\.rawValue),
                             replay: " --seed \(seed)")
        let start = DispatchTime.now().uptimeNanoseconds
        let samples = try HonestSamples.make(.campaign, threads: threads)
        let setupNanos = DispatchTime.now().uptimeNanoseconds - start
        say("stark-fuzz: seed \(seed), cases \(startCase)..<\(startCase + cases) per kind, honest samples proven in "
            + "\(seconds(setupNanos)) s, peak RSS \(ResidentMemory.peakMiB()) MiB")

        var reports: [KindReport] = []
        var memoryExceeded = false
        for kind in kinds {
            let target = FuzzTarget.make(kind, samples: samples)
            say("\(kind.rawValue): \(target.samples.count) honest samples of \(target.samples.map { String($0.count) }.joined(separator: ", ")) bytes")
            var report = runKind(target)
            report.peakRSSMiB = ResidentMemory.peakMiB()
            report.lines.forEach { say($0) }
            reports.append(report)
            if report.peakRSSMiB > maxRSSMiB {
                memoryExceeded = true
                break
            }
        }

        let total = reports.reduce(0) { $0 + $1.cases }
        let wall = DispatchTime.now().uptimeNanoseconds - start
        let peak = ResidentMemory.peakMiB()
        say("total: \(total) cases over \(reports.count) kind(s) in \(seconds(wall)) s, peak RSS \(peak) MiB (bound \(maxRSSMiB) MiB)")
        var problems: [String] = []
        if memoryExceeded || peak > maxRSSMiB { problems.append("peak RSS \(peak) MiB exceeds \(maxRSSMiB) MiB") }
        for r in reports where !r.failures.isEmpty { problems.append("\(r.kind.rawValue): \(r.failures.count) mutated proof(s) verified") }
        for r in reports where !r.sweepDecoded.isEmpty { problems.append("\(r.kind.rawValue): \(r.sweepDecoded.count) truncated sample(s) decoded") }
        if !problems.isEmpty {
            say("FAILED: " + problems.joined(separator: "; "))
            throw ExitCode.failure
        }
        say("OK: no crash, no accepted mutant proof, memory within bound")
    }

    /// The truncation sweep, then the cases of one kind.
    func runKind(_ target: FuzzTarget) -> KindReport {
        var report = KindReport(kind: target.kind)
        CrashContext.kind = FuzzKind.allCases.firstIndex(of: target.kind)!
        let kindStart = DispatchTime.now().uptimeNanoseconds
        if sweep {
            for (s, sample) in target.samples.enumerated() {
                CrashContext.sweepSample = s
                for length in target.mutator.layouts[s].truncationLengths(of: sample.count) {
                    CrashContext.caseIndex = -1 - length
                    report.sweepPrefixes += 1
                    if case .refusedAtDecode = target.run(Array(sample[..<length]), base: s) { continue }
                    report.sweepDecoded.append((s, length))
                }
            }
        }
        for index in startCase..<(startCase + cases) {
            CrashContext.caseIndex = index
            let caseStart = DispatchTime.now().uptimeNanoseconds
            let (mutant, outcome) = target.run(case: index, seed: seed)
            let nanos = DispatchTime.now().uptimeNanoseconds - caseStart
            report.record(outcome, caseIndex: index, nanos: nanos)
            if verbose {
                say("case \(index): sample \(mutant.base), \(mutant.bytes.count) bytes, "
                    + mutant.mutations.map(\.description).joined(separator: "; ") + " -> \(outcome)")
            }
            if let saveDir { save(mutant.bytes, to: "\(saveDir)/\(target.kind.rawValue)-\(index).bin") }
            if case .accepted(let acceptance) = outcome, acceptance.isFailure {
                say("FAILED case \(index) of \(target.kind.rawValue): \(acceptance) — sample \(mutant.base), "
                    + mutant.mutations.map(\.description).joined(separator: "; "))
            }
            let done = index - startCase + 1
            if progressEvery > 0 && done % progressEvery == 0 {
                let elapsed = DispatchTime.now().uptimeNanoseconds - kindStart
                printError("  [\(target.kind.rawValue)] \(done)/\(cases) cases, \(seconds(elapsed)) s, decode refused \(report.refusedAtDecode), "
                    + "\(target.kind.isProof ? "verification" : "checks") refused \(report.refusedAtVerification), "
                    + "accepted \(report.accepted), peak RSS \(ResidentMemory.peakMiB()) MiB")
            }
            if done % 256 == 0 && ResidentMemory.peakMiB() > maxRSSMiB {
                say("\(target.kind.rawValue): peak RSS \(ResidentMemory.peakMiB()) MiB exceeds \(maxRSSMiB) MiB at case \(index); stopping")
                break
            }
        }
        CrashContext.kind = -1
        report.wallNanos = DispatchTime.now().uptimeNanoseconds - kindStart
        return report
    }

    func save(_ bytes: [UInt8], to path: String) {
        guard let file = fopen(path, "wb") else {
            printError("stark-fuzz: cannot write \(path)")
            return
        }
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
}

/// Writes a line to standard output at once (unbuffered, so nothing is lost if a case traps).
func say(_ line: String) { writeLine(line, to: 1) }
/// Writes a line to standard error at once.
func printError(_ line: String) { writeLine(line, to: 2) }

private func writeLine(_ line: String, to descriptor: Int32) {
    var bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBufferPointer { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        guard written > 0 else { return }
        offset += written
    }
}
