import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import STARK
import STARKExamples
import Rollup

/// Benchmarks the STARK engine on the example statements (build with `-c release`).
@main
struct StarkBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stark-bench",
        abstract: "Prove and verify the example AIRs and report time per phase, proof size and security.")

    enum Example: String, ExpressibleByArgument, CaseIterable {
        case fib, rpo, tx, batch, block
    }

    @Option(help: "Statement to prove: fib (2-column Fibonacci), rpo (RPO256 hash chain), tx (a transaction), batch (a batch of transactions) or block (a block of account updates and nullifiers).")
    var example: Example = .fib

    @Option(name: .customLong("notes"), parsing: .upToNextOption,
            help: "For --example tx: input/output note counts to run (default 1 4 16).")
    var notes: [Int] = [1, 4, 16]

    @Option(name: .customLong("txs"), parsing: .upToNextOption,
            help: "For --example batch: transactions per batch to run (default 8 64).")
    var txs: [Int] = [8, 64]

    @Option(name: .customLong("updates"), parsing: .upToNextOption,
            help: "For --example block: account updates per block, each with one nullifier (default 16 128 1024).")
    var updates: [Int] = [16, 128, 1024]

    @Option(name: .customLong("log-rows"), parsing: .upToNextOption,
            help: "log2 of the trace rows; several values run several sizes (default 14 16 18 20).")
    var logRows: [Int] = [14, 16, 18, 20]

    @Option(parsing: .upToNextOption, help: "Thread counts to run (default 1 and all cores).")
    var threads: [Int] = []

    @Option(help: "Runs per configuration; the median is reported.")
    var runs: Int = 3

    @Option(help: "Number of queries.") var queries: Int = 32
    @Option(help: "Blowup factor.") var blowup: Int = 8
    @Option(help: "Grinding bits.") var grinding: Int = 16
    @Option(help: "FRI folding factor (2, 4 or 8).") var folding: Int = 8
    @Option(help: "FRI remainder max degree (2^k - 1).") var remainder: Int = 31
    @Option(help: "Extension degree (1 or 2).") var extensionDegree: Int = 2
    @Option(help: "Commitment hash: blake3 or rpo256.") var hash: String = "blake3"

    @Flag(help: "Print one JSON object per run instead of a table.")
    var json = false

    @Flag(help: "Time the RPO256 permutation instead of proving: ns per permutation of the scalar and the multi-lane kernel, and of batched Merkle merges.")
    var permutation = false

    @Flag(help: "Time batched BLAKE3 hashing instead of proving: ns per Merkle node and per row leaf with the scalar and the multi-lane kernel.")
    var blake3 = false

    @Flag(help: "Time the forward NTT instead of proving: ms per transform and ns per butterfly, base field and extension, at each --log-rows size and thread count.")
    var ntt = false

    mutating func run() throws {
        let heapRetainMiB = HeapRetention.applyFromEnvironment()
        if blake3 {
            runBlake3Benchmark()
            return
        }
        if permutation {
            runPermutationBenchmark()
            return
        }
        if ntt {
            runTransformBenchmark(threadCounts: threads.isEmpty ? Array(Set([1, Parallel.coreCount])).sorted() : threads)
            return
        }
        guard let hashFunction = HashFunction.allCases.first(where: { $0.description == hash }) else {
            throw ValidationError("unknown hash \(hash); use blake3 or rpo256")
        }
        let options = ProofOptions(
            numQueries: queries, blowupFactor: blowup, grindingBits: grinding, extensionDegree: extensionDegree,
            friFoldingFactor: folding, friRemainderMaxDegree: remainder, hashFunction: hashFunction)
        try options.validate()
        let threadCounts = threads.isEmpty ? Array(Set([1, Parallel.coreCount])).sorted() : threads
        if !json {
            print("example=\(example.rawValue) queries=\(queries) blowup=\(blowup) grinding=\(grinding) folding=\(folding) "
                + "remainder<=\(remainder) ext=\(extensionDegree) hash=\(hashFunction) heap-retain=\(heapRetainMiB)MiB")
        }
        let sizes: [Int] = switch example {
        case .tx: notes
        case .batch: txs
        case .block: updates
        case .fib, .rpo: logRows
        }
        for size in sizes {
            let workload = try Workload(example: example, size: size)
            let logRow = workload.rows.trailingZeroBitCount
            for t in threadCounts {
                var samples: [Sample] = []
                for _ in 0..<max(1, runs) { samples.append(try measure(workload, options: options, threads: t)) }
                samples.sort { $0.proveMs < $1.proveMs }
                let median = samples[samples.count / 2]
                let label: String = switch example {
                case .tx: "\(size)/\(size) notes, 2^\(logRow) rows"
                case .batch: "\(size) transactions, 2^\(logRow) rows"
                case .block: "\(size) accounts + \(size) nullifiers, 2^\(logRow) rows"
                case .fib, .rpo: "2^\(logRow) rows"
                }
                if json {
                    print(median.json(example: example.rawValue, logRows: logRow, threads: t, hash: hashFunction.description,
                                      notes: example == .tx ? size : nil, size: [.batch, .block].contains(example) ? size : nil))
                } else {
                    print(median.table(label: label, threads: t))
                }
            }
        }
    }

    func measure(_ workload: Workload, options: ProofOptions, threads: Int) throws -> Sample {
        let timings = PhaseTimings()
        let start = DispatchTime.now().uptimeNanoseconds
        let bytes = try workload.prove(options: options, threads: threads, timings: timings)
        let proveNs = DispatchTime.now().uptimeNanoseconds - start
        let verifyStart = DispatchTime.now().uptimeNanoseconds
        try workload.verify(bytes)
        let verifyNs = DispatchTime.now().uptimeNanoseconds - verifyStart
        return Sample(
            proveMs: Double(proveNs) / 1e6, verifyMs: Double(verifyNs) / 1e6, proofBytes: bytes.count,
            proofHash: Blake3.hash(bytes).description,
            securityBits: options.conjecturedSecurity(traceLength: workload.rows), phases: timings.milliseconds,
            peakMiB: PeakMemory.residentMiB())
    }
}

