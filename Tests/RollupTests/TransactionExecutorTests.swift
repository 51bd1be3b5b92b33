import Testing
import STARK
@testable import Rollup

@Suite struct TransactionExecutorTests {
    static let faucet = Felt(1000)
    static let account = Account(id: 42, nonce: 3, vault: [FungibleAsset(faucet: faucet, amount: 50)], storage: [.zero], codeRoot: Word(1, 2, 3, 4))

    func inputs(inputAmount: UInt64 = 30, outputAmount: UInt64 = 70, target: Felt = 42) -> TransactionInputs {
        let input = Note.payToID(target: target, serialNumber: Word(9, 9, 9, 9), assets: [FungibleAsset(faucet: Self.faucet, amount: inputAmount)], sender: 7)
        let output = Note.payToID(target: 99, serialNumber: Word(8, 8, 8, 8), assets: [FungibleAsset(faucet: Self.faucet, amount: outputAmount)], sender: 42)
        return TransactionInputs(account: Self.account, referenceBlock: BlockReference(number: 10, commitment: Word(5, 5, 5, 5)),
                                 inputNotes: [input], outputNotes: [output], storageWrites: [StorageWrite(slot: 0, value: Word(1, 1, 1, 1))], expiration: 20)
    }

    @Test func validTransactionUpdatesBalancesStorageAndNonce() throws {
        let outcome = try TransactionExecutor.execute(inputs())
        #expect(outcome.finalAccount.balance(of: Self.faucet) == 10)
        #expect(outcome.finalAccount.nonce == 4)
        #expect(outcome.finalAccount.storage == [Word(1, 1, 1, 1)])
        #expect(outcome.finalAccount.codeRoot == Self.account.codeRoot)
        #expect(outcome.initialCommitment == Self.account.commitment)
        #expect(outcome.finalCommitment == outcome.finalAccount.commitment)
        #expect(outcome.nullifiers == [inputs().inputNotes[0].nullifier])
    }

    @Test func overspendIsRefused() {
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs(outputAmount: 81)) }
    }

    @Test func noteForAnotherAccountIsRefused() {
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs(target: 43)) }
    }

    @Test func balanceAtOrAbove2To63IsRefused() {
        #expect(throws: ProtocolError.self) { try TransactionExecutor.execute(inputs(inputAmount: (1 << 63) - 50, outputAmount: 1)) }
    }
}

@Suite struct TransactionWitnessGeneratorTests {
    @Test(arguments: [(0, 0), (1, 1), (4, 4), (5, 2)])
    func generatedWitnessesAreValid(shape: (Int, Int)) throws {
        let witness = TransactionWitnessGenerator.make(inputs: shape.0, outputs: shape.1, seed: 7)
        let outcome = try TransactionExecutor.execute(witness)
        #expect(outcome.nullifiers.count == shape.0)
        #expect(outcome.outputNotes.count == shape.1)
        #expect(TransactionWitnessGenerator.make(inputs: shape.0, outputs: shape.1, seed: 7) == witness)
    }

    @Test(arguments: TransactionWitnessGenerator.Violation.allCases)
    func eachViolationIsRefusedWithAMessage(violation: TransactionWitnessGenerator.Violation) {
        let witness = TransactionWitnessGenerator.make(inputs: 3, outputs: 2, seed: 11, violating: violation)
        do {
            _ = try TransactionExecutor.execute(witness)
            Issue.record("\(violation) was accepted")
        } catch {
            #expect(!error.description.isEmpty)
        }
    }
}
