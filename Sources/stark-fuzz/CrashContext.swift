#if canImport(Glibc)
import Glibc
#endif

/// Remembers which case is running so that a trap (or an interrupt) prints how to replay it.
/// The signal handler only reads plain memory set up in advance and calls `write`, `sigaction`
/// and `raise`, which are async-signal-safe.
enum CrashContext {
    /// The running case: its kind's index in `kindNames`, and its number (or −1 − length for a
    /// prefix of the truncation sweep, with `sweepSample` the sample).
    nonisolated(unsafe) static var kind = -1
    nonisolated(unsafe) static var caseIndex = 0
    nonisolated(unsafe) static var sweepSample = 0
    /// NUL-terminated strings prepared before any case runs.
    nonisolated(unsafe) static var kindNames: [UnsafeMutablePointer<CChar>] = []
    nonisolated(unsafe) static var replaySuffix: UnsafeMutablePointer<CChar>?
    /// The handlers replaced, by signal number.
    nonisolated(unsafe) static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)

    static let fatalSignals = [SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV]
    static let stopSignals = [SIGINT, SIGTERM]

    /// Installs the handlers; `kinds` are the kind names (indexed as `kind`), `replay` the
    /// options to repeat after them (seed, skip flag).
    static func install(kinds: [String], replay: String) {
        kindNames = kinds.map { strdup($0)! }
        replaySuffix = strdup(replay)
        for signal in fatalSignals + stopSignals {
            var action = sigaction()
            action.__sigaction_handler = unsafeBitCast(crashHandler as @convention(c) (Int32) -> Void,
                                                       to: sigaction.__Unnamed_union___sigaction_handler.self)
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, previous + Int(signal))
        }
    }
}

/// Prints the running case and how to replay it, then hands the signal to the previous handler
/// (the Swift runtime's backtracer, or the default action).
private func crashHandler(_ signal: Int32) {
    var line = SignalSafeLine()
    line.append(CrashContext.stopSignals.contains(signal) ? "\nstark-fuzz: interrupted (signal " : "\nstark-fuzz: CRASH (signal ")
    line.append(Int(signal))
    line.append(")")
    let k = CrashContext.kind
    if k >= 0 && k < CrashContext.kindNames.count {
        let name = CrashContext.kindNames[k]
        if CrashContext.caseIndex >= 0 {
            line.append(" in case ")
            line.append(CrashContext.caseIndex)
            line.append(" of ")
            line.append(name)
            line.append("; replay: stark-fuzz --kind ")
            line.append(name)
            line.append(" --start-case ")
            line.append(CrashContext.caseIndex)
            line.append(" --cases 1 --no-sweep --verbose")
            if let suffix = CrashContext.replaySuffix { line.append(suffix) }
        } else {
            line.append(" in the truncation sweep of ")
            line.append(name)
            line.append(", sample ")
            line.append(CrashContext.sweepSample)
            line.append(", prefix of ")
            line.append(-1 - CrashContext.caseIndex)
            line.append(" bytes")
        }
    } else {
        line.append(" outside any case (making the honest samples)")
    }
    line.append("\n")
    line.write()
    sigaction(signal, CrashContext.previous + Int(signal), nil)
    raise(signal)
}

/// A fixed buffer formatted without allocating, for use inside a signal handler.
private struct SignalSafeLine {
    var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    static let capacity = 512

    mutating func byte(_ b: UInt8) {
        guard count < Self.capacity else { return }
        withUnsafeMutableBytes(of: &buffer) { $0[count] = b }
        count += 1
    }

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { for b in $0 { byte(b) } }
    }

    mutating func append(_ s: UnsafeMutablePointer<CChar>) {
        var p = s
        while p.pointee != 0 {
            byte(UInt8(bitPattern: p.pointee))
            p += 1
        }
    }

    mutating func append(_ n: Int) {
        if n < 0 {
            byte(UInt8(ascii: "-"))
            append(-n)
            return
        }
        if n >= 10 { append(n / 10) }
        byte(UInt8(ascii: "0") + UInt8(n % 10))
    }

    mutating func write() {
        let n = count
        withUnsafeBytes(of: &buffer) { _ = Glibc.write(2, $0.baseAddress, n) }
    }
}
