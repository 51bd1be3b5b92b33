import STARK

/// What a rate or capacity lane of an absorbed block must hold (see README.md, "Schedule").
public enum LaneMode: Hashable, Sendable {
    /// Any value (bound through the hash by a public commitment).
    case free
    /// A value fixed by the statement.
    case constant(Felt)
    /// The nonce register plus `offset` (0 before the transaction, 1 after).
    case nonce(offset: UInt64)
    /// Element `index` of the code-root register.
    case codeRoot(index: Int)
}

/// A word-sized bus port: nothing, a wire end, or an asset word for the ledger.
public enum Port: Hashable, Sendable {
    case none
    /// Wire `id`: `multiplicity` > 0 produces the word for that many consumers; −1 consumes it.
    case wire(id: Int, multiplicity: Int)
    /// An asset word `[amount, 0, 0, faucet]` offered to the ledger.
    case asset(kind: AssetKind, index: Int)
}

/// One absorbed block: per-lane modes and values, and the ports of its low and high words.
public struct ScheduledBlock: Sendable {
    public var modes: [LaneMode]
    public var values: [Felt]
    public var low: Port
    public var high: Port
}

/// One hash of the schedule: its blocks (one chiplet cycle each), and the port of its digest.
public struct ScheduledHash: Sendable {
    public var capacity: Word
    public var blocks: [ScheduledBlock]
    public var digestPort: Port
    public var digest: Word

    /// The chiplet job computing this hash.
    public var job: HashJob { HashJob(capacity: capacity, blocks: blocks.map(\.values), digest: digest) }
}

/// The hashes a transaction proof computes, in chiplet order, with every lane's mode. The modes
/// depend only on the shape and the account id (public); the values come from the witness (the
/// verifier builds the schedule from a placeholder witness of the same shape and ignores them).
public struct TransactionSchedule: Sendable {
    public private(set) var hashes: [ScheduledHash] = []
    /// Wires whose producer is in the trace and whose consumer is the verifier, with the value it expects there.
    public private(set) var publicWires: [(id: Int, name: String)] = []
    /// Every asset word offered to the ledger (the ledger must take each once).
    public private(set) var assetMessages: [AssetMessage] = []
    public let nonce: Felt
    public let codeRoot: Word

    private var nextWire = 0
    private var consumers: [Int: Int] = [:]

    /// A digest as a later hash sees it: the zero word of an empty hash, or a wire.
    enum DigestRef {
        case zero
        case wire(Int, Word)
        var value: Word {
            if case .wire(_, let w) = self { return w }
            return .zero
        }
    }

    /// Words to absorb: each word's lane modes, values and port.
    struct WordSpec {
        var modes: [LaneMode]
        var values: [Felt]
        var port: Port
        static func free(_ w: Word) -> WordSpec { WordSpec(modes: Array(repeating: .free, count: 4), values: w.elements, port: .none) }
        static func constant(_ w: Word) -> WordSpec { WordSpec(modes: w.elements.map { .constant($0) }, values: w.elements, port: .none) }
    }

    /// Builds the schedule for a transaction whose account before is `inputs.account` and after is `after`.
    public init(inputs: TransactionInputs, after: Account) {
        nonce = inputs.account.nonce
        codeRoot = inputs.account.codeRoot
        let id = inputs.account.id
        let p2idInputs = Hash.elements([id])

        // Account before and after: vault, storage, header.
        let initial = account(inputs.account, kind: .before, nonceOffset: 0)
        publicWires.append((initial, "initial account commitment"))
        let final = account(after, kind: .after, nonceOffset: 1)
        publicWires.append((final, "final account commitment"))

        // Input notes: assets commitment, then the nullifier.
        var nullifiers: [DigestRef] = []
        for note in inputs.inputNotes {
            let assets = assetList(note.assets, kind: .input)
            let isPayToID = note.scriptRoot == NoteScript.p2idRoot
            let inputsWord: WordSpec
            if isPayToID {
                inputsWord = .constant(p2idInputs)
            } else {
                inputsWord = consume(elements(note.inputs))
            }
            let script = WordSpec.constant(isPayToID ? NoteScript.p2idRoot : NoteScript.openRoot)
            nullifiers.append(sponge([.free(note.serialNumber), script, inputsWord, consume(assets)]))
        }
        // Output notes: recipient, assets commitment, note id.
        var noteIDs: [DigestRef] = []
        for note in inputs.outputNotes {
            let serialScript = sponge([.free(note.serialNumber), .free(note.scriptRoot)])
            let inputsHash = elements(note.inputs)
            let recipient = sponge([consume(serialScript), consume(inputsHash)])
            let assets = assetList(note.assets, kind: .output)
            noteIDs.append(sponge([consume(recipient), consume(assets)]))
        }
        // The two note-list commitments the verifier checks against the published lists.
        if case .wire(let w, _) = sponge(nullifiers.map { consume($0) }) { publicWires.append((w, "input notes commitment")) }
        let outputWords = zip(noteIDs, inputs.outputNotes).flatMap { ref, note in [consume(ref), WordSpec.free(note.metadata.word)] }
        if case .wire(let w, _) = sponge(outputWords) { publicWires.append((w, "output notes commitment")) }

        // Producer multiplicities = number of consumers; public wires have one consumer: the verifier.
        for w in publicWires { consumers[w.id, default: 0] += 1 }
        for h in hashes.indices {
            if case .wire(let id, _) = hashes[h].digestPort { hashes[h].digestPort = .wire(id: id, multiplicity: consumers[id] ?? 0) }
        }
    }

