import Foundation

/// Parses the duration settings every process accepts (`MRP_TIMEOUT`, `MRP_HEALTH_CHECK_INTERVAL`, …):
/// `20ms`, `10s`, `5m`, `1h`, `250us`, `100ns`, or a bare number of seconds (`10`, `1.5`).
public enum DurationParsing {
    /// The duration `text` names, or nil when it is malformed or negative.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var number = trimmed
        var scale = 1e9
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = String(trimmed.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = unit.nanoseconds
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
              let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let nanos = (value * scale).rounded()
        guard nanos < Double(Int64.max) else { return nil }
        return .nanoseconds(Int64(nanos))
    }

    /// Like ``parse(_:)``, throwing an error that names the setting and the bad value.
    public static func parse(_ text: String, setting: String) throws(DurationParsingError) -> Duration {
        guard let duration = parse(text) else { throw DurationParsingError(setting: setting, text: text) }
        return duration
    }
}

/// A duration setting that could not be parsed.
public struct DurationParsingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The flag or variable it came from.
    public var setting: String
    /// The text given.
    public var text: String

    public var description: String { "\(setting): '\(text)' is not a duration (use e.g. 20ms, 10s, 5m or a number of seconds)" }
}
