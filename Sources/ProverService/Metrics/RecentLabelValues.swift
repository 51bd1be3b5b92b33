/// A bounded set of label values kept in least-recently-used order, so a label whose values come
/// from outside (client addresses) cannot grow a metric's series without limit.
///
/// ``touch(_:)`` marks a value as just seen; when a new value would exceed the capacity, the value
/// seen longest ago is evicted and returned, so its series can be unregistered. Not thread-safe:
/// callers hold a lock.
struct RecentLabelValues {
    /// The most values kept at once.
    let capacity: Int
    /// Value → the tick it was last seen at.
    private var lastSeen: [String: UInt64] = [:]
    private var tick: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity >= 1, "a label set keeps at least one value")
        self.capacity = capacity
    }

    /// How many values are kept now.
    var count: Int { lastSeen.count }

    /// Whether `value` is kept now.
    func contains(_ value: String) -> Bool { lastSeen[value] != nil }

    /// Marks `value` as just seen. Returns the value evicted to make room for it, if any.
    mutating func touch(_ value: String) -> String? {
        tick += 1
        if lastSeen[value] != nil {
            lastSeen[value] = tick
            return nil
        }
        var evicted: String?
        if lastSeen.count >= capacity, let oldest = lastSeen.min(by: { $0.value < $1.value })?.key {
            lastSeen[oldest] = nil
            evicted = oldest
        }
        lastSeen[value] = tick
        return evicted
    }
}
