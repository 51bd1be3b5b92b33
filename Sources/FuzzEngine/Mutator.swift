import STARK

/// Makes the mutants of one kind's honest samples. Case `k` depends only on the seed, the kind
/// and `k`, so any case can be replayed alone (`--start-case k --cases 1`).
public struct Mutator: Sendable {
    /// One mutated payload: the sample it started from, what was done to it, the result.
    public struct Mutant: Sendable {
        public let caseIndex: Int
        public let base: Int
        public let mutations: [Mutation]
        public let bytes: [UInt8]
    }

    public let kind: FuzzKind
    public let samples: [[UInt8]]
    public let layouts: [PayloadLayout]
    /// Per sample, its bytes outside embedded proofs: the public fields, which a third of the
    /// random offsets aim at (they are a small part of a proven object).
    let publicParts: [[Range<Int>]]
    /// Per sample, its element runs in the public part.
    let publicElementRuns: [[Range<Int>]]

    public init(kind: FuzzKind, samples: [[UInt8]]) {
        precondition(!samples.isEmpty, "a mutator needs at least one honest sample")
        self.kind = kind
        self.samples = samples
        layouts = samples.map { PayloadLayout.of(kind, $0) }
        publicParts = zip(layouts, samples).map { layout, sample in
            layout.embeddedProofs.isEmpty ? [] : layout.outsideProofs(of: sample.count)
        }
        publicElementRuns = zip(layouts, publicParts).map { layout, part in
            layout.elementRuns.filter { run in part.contains { $0.contains(run.lowerBound) } }
        }
    }