/// One benchmark configuration's measurements.
struct Sample {
    var proveMs: Double
    var verifyMs: Double
    var proofBytes: Int
    /// BLAKE3 of the encoded proof (hex): equal across thread counts and hashing kernels.
    var proofHash: String
    var securityBits: Int
    var phases: [(phase: String, ms: Double)]
    /// The process's peak resident memory so far (monotone: includes building the workload).
    var peakMiB: Int

    func json(example: String, logRows: Int, threads: Int, hash: String, notes: Int?, size: Int?) -> String {
        let phaseFields = phases.map { "\"\($0.phase.replacingSpaces)_ms\": \(fmt($0.ms))" }.joined(separator: ", ")
        let notesField = (notes.map { "\"notes\": \($0), " } ?? "") + (size.map { "\"size\": \($0), " } ?? "")
        return "{\"example\": \"\(example)\", \(notesField)\"log_rows\": \(logRows), \"threads\": \(threads), \"hash\": \"\(hash)\", "
            + "\"prove_ms\": \(fmt(proveMs)), \"verify_ms\": \(fmt(verifyMs)), \"proof_bytes\": \(proofBytes), \"proof_blake3\": \"\(proofHash)\", "
            + "\"security_bits\": \(securityBits), \"peak_rss_mib\": \(peakMiB), \(phaseFields)}"
    }

    func table(label: String, threads: Int) -> String {
        let phaseText = phases.map { "\($0.phase) \(fmt($0.ms))" }.joined(separator: ", ")
        return "\(label), \(threads) thread(s): prove \(fmt(proveMs)) ms, verify \(fmt(verifyMs)) ms, "
            + "proof \(proofBytes) B, security \(securityBits) bits, peak RSS \(peakMiB) MiB\n    phases (ms): \(phaseText)"
    }

    func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(r)
    }
}

extension String {
    var replacingSpaces: String { String(map { $0 == " " || $0 == "-" ? "_" : $0 }) }
}

/// A statement and its trace, ready to prove repeatedly.
struct Workload {
    let rows: Int
    let prove: (ProofOptions, Int, PhaseTimings) throws -> [UInt8]
    let verify: ([UInt8]) throws -> Void

    init(example: StarkBench.Example, size: Int) throws {
        let n = 1 << size
        switch example {
        case .fib:
            rows = n
            let (trace, result) = FibonacciAIR.trace(rows: n)
            let air = FibonacciAIR(rows: n, result: result)
            prove = { options, threads, timings in
                ProofCodec.encode(try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings))
            }
            verify = { try Verifier.verify(proofBytes: $0, air: air) }
        case .rpo:
            rows = n
            let (trace, air) = RPOChainAIR.make(rows: n)
            prove = { options, threads, timings in
                ProofCodec.encode(try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings))
            }
            verify = { try Verifier.verify(proofBytes: $0, air: air) }
        case .tx:
            let witness = TransactionWitnessGenerator.make(inputs: size, outputs: size, seed: UInt64(size))
            let (air, trace, _) = try TransactionProver.trace(for: witness)
            rows = trace.length
            prove = { options, threads, timings in
                ProofCodec.encode(try Prover.prove(air: air, trace: trace, options: options, threads: threads, timings: timings))
            }
            verify = { try Verifier.verify(proofBytes: $0, air: TransactionAIR(statement: air.statement)) }
        case .batch:
            var chain = MockChain(accounts: size, seed: UInt64(size))
            let batch = try chain.proposeBatch(transactions: size, prove: { try TransactionProver.prove($0) })
            rows = BatchAIR(statement: BatchPublicInputs(
                transactionIDs: batch.transactions.map(\.transactionID),
                noteIDs: batch.transactions.flatMap { $0.outputNotes.map(\.id) })).traceInfo.length
            prove = { options, threads, timings in
                ProvenBatchCodec.encode(try BatchProver.prove(batch, options: options, threads: threads, timings: timings))
            }
            verify = { try ProvenBatchCodec.decode($0).verify() }
        case .block:
            // One transaction per account (one input note each), in batches of at most 64.
            var chain = MockChain(accounts: size, seed: UInt64(size))
            let batches = (size + 63) / 64
            let request = try chain.proposeBlock(
                batches: batches, transactionsPerBatch: size / batches,
                proveTransaction: { try TransactionProver.prove($0) }, proveBatch: { try BatchProver.prove($0) })
            rows = BlockAIR.rows(updates: 2 * size)
            prove = { options, threads, timings in
                BlockProofCodec.encode(try BlockProver.prove(request, options: options, threads: threads, timings: timings))
            }
            verify = { try BlockProofCodec.decode($0).verify() }
        }
    }

    func prove(options: ProofOptions, threads: Int, timings: PhaseTimings) throws -> [UInt8] {
        try prove(options, threads, timings)
    }
}


/// Peak resident memory of this process.
enum PeakMemory {
    static func residentMiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss / 1024  // kilobytes on Linux
    }
}
