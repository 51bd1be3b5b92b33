import STARK

/// Four field elements: the unit of hashing and commitment in the protocol (an RPO256 digest is a Word).
public struct Word: Hashable, Sendable, CustomStringConvertible {
    public var e0: Felt, e1: Felt, e2: Felt, e3: Felt

    public init(_ e0: Felt, _ e1: Felt, _ e2: Felt, _ e3: Felt) {
        self.e0 = e0; self.e1 = e1; self.e2 = e2; self.e3 = e3
    }

    /// From exactly four elements.
    public init(_ elements: [Felt]) {
        precondition(elements.count == 4, "a Word has four elements")
        self.init(elements[0], elements[1], elements[2], elements[3])
    }

    /// From an RPO256 digest (whose words are canonical field elements).
    public init(_ digest: Digest) {
        self.init(Felt(unchecked: digest.w0), Felt(unchecked: digest.w1), Felt(unchecked: digest.w2), Felt(unchecked: digest.w3))
    }

    public static let zero = Word(.zero, .zero, .zero, .zero)

    public var elements: [Felt] { [e0, e1, e2, e3] }
    public var digest: Digest { Digest(e0.value, e1.value, e2.value, e3.value) }

    public subscript(i: Int) -> Felt {
        switch i {
        case 0: return e0
        case 1: return e1
        case 2: return e2
        case 3: return e3
        default: preconditionFailure("Word index \(i) out of range")
        }
    }

    public var description: String { "[\(e0), \(e1), \(e2), \(e3)]" }
}

/// The protocol hash H = RPO256 over Words and element sequences (PROTOCOL.md "Field, hash, encodings").
public enum Hash {
    /// `hash_elements(xs)`: Miden's sponge over field elements.
    public static func elements(_ xs: [Felt]) -> Word { Word(RPO256.hashElements(xs)) }
    /// `hash_elements` of the concatenated words.
    public static func words(_ ws: [Word]) -> Word { elements(ws.flatMap(\.elements)) }
    /// `merge(a, b)`: one permutation over a‖b.
    public static func merge(_ a: Word, _ b: Word) -> Word { Word(RPO256.merge(a.digest, b.digest)) }
}
