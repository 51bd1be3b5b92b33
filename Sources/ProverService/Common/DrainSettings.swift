/// How long a process may take to shut down after SIGTERM or SIGINT (`MRP_GRACE_PERIOD`,
/// `MRP_GRACEFUL_SHUTDOWN_TIMEOUT`, flags `--grace-period`, `--graceful-shutdown-timeout`).
///
/// Both phases start from the signal (t0) and run one after the other:
/// - **Grace period** (t0 … t0 + grace): the process takes no new work but finishes the work it
///   holds. It ends early as soon as that work is done.
/// - **Shutdown timeout** (the final step, at most `shutdownTimeout` long): whatever is still in
///   hand when the grace period ends is stopped (a worker cancels its proof, a scheduler hands its
///   jobs back as UNAVAILABLE, a proxy cancels its calls), sockets are closed and the process exits.
///   If the final step overruns, the process exits with status 1 at once.
///
/// So a process is gone at most `gracePeriod + shutdownTimeout` after the signal, and exits with
/// status 0 whenever the final step completed in time.
public struct DrainSettings: Sendable, Equatable {
    /// The reference's default grace period.
    public static let defaultGracePeriod = Duration.seconds(20)
    /// The reference's default bound on the final step.
    public static let defaultShutdownTimeout = Duration.seconds(5)
    /// The defaults (20 s, 5 s).
    public static let defaults = DrainSettings(gracePeriod: defaultGracePeriod, shutdownTimeout: defaultShutdownTimeout)

    /// How long work in hand may run on after the signal.
    public var gracePeriod: Duration
    /// The bound on the final step (stop what is left, close, exit).
    public var shutdownTimeout: Duration

    public init(gracePeriod: Duration, shutdownTimeout: Duration) {
        self.gracePeriod = gracePeriod
        self.shutdownTimeout = shutdownTimeout
    }

    /// The settings from the flags when given, else `MRP_GRACE_PERIOD` / `MRP_GRACEFUL_SHUTDOWN_TIMEOUT`,
    /// else the defaults; a malformed value throws an error naming the flag or variable.
    public static func resolve(
        gracePeriod flagGrace: String?, shutdownTimeout flagTimeout: String?, variables: DrainVariables,
        environment: (String) -> String? = Configuration.environment
    ) throws(DurationParsingError) -> DrainSettings {
        func value(_ flag: String?, flagName: String, variable: String, default fallback: Duration) throws(DurationParsingError) -> Duration {
            if let flag { return try DurationParsing.parse(flag, setting: flagName) }
            if let text = environment(variable) { return try DurationParsing.parse(text, setting: variable) }
            return fallback
        }
        return DrainSettings(
            gracePeriod: try value(flagGrace, flagName: "--grace-period", variable: variables.gracePeriod, default: defaultGracePeriod),
            shutdownTimeout: try value(
                flagTimeout, flagName: "--graceful-shutdown-timeout", variable: variables.shutdownTimeout,
                default: defaultShutdownTimeout))
    }
}
