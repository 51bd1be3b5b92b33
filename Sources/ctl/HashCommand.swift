import ArgumentParser
import Foundation
import Rollup
import STARK

/// `ctl hash`: RPO256 digests of protocol values, for debugging commitments by hand.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the RPO256 digest (four decimal elements) of elements or of two merged words.",
        discussion: "Examples: ctl hash --elements 1,2,3   ctl hash --merge 1,2,3,4 5,6,7,8")

    @Option(help: "Comma-separated decimal field elements to hash with hash_elements.")
    var elements: String?

    @Option(parsing: .upToNextOption, help: "Two words of four comma-separated decimal elements to merge.")
    var merge: [String] = []

    func validate() throws {
        guard (elements != nil) != !merge.isEmpty else {
            throw ValidationError("give exactly one of --elements or --merge")
        }
        if !merge.isEmpty && merge.count != 2 { throw ValidationError("--merge takes two words") }
    }

    func run() throws {
        let digest: Word
        if let elements {
            digest = Hash.elements(try parseElements(elements, what: "--elements"))
        } else {
            let words = try merge.enumerated().map { k, text -> Word in
                let values = try parseElements(text, what: "--merge word \(k + 1)")
                guard values.count == 4 else { throw CommandError("--merge word \(k + 1) has \(values.count) elements; a word has 4") }
                return Word(values)
            }
            digest = Hash.merge(words[0], words[1])
        }
        print(digest.elements.map(\.description).joined(separator: ","))
    }
}

/// Parses "a,b,c" into canonical field elements; an empty string is the empty sequence.
func parseElements(_ text: String, what: String) throws -> [Felt] {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty { return [] }
    return try trimmed.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { k, part in
        let s = part.trimmingCharacters(in: .whitespaces)
        guard let v = UInt64(s) else { throw CommandError("\(what): element \(k) '\(s)' is not a decimal number below 2^64") }
        guard let f = Felt(canonical: v) else { throw CommandError("\(what): element \(k) is \(v), not below p = \(Felt.modulus)") }
        return f
    }
}
