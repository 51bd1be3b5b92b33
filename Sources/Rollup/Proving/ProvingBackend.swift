import STARK

/// Why a proving request failed: the caller's fault (a bad witness, named) or unsupported.
public enum ProvingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload cannot be decoded or breaks a protocol rule; the message names the problem.
    case invalidWitness(String)
    /// This build cannot prove this kind yet.
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidWitness(let m): return m
        case .unsupported(let m): return m
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

    /// True if this build can prove `kind`.
    public static func supports(_ kind: ProofKind) -> Bool { kind == .transaction }

    /// Proves a witness; throws `ProvingError` naming what is wrong with it.
    public func prove(_ kind: ProofKind, payload: [UInt8]) throws(ProvingError) -> [UInt8] {
        switch kind {
        case .transaction:
            let inputs: TransactionInputs
            do { inputs = try TransactionInputsCodec.decode(payload) } catch { throw .invalidWitness("transaction witness: \(error)") }
            do {
                let proven = try TransactionProver.prove(inputs, options: options, threads: threads)
                return ProvenTransactionCodec.encode(proven)
            } catch let error as ProtocolError {
                throw .invalidWitness("transaction witness: \(error)")
            } catch {
                throw .invalidWitness("transaction cannot be proven: \(error)")
            }
        case .batch, .block:
            throw .unsupported("\(kind) proofs are not implemented in this build")
        }
    }

    /// Verifies a proven object of `kind`; throws naming the failure.
    public func verify(_ kind: ProofKind, payload: [UInt8]) throws {
        switch kind {
        case .transaction: try ProvenTransactionCodec.decode(payload).verify()
        case .batch, .block: throw ProvingError.unsupported("\(kind) proofs are not implemented in this build")
        }
    }
}