    /// vault root, storage root and header of an account; returns the header's wire.
    private mutating func account(_ a: Account, kind: AssetKind, nonceOffset: UInt64) -> Int {
        let vault = assetList(a.vault, kind: kind)
        let storage = sponge(a.storage.map { WordSpec.free($0) })
        let head = WordSpec(modes: [.constant(a.id), .nonce(offset: nonceOffset), .constant(.zero), .constant(.zero)],
                            values: [a.id, a.nonce, .zero, .zero], port: .none)
        let code = WordSpec(modes: (0..<4).map { .codeRoot(index: $0) }, values: a.codeRoot.elements, port: .none)
        guard case .wire(let w, _) = sponge([head, consume(vault), consume(storage), code]) else { preconditionFailure() }
        return w
    }

    /// `hash_elements` of asset words, each offered to the ledger.
    private mutating func assetList(_ assets: [FungibleAsset], kind: AssetKind) -> DigestRef {
        let words = assets.enumerated().map { k, asset in
            WordSpec(modes: [.free, .constant(.zero), .constant(.zero), .free], values: asset.word.elements,
                     port: .asset(kind: kind, index: kind == .before || kind == .after ? k : 0))
        }
        for (k, asset) in assets.enumerated() {
            assetMessages.append(AssetMessage(kind: kind, index: kind == .before || kind == .after ? k : 0, faucet: asset.faucet, amount: asset.amount))
        }
        return sponge(words)
    }

    /// `hash_elements` of free elements (note inputs), not word-aligned.
    private mutating func elements(_ xs: [Felt]) -> DigestRef {
        if xs.isEmpty { return .zero }
        let job = HashJob.elements(xs)
        let blocks = job.blocks.enumerated().map { b, values in
            ScheduledBlock(modes: (0..<8).map { b * 8 + $0 < xs.count ? LaneMode.free : .constant(.zero) },
                           values: values, low: .none, high: .none)
        }
        return append(capacity: job.capacity, blocks: blocks, digest: job.digest)
    }

    /// A word that consumes a digest (zero words are constants, not wires).
    private mutating func consume(_ ref: DigestRef) -> WordSpec {
        switch ref {
        case .zero:
            return .constant(.zero)
        case .wire(let id, let value):
            consumers[id, default: 0] += 1
            return WordSpec(modes: Array(repeating: .free, count: 4), values: value.elements, port: .wire(id: id, multiplicity: -1))
        }
    }

    /// `hash_elements` of whole words (two per block, the last block zero-padded).
    private mutating func sponge(_ words: [WordSpec]) -> DigestRef {
        if words.isEmpty { return .zero }
        var padded = words
        if padded.count % 2 == 1 { padded.append(.constant(.zero)) }
        let elements = words.flatMap(\.values)
        let digest = Hash.elements(elements)
        let capacity = Word(Felt(UInt64(elements.count % 8)), .zero, .zero, .zero)
        let blocks = stride(from: 0, to: padded.count, by: 2).map { k in
            ScheduledBlock(modes: padded[k].modes + padded[k + 1].modes, values: padded[k].values + padded[k + 1].values,
                           low: padded[k].port, high: padded[k + 1].port)
        }
        return append(capacity: capacity, blocks: blocks, digest: digest)
    }

    private mutating func append(capacity: Word, blocks: [ScheduledBlock], digest: Word) -> DigestRef {
        let id = nextWire
        nextWire += 1
        hashes.append(ScheduledHash(capacity: capacity, blocks: blocks, digestPort: .wire(id: id, multiplicity: 0), digest: digest))
        return .wire(id, digest)
    }
}
