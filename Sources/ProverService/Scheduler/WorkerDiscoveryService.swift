import Logging
import ServiceLifecycle

/// Finds workers behind DNS names and keeps the scheduler's discovered pool in step with them.
///
/// Each name (`worker-transaction:50051`: a Kubernetes headless Service, a compose service scaled
/// with `--scale`) is resolved every `interval`; every IPv4 address behind it, with the name's port,
/// is a worker. ``Scheduler/syncDiscoveredWorkers(_:)`` adds new ones (probed, jobs after their
/// first good check) and removes the ones gone (a job in flight finishes first). A name that does
/// not resolve (NXDOMAIN: no ready pods) contributes no workers; a lookup that fails for another
/// reason (DNS server unreachable) keeps that name's last answer, so a DNS hiccup drains nothing.
public struct WorkerDiscoveryService: Service {
    public let names: [WorkerAddress]
    public let interval: Duration
    private let scheduler: Scheduler
    private let resolve: @Sendable (String) async -> DNSResolver.Answer
    private let logger: Logger

    public init(
        names: [WorkerAddress], interval: Duration, scheduler: Scheduler, logger: Logger,
        resolve: @escaping @Sendable (String) async -> DNSResolver.Answer = DNSResolver.ipv4
    ) {
        self.names = names
        self.interval = interval
        self.scheduler = scheduler
        self.logger = logger
        self.resolve = resolve
    }

    public func run() async throws {
        var last: [WorkerAddress: Set<WorkerAddress>] = [:]
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            last = await refresh(last)
            try? await Task.sleep(for: interval)
        }
    }

    /// One round: resolves every name and syncs the pool; returns each name's answer to keep.
    public func refresh(_ last: [WorkerAddress: Set<WorkerAddress>]) async -> [WorkerAddress: Set<WorkerAddress>] {
        var current = last
        for name in names {
            switch await resolve(name.host) {
            case .addresses(let addresses):
                current[name] = Set(addresses.map { WorkerAddress(host: $0, port: name.port) })
            case .noSuchName:
                if last[name]?.isEmpty == false { logger.notice("discovery name has no addresses now", metadata: ["name": "\(name)"]) }
                current[name] = []
            case .failed(let why):
                logger.warning("worker discovery lookup failed; keeping the last answer", metadata: ["name": "\(name)", "error": "\(why)"])
            }
        }
        do {
            let (added, removed) = try await scheduler.syncDiscoveredWorkers(current.values.reduce(into: Set()) { $0.formUnion($1) })
            if !added.isEmpty || !removed.isEmpty {
                logger.info("discovered workers changed", metadata: ["joined": "\(added.map(\.description))", "left": "\(removed.map(\.description))"])
            }
        } catch {
            logger.error("worker discovery could not update the pool", metadata: ["error": "\(error)"])
        }
        return current
    }
}
