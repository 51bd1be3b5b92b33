import Foundation
import Logging
import OTel

/// Settings come from a flag, else from an `MRP_*` environment variable, else a default.
public enum Configuration {
    /// The environment variable's value, if set and not empty.
    public static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Parses "true/false/1/0/yes/no".
    public static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: return nil
        }
    }

    /// A command-line switch: on when the flag is given or the variable holds a true value.
    public static func flag(_ given: Bool, environment name: String) -> Bool {
        given || (environment(name).flatMap(bool) ?? false)
    }

    /// The log level from `MRP_LOG` or `LOG_LEVEL` (`RUST_LOG` style names), default info.
    public static var logLevel: Logger.Level {
        let text = (environment(ProcessVariables().log) ?? environment("LOG_LEVEL") ?? "info").lowercased()
        switch text {
        case "trace": return .trace
        case "debug": return .debug
        case "warn", "warning": return .warning
        case "error": return .error
        case "critical", "off": return .critical
        default: return .info
        }
    }

    /// Bootstraps swift-log once: structured lines on standard error at `logLevel`; a line logged
    /// inside a trace span carries `trace_id` and `span_id`.
    public static func bootstrapLogging() {
        let level = logLevel
        let traceIDs = OTel.makeLoggingMetadataProvider()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: traceIDs)
            handler.logLevel = level
            return handler
        }
    }
}
