import Logging
import ServiceLifecycle
import UnixSignals
import Wire

/// Re-reads a CURVE endpoint's allow list on SIGHUP and hands it to the endpoint's ZAP handler, so
/// client keys rotate without a restart.
///
/// A key added to the list is admitted at its next handshake; a removed key is refused for every new
/// connection (a connection it already made stays up until it ends). A list that cannot be read or
/// holds a malformed key is logged and the one in force stays.
public struct CurveAllowListReloadService: Service {
    public let allowList: CurveAllowList
    /// What the list guards, for the log ("job endpoint", "events endpoint").
    public let link: String
    private let apply: @Sendable (Set<String>) -> ZMQAuthenticator.AllowListChange?
    private let logger: Logger

    /// `apply` hands the keys to the running endpoint and returns what changed (nil: not running).
    public init(
        allowList: CurveAllowList, link: String, logger: Logger,
        apply: @escaping @Sendable (Set<String>) -> ZMQAuthenticator.AllowListChange?
    ) {
        self.allowList = allowList
        self.link = link
        self.logger = logger
        self.apply = apply
    }

    /// Reloads once per SIGHUP until graceful shutdown.
    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Reads the list and applies it; returns what changed, nil if nothing was applied.
    @discardableResult
    public func reload() -> ZMQAuthenticator.AllowListChange? {
        let keys: Set<String>
        do { keys = try allowList.load() } catch {
            logger.error("allow list not reloaded; the previous one stays", metadata: [
                "link": "\(link)", "source": "\(allowList)", "error": "\(error)",
            ])
            return nil
        }
        guard let change = apply(keys) else {
            logger.warning("allow list not reloaded: the endpoint is not running", metadata: ["link": "\(link)"])
            return nil
        }
        logger.notice("allow list reloaded", metadata: [
            "link": "\(link)", "source": "\(allowList)", "keys": "\(keys.count)",
            "added": "\(change.added.count)", "removed": "\(change.removed.count)",
            "added_keys": "\(change.added.sorted().joined(separator: ","))",
            "removed_keys": "\(change.removed.sorted().joined(separator: ","))",
        ])
        return change
    }
}
