/// Conversions from `Duration` to the millisecond integers libzmq's timeouts use.
enum ZMQMilliseconds {
    /// `nil` → -1 (wait forever); otherwise whole milliseconds, rounded up so a tiny positive wait is not 0,
    /// clamped to `Int32.max`; negative durations become 0.
    static func int32(_ duration: Duration?) -> Int32 {
        guard let duration else { return -1 }
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow || ms >= Int64(Int32.max) { return Int32.max }
        let extra = (attoseconds + perMillisecond - 1) / perMillisecond
        return Int32(min(ms + extra, Int64(Int32.max)))
    }
}
