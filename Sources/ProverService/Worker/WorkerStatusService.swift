import GRPCCore
import SwiftProtobuf
import Wire

/// `remote_prover.WorkerStatusApi/Status`: the worker's version and its one proof type.
public struct WorkerStatusService: RemoteProver_WorkerStatusApi.SimpleServiceProtocol {
    public let kind: RemoteProver_ProofType
    public let version: String

    public init(kind: RemoteProver_ProofType, version: String = ServiceVersion.current) {
        self.kind = kind
        self.version = version
    }

    public func status(request: Google_Protobuf_Empty, context: ServerContext) async throws -> RemoteProver_WorkerStatus {
        .with {
            $0.version = version
            $0.supportedProofType = kind
        }
    }
}