    /// The generator of case `index`.
    public static func rng(seed: UInt64, kind: FuzzKind, case index: Int) -> SplitMix64 {
        var perKind = SplitMix64(seed: seed ^ kind.salt)
        var perCase = SplitMix64(seed: perKind.next() ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        _ = perCase.next()
        return perCase
    }

    /// Case `index`: a random honest sample with one mutation (most cases), a few, or many.
    public func mutant(case index: Int, seed: UInt64) -> Mutant {
        var rng = Self.rng(seed: seed, kind: kind, case: index)
        let base = Int.random(in: 0..<samples.count, using: &rng)
        let roll = Int.random(in: 0..<100, using: &rng)
        let count = roll < 60 ? 1 : roll < 80 ? 2 : Int.random(in: 3...8, using: &rng)
        var bytes = samples[base]
        var mutations: [Mutation] = []
        let publicPart = publicParts[base]
        // The first change is sometimes structural: a list item duplicated, removed or swapped,
        // with the list's count and the enclosing length prefixes kept consistent.
        if !layouts[base].lists.isEmpty && Int.random(in: 0..<100, using: &rng) < 15 {
            for m in structuralMutation(of: bytes, layout: layouts[base], &rng) {
                m.apply(to: &bytes, samples: samples)
                mutations.append(m)
            }
        }
        // Mutations can cancel out (a byte overwritten with itself, a splice at the same offset):
        // a few more are applied until the payload differs from its sample.
        while mutations.count < count || (bytes == samples[base] && mutations.count < count + 4) {
            let m = mutation(of: bytes, layout: layouts[base], publicPart: publicPart, publicRuns: publicElementRuns[base], &rng)
            m.apply(to: &bytes, samples: samples)
            mutations.append(m)
        }
        return Mutant(caseIndex: index, base: base, mutations: mutations, bytes: bytes)
    }

    /// One random mutation of `bytes` (which started as the sample whose layout is `layout`;
    /// after a length change its offsets are approximate, which is fine for fuzzing).
    func mutation(of bytes: [UInt8], layout: PayloadLayout, publicPart: [Range<Int>] = [], publicRuns: [Range<Int>] = [],
                  _ rng: inout SplitMix64) -> Mutation {
        let n = bytes.count
        guard n > 0 else { return .append(randomBytes(Int.random(in: 1...64, using: &rng), &rng)) }
        func offset() -> Int {
            if !publicPart.isEmpty && Int.random(in: 0..<3, using: &rng) == 0 {
                return min(n - 1, Self.pick(in: publicPart, stride: 1, &rng))
            }
            return Int.random(in: 0..<n, using: &rng)
        }
        func boundary() -> Int {
            layout.boundaries.isEmpty ? offset() : min(n, layout.boundaries.randomElement(using: &rng)!)
        }
        func length(upTo limit: Int) -> Int { Int.random(in: 1...max(1, limit), using: &rng) }

        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<14:
            return .flipBits([Int.random(in: 0..<(8 * n), using: &rng)])
        case 14..<22:
            let flips = Int.random(in: 2...16, using: &rng)
            if Bool.random(using: &rng) {
                let start = 8 * offset()
                return .flipBits((0..<flips).map { _ in min(8 * n - 1, start + Int.random(in: 0..<64, using: &rng)) })
            }
            return .flipBits((0..<flips).map { _ in Int.random(in: 0..<(8 * n), using: &rng) })
        case 22..<34:
            let at = Bool.random(using: &rng) ? offset() : boundary()
            let k = length(upTo: 8)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .overwrite(offset: at, bytes: Array(repeating: 0x00, count: k))
            case 1: return .overwrite(offset: at, bytes: Array(repeating: 0xFF, count: k))
            default: return .overwrite(offset: at, bytes: randomBytes(k, &rng))
            }
        case 34..<44:
            return elementMutation(bytes, layout: layout, publicRuns: publicRuns, &rng)
        case 44..<62:
            return countMutation(bytes, layout: layout, &rng) ?? .flipBits([Int.random(in: 0..<(8 * n), using: &rng)])
        case 62..<70:
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .truncate(length: Int.random(in: 0..<n, using: &rng))
            case 1: return .truncate(length: max(0, min(n - 1, boundary() + Int.random(in: -1...1, using: &rng))))
            case 2: return .truncate(length: max(0, n - length(upTo: 16)))
            default: return .truncate(length: min(n - 1, Int.random(in: 0...16, using: &rng)))
            }
        case 70..<75:
            let k = length(upTo: 64)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .append(Array(repeating: 0, count: k))
            case 1: return .append(Array(repeating: 0xFF, count: k))
            case 2:
                let start = offset()
                return .append(Array(bytes[start..<min(n, start + k)]))
            default: return .append(randomBytes(k, &rng))
            }
        case 75..<81:
            let start = Bool.random(using: &rng) ? offset() : boundary()
            let k = Int.random(in: 0..<10, using: &rng) < 7 ? length(upTo: 64) : length(upTo: n / 4)
            return .delete(start..<min(n, start + k))
        case 81..<87:
            let start = Bool.random(using: &rng) ? offset() : boundary()
            let range = start..<min(n, start + length(upTo: Bool.random(using: &rng) ? 64 : 512))
            return .duplicate(range, at: Int.random(in: 0..<10, using: &rng) < 6 ? range.upperBound : offset())
        case 87..<90:
            return .insert(offset: Bool.random(using: &rng) ? offset() : boundary(), bytes: randomBytes(length(upTo: 16), &rng))
        default:
            let other = Int.random(in: 0..<samples.count, using: &rng)
            let otherCount = samples[other].count
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // the same offset in both: keeps the framing when the samples share a layout prefix
                let cut = boundary()
                return .splice(cut: cut, sample: other, from: min(cut, otherCount))
            case 1:
                return .splice(cut: offset(), sample: other, from: Int.random(in: 0...otherCount, using: &rng))
            default:
                let cut = offset()
                return .splice(cut: cut, sample: other, from: min(cut, otherCount))
            }
        }
    }

    /// An 8-byte element set to a value the decoder must refuse or treat as different: p, p + r,
    /// 2^64 − 1, or the alias v + p of a small canonical value v.
    func elementMutation(_ bytes: [UInt8], layout: PayloadLayout, publicRuns: [Range<Int>], _ rng: inout SplitMix64) -> Mutation {
        let n = bytes.count
        var at = Int.random(in: 0..<n, using: &rng)
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 30 && !publicRuns.isEmpty {
            at = Self.pick(in: publicRuns, stride: 8, &rng)
        } else if roll < 85 && !layout.elementRuns.isEmpty {
            at = Self.pick(in: layout.elementRuns, stride: 8, &rng)
        }
        let p = Felt.modulus
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return .element(offset: at, value: p)
        case 1: return .element(offset: at, value: p + rng.next() % (UInt64.max - p + 1))
        case 2: return .element(offset: at, value: .max)
        default:
            var current: UInt64 = 0
            for k in (0..<8).reversed() where at + k < n { current = current << 8 | UInt64(bytes[at + k]) }
            return .element(offset: at, value: current <= UInt64.max - p ? current + p : .max)
        }
    }

    /// A count field set to a boundary or huge value; nil if the layout has no counts.
    func countMutation(_ bytes: [UInt8], layout: PayloadLayout, _ rng: inout SplitMix64) -> Mutation? {
        guard let field = layout.counts.randomElement(using: &rng) else { return nil }
        var current: UInt64 = 0
        for k in (0..<field.width).reversed() where field.offset + k < bytes.count {
            current = current << 8 | UInt64(bytes[field.offset + k])
        }
        let widthMax: UInt64 = field.width == 8 ? .max : (1 << (8 * UInt64(field.width))) - 1
        var candidates: [UInt64] = [0, 1, current &+ 1, current &- 1, current &* 2, widthMax, widthMax / 2, widthMax / 2 + 1,
                                    rng.next() & widthMax]
        if let limit = field.limit { candidates += [UInt64(limit), UInt64(limit) + 1] }
        if field.width == 4 { candidates += [0x1_0000, 0xFF_FFFF, 1 << 20, (1 << 20) + 1, 1 << 24] }
        let value = candidates.randomElement(using: &rng)! & widthMax
        return .count(offset: field.offset, width: field.width, value: value)
    }

    /// An item of a counted list duplicated (next to itself or elsewhere in the list), removed,
    /// or swapped with another. Only for the honest sample itself (the offsets must be exact).
    func structuralMutation(of bytes: [UInt8], layout: PayloadLayout, _ rng: inout SplitMix64) -> [Mutation] {
        let outside = layout.lists.filter { list in !layout.embeddedProofs.contains { $0.contains(list.count.offset) } }
        let list = (!outside.isEmpty && Bool.random(using: &rng) ? outside : layout.lists).randomElement(using: &rng)!
        let items = list.items
        let k = Int.random(in: 0..<items.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            let at = Bool.random(using: &rng) ? items[k].upperBound : items.randomElement(using: &rng)!.lowerBound
            return Self.duplicating(item: k, of: list, at: at, in: bytes)
        case 1:
            return Self.removing(item: k, of: list, in: bytes)
        default:
            guard items.count >= 2 else { return Self.removing(item: k, of: list, in: bytes) }
            var j = Int.random(in: 0..<(items.count - 1), using: &rng)
            if j >= k { j += 1 }
            return [.swap(items[min(j, k)], items[max(j, k)])]
        }
    }

    /// Item `k` of `list` copied to `at` (an item boundary of the list), with the list's count
    /// and the enclosing length prefixes grown to match.
    public static func duplicating(item k: Int, of list: PayloadLayout.ListField, at: Int, in bytes: [UInt8]) -> [Mutation] {
        resizing(list, items: 1, bytes: list.items[k].count, in: bytes) + [.duplicate(list.items[k], at: at)]
    }

    /// Item `k` of `list` removed, with the count and the enclosing length prefixes shrunk to match.
    public static func removing(item k: Int, of list: PayloadLayout.ListField, in bytes: [UInt8]) -> [Mutation] {
        resizing(list, items: -1, bytes: -list.items[k].count, in: bytes) + [.delete(list.items[k])]
    }

    /// The count changes for `list` growing by `items` items of `delta` bytes in all.
    private static func resizing(_ list: PayloadLayout.ListField, items: Int, bytes delta: Int, in bytes: [UInt8]) -> [Mutation] {
        func changed(_ field: PayloadLayout.CountField, by d: Int) -> Mutation {
            var v: Int64 = 0
            for b in (0..<field.width).reversed() { v = v << 8 | Int64(bytes[field.offset + b]) }
            return .count(offset: field.offset, width: field.width, value: UInt64(max(0, v + Int64(d))))
        }
        return [changed(list.count, by: items)] + list.enclosing.map { changed($0, by: delta) }
    }

    /// A random position among `ranges` (each counted in steps of `stride` from its start), uniform over all of them.
    static func pick(in ranges: [Range<Int>], stride: Int, _ rng: inout SplitMix64) -> Int {
        let total = ranges.reduce(0) { $0 + $1.count / stride }
        guard total > 0 else { return ranges.first?.lowerBound ?? 0 }
        var k = Int.random(in: 0..<total, using: &rng)
        for range in ranges {
            let steps = range.count / stride
            if k < steps { return range.lowerBound + stride * k }
            k -= steps
        }
        return ranges[0].lowerBound
    }

    func randomBytes(_ k: Int, _ rng: inout SplitMix64) -> [UInt8] {
        (0..<k).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }
}
