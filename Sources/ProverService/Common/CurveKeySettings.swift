import Foundation
import Wire

/// Reads CURVE keys for a process from its flags and `MRP_*` variables.
///
/// A secret key comes from a file (`…_FILE`, what `ctl keygen` writes) or from the variable itself
/// holding the Z85 text (an orchestrator's secret mapped to an environment variable).
public enum CurveKeySettings {
    /// The key pair from `file` (flag), the file named by `fileVariable`, or the key in `keyVariable`; nil if none given.
    public static func keyPair(file: String?, fileVariable: String, keyVariable: String) throws(ZMQCurveKeyError) -> ZMQCurveKeyPair? {
        if let path = file ?? Configuration.environment(fileVariable) { return try ZMQCurveKeyFiles.readSecret(path) }
        if let key = Configuration.environment(keyVariable) {
            do { return try ZMQCurveKeyPair(secretKey: key) } catch { throw .malformed(role: "secret key in \(keyVariable)", reason: "\(error)") }
        }
        return nil
    }

    /// Public keys from `file` (flag), the file named by `fileVariable`, or a comma-separated list in `listVariable`.
    public static func publicKeys(file: String?, fileVariable: String, listVariable: String) throws(ZMQCurveKeyError) -> Set<String>? {
        if let path = file ?? Configuration.environment(fileVariable) { return try ZMQCurveKeyFiles.readPublicKeys(path) }
        guard let list = Configuration.environment(listVariable) else { return nil }
        var keys = Set<String>()
        for item in list.split(separator: ",") {
            keys.insert(try ZMQCurveKeyPair.checked(String(item), role: "public key in \(listVariable)"))
        }
        return keys.isEmpty ? nil : keys
    }
}
