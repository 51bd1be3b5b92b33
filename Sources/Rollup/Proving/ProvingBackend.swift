import STARK

/// Why a proving request failed: the caller's fault (a bad witness, named), or the proof was stopped.
public enum ProvingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload cannot be decoded or breaks a protocol rule; the message names the problem.
    case invalidWitness(String)
    /// The proof was stopped through its `ProofCancellation` (deadline, shutdown); the message says why.
    case cancelled(String)

    public var description: String {
        switch self {
        case .invalidWitness(let m): return m
        case .cancelled(let m): return m
        }
    }
}

/// The proving surface the service uses: payload in (the kind's witness encoding), payload out
/// (the kind's proven-object encoding). Nothing else of the engine is visible to the service.
public struct ProvingBackend: Sendable {
    public let options: ProofOptions
    public let threads: Int

    public init(options: ProofOptions = .default, threads: Int = Parallel.coreCount) {
        self.options = options
        self.threads = max(1, threads)
    }

    /// Proves a witness (the kind's witness encoding) and returns the kind's proven-object
    /// encoding; throws `ProvingError.invalidWitness` naming what is wrong with the witness (an
    /// undecodable payload or a broken protocol rule), or `ProvingError.cancelled` once
    /// `cancellation` is cancelled (checked between the prover's phases and inside its long loops).
    /// `phases`, when given, is told as each phase (decode, prove, encode) begins and ends.
    public func prove(
        _ kind: ProofKind, payload: [UInt8], cancellation: ProofCancellation? = nil, phases: (any ProvingPhaseObserver)? = nil
    ) throws(ProvingError) -> [UInt8] {
        switch kind {
        case .transaction:
            let inputs = try decode("transaction witness", phases) { () throws(DecodingError) in try TransactionInputsCodec.decode(payload) }
            let proven = try run("transaction", phases) { try TransactionProver.prove(inputs, options: options, threads: threads, cancellation: cancellation) }
            return encode(phases) { ProvenTransactionCodec.encode(proven) }
        case .batch:
            let batch = try decode("batch witness", phases) { () throws(DecodingError) in try ProposedBatchCodec.decode(payload) }
            let proven = try run("batch", phases) { try BatchProver.prove(batch, options: options, threads: threads, cancellation: cancellation) }
            return encode(phases) { ProvenBatchCodec.encode(proven) }
        case .block:
            let request = try decode("block witness", phases) { () throws(DecodingError) in try BlockProofRequestCodec.decode(payload) }
            let proven = try run("block", phases) { try BlockProver.prove(request, options: options, threads: threads, cancellation: cancellation) }
            return encode(phases) { BlockProofCodec.encode(proven) }
        }
    }

    /// Verifies a proven object of `kind` (the kind's proven-object encoding); throws naming the failure.
    public func verify(_ kind: ProofKind, payload: [UInt8]) throws {
        switch kind {
        case .transaction: try ProvenTransactionCodec.decode(payload).verify()
        case .batch: try ProvenBatchCodec.decode(payload).verify()
        case .block: try BlockProofCodec.decode(payload).verify()
        }
    }

    /// Decodes a witness; a decoding error becomes `.invalidWitness("<what>: <error>")`.
    private func decode<T>(_ what: String, _ phases: (any ProvingPhaseObserver)?, _ body: () throws(DecodingError) -> T) throws(ProvingError) -> T {
        phases?.began(.decode)
        do {
            let value = try body()
            phases?.ended(.decode, failure: nil)
            return value
        } catch {
            let failure = ProvingError.invalidWitness("\(what): \(error)")
            phases?.ended(.decode, failure: failure)
            throw failure
        }
    }

    /// Encodes a proven object, reporting the encode phase.
    private func encode(_ phases: (any ProvingPhaseObserver)?, _ body: () -> [UInt8]) -> [UInt8] {
        phases?.began(.encode)
        let bytes = body()
        phases?.ended(.encode, failure: nil)
        return bytes
    }

    /// Runs a prover; a rule violation becomes `.invalidWitness("<kind> witness: <rule>")`, any other
    /// failure `.invalidWitness("<kind> cannot be proven: <error>")`.
    private func run<T>(_ kind: String, _ phases: (any ProvingPhaseObserver)?, _ body: () throws -> T) throws(ProvingError) -> T {
        phases?.began(.prove)
        let failure: ProvingError
        do {
            let value = try body()
            phases?.ended(.prove, failure: nil)
            return value
        } catch let error as ProtocolError {
            failure = .invalidWitness("\(kind) witness: \(error)")
        } catch StarkError.cancelled(let why) {
            failure = .cancelled("\(kind) proof cancelled: \(why)")
        } catch {
            failure = .invalidWitness("\(kind) cannot be proven: \(error)")
        }
        phases?.ended(.prove, failure: failure)
        throw failure
    }
}
