import Foundation
import ProverService
import Testing

/// How `ctl up` finds the service executables: next to its real file, then on PATH (plain or
/// installed name), with an error that says where it looked.
@Suite struct ExecutableLocatorTests {
    /// A fresh temporary directory with `bin`, `lib` and `other` subdirectories.
    final class Tree {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("locator-\(UUID().uuidString)")
            for sub in ["bin", "lib", "other"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        /// A file at `relative` with the given permissions (0o755: an executable).
        func file(_ relative: String, mode: Int = 0o755) throws {
            let path = path(relative)
            try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
    }

    @Test func siblingComesBeforePath() throws {
        let tree = try Tree()
        try tree.file("lib/worker")
        try tree.file("bin/worker")
        let locator = ExecutableLocator(siblingDirectory: tree.path("lib"), searchPath: tree.path("bin"))
        #expect(try locator.locate("worker").path == tree.path("lib/worker"))
    }

    @Test func pathIsSearchedInOrderWhenNoSibling() throws {
        let tree = try Tree()
        try tree.file("other/scheduler")
        try tree.file("bin/scheduler")
        let locator = ExecutableLocator(siblingDirectory: tree.path("lib"), searchPath: "\(tree.path("other")):\(tree.path("bin"))")
        #expect(try locator.locate("scheduler").path == tree.path("other/scheduler"))
    }

    @Test func installedNameIsFoundOnPath() throws {
        let tree = try Tree()
        try tree.file("bin/miden-prover-metrics-exporter")
        let locator = ExecutableLocator(siblingDirectory: nil, searchPath: "/nonexistent-dir::\(tree.path("bin"))")
        #expect(try locator.locate("metrics-exporter").path == tree.path("bin/miden-prover-metrics-exporter"))
    }

    @Test func nonExecutablesAndDirectoriesAreSkipped() throws {
        let tree = try Tree()
        try tree.file("lib/proxy", mode: 0o644)
        try FileManager.default.createDirectory(atPath: tree.path("other/proxy"), withIntermediateDirectories: true)
        try tree.file("bin/proxy")
        let locator = ExecutableLocator(siblingDirectory: tree.path("lib"), searchPath: "\(tree.path("other")):\(tree.path("bin"))")
        #expect(try locator.locate("proxy").path == tree.path("bin/proxy"))
    }

    @Test func errorNamesEveryPlaceSearched() throws {
        let tree = try Tree()
        let locator = ExecutableLocator(siblingDirectory: tree.path("lib"), searchPath: "\(tree.path("bin")):\(tree.path("other"))")
        let error = try #require(throws: ExecutableNotFound.self) { try locator.locate("worker") }
        #expect(error.pathDirectories == [tree.path("bin"), tree.path("other")])
        #expect(error.description.contains("not in \(tree.path("lib")) (next to this executable)"))
        #expect(error.description.contains("\(tree.path("bin")):\(tree.path("other"))"))
        #expect(error.description.contains("miden-prover-worker"))
    }

    @Test func emptyPathEntriesAreSkipped() throws {
        let locator = ExecutableLocator(siblingDirectory: nil, searchPath: ":")
        #expect(locator.pathDirectories.isEmpty)
        let error = try #require(throws: ExecutableNotFound.self) { try locator.locate("worker") }
        #expect(error.description.contains("PATH is empty"))
    }

    /// Started through a symlink from elsewhere (`/usr/bin/miden-prover-ctl` → `…/lib/…/ctl`), the
    /// siblings are looked for next to the real file, not next to the symlink.
    @Test func siblingsAreNextToTheRealFileOfASymlink() throws {
        let tree = try Tree()
        try tree.file("lib/ctl")
        try tree.file("lib/worker")
        try FileManager.default.createSymbolicLink(atPath: tree.path("bin/miden-prover-ctl"), withDestinationPath: "../lib/ctl")
        let directory = ExecutableLocator.realDirectory(ofExecutable: tree.path("bin/miden-prover-ctl"))
        #expect(URL(fileURLWithPath: directory).resolvingSymlinksInPath() == URL(fileURLWithPath: tree.path("lib")).resolvingSymlinksInPath())
        let locator = ExecutableLocator(siblingDirectory: directory, searchPath: nil)
        #expect(try locator.locate("worker").resolvingSymlinksInPath().path == URL(fileURLWithPath: tree.path("lib/worker")).resolvingSymlinksInPath().path)
    }

    @Test func currentProcessLooksNextToItsOwnFile() throws {
        let locator = ExecutableLocator.forCurrentProcess()
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #expect(locator.siblingDirectory == URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        #expect(locator.searchPath == ProcessInfo.processInfo.environment["PATH"])
    }
}
