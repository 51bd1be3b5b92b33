/// How much low-degree extension a proof keeps in memory: segments whose extension fits are
/// stored, the others are streamed (re-evaluated coset by coset from their coefficients, see
/// `SegmentCommitment`). Proof bytes do not depend on it; only time and peak memory do.
///
/// Segments are decided in commit order. The main segment is stored when its extension fits the
/// budget; the auxiliary and composition segments are stored when the main one was and they fit
/// in what is left. Once the main segment streams, the others stream too: the constraint
/// evaluation and the DEEP composition then transform per coset anyway, and keeping the small
/// segments would cost memory for little time.
///
/// Default 2,048 MiB (every segment of a 512+512 block is stored, a 1024+1024 block streams),
/// overridden by the environment variable `MRP_PROVER_MEMORY_MIB` (a whole number of MiB, 0 streams
/// everything).
public struct ExtensionBudget: Sendable, Equatable {
    /// Bytes of extension that may be stored, over all segments of one proof.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = max(0, bytes) }

    public init(mebibytes: Int) { self.init(bytes: mebibytes.multipliedReportingOverflow(by: 1 << 20).overflow ? Int.max : mebibytes << 20) }

    public static let defaultMebibytes = 2048
    public static let environmentVariable = "MRP_PROVER_MEMORY_MIB"

    /// Reads a budget in MiB; refuses, naming the variable, anything but a whole number ≥ 0.
    public static func parse(mebibytes text: String) throws(StarkError) -> ExtensionBudget {
        ExtensionBudget(mebibytes: try MebibyteSetting.parse(text, variable: environmentVariable))
    }

    /// The budget from `MRP_PROVER_MEMORY_MIB`, or the default when it is unset or empty. A
    /// malformed value throws (the worker checks it at start-up).
    public static func fromEnvironment() throws(StarkError) -> ExtensionBudget {
        guard let text = MebibyteSetting.value(of: environmentVariable) else { return ExtensionBudget(mebibytes: defaultMebibytes) }
        return try parse(mebibytes: text)
    }

    /// The budget proofs use when none is given: read once per process. A malformed variable
    /// falls back to the default with one line on standard error (proving must not fail on it).
    public static let processDefault: ExtensionBudget = {
        do {
            return try fromEnvironment()
        } catch {
            MebibyteSetting.warn("\(error); using \(defaultMebibytes) MiB")
            return ExtensionBudget(mebibytes: defaultMebibytes)
        }
    }()
}

/// What is left of an `ExtensionBudget` while one proof commits its segments.
struct ExtensionAllowance {
    private(set) var remaining: Int
    /// False once a segment was streamed: the later ones stream too.
    private(set) var storing = true

    init(_ budget: ExtensionBudget) { remaining = budget.bytes }

    /// The store limit to give the next segment's commitment.
    var nextLimit: Int { storing ? remaining : 0 }

    /// Records how the segment was committed.
    mutating func record(stored: Bool, bytes: Int) {
        if stored { remaining -= bytes } else { storing = false }
    }
}
