import Foundation

/// The result of a `ctl load` run: outcomes by gRPC code, latency percentiles, and every way the
/// run broke its bar (a disallowed code, a failure without a message, a hung call, a proof that
/// does not verify or answers another witness).
struct LoadReport: Codable, Sendable {
    /// Nearest-rank percentiles of a set of latencies, in seconds (zero when the set is empty).
    struct Percentiles: Codable, Sendable {
        var count: Int
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func rank(_ q: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                return sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            }
            count = sorted.count
            p50 = rank(0.50)
            p90 = rank(0.90)
            p99 = rank(0.99)
            max = sorted.last ?? 0
        }
    }

    var durationSeconds: Double
    var clients: Int
    var deadlineSeconds: Double
    var requests: Int
    /// Calls by outcome: "OK", a gRPC code's name, or "HUNG".
    var outcomes: [String: Int]
    /// The first message seen with each failure code.
    var firstMessages: [String: String]
    /// Latency of the calls that returned a proof.
    var proofLatency: Percentiles
    /// Latency of every call.
    var latency: Percentiles
    var problemCount: Int
    /// The first problems found (at most 20).
    var problems: [String]

    /// True when the run met its bar and proved at least once.
    var passed: Bool { problemCount == 0 && (outcomes["OK"] ?? 0) > 0 }

    /// A few lines for a terminal.
    var text: String {
        var lines = ["\(requests) requests from \(clients) clients in \(String(format: "%.1f", durationSeconds)) s (deadline \(String(format: "%.0f", deadlineSeconds)) s)"]
        for (code, count) in outcomes.sorted(by: { $0.value > $1.value }) {
            let message = firstMessages[code].map { "  e.g. \"\($0)\"" } ?? ""
            lines.append("  \(code.padding(toLength: 20, withPad: " ", startingAt: 0)) \(count)\(message)")
        }
        func ms(_ p: Percentiles) -> String {
            String(format: "p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms", p.p50 * 1000, p.p90 * 1000, p.p99 * 1000, p.max * 1000)
        }
        lines.append("proof latency: \(ms(proofLatency)) (\(proofLatency.count) proofs, each verified)")
        lines.append("all calls:     \(ms(latency))")
        if problemCount > 0 {
            lines.append("\(problemCount) problems:")
            lines += problems.map { "  \($0)" }
        }
        lines.append(passed ? "PASS" : "FAIL")
        return lines.joined(separator: "\n")
    }
}
