import Testing
import ProverService
import Wire

/// Which ZeroMQ endpoints may carry plaintext without `--insecure`: only those that cannot leave the
/// host (loopback TCP, ipc, inproc); every other transport, wildcard and malformed endpoint is refused.
@Suite struct LinkSecurityPolicyTests {
    /// Whether a link to `endpoint` without keys and without `--insecure` may start.
    func plaintextAllowed(_ endpoint: String) -> Bool {
        (try? CurveKeySettings.clientSecurity(
            pair: nil, serverKey: nil, endpoints: [endpoint], insecure: false, link: "test link", keysHint: "keys")) != nil
    }

    @Test(arguments: [
        "tcp://127.0.0.1:1", "tcp://localhost:1", "tcp://LocalHost:1", "tcp://[::1]:1", "tcp://127.200.3.4:1",
        "tcp://[0:0:0:0:0:0:0:1]:1", "tcp://[::ffff:127.0.0.1]:1", "tcp://10.1.2.3:0;127.0.0.1:1",
        "ipc:///tmp/mrp.sock", "inproc://mrp-jobs",
    ])
    func endpointsThatStayOnTheHostMayBePlaintext(endpoint: String) {
        #expect(plaintextAllowed(endpoint))
    }

    @Test(arguments: [
        "tcp://0.0.0.0:1", "tcp://10.1.2.3:1", "tcp://*:1", "tcp://[::]:1", "tcp://[::ffff:10.1.2.3]:1",
        "tcp://example.com:1", "tcp://127.0.0.1.example.com:1", "tcp://localhost.example.com:1", "tcp://127.0.0.256:1",
        "tcp://eth0:1", "tcp://127.0.0.1:1;10.1.2.3:1",
        // Transports that leave the host (multicast, UDP, WebSocket, cluster IPC).
        "pgm://eth0;239.192.1.1:5555", "epgm://eth0;239.192.1.1:5555", "udp://10.1.2.3:1", "ws://10.1.2.3:1/mrp",
        "tipc://{5560,0,0}", "vmci://1:1",
        // Malformed.
        "", "tcp://", "tcp://:1", "tcp://[::1", "10.1.2.3:1", "TCP://10.1.2.3:1", "tcp//127.0.0.1:1",
    ])
    func everyOtherEndpointIsRefused(endpoint: String) {
        #expect(!plaintextAllowed(endpoint))
    }

    @Test func insecureAllowsAnyEndpoint() throws {
        let security = try CurveKeySettings.clientSecurity(
            pair: nil, serverKey: nil, endpoints: ["tcp://10.1.2.3:1", "epgm://eth0;239.192.1.1:5555"], insecure: true,
            link: "test link", keysHint: "keys")
        #expect(security == .plaintext)
    }

    @Test func theRefusalNamesTheLinkAndTheHost() {
        #expect {
            try CurveKeySettings.clientSecurity(
                pair: nil, serverKey: nil, endpoints: ["tcp://10.1.2.3:1"], insecure: false, link: "link to scheduler", keysHint: "give keys")
        } throws: { error in
            "\(error)".contains("link to scheduler tcp://10.1.2.3:1") && "\(error)".contains("on 10.1.2.3") && "\(error)".contains("give keys")
        }
    }

    @Test(arguments: [
        ("tcp://127.0.0.1:1", "127.0.0.1"), ("tcp://localhost:1", "localhost"), ("tcp://[::1]:1", "::1"),
        ("tcp://0.0.0.0:1", "0.0.0.0"), ("tcp://10.1.2.3:1", "10.1.2.3"), ("tcp://10.1.2.3:0;127.0.0.1:1", "127.0.0.1"),
        ("tcp://[fe80::1%eth0]:1", "fe80::1%eth0"), ("tcp://*:1", "*"),
    ])
    func theHostOfATCPEndpoint(endpoint: String, host: String) {
        #expect(LinkSecurityPolicy.host(ofEndpoint: endpoint) == host)
    }

    @Test(arguments: ["ipc:///tmp/mrp.sock", "inproc://mrp-jobs", "epgm://eth0;239.192.1.1:5555", "", "tcp://", "tcp://:1", "tcp://[::1"])
    func otherTransportsAndMalformedEndpointsHaveNoHost(endpoint: String) {
        #expect(LinkSecurityPolicy.host(ofEndpoint: endpoint) == nil)
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
    func loopbackHosts(host: String) {
        #expect(LinkSecurityPolicy.isLoopback(host: host))
    }

    @Test(arguments: ["0.0.0.0", "10.1.2.3", "::", "*", "", "127.0.0", "127.0.0.256", "128.0.0.1", "::2", "::ffff:10.1.2.3", "localhost.example.com"])
    func otherHosts(host: String) {
        #expect(!LinkSecurityPolicy.isLoopback(host: host))
    }
}
