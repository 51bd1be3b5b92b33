import Foundation
import SwiftProtobuf
import Wire

/// Sends one operator command to a scheduler's control endpoint and waits for the answer.
public enum ControlClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The scheduler's response to `request`, or a failure if it does not answer within `timeout`.
    public static func send(
        _ request: Mrp_Internal_V1_ControlRequest, to endpoint: String, timeout: Duration = .seconds(5)
    ) throws -> Mrp_Internal_V1_ControlResponse {
        let context = try ZMQContext()
        defer { context.close() }
        let socket = try ZMQSocket(context: context, type: .dealer)
        defer { socket.close() }
        try socket.setLinger(.zero)
        try socket.connect(endpoint)
        try socket.send(request)
        guard let response = try socket.receive(Mrp_Internal_V1_ControlResponse.self, timeout: timeout) else {
            throw Failure(description: "no answer from the scheduler's control endpoint \(endpoint) within \(timeout)")
        }
        return response
    }
}
