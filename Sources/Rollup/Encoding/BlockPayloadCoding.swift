import STARK

// The pieces the batch and block codecs share: block headers, transaction headers, sparse-tree
// leaf witnesses and payloads embedded in a payload (a transaction in a batch, a batch in a block).

extension PayloadWriter {
    /// number u32 ‖ previous commitment ‖ account root ‖ nullifier root ‖ note root ‖ transaction commitment.
    mutating func blockHeader(_ h: BlockHeader) {
        u32(h.number)
        word(h.previousCommitment)
        word(h.accountRoot)
        word(h.nullifierRoot)
        word(h.noteRoot)
        word(h.transactionCommitment)
    }

    /// account id ‖ initial ‖ final commitment ‖ nullifiers: count u16 ‖ words ‖ output notes: count u16 ‖ headers.
    mutating func transactionHeader(_ t: TransactionHeader) {
        felt(t.accountID)
        word(t.initialCommitment)
        word(t.finalCommitment)
        u16(t.nullifiers.count, "transaction header nullifiers")
        t.nullifiers.forEach { word($0) }
        u16(t.outputNotes.count, "transaction header output notes")
        for note in t.outputNotes {
            word(note.id)
            metadata(note.metadata)
        }
    }

    /// key ‖ entries: count u16 ‖ (key ‖ value)* ‖ exactly 64 sibling words. A path of another
    /// depth does not fit the wire format and traps.
    mutating func sparseLeafWitness(_ w: SparseLeafWitness) {
        precondition(w.path.depth == SparseMerkleTree.depth,
                     "a sparse leaf witness path has \(SparseMerkleTree.depth) siblings, not \(w.path.depth)")
        word(w.key)
        u16(w.entries.count, "sparse leaf entries")
        for entry in w.entries {
            word(entry.key)
            word(entry.value)
        }
        w.path.siblings.forEach { word($0) }
    }

    /// length u32 ‖ a complete payload.
    mutating func embedded(_ payload: [UInt8], _ what: @autoclosure () -> String) {
        count32(payload.count, what())
        raw(payload)
    }
}

extension PayloadReader {
    /// The wire size of a word.
    static let wordBytes = 32

    /// A capacity to reserve for `count` items of at least `elementBytes` each: no more than the
    /// bytes left can hold, so a large (but allowed) count in a short payload allocates little.
    func capacity(_ count: Int, elementBytes: Int) -> Int { min(count, remaining / elementBytes) }

    mutating func blockHeader(_ name: String) throws(DecodingError) -> BlockHeader {
        try within(name) { r throws(DecodingError) in
            BlockHeader(number: try r.u32("number"), previousCommitment: try r.word("previous commitment"),
                        accountRoot: try r.word("account root"), nullifierRoot: try r.word("nullifier root"),
                        noteRoot: try r.word("note root"), transactionCommitment: try r.word("transaction commitment"))
        }
    }

    /// A `TransactionHeader` with at most 1,024 nullifiers and 1,024 output notes, as a transaction has.
    mutating func transactionHeader(_ name: String) throws(DecodingError) -> TransactionHeader {
        try within(name) { r throws(DecodingError) in
            let accountID = try r.felt("account id")
            let initialCommitment = try r.word("initial commitment")
            let finalCommitment = try r.word("final commitment")
            let nullifiers = try r.words("nullifier", count: try r.count16("nullifiers", limit: TransactionInputs.maxInputNotes))
            let outputCount = try r.count16("output notes", limit: TransactionInputs.maxOutputNotes)
            var outputNotes: [OutputNoteHeader] = []
            outputNotes.reserveCapacity(outputCount)
            for k in 0..<outputCount {
                outputNotes.append(try r.within("output note \(k)") { r throws(DecodingError) in
                    OutputNoteHeader(id: try r.word("id"), metadata: try r.metadata())
                })
            }
            return TransactionHeader(accountID: accountID, initialCommitment: initialCommitment,
                                     finalCommitment: finalCommitment, nullifiers: nullifiers, outputNotes: outputNotes)
        }
    }

    /// A leaf witness: at most `BlockProofRequestCodec.maxLeafEntries` entries and exactly 64 siblings.
    mutating func sparseLeafWitness(_ name: String) throws(DecodingError) -> SparseLeafWitness {
        try within(name) { r throws(DecodingError) in
            let key = try r.word("key")
            let entryCount = try r.count16("leaf entries", limit: BlockProofRequestCodec.maxLeafEntries)
            var entries: [SparseMerkleTree.Entry] = []
            entries.reserveCapacity(entryCount)
            for k in 0..<entryCount {
                entries.append(try r.within("leaf entry \(k)") { r throws(DecodingError) in
                    SparseMerkleTree.Entry(key: try r.word("key"), value: try r.word("value"))
                })
            }
            var siblings: [Word] = []
            siblings.reserveCapacity(SparseMerkleTree.depth)
            for h in 0..<SparseMerkleTree.depth { siblings.append(try r.word("path sibling \(h)")) }
            return SparseLeafWitness(key: key, entries: entries, path: MerklePath(siblings: siblings))
        }
    }

    /// `count` words named "<singular> k" (a count already checked against its limit).
    mutating func words(_ singular: String, count: Int) throws(DecodingError) -> [Word] {
        var words: [Word] = []
        words.reserveCapacity(capacity(count, elementBytes: Self.wordBytes))
        for k in 0..<count { words.append(try word("\(singular) \(k)")) }
        return words
    }

    /// A payload of `kind` embedded under `name`: length u32 (at most `limit`), then exactly that
    /// many bytes, which `decode` must read completely. Its errors are re-pathed under `name`
    /// and their offsets made relative to this payload.
    mutating func embedded<T>(_ name: String, _ kind: PayloadKind, limit: Int,
                              _ decode: ([UInt8]) throws(DecodingError) -> T) throws(DecodingError) -> T {
        try within(name) { r throws(DecodingError) in
            let length = try r.count32("bytes", limit: limit)
            let start = r.offset
            let payload = Array(try r.take(length, "\(kind.name) payload"))
            do throws(DecodingError) {
                return try decode(payload)
            } catch {
                throw error.nested(under: r.path(), at: start)
            }
        }
    }
}

extension DecodingError {
    /// This error, raised while decoding a payload embedded at byte `start` of its container
    /// under the path `prefix`, re-stated for the container: field paths prefixed, offsets
    /// shifted. A wrong magic or version keeps its own message (it names both kinds or versions).
    func nested(under prefix: String, at start: Int) -> DecodingError {
        func field(_ f: String) -> String { f.isEmpty ? prefix : "\(prefix): \(f)" }
        switch self {
        case .wrongMagic, .unsupportedVersion:
            return self
        case let .truncated(offset, f, needed, available):
            return .truncated(offset: start + offset, field: field(f), needed: needed, available: available)
        case let .nonCanonicalFelt(f, value):
            return .nonCanonicalFelt(field: field(f), value: value)
        case let .amountTooLarge(f, amount):
            return .amountTooLarge(field: field(f), amount: amount)
        case let .valueOutOfRange(f, value, limit):
            return .valueOutOfRange(field: field(f), value: value, limit: limit)
        case let .tooMany(context, what, count, limit):
            return .tooMany(context: field(context), what: what, count: count, limit: limit)
        case let .trailingBytes(kind, offset, count):
            return .trailingBytes(kind: kind, offset: start + offset, count: count)
        }
    }
}
