#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A size in MiB that an environment variable sets (`MRP_PROVER_MEMORY_MIB`, `MRP_HEAP_RETAIN_MIB`):
/// a whole number within bounds, refused by the variable's name otherwise.
enum MebibyteSetting {
    /// The variable's value, or nil when it is unset or empty.
    static func value(of variable: String) -> String? {
        guard let raw = getenv(variable), raw.pointee != 0 else { return nil }
        return String(cString: raw)
    }

    /// Reads `text` as a whole number of MiB in `bounds`; refuses anything else, naming `variable`.
    static func parse(_ text: String, variable: String, bounds: ClosedRange<Int> = 0...Int.max) throws(StarkError) -> Int {
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(trimmed), bounds.contains(value) else {
            let range = bounds.upperBound == Int.max ? "\(bounds.lowerBound) or more" : "\(bounds.lowerBound)–\(bounds.upperBound)"
            throw .invalidOptions("\(variable) must be a whole number of MiB (\(range)), got \"\(text)\"")
        }
        return value
    }

    /// Writes one warning line to standard error (for settings read where a failure must not stop proving).
    static func warn(_ message: String) {
        let line = Array("warning: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
