import FuzzEngine
import Rollup
import STARK
import STARKExamples
import Testing

/// The honest samples of the smallest chain (one block of one batch of one transaction), proven
/// once for every test here.
enum Shared {
    static let samples = try! HonestSamples.make(.minimal, threads: 2)
    static let targets: [FuzzKind: FuzzTarget] = Dictionary(uniqueKeysWithValues: FuzzKind.allCases.map {
        ($0, FuzzTarget.make($0, samples: samples))
    })
}

@Suite struct FuzzEngineTests {
    /// The checks accept what is honest: otherwise every refusal below would mean nothing.
    @Test(arguments: FuzzKind.allCases)
    func honestSamplesAreAccepted(_ kind: FuzzKind) {
        let target = Shared.targets[kind]!
        #expect(!target.samples.isEmpty)
        for (k, sample) in target.samples.enumerated() {
            #expect(target.run(sample, base: k) == .accepted(.honest), "\(kind) sample \(k)")
        }
    }

    /// A few hundred mutants of each kind: none traps, no mutated proof verifies, and the
    /// mutations reach both the decoder and the verifier (or the prover's checks).
    @Test(arguments: FuzzKind.allCases)
    func mutantsAreRefusedCleanly(_ kind: FuzzKind) {
        let target = Shared.targets[kind]!
        var decode = 0, verification = 0, accepted = 0
        for index in 0..<200 {
            let (mutant, outcome) = target.run(case: index, seed: 0x5EED)
            #expect(mutant.bytes != target.samples[mutant.base], "\(kind) case \(index) left its sample unchanged")
            switch outcome {
            case .refusedAtDecode: decode += 1
            case .refusedAtVerification: verification += 1
            case .accepted(let acceptance):
                accepted += 1
                #expect(!acceptance.isFailure, "\(kind) case \(index): \(acceptance); \(mutant.mutations)")
                if kind.isProof { #expect(acceptance != .validWitness) }
            }
        }
        // A mutated witness is often still valid: what matters is that many pass the decoder.
        #expect(decode > 20 && verification > 0 && verification + accepted > 20,
                "\(kind): \(decode) refused at decode, \(verification) at verification, \(accepted) accepted")
    }

    /// Every count field the layout found, set just past its limit, is refused: the walker finds
    /// real count fields, and a count one past its limit never gets through.
    @Test(arguments: FuzzKind.allCases)
    func countsPastTheirLimitsAreRefused(_ kind: FuzzKind) {
        let target = Shared.targets[kind]!
        let sample = target.samples[0]
        let layout = target.mutator.layouts[0]
        #expect(!layout.counts.isEmpty)
        for field in layout.counts {
            guard let limit = field.limit, limit + 1 < 1 << (8 * field.width) else { continue }
            var bytes = sample
            Mutation.count(offset: field.offset, width: field.width, value: UInt64(limit + 1)).apply(to: &bytes, samples: [])
            let outcome = target.run(bytes, base: 0)
            switch outcome {
            case .refusedAtDecode, .refusedAtVerification: continue
            default: Issue.record("\(kind): count at \(field.offset) set to \(limit + 1): \(outcome)")
            }
        }
    }

    @Test(arguments: FuzzKind.allCases)
    func truncationsAreRefusedAtDecode(_ kind: FuzzKind) {
        let target = Shared.targets[kind]!
        var rng = SplitMix64(seed: 7)
        for (k, sample) in target.samples.enumerated() {
            let lengths = target.mutator.layouts[k].truncationLengths(of: sample.count)
            #expect(lengths.first == 0 && lengths.last == sample.count - 1)
            for _ in 0..<60 {
                let length = lengths.randomElement(using: &rng)!
                guard case .refusedAtDecode = target.run(Array(sample[..<length]), base: k) else {
                    Issue.record("\(kind) sample \(k) truncated to \(length) bytes was not refused at decode")
                    return
                }
            }
        }
    }

    /// A whole list item duplicated or removed, with the count and the enclosing length prefixes
    /// adjusted, keeps the framing: the payload still decodes, so structural mutants reach the
    /// rules. (Lists whose items have parts elsewhere, like a proven transaction's nullifiers and
    /// their shape bytes, are left out.)
    @Test(arguments: [FuzzKind.transactionInputs, .proposedBatch, .blockRequest, .provenBatch, .blockProof])
    func listItemsDuplicatedOrRemovedStillDecode(_ kind: FuzzKind) {
        let target = Shared.targets[kind]!
        let sample = target.samples[0]
        let layout = target.mutator.layouts[0]
        let lists = layout.lists.filter { list in
            !layout.embeddedProofs.contains { $0.contains(list.count.offset) } && (kind != .proposedBatch || list.enclosing.isEmpty)
        }
        #expect(!lists.isEmpty)
        for list in lists {
            for mutations in [Mutator.duplicating(item: 0, of: list, at: list.items[0].upperBound, in: sample),
                              Mutator.removing(item: 0, of: list, in: sample)] {
                var bytes = sample
                mutations.forEach { $0.apply(to: &bytes, samples: []) }
                if case .refusedAtDecode(let why) = target.run(bytes) {
                    Issue.record("\(kind): \(mutations) refused at decode (\(why))")
                }
            }
        }
    }

