import STARK

extension MockChain {
    /// The header the next block over `request`'s batches must have: number + 1, the trees with
    /// the merged account updates and the nullifiers (value `[number,0,0,0]`) applied, the note
    /// root over the batches' note-tree roots and the commitment to all transaction ids.
    public func expectedHeader(for request: BlockProofRequest) throws(ProtocolError) -> BlockHeader {
        try advanced(updates: Self.accountUpdates(of: request.batches), nullifiers: request.batches.flatMap(\.nullifiers),
                     noteRoots: request.batches.map(\.noteTreeRoot), transactionIDs: request.batches.flatMap(\.transactionIDs)).header
    }

    /// Advances the chain by a proven block: checks it follows the latest header and that its
    /// header is the one its updates, nullifiers, note roots and transaction ids give (the proof
    /// itself is the verifier's business), then updates the trees and the header.
    public mutating func apply(_ block: BlockProof) throws(ProtocolError) {
        guard block.previousHeader == header else {
            throw .invalid("block \(block.header.number) does not follow the chain's block \(header.number)")
        }
        let next = try advanced(updates: block.accountUpdates, nullifiers: block.nullifiers, noteRoots: block.batchNoteRoots,
                                transactionIDs: block.transactionIDs)
        guard next.header == block.header else {
            throw .invalid("block \(block.header.number): header differs from the one its updates give")
        }
        commit(next, nullifiers: block.nullifiers)
    }

    /// Advances the chain by the block over `batches` without a block proof (a mock chain trusts
    /// blocks it builds itself: for setting up a later scenario). Returns the new header.
    @discardableResult
    public mutating func commitBlock(batches: [ProvenBatch]) throws(ProtocolError) -> BlockHeader {
        let nullifiers = batches.flatMap(\.nullifiers)
        let next = try advanced(updates: Self.accountUpdates(of: batches), nullifiers: nullifiers,
                                noteRoots: batches.map(\.noteTreeRoot), transactionIDs: batches.flatMap(\.transactionIDs))
        commit(next, nullifiers: nullifiers)
        return next.header
    }

    private mutating func commit(_ next: (header: BlockHeader, accounts: SparseMerkleTree, nullifiers: SparseMerkleTree),
                                 nullifiers: [Word]) {
        header = next.header
        headers.append(next.header)
        accountTree = next.accounts
        nullifierTree = next.nullifiers
        for nullifier in nullifiers {
            if let note = consumedNotes.removeValue(forKey: nullifier) { spentNotes.append(note) }
        }
    }

    /// The trees and header after one block; throws if an update does not start from the
    /// account's current commitment or a nullifier is already spent.
    private func advanced(updates: [AccountUpdate], nullifiers: [Word], noteRoots: [Word], transactionIDs: [Word])
        throws(ProtocolError) -> (header: BlockHeader, accounts: SparseMerkleTree, nullifiers: SparseMerkleTree) {
        let number = header.number + 1
        var accountTree = self.accountTree
        for update in updates {
            let current = accountTree.get(update.key)
            guard current == update.initialCommitment else {
                throw .invalid("account \(update.accountID): update starts from \(update.initialCommitment), the tree holds \(current)")
            }
            accountTree.insert(key: update.key, value: update.finalCommitment)
        }
        var nullifierTree = self.nullifierTree
        let value = Word(Felt(UInt64(number)), .zero, .zero, .zero)
        for nullifier in nullifiers {
            guard nullifierTree.insert(key: nullifier, value: value) == .zero else {
                throw .invalid("nullifier \(nullifier) is already spent")
            }
        }
        let next = BlockHeader(number: number, previousCommitment: header.commitment, accountRoot: accountTree.root,
                               nullifierRoot: nullifierTree.root, noteRoot: DenseMerkleTree(padding: noteRoots).root,
                               transactionCommitment: Hash.words(transactionIDs))
        return (next, accountTree, nullifierTree)
    }
}
