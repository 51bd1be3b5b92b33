import STARK

/// The batch rules that read only public transaction data, shared by the batch prover (before
/// proving) and `ProvenBatch.verify()` (over the listed headers). Every refusal names the
/// transaction by index and id prefix.
public enum BatchRules {
    /// The most output notes one batch creates (Miden's limit): bounds the note tree and the trace.
    public static let maxOutputNotes = 4096

    /// "transaction K (0x…)": how errors name a transaction.
    public static func name(_ index: Int, _ id: Word) -> String {
        let hex = String(id.e0.value, radix: 16)
        return "transaction \(index) (\(String(repeating: "0", count: 16 - hex.count) + hex)…)"
    }

    /// Between 1 and `ProposedBatch.maxTransactions` transactions and at most `maxOutputNotes` notes.
    public static func checkSizes(transactionCount: Int, outputNoteCount: Int) throws(ProtocolError) {
        guard transactionCount > 0 else { throw .invalid("a batch needs at least one transaction") }
        guard transactionCount <= ProposedBatch.maxTransactions else {
            throw .invalid("\(transactionCount) transactions; a batch holds at most \(ProposedBatch.maxTransactions)")
        }
        guard outputNoteCount <= maxOutputNotes else {
            throw .invalid("\(outputNoteCount) output notes; a batch creates at most \(maxOutputNotes)")
        }
    }

    /// No nullifier twice (naming both transactions), and for an account touched by several
    /// transactions each one's initial commitment is the previous one's final commitment.
    public static func checkNullifiersAndAccountChains(_ headers: [TransactionHeader]) throws(ProtocolError) {
        var ids: [Word] = []
        ids.reserveCapacity(headers.count)
        var spentBy: [Word: Int] = [:]
        var last: [Felt: Int] = [:]
        for (k, tx) in headers.enumerated() {
            ids.append(tx.id)
            for nullifier in tx.nullifiers {
                if let first = spentBy[nullifier] {
                    let firstName = first == k ? "itself" : name(first, ids[first])
                    throw .invalid("\(name(k, ids[k])): nullifier \(nullifier) is already consumed by \(firstName)")
                }
                spentBy[nullifier] = k
            }
            if let previous = last[tx.accountID], headers[previous].finalCommitment != tx.initialCommitment {
                throw .invalid("\(name(k, ids[k])): initial commitment \(tx.initialCommitment) of account \(tx.accountID) "
                               + "is not the final commitment \(headers[previous].finalCommitment) of \(name(previous, ids[previous]))")
            }
            last[tx.accountID] = k
        }
    }
}
