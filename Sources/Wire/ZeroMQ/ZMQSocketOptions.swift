import CZMQ

/// Socket options (`zmq_setsockopt` / `zmq_getsockopt`) as typed methods.
///
/// Set options before ``bind(_:)`` / ``connect(_:)``: libzmq applies most of them (high-water marks,
/// routing id) only to connections made afterwards.
extension ZMQSocket {
    /// `ZMQ_LINGER`: how long ``close()`` keeps unsent messages; `nil` = forever (libzmq's default,
    /// which can hang context termination), `.zero` = drop them (this layer's default).
    public func setLinger(_ linger: Duration?) throws(ZMQError) {
        try setInt32Option(ZMQ_LINGER, ZMQMilliseconds.int32(linger), name: "ZMQ_LINGER")
    }

    /// `ZMQ_SNDHWM`: at most this many outgoing messages queued per peer (0 = unlimited; libzmq default 1000).
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt32Option(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    /// `ZMQ_RCVHWM`: at most this many incoming messages queued per peer (0 = unlimited; libzmq default 1000).
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt32Option(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// `ZMQ_RCVTIMEO`: how long ``receive(timeout:)`` with a `nil` timeout waits; `nil` = forever.
    public func setReceiveTimeout(_ timeout: Duration?) throws(ZMQError) {
        try setInt32Option(ZMQ_RCVTIMEO, ZMQMilliseconds.int32(timeout), name: "ZMQ_RCVTIMEO")
    }

    /// `ZMQ_SNDTIMEO`: how long ``send(_:dontWait:)`` waits at the high-water mark; `nil` = forever.
    public func setSendTimeout(_ timeout: Duration?) throws(ZMQError) {
        try setInt32Option(ZMQ_SNDTIMEO, ZMQMilliseconds.int32(timeout), name: "ZMQ_SNDTIMEO")
    }

    /// `ZMQ_ROUTER_MANDATORY` (ROUTER only): sending to an unknown identity throws `EHOSTUNREACH`
    /// (``ZMQError/isHostUnreachable``) instead of being dropped silently.
    public func setRouterMandatory(_ on: Bool) throws(ZMQError) {
        try setInt32Option(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, name: "ZMQ_ROUTER_MANDATORY")
    }

    /// `ZMQ_ROUTING_ID`: the identity a ROUTER peer sees for this socket (1–255 bytes, not starting with 0).
    public func setRoutingID(_ id: [UInt8]) throws(ZMQError) {
        try setBytesOption(ZMQ_ROUTING_ID, id, name: "ZMQ_ROUTING_ID")
    }

    /// `ZMQ_IPV6`: allow IPv6 for tcp endpoints (off by default).
    public func setIPv6(_ on: Bool) throws(ZMQError) {
        try setInt32Option(ZMQ_IPV6, on ? 1 : 0, name: "ZMQ_IPV6")
    }

    /// Reads an `int` option, e.g. `ZMQ_SNDHWM`; for options this type has no method for.
    public func int32Option(_ option: Int32, name: String? = nil) throws(ZMQError) -> Int32 {
        let operation = "zmq_getsockopt(\(name ?? String(option)))"
        let handle = try handle(operation)
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else { throw ZMQError.last(operation) }
        return value
    }

    /// Sets an `int` option, e.g. `ZMQ_SNDHWM`; for options this type has no method for.
    public func setInt32Option(_ option: Int32, _ value: Int32, name: String? = nil) throws(ZMQError) {
        let operation = "zmq_setsockopt(\(name ?? String(option)))"
        let handle = try handle(operation)
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last(operation)
        }
    }

    /// Sets a binary option, e.g. `ZMQ_SUBSCRIBE`; for options this type has no method for.
    public func setBytesOption(_ option: Int32, _ value: [UInt8], name: String? = nil) throws(ZMQError) {
        let operation = "zmq_setsockopt(\(name ?? String(option)))"
        let handle = try handle(operation)
        let rc = value.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last(operation) }
    }
}
