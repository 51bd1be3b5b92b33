import Testing
@testable import STARK

/// The extension budget: which segments it stores, that proofs do not depend on it, and that a
/// malformed `MRP_PROVER_MEMORY_MIB` is refused by name.
@Suite struct ExtensionBudgetTests {
    @Test func mainFirstThenTheRestOnlyWhileStoring() {
        // Main fits: stored; aux fits what is left; composition does not.
        var allowance = ExtensionAllowance(ExtensionBudget(bytes: 100))
        #expect(allowance.nextLimit == 100)
        allowance.record(stored: true, bytes: 60)
        #expect(allowance.nextLimit == 40)
        allowance.record(stored: true, bytes: 30)
        #expect(allowance.nextLimit == 10)
        allowance.record(stored: false, bytes: 50)
        #expect(allowance.nextLimit == 0)

        // Main streamed: aux and composition stream even though they would fit.
        var streamed = ExtensionAllowance(ExtensionBudget(bytes: 100))
        streamed.record(stored: false, bytes: 500)
        #expect(streamed.nextLimit == 0)
    }

    @Test func segmentsFollowTheLimitTheyAreGiven() throws {
        let domain = LDEDomain(traceLength: 16, blowup: 4)
        let columns = (0..<3).map { c in (0..<16).map { Felt(UInt64(c * 16 + $0 + 1)) } }
        let bytes = SegmentCommitment<Blake3Hasher, Felt>.extensionBytes(width: 3, domain: domain)
        #expect(bytes == 3 * 64 * 8)
        let exact = try SegmentCommitment<Blake3Hasher, Felt>(
            coefficients: columns, domain: domain, extensionDegree: 2, threads: 1, storeLimit: bytes)
        let short = try SegmentCommitment<Blake3Hasher, Felt>(
            coefficients: columns, domain: domain, extensionDegree: 2, threads: 1, storeLimit: bytes - 1)
        #expect(exact.isStored)
        #expect(!short.isStored)
        #expect(exact.tree.root == short.tree.root)
    }

    /// Budgets that store nothing, only the main segment, main and aux, or everything give the
    /// same proof bytes.
    @Test(arguments: [1, 2])
    func proofsDoNotDependOnTheBudget(threads: Int) throws {
        let rows = 64
        let air = PermutationAIR(rows: rows, first: 1)
        let trace = PermutationAIR.trace(rows: rows)
        let domain = LDEDomain(traceLength: rows, blowup: fastOptions.blowupFactor)
        let mainBytes = SegmentCommitment<Blake3Hasher, Felt>.extensionBytes(width: 2, domain: domain)
        let auxBytes = SegmentCommitment<Blake3Hasher, QuadFelt>.extensionBytes(width: 1, domain: domain)
        let budgets = [0, mainBytes, mainBytes + auxBytes, Int.max]
        let proofs = try budgets.map { bytes in
            try ProofCodec.encode(Prover.prove(
                air: air, trace: trace, options: fastOptions, threads: threads, timings: nil, checkTrace: true,
                budget: ExtensionBudget(bytes: bytes)))
        }
        for (bytes, proof) in zip(budgets, proofs) { #expect(proof == proofs[3], "budget \(bytes) bytes") }
        try Verifier.verify(proofBytes: proofs[1], air: air)
    }

    @Test func parsesWholeMebibytes() throws {
        #expect(try ExtensionBudget.parse(mebibytes: "2048") == ExtensionBudget(bytes: 2048 << 20))
        #expect(try ExtensionBudget.parse(mebibytes: " 0\n") == ExtensionBudget(bytes: 0))
        #expect(try ExtensionBudget.parse(mebibytes: "99999999999999999") == ExtensionBudget(bytes: Int.max))
    }

    @Test(arguments: ["", "-1", "1.5", "2G", "abc", "１２"])
    func refusesMalformedValuesByName(text: String) {
        #expect {
            try ExtensionBudget.parse(mebibytes: text)
        } throws: { error in
            "\(error)".contains(ExtensionBudget.environmentVariable)
        }
    }
}
