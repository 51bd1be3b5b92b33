/// The libzmq socket patterns this layer supports (the `ZMQ_*` socket type constants).
public enum ZMQSocketType: Int32, Sendable, CaseIterable {
    /// `ZMQ_PAIR`: one peer, both directions; here the receiving end of a socket monitor.
    case pair = 0
    /// `ZMQ_PUB`: fans messages out to every subscriber whose prefix matches; never blocks, drops at the HWM.
    case pub = 1
    /// `ZMQ_SUB`: receives what publishers send, filtered by ``ZMQSocket/subscribe(prefix:)``.
    case sub = 2
    /// `ZMQ_REQ`: strict send/receive alternation, adds an empty delimiter frame.
    case req = 3
    /// `ZMQ_REP`: strict receive/send alternation, answers ``req`` (or a DEALER that adds the delimiter).
    case rep = 4
    /// `ZMQ_DEALER`: asynchronous client; round-robins to its peers, no envelope added.
    case dealer = 5
    /// `ZMQ_ROUTER`: asynchronous server; prefixes each received message with the sender's identity
    /// frame and routes sends by their first frame.
    case router = 6
}
