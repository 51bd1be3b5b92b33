import STARK

/// The public inputs of a block proof: the previous and new headers and the tree updates that
/// lead from one to the other (accounts, then nullifiers, in the order the proof applies them).
public struct BlockStatement: Hashable, Sendable {
    public var previousHeader: BlockHeader
    public var header: BlockHeader
    public var accountUpdates: [AccountUpdate]
    public var nullifiers: [Word]

    public init(previousHeader: BlockHeader, header: BlockHeader, accountUpdates: [AccountUpdate], nullifiers: [Word]) {
        self.previousHeader = previousHeader
        self.header = header
        self.accountUpdates = accountUpdates
        self.nullifiers = nullifiers
    }

    /// The nullifier tree's value for a nullifier spent in block `number`: `[number, 0, 0, 0]`.
    public static func nullifierValue(block number: UInt32) -> Word { Word(Felt(UInt64(number)), .zero, .zero, .zero) }

    /// The leaf updates the proof performs, accounts first: leaf index, leaf word before and after.
    /// Account leaves are `merge(key, commitment)`; a nullifier's leaf goes from empty to
    /// `merge(nullifier, [block_num,0,0,0])`.
    public var leafUpdates: [LeafUpdate] {
        BlockStatement.leafUpdates(accountUpdates: accountUpdates, nullifiers: nullifiers, blockNumber: header.number)
    }

    /// The leaf updates of block `blockNumber` with these account updates and nullifiers.
    public static func leafUpdates(accountUpdates: [AccountUpdate], nullifiers: [Word], blockNumber: UInt32) -> [LeafUpdate] {
        let value = nullifierValue(block: blockNumber)
        return accountUpdates.map { u in
            LeafUpdate(tree: .account, index: u.accountID.value,
                       oldLeaf: SparseMerkleTree.leafHash([.init(key: u.key, value: u.initialCommitment)]),
                       newLeaf: SparseMerkleTree.leafHash([.init(key: u.key, value: u.finalCommitment)]))
        } + nullifiers.map { n in
            LeafUpdate(tree: .nullifier, index: SparseMerkleTree.leafIndex(of: n), oldLeaf: .zero,
                       newLeaf: SparseMerkleTree.leafHash([.init(key: n, value: value)]))
        }
    }

    /// Every public value, in transcript order.
    public var elements: [Felt] {
        var out = previousHeader.hashedElements + header.hashedElements
        out.append(Felt(UInt64(accountUpdates.count)))
        for u in accountUpdates { out += [u.accountID] + u.initialCommitment.elements + u.finalCommitment.elements }
        out.append(Felt(UInt64(nullifiers.count)))
        for n in nullifiers { out += n.elements }
        return out
    }
}

/// One sparse-tree leaf replaced by a block: which tree, the leaf index (`key[3]`), and the leaf
/// word before and after.
public struct LeafUpdate: Hashable, Sendable {
    /// The two trees a block updates.
    public enum Tree: Sendable { case account, nullifier }
    public var tree: Tree
    public var index: UInt64
    public var oldLeaf: Word
    public var newLeaf: Word
}
