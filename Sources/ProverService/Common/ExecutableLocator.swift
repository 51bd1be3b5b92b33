import Foundation

/// Finds the service executables (`worker`, `scheduler`, …) that `ctl up` starts: first in the
/// directory of the running executable's real file (symlinks resolved, so `/usr/bin/miden-prover-ctl`
/// → `/usr/lib/miden-remote-prover/ctl` finds its siblings there), then on `PATH`, under the plain
/// name or the installed name with `installedPrefix` (`miden-prover-worker`).
public struct ExecutableLocator: Sendable {
    /// The prefix of the executables' names in `/usr/bin` when installed from the Debian package.
    public static let installedPrefix = "miden-prover-"

    /// The directory of the running executable's real file, if known.
    public var siblingDirectory: String?
    /// The `PATH` value searched after the sibling directory.
    public var searchPath: String?

    public init(siblingDirectory: String?, searchPath: String?) {
        self.siblingDirectory = siblingDirectory
        self.searchPath = searchPath
    }

    /// The locator of the running process: the directory of the real file of `/proc/self/exe`
    /// (else of `CommandLine.arguments[0]` when it names a path) and the process's `PATH`.
    public static func forCurrentProcess() -> ExecutableLocator {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? CommandLine.arguments.first.flatMap { $0.contains("/") ? $0 : nil }
        return ExecutableLocator(siblingDirectory: exe.map(realDirectory(ofExecutable:)), searchPath: ProcessInfo.processInfo.environment["PATH"])
    }

    /// The directory of the file `path` names once every symlink is resolved.
    public static func realDirectory(ofExecutable path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The `PATH` directories in order; empty entries (which would mean the current directory) are skipped.
    public var pathDirectories: [String] {
        (searchPath ?? "").split(separator: ":", omittingEmptySubsequences: true).map(String.init)
    }

    /// The executable `name`: `siblingDirectory/name`, else the first `PATH` directory holding `name`
    /// or `installedPrefix + name` as an executable regular file.
    public func locate(_ name: String) throws(ExecutableNotFound) -> URL {
        if let siblingDirectory, let found = Self.executable(name, in: siblingDirectory) { return found }
        for directory in pathDirectories {
            for candidate in [name, Self.installedPrefix + name] {
                if let found = Self.executable(candidate, in: directory) { return found }
            }
        }
        throw ExecutableNotFound(name: name, siblingDirectory: siblingDirectory, pathDirectories: pathDirectories)
    }

    static func executable(_ name: String, in directory: String) -> URL? {
        let path = (directory as NSString).appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return URL(fileURLWithPath: path)
    }
}

/// No executable of that name next to the running executable or on `PATH`; says where it looked.
public struct ExecutableNotFound: Error, CustomStringConvertible, Equatable {
    public var name: String
    public var siblingDirectory: String?
    public var pathDirectories: [String]

    public var description: String {
        let sibling = siblingDirectory.map { "not in \($0) (next to this executable)" } ?? "the running executable's directory is unknown"
        let path = pathDirectories.isEmpty
            ? "PATH is empty"
            : "not on PATH (\(pathDirectories.joined(separator: ":"))) as \(name) or \(ExecutableLocator.installedPrefix)\(name)"
        return "cannot find the \(name) executable: \(sibling), \(path); build it (`swift build`) or install the miden-remote-prover package"
    }
}
