/// Parses the gRPC `grpc-timeout` header: digits and a unit (H, M, S, m, u, n).
public func parseGRPCTimeout(_ text: String) -> Duration? {
    guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0 else { return nil }
    switch unit {
    case "H": return .seconds(value * 3600)
    case "M": return .seconds(value * 60)
    case "S": return .seconds(value)
    case "m": return .milliseconds(value)
    case "u": return .microseconds(value)
    case "n": return .nanoseconds(value)
    default: return nil
    }
}