    @Test func casesAreReproducibleAlone() {
        let target = Shared.targets[.provenBatch]!
        let first = (0..<20).map { target.mutator.mutant(case: $0, seed: 3) }
        for index in [0, 7, 19] {
            let again = target.mutator.mutant(case: index, seed: 3)
            #expect(again.bytes == first[index].bytes && again.mutations == first[index].mutations)
        }
        #expect(Set(first.map(\.bytes)).count > 15)
        #expect(target.mutator.mutant(case: 0, seed: 4).bytes != first[0].bytes || target.mutator.mutant(case: 1, seed: 4).bytes != first[1].bytes)
    }

    /// A proof that verifies but is not one of the honest samples is reported as a failure.
    @Test func aVerifyingProofThatIsNotASampleFails() throws {
        let target = Shared.targets[.starkBlake3]!
        let statement = try #require(Shared.samples.fibonacci[.blake3]?.first)
        let rows = statement.air.traceInfo.length
        let other = try Prover.prove(air: statement.air, trace: FibonacciAIR.trace(rows: rows).trace,
                                     options: HonestSamples.otherOptions, threads: 2)
        let bytes = ProofCodec.encode(other)
        #expect(!target.samples.contains(bytes))
        guard case .accepted(.unexplained) = target.run(bytes, base: 0) else {
            Issue.record("a second valid proof of the same statement was not reported")
            return
        }
    }

    /// What a batch proof does not bind (reference block, expiration, header account ids) is
    /// explained, not failed; a changed nullifier is refused.
    @Test func unboundBatchFieldsAreExplained() throws {
        let target = Shared.targets[.provenBatch]!
        let honest = try #require(Shared.samples.provenBatches.first)
        var batch = honest
        batch.expiration &+= 1
        #expect(target.run(ProvenBatchCodec.encode(batch)) == .accepted(.explained("expiration")))
        batch = honest
        batch.referenceBlock.number &+= 1
        batch.transactions[0].accountID = batch.transactions[0].accountID + .one
        #expect(target.run(ProvenBatchCodec.encode(batch)) == .accepted(.explained("reference block, transaction 0 account id")))
        batch = honest
        batch.transactions[0].nullifiers[0].e0 = batch.transactions[0].nullifiers[0].e0 + .one
        guard case .refusedAtVerification = target.run(ProvenBatchCodec.encode(batch)) else {
            Issue.record("a batch with a changed nullifier was not refused by verification")
            return
        }
    }

    /// The batch proof does not bind a header's account id, but a block over the batch refuses it:
    /// the account tree holds another commitment (or nothing) under the changed id.
    @Test func aChangedAccountIDIsRefusedByTheBlockProver() throws {
        let target = Shared.targets[.blockRequest]!
        var request = try #require(Shared.samples.blockRequests.first)
        request.batches[0].transactions[0].accountID = request.batches[0].transactions[0].accountID + .one
        #expect(target.run(BlockProofRequestCodec.encode(request)) == .refusedAtVerification("rule"))
    }

    /// A proof whose options the decoder accepts but whose blowup is below its FRI folding factor
    /// (before `FRIPlan`, the verifier divided by zero on such a proof) is refused, not trapped on.
    @Test func blowupBelowFoldingFactorIsRefused() {
        var bytes = Shared.targets[.starkBlake3]!.samples[0]
        bytes[6] = 1  // log2 blowup: 2, below the folding factor 4
        #expect(Shared.targets[.starkBlake3]!.run(bytes) == .refusedAtVerification("security"))
    }

    /// Each mutation does what its description says.
    @Test func mutationsApplyAsDescribed() {
        let bytes: [UInt8] = Array(0..<16)
        func applied(_ m: Mutation) -> [UInt8] {
            var b = bytes
            m.apply(to: &b, samples: [Array(repeating: 0xAA, count: 8)])
            return b
        }
        #expect(applied(.flipBits([9])) == [0, 3] + Array(2..<16))
        #expect(applied(.element(offset: 8, value: Felt.modulus)).suffix(8) == [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(applied(.count(offset: 0, width: 2, value: 0xFFFF)).prefix(3) == [0xFF, 0xFF, 2])
        #expect(applied(.truncate(length: 3)) == [0, 1, 2])
        #expect(applied(.delete(2..<14)) == [0, 1, 14, 15])
        #expect(applied(.duplicate(0..<2, at: 2)) == [0, 1, 0, 1] + Array(2..<16))
        #expect(applied(.splice(cut: 4, sample: 0, from: 6)) == [0, 1, 2, 3, 0xAA, 0xAA])
        #expect(applied(.overwrite(offset: 14, bytes: [9, 9, 9])) == Array(0..<14) + [9, 9])
        #expect(applied(.insert(offset: 99, bytes: [7])) == bytes + [7])
        #expect(applied(.swap(1..<3, 5..<6)) == [0, 5, 3, 4, 1, 2] + Array(6..<16))
    }
}
