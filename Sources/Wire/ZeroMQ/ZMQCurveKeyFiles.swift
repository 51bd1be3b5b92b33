import Foundation

/// The key files `ctl keygen` writes and the processes read.
///
/// `NAME.key` (mode 0600) holds the secret key, `NAME.pub` the public key, each as one line of Z85;
/// a line starting with `# ` is a comment (`#` alone is a Z85 digit, so only `#` + space comments). An allow list (the proxies a scheduler accepts) is a file with one public
/// key per line — the `.pub` files concatenated.
public enum ZMQCurveKeyFiles {
    /// Writes `base.key` (0600) and `base.pub`; refuses to overwrite either.
    public static func write(_ pair: ZMQCurveKeyPair, base: String) throws(ZMQCurveKeyError) {
        let secretPath = base + ".key", publicPath = base + ".pub"
        for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw .file(path: path, reason: "exists; not overwritten")
        }
        let stamp = ISO8601DateFormatter().string(from: Date())
        guard FileManager.default.createFile(
            atPath: secretPath, contents: Data("# ZeroMQ CURVE secret key, written \(stamp); keep it on this host\n\(pair.secretKey)\n".utf8),
            attributes: [.posixPermissions: 0o600])
        else { throw .file(path: secretPath, reason: "cannot be written") }
        guard FileManager.default.createFile(
            atPath: publicPath, contents: Data("# ZeroMQ CURVE public key, written \(stamp)\n\(pair.publicKey)\n".utf8))
        else { throw .file(path: publicPath, reason: "cannot be written") }
    }

    /// The key pair whose secret key is in the file at `path`.
    public static func readSecret(_ path: String) throws(ZMQCurveKeyError) -> ZMQCurveKeyPair {
        let keys = try keyLines(path)
        guard keys.count == 1 else { throw .file(path: path, reason: "holds \(keys.count) keys, a secret key file holds one") }
        do { return try ZMQCurveKeyPair(secretKey: keys[0]) } catch { throw .file(path: path, reason: error.description) }
    }

    /// Every public key listed in the file at `path` (at least one).
    public static func readPublicKeys(_ path: String) throws(ZMQCurveKeyError) -> Set<String> {
        var keys = Set<String>()
        for (index, line) in try keyLines(path).enumerated() {
            do { keys.insert(try ZMQCurveKeyPair.checked(line, role: "public key")) } catch {
                throw .file(path: path, reason: "key \(index + 1): \(error.description)")
            }
        }
        guard !keys.isEmpty else { throw .file(path: path, reason: "lists no key") }
        return keys
    }

    /// A public key given on the command line: the key itself, or the path of a file holding one.
    public static func publicKey(_ keyOrPath: String) throws(ZMQCurveKeyError) -> String {
        if let key = try? ZMQCurveKeyPair.checked(keyOrPath, role: "public key") { return key }
        let keys = try readPublicKeys(keyOrPath)
        guard keys.count == 1, let key = keys.first else { throw .file(path: keyOrPath, reason: "holds \(keys.count) keys, expected one") }
        return key
    }

    private static func keyLines(_ path: String) throws(ZMQCurveKeyError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .file(path: path, reason: "cannot be read")
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "#" && !$0.hasPrefix("# ") }
    }
}
