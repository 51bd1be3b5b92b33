import Rollup
import STARK

/// One kind's honest samples, its mutator, and the check every mutant goes through: decode,
/// then verify (proofs) or the prover's checks before proving (witnesses), then, if accepted,
/// whether that is explainable.
public struct FuzzTarget: Sendable {
    public let kind: FuzzKind
    public let mutator: Mutator
    /// `(bytes, index of the sample the mutant started from) -> outcome`.
    let check: @Sendable ([UInt8], Int) -> CaseOutcome

    public var samples: [[UInt8]] { mutator.samples }

    /// Runs one payload through decode and verification.
    public func run(_ bytes: [UInt8], base: Int = 0) -> CaseOutcome { check(bytes, base) }

    /// The mutant of case `index`, and what became of it.
    public func run(case index: Int, seed: UInt64) -> (mutant: Mutator.Mutant, outcome: CaseOutcome) {
        let mutant = mutator.mutant(case: index, seed: seed)
        return (mutant, check(mutant.bytes, mutant.base))
    }

    /// The target of `kind` over `samples`.
    public static func make(_ kind: FuzzKind, samples: HonestSamples) -> FuzzTarget {
        let payloads = samples.payloads(kind)
        let honest = Set(payloads)
        let mutator = Mutator(kind: kind, samples: payloads)
        let check: @Sendable ([UInt8], Int) -> CaseOutcome
        switch kind {
        case .starkBlake3, .starkRPO256:
            let airs = samples.fibonacci[kind == .starkBlake3 ? .blake3 : .rpo256, default: []].map(\.air)
            check = { bytes, base in
                let proof: StarkProof
                do { proof = try ProofCodec.decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
                do { try Verifier.verify(proof: proof, air: airs[base]) } catch {
                    return .refusedAtVerification(RefusalCategory.of(error))
                }
                return .accepted(honest.contains(bytes) ? .honest : .unexplained("a mutated STARK proof verifies"))
            }
        case .provenTransaction:
            check = proofCheck(honest: honest, decode: ProvenTransactionCodec.decode) { try $0.verify() }
        case .blockProof:
            check = proofCheck(honest: honest, decode: BlockProofCodec.decode) { try $0.verify() }
        case .provenBatch:
            let batches = samples.provenBatches
            check = { bytes, _ in
                let batch: ProvenBatch
                do { batch = try ProvenBatchCodec.decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
                do { try batch.verify() } catch { return .refusedAtVerification(RefusalCategory.of(error)) }
                if honest.contains(bytes) { return .accepted(.honest) }
                if let why = UnboundFields.explain(batch, honest: batches) { return .accepted(.explained(why)) }
                return .accepted(.unexplained("a mutated batch proof verifies"))
            }
        case .transactionInputs:
            check = { bytes, _ in
                let inputs: TransactionInputs
                do { inputs = try TransactionInputsCodec.decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
                do { _ = try TransactionProver.trace(for: inputs) } catch {
                    return .refusedAtVerification(RefusalCategory.of(error))
                }
                return .accepted(honest.contains(bytes) ? .honest : .validWitness)
            }
        case .proposedBatch:
            let transactions = Set(samples.provenTransactions)
            check = { bytes, _ in
                let batch: ProposedBatch
                do { batch = try ProposedBatchCodec.decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
                do { _ = try BatchProver.check(batch, threads: 1) } catch { return .refusedAtVerification(RefusalCategory.of(error)) }
                if honest.contains(bytes) { return .accepted(.honest) }
                if let k = batch.transactions.firstIndex(where: { !transactions.contains($0) }) {
                    return .accepted(.unexplained("transaction \(k) differs from every honest transaction, yet its proof verifies"))
                }
                return .accepted(.validWitness)
            }
        case .blockRequest:
            let batches = samples.provenBatches
            let honestBatches = Set(batches)
            check = { bytes, _ in
                let request: BlockProofRequest
                do { request = try BlockProofRequestCodec.decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
                do { _ = try BlockProver.prepare(request, threads: 1) } catch {
                    return .refusedAtVerification(RefusalCategory.of(error))
                }
                if honest.contains(bytes) { return .accepted(.honest) }
                var explained: [String] = []
                for (k, batch) in request.batches.enumerated() where !honestBatches.contains(batch) {
                    guard let why = UnboundFields.explain(batch, honest: batches) else {
                        return .accepted(.unexplained("batch \(k) differs from every honest batch, yet its proof verifies"))
                    }
                    explained.append("batch \(k): \(why)")
                }
                return .accepted(explained.isEmpty ? .validWitness : .explained(explained.joined(separator: "; ")))
            }
        }
        return FuzzTarget(kind: kind, mutator: mutator, check: check)
    }

    /// Decode, verify; an accepted mutant must be byte-identical to an honest sample.
    private static func proofCheck<T>(honest: Set<[UInt8]>,
                                      decode: @escaping @Sendable ([UInt8]) throws(Rollup.DecodingError) -> T,
                                      verify: @escaping @Sendable (T) throws -> Void) -> @Sendable ([UInt8], Int) -> CaseOutcome {
        { bytes, _ in
            let object: T
            do { object = try decode(bytes) } catch { return .refusedAtDecode(RefusalCategory.of(error)) }
            do { try verify(object) } catch { return .refusedAtVerification(RefusalCategory.of(error)) }
            return .accepted(honest.contains(bytes) ? .honest : .unexplained("a mutated proof verifies"))
        }
    }
}

/// The fields of a proven batch its proof does not bind, as `ProvenBatch.verify()` documents:
/// the reference block and the expiration. The transaction headers' account ids are bound only
/// through the account commitments (the transaction id hashes the commitments, not the id), so a
/// changed account id also verifies; the block prover's account-tree check refuses it.
enum UnboundFields {
    /// Which unbound fields make `batch` differ from one of the honest batches, or nil if it
    /// differs from each of them in a bound field as well.
    static func explain(_ batch: ProvenBatch, honest: [ProvenBatch]) -> String? {
        for original in honest where original.transactions.count == batch.transactions.count {
            var changed: [String] = []
            var normalised = batch
            if batch.referenceBlock != original.referenceBlock {
                changed.append("reference block")
                normalised.referenceBlock = original.referenceBlock
            }
            if batch.expiration != original.expiration {
                changed.append("expiration")
                normalised.expiration = original.expiration
            }
            for k in batch.transactions.indices where batch.transactions[k].accountID != original.transactions[k].accountID {
                changed.append("transaction \(k) account id")
                normalised.transactions[k].accountID = original.transactions[k].accountID
            }
            if normalised == original { return changed.joined(separator: ", ") }
        }
        return nil
    }
}
