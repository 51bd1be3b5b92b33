import STARK

/// The genesis state of a `MockChain`: its faucets and accounts, deterministic in a seed.
public struct MockChainGenesis: Sendable {
    /// The faucet ids every account's vault and every note draws from (three, increasing).
    public let faucets: [Felt]
    /// The accounts at genesis, ids distinct, in creation order.
    public let accounts: [Account]

    /// `accountCount` accounts (≥ 1), each with two or three of the faucets' assets, four storage
    /// slots and a code root.
    public init(accountCount: Int, seed: UInt64) {
        precondition(accountCount >= 1, "a mock chain needs at least one account")
        var rng = WitnessRNG(seed: seed)
        faucets = (0..<3).map { k in Felt((rng.next() % (1 << 56)) << 2 | UInt64(k)) }.sorted { $0.value < $1.value }
        var ids = Set<UInt64>()
        var accounts: [Account] = []
        while accounts.count < accountCount {
            let id = rng.next() % (1 << 60) + 1
            guard ids.insert(id).inserted else { continue }
            let held = accounts.count % 2 == 0 ? faucets : [faucets[0], faucets[2]]
            let vault = held.map { FungibleAsset(faucet: $0, amount: rng.next() % 1_000_000 + 100_000) }
            accounts.append(Account(id: Felt(id), nonce: Felt(rng.next() % 1000), vault: vault,
                                    storage: (0..<4).map { _ in rng.word() }, codeRoot: rng.word()))
        }
        self.accounts = accounts
    }
}
