import Foundation
import GRPCCore
import Testing
@testable import ProverService

/// The gRPC-Web body format and text-mode base64, without a server.
@Suite struct GRPCWebFramingTests {
    @Test func messagesAreReadFromWellFormedFramesAndEveryMalformedBodyIsRefused() throws {
        #expect(try GRPCWebFraming.messages(in: []) == [])
        #expect(try GRPCWebFraming.messages(in: [0, 0, 0, 0, 2, 7, 8, 0, 0, 0, 0, 0]) == [[7, 8], []])
        #expect(throws: GRPCWebFraming.FrameError.self) { try GRPCWebFraming.messages(in: [0, 0, 0]) }
        #expect(throws: GRPCWebFraming.FrameError.self) { try GRPCWebFraming.messages(in: [0, 0, 0, 0, 3, 1]) }
        #expect(throws: GRPCWebFraming.FrameError.self) { try GRPCWebFraming.messages(in: [1, 0, 0, 0, 1, 1]) }
        #expect(throws: GRPCWebFraming.FrameError.self) { try GRPCWebFraming.messages(in: [0x80, 0, 0, 0, 0]) }
        // A length near 2^32 is refused, not allocated.
        #expect(throws: GRPCWebFraming.FrameError.self) { try GRPCWebFraming.messages(in: [0, 0xff, 0xff, 0xff, 0xff, 1]) }
    }

    @Test func framesRoundTrip() throws {
        let frame = GRPCWebFraming.frame(0, [UInt8](repeating: 1, count: 300))
        #expect(Array(frame.prefix(5)) == [0, 0, 0, 1, 44])
        #expect(try GRPCWebFraming.messages(in: frame + frame).count == 2)
    }

    @Test func trailersCarryTheStatusAndAPercentEncodedMessage() {
        let block = GRPCWebFraming.trailerBlock(Status(code: .invalidArgument, message: "bad witness: 100% wrong ✓\r\n"), ["x-extra": "1"])
        #expect(String(decoding: block, as: UTF8.self) == "grpc-status: 3\r\ngrpc-message: bad witness: 100%25 wrong %E2%9C%93%0D%0A\r\nx-extra: 1\r\n")
        #expect(String(decoding: GRPCWebFraming.trailerBlock(Status(code: .ok, message: ""), [:]), as: UTF8.self) == "grpc-status: 0\r\n")
    }

    @Test func base64MatchesFoundationAndDecodesChunkedPaddedText() throws {
        for count in 0..<20 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            let encoded = GRPCWebBase64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(try GRPCWebBase64.decode(Array(encoded.utf8)) == bytes)
        }
        let chunked = Array((Data([1, 2]).base64EncodedString() + "\r\n" + Data([3]).base64EncodedString()).utf8)
        #expect(try GRPCWebBase64.decode(chunked) == [1, 2, 3])
        #expect(throws: GRPCWebBase64.DecodingError.self) { try GRPCWebBase64.decode(Array("AAA".utf8)) }
        #expect(throws: GRPCWebBase64.DecodingError.self) { try GRPCWebBase64.decode(Array("A*AA".utf8)) }
        #expect(throws: GRPCWebBase64.DecodingError.self) { try GRPCWebBase64.decode(Array("A=AA".utf8)) }
        #expect(throws: GRPCWebBase64.DecodingError.self) { try GRPCWebBase64.decode(Array("A===".utf8)) }
    }

    @Test func allowedOriginsAreValidatedAndMatched() throws {
        #expect(try GRPCWebConfiguration.parseAllowedOrigins("*") == ["*"])
        #expect(try GRPCWebConfiguration.parseAllowedOrigins(" https://a.example, http://localhost:8080 ") == ["https://a.example", "http://localhost:8080"])
        #expect(throws: GRPCWebSettingError.self) { try GRPCWebConfiguration.parseAllowedOrigins("a.example") }
        #expect(throws: GRPCWebSettingError.self) { try GRPCWebConfiguration.parseAllowedOrigins("https://a.example/path") }
        #expect(throws: GRPCWebSettingError.self) { try GRPCWebConfiguration.parseAllowedOrigins(" , ") }
        let policy = GRPCWebCORSPolicy(allowedOrigins: ["https://a.example"], maxAgeSeconds: 60)
        #expect(policy.allowOrigin(for: "https://A.example") == "https://A.example")
        #expect(policy.allowOrigin(for: "https://b.example") == nil)
        #expect(GRPCWebCORSPolicy(allowedOrigins: ["*"], maxAgeSeconds: 60).allowOrigin(for: "null") == "*")
    }
}
