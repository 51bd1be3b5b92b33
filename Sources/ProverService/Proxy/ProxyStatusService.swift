import GRPCCore
import SwiftProtobuf
import Wire

/// `remote_prover.ProxyStatusApi/Status`: the proxy's version and proof type, and the workers of
/// every scheduler it forwards to, asked afresh on each call (never a stale copy).
public struct ProxyStatusService: RemoteProver_ProxyStatusApi.SimpleServiceProtocol {
    let configuration: ProxyConfiguration
    let pool: SchedulerPool

    public init(configuration: ProxyConfiguration, pool: SchedulerPool) {
        self.configuration = configuration
        self.pool = pool
    }

    public func status(request: Google_Protobuf_Empty, context: ServerContext) async throws -> RemoteProver_ProxyStatus {
        let statuses = await pool.statuses()
        return .with {
            $0.version = ServiceVersion.current
            $0.supportedProofType = configuration.kind.wire
            $0.workers = statuses.flatMap { status in
                status.workers.map { worker in
                    RemoteProver_ProxyWorkerStatus.with {
                        $0.name = worker.address
                        $0.version = worker.version
                        $0.status = worker.health
                    }
                }
            }
        }
    }
}
