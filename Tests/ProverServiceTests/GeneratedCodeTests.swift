import Foundation
import Testing

/// Fails when a .proto file changed without regenerating Sources/Wire/Generated (proto/generate.sh
/// records the digests of the .proto files it generated from in proto.sha256).
@Suite struct GeneratedCodeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func committedCodeMatchesTheProtoFiles() throws {
        let stamp = try String(contentsOf: Self.root.appendingPathComponent("Sources/Wire/Generated/proto.sha256"), encoding: .utf8)
        let lines = stamp.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 3)
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            let (digest, name) = (String(parts[0]), String(parts[1]))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", Self.root.appendingPathComponent("proto/\(name)").path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(output.hasPrefix(digest), "proto/\(name) changed since Sources/Wire/Generated was generated: run proto/generate.sh")
        }
        // Every .proto file is covered by the stamp.
        let protos = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("proto").path).filter { $0.hasSuffix(".proto") }
        #expect(Set(protos) == Set(lines.map { String($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }))
    }
}
