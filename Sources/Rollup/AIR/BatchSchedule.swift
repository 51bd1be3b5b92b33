import STARK

/// The hashes a batch proof computes, in chiplet order, with every lane's mode: the sponge over the
/// transaction ids (the batch id) and the merges of the output-note tree. Built from public data
/// only (the ids), so prover and verifier derive the same schedule.
///
/// Leaves are constant lanes: the transaction ids, the note ids, the zero padding, and the root
/// `E_h` of an all-padding subtree of height h (computed, not hashed in the trace). Every other
/// merge input is a wire produced by the child's digest row and consumed once by the parent. The
/// batch id and the note-tree root are public wires: the verifier consumes them with the public
/// value. With no transaction ids the batch id is the zero word, and with at most one note the
/// root is the zero word or the note id; neither needs a hash, and the verifier compares directly.
public struct BatchSchedule: Sendable {
    /// The names of the two public wires.
    public static let batchIDWire = "batch id"
    public static let noteTreeRootWire = "note tree root"

    public private(set) var hashes: [ScheduledHash] = []
    /// Wires whose producer is in the trace and whose consumer is the verifier, with the value it expects there.
    public private(set) var publicWires: [(id: Int, name: String)] = []

    /// A merge input: a constant word (leaf, padding, empty subtree) or the digest wire of a child merge.
    private enum Node {
        case constant(Word)
        case wire(id: Int, value: Word)

        var value: Word {
            switch self {
            case .constant(let w), .wire(_, let w): return w
            }
        }
        var modes: [LaneMode] {
            switch self {
            case .constant(let w): return w.elements.map { .constant($0) }
            case .wire: return Array(repeating: .free, count: 4)
            }
        }
        var port: Port {
            if case .wire(let id, _) = self { return .wire(id: id, multiplicity: -1) }
            return .none
        }
    }

    /// The schedule for a batch over `transactionIDs` whose output notes have ids `noteIDs`.
    public init(transactionIDs: [Word], noteIDs: [Word]) {
        if !transactionIDs.isEmpty {
            publicWires.append((batchIDSponge(transactionIDs), BatchSchedule.batchIDWire))
        }
        if noteIDs.count > 1 {
            let leaves = DenseMerkleTree.padded(noteIDs)
            guard case .wire(let root, _) = subtree(leaves, noteCount: noteIDs.count, range: 0..<leaves.count) else {
                preconditionFailure("a tree over two or more notes has a hashed root")
            }
            publicWires.append((root, BatchSchedule.noteTreeRootWire))
        }
    }

    /// `hash_elements` of the transaction id words, two per block, all lanes constant.
    private mutating func batchIDSponge(_ ids: [Word]) -> Int {
        let elements = ids.flatMap(\.elements)
        var padded = elements
        while padded.count % 8 != 0 { padded.append(.zero) }
        let blocks = stride(from: 0, to: padded.count, by: 8).map { k in
            let values = Array(padded[k..<(k + 8)])
            return ScheduledBlock(modes: values.map { .constant($0) }, values: values, low: .none, high: .none)
        }
        let capacity = Word(Felt(UInt64(elements.count % 8)), .zero, .zero, .zero)
        return append(capacity: capacity, blocks: blocks, digest: Hash.words(ids))
    }

    /// The root of `leaves[range]`: a constant when the range is one leaf or only padding, else a merge.
    private mutating func subtree(_ leaves: [Word], noteCount: Int, range: Range<Int>) -> Node {
        if range.count == 1 { return .constant(leaves[range.lowerBound]) }
        if range.lowerBound >= noteCount { return .constant(BatchSchedule.emptySubtreeRoot(leafCount: range.count)) }
        let middle = range.lowerBound + range.count / 2
        let left = subtree(leaves, noteCount: noteCount, range: range.lowerBound..<middle)
        let right = subtree(leaves, noteCount: noteCount, range: middle..<range.upperBound)
        let block = ScheduledBlock(modes: left.modes + right.modes, values: left.value.elements + right.value.elements,
                                   low: left.port, high: right.port)
        let id = append(capacity: .zero, blocks: [block], digest: Hash.merge(left.value, right.value))
        return .wire(id: id, value: hashes[hashes.count - 1].digest)
    }

    /// The root of a dense tree of `leafCount` zero leaves (a power of two).
    static func emptySubtreeRoot(leafCount: Int) -> Word {
        var root = Word.zero
        var n = leafCount
        while n > 1 {
            root = Hash.merge(root, root)
            n >>= 1
        }
        return root
    }

    /// Appends a hash whose digest is a wire with exactly one consumer (the parent or the verifier).
    private mutating func append(capacity: Word, blocks: [ScheduledBlock], digest: Word) -> Int {
        let id = hashes.count
        hashes.append(ScheduledHash(capacity: capacity, blocks: blocks, digestPort: .wire(id: id, multiplicity: 1), digest: digest))
        return id
    }

    /// The chiplet jobs, in order.
    public var jobs: [HashJob] { hashes.map(\.job) }
}
