import Foundation
import GRPCCore

/// Request ids: the client's `x-request-id` metadata when present, else a fresh UUID.
public enum RequestID {
    public static let metadataKey = "x-request-id"

    public static func from(_ metadata: Metadata) -> String {
        for value in metadata[stringValues: metadataKey] where !value.isEmpty { return value }
        return UUID().uuidString.lowercased()
    }
}
