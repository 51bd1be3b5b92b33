import GRPCCore
import SwiftProtobuf
import Wire

/// `remote_prover.WorkerStatusApi/Status`: the worker's version and its one proof type.
public struct WorkerStatusService: RemoteProver_WorkerStatusApi.SimpleServiceProtocol {
    public let kind: RemoteProver_ProofType

    public init(kind: RemoteProver_ProofType) { self.kind = kind }

    public func status(request: Google_Protobuf_Empty, context: ServerContext) async throws -> RemoteProver_WorkerStatus {
        .with {
            $0.version = ServiceVersion.current
            $0.supportedProofType = kind
        }
    }
}
