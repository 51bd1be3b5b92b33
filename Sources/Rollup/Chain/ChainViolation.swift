/// The rules a mock batch can be made to break (for tests and `ctl witness batch --invalid RULE`).
public enum BatchViolation: String, CaseIterable, Sendable {
    /// Two transactions consume the same note.
    case duplicateNullifier = "duplicate-nullifier"
    /// An account's second transaction is built from its state before its first one.
    case brokenChain = "broken-chain"
    /// A transaction expires at or before the batch's reference block (it references an older header).
    case expired
    /// One byte of a transaction proof is flipped.
    case tamperedProof = "tampered-proof"
}

/// The rules a mock block can be made to break (for tests and `ctl witness block --invalid RULE`).
public enum BlockViolation: String, CaseIterable, Sendable {
    /// A note whose nullifier is already in the nullifier tree (spent in an earlier block) is consumed again.
    case spentNullifier = "spent-nullifier"
    /// An account witness whose leaf is not the account's current commitment.
    case staleAccount = "stale-account"
    /// The same note is consumed in two batches.
    case duplicateNullifier = "duplicate-nullifier"
    /// One byte of a batch proof is flipped.
    case tamperedBatch = "tampered-batch"
    /// A sibling of an account witness's path is changed.
    case wrongPath = "wrong-path"
}

extension Array where Element == UInt8 {
    /// The bytes with the middle one inverted (an empty list becomes one byte): a tampered proof.
    func tampered() -> [UInt8] {
        guard !isEmpty else { return [0xFF] }
        var out = self
        out[count / 2] ^= 0xFF
        return out
    }
}
