import STARK

// Shared machinery of the Rollup payload codecs: a writer of protocol objects on top of the
// engine's little-endian `ByteWriter`, and a reader that tracks the path of the field it is
// reading so that every `DecodingError` names it.

/// Appends protocol objects, little-endian. Values are written as they are: a value that fits
/// its wire field but breaks a protocol limit (an amount ≥ 2^63, a felt built unchecked ≥ p,
/// 2,000 notes) is written faithfully so that the decoder refuses it with a named error. A
/// value that does not fit its wire field at all is a programming error and traps.
struct PayloadWriter {
    private var out = ByteWriter()

    var bytes: [UInt8] { out.bytes }

    mutating func header(_ kind: PayloadKind, version: UInt8) {
        out.raw(kind.magic)
        out.u8(version)
    }

    mutating func u32(_ v: UInt32) { out.u32(v) }
    mutating func u64(_ v: UInt64) { out.u64(v) }
    mutating func felt(_ f: Felt) { out.u64(f.value) }
    mutating func raw(_ b: [UInt8]) { out.raw(b) }

    mutating func word(_ w: Word) {
        out.u64(w.e0.value); out.u64(w.e1.value); out.u64(w.e2.value); out.u64(w.e3.value)
    }

    /// A u16 field (a count or a storage slot).
    mutating func u16(_ n: Int, _ what: @autoclosure () -> String) {
        precondition(n >= 0 && n <= Int(UInt16.max), "\(what()): \(n) does not fit its u16 wire field")
        out.u16(UInt16(n))
    }

    /// A u32 count.
    mutating func count32(_ n: Int, _ what: @autoclosure () -> String) {
        precondition(n >= 0 && n <= Int(UInt32.max), "\(what()): \(n) does not fit its u32 wire field")
        out.u32(UInt32(n))
    }

    mutating func asset(_ a: FungibleAsset) {
        felt(a.faucet)
        u64(a.amount)
    }

    mutating func metadata(_ m: NoteMetadata) {
        felt(m.sender)
        felt(m.tag)
    }

    mutating func blockReference(_ b: BlockReference) {
        u32(b.number)
        word(b.commitment)
    }
}

/// Reads protocol objects with bounds checks, refusing non-canonical values. It keeps a stack of
/// field names (`within`) so an error reads "input note 3: asset 1: amount …".
struct PayloadReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    private var context: [String] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    /// The current context, optionally extended by `leaf`, joined by ": ".
    func path(_ leaf: String = "") -> String {
        var parts = context
        if !leaf.isEmpty { parts.append(leaf) }
        return parts.joined(separator: ": ")
    }

    /// Runs `body` with `name` pushed on the field path.
    mutating func within<T>(_ name: String, _ body: (inout PayloadReader) throws(DecodingError) -> T) throws(DecodingError) -> T {
        context.append(name)
        defer { context.removeLast() }
        return try body(&self)
    }

    /// Reads and checks the magic tag and version byte.
    mutating func header(_ kind: PayloadKind, version: UInt8) throws(DecodingError) {
        let magic = Array(try take(4, "\(kind.name) magic tag"))
        guard magic == kind.magic else { throw .wrongMagic(expected: kind, found: magic) }
        let found = try u8("\(kind.name) version")
        guard found == version else { throw .unsupportedVersion(kind: kind, found: found, supported: version) }
    }

    /// Fails unless every byte was consumed.
    func finish(_ kind: PayloadKind) throws(DecodingError) {
        guard remaining == 0 else { throw .trailingBytes(kind: kind, offset: offset, count: remaining) }
    }

    mutating func take(_ n: Int, _ leaf: @autoclosure () -> String) throws(DecodingError) -> ArraySlice<UInt8> {
        guard n <= remaining else {
            throw .truncated(offset: offset, field: path(leaf()), needed: n, available: remaining)
        }
        defer { offset += n }
        return bytes[offset ..< offset + n]
    }

    private mutating func little(_ n: Int, _ leaf: @autoclosure () -> String) throws(DecodingError) -> UInt64 {
        guard n <= remaining else {
            throw .truncated(offset: offset, field: path(leaf()), needed: n, available: remaining)
        }
        var v: UInt64 = 0
        var k = offset + n
        while k > offset {
            k -= 1
            v = v << 8 | UInt64(bytes[k])
        }
        offset += n
        return v
    }

    mutating func u8(_ leaf: @autoclosure () -> String) throws(DecodingError) -> UInt8 { UInt8(try little(1, leaf())) }
    mutating func u16(_ leaf: @autoclosure () -> String) throws(DecodingError) -> UInt16 { UInt16(try little(2, leaf())) }
    mutating func u32(_ leaf: @autoclosure () -> String) throws(DecodingError) -> UInt32 { UInt32(try little(4, leaf())) }
    mutating func u64(_ leaf: @autoclosure () -> String) throws(DecodingError) -> UInt64 { try little(8, leaf()) }

    /// A canonical field element; a value ≥ p is refused, never reduced.
    mutating func felt(_ leaf: @autoclosure () -> String) throws(DecodingError) -> Felt {
        let v = try little(8, leaf())
        guard let f = Felt(canonical: v) else { throw .nonCanonicalFelt(field: path(leaf()), value: v) }
        return f
    }

    /// Four canonical elements, named "<name>: element i".
    mutating func word(_ name: String) throws(DecodingError) -> Word {
        try within(name) { r throws(DecodingError) in
            Word(try r.felt("element 0"), try r.felt("element 1"), try r.felt("element 2"), try r.felt("element 3"))
        }
    }

    /// A u16 count of `what` (a plural noun), at most `limit`.
    mutating func count16(_ what: String, limit: Int) throws(DecodingError) -> Int {
        let n = Int(try u16("number of \(what)"))
        guard n <= limit else { throw .tooMany(context: path(), what: what, count: n, limit: limit) }
        return n
    }

    /// A u32 count of `what` (a plural noun), at most `limit`.
    mutating func count32(_ what: String, limit: Int) throws(DecodingError) -> Int {
        let n = Int(try u32("number of \(what)"))
        guard n <= limit else { throw .tooMany(context: path(), what: what, count: n, limit: limit) }
        return n
    }

    /// A fungible asset: faucet felt, then a u64 amount below 2^63.
    mutating func asset(_ name: String) throws(DecodingError) -> FungibleAsset {
        try within(name) { r throws(DecodingError) in
            let faucet = try r.felt("faucet")
            let amount = try r.u64("amount")
            guard amount < FungibleAsset.amountBound else { throw .amountTooLarge(field: r.path("amount"), amount: amount) }
            return FungibleAsset(faucet: faucet, amount: amount)
        }
    }

    /// Note metadata: sender then tag, named "metadata.sender" and "metadata.tag".
    mutating func metadata() throws(DecodingError) -> NoteMetadata {
        NoteMetadata(sender: try felt("metadata.sender"), tag: try felt("metadata.tag"))
    }

    mutating func blockReference(_ name: String) throws(DecodingError) -> BlockReference {
        try within(name) { r throws(DecodingError) in
            BlockReference(number: try r.u32("number"), commitment: try r.word("commitment"))
        }
    }
}
