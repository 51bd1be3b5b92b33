import Foundation
import Synchronization

/// A loopback TCP relay for tests: forwards every connection made to `port` to `targetPort` until
/// ``cut()``; from then on it reads and drops whatever either side sends, without closing anything
/// (a link that went dark: no RST, no FIN, no answer).
final class TCPRelay: Sendable {
    let port: Int
    private let listener: Int32
    private let forwarding = Atomic<Bool>(true)
    private let sockets = Mutex<[Int32]>([])

    init(to targetPort: Int) throws {
        struct RelayError: Error { let step: String }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw RelayError(step: "bind/listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var target = Self.loopback(port: targetPort)
                let connected = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                sockets.withLock { $0 += [client, server] }
                guard connected == 0 else { shutdown(client, Int32(SHUT_RDWR)); continue }
                Thread.detachNewThread { self.pump(from: client, to: server) }
                Thread.detachNewThread { self.pump(from: server, to: client) }
            }
        }
    }

    /// Stops forwarding; connections stay open and what arrives is dropped.
    func cut() { forwarding.store(false, ordering: .sequentiallyConsistent) }

    /// Closes the listener and every relayed connection.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets.withLock({ fds in defer { fds.removeAll() }; return fds }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { shutdown(sink, Int32(SHUT_WR)); return }
            guard forwarding.load(ordering: .sequentiallyConsistent) else { continue }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes { write(sink, $0.baseAddress! + sent, count - sent) }
                guard n > 0 else { return }
                sent += n
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
