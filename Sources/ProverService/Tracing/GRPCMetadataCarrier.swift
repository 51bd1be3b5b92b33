import GRPCCore
import Tracing

/// Writes trace context headers (`traceparent`, `tracestate`) into gRPC metadata, replacing
/// any value already there under the same key.
public struct GRPCMetadataInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.replaceOrAddString(value, forKey: key.lowercased())
    }
}

/// Reads trace context headers from gRPC metadata: the first string value of the key, if any.
public struct GRPCMetadataExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: Metadata) -> String? {
        for value in carrier[stringValues: key.lowercased()] { return value }
        return nil
    }
}
