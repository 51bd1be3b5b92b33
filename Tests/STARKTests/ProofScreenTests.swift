import Testing
@testable import STARK
import STARKExamples

/// `Verifier.verify(proofBytes:expectedTraceInfo:minimumSecurity:air:)` decodes and screens a
/// proof before it builds the AIR: a proof refused by the screen never costs an AIR.
@Suite struct ProofScreenTests {
    static let rows = 32
    static let statement = FibonacciAIR.trace(rows: rows)
    static let air = FibonacciAIR(rows: rows, result: statement.result)
    static let bytes = ProofCodec.encode(try! Prover.prove(air: air, trace: statement.trace, options: fastOptions, threads: 1))

    /// Verifies through the screened entry point, counting how often the AIR is built.
    static func verify(_ bytes: [UInt8], expecting info: TraceInfo = air.traceInfo, air: FibonacciAIR = air,
                       minimumSecurity: Int = Verifier.minimumSecurityBits) -> (error: StarkError?, airsBuilt: Int) {
        var built = 0
        do {
            try Verifier.verify(proofBytes: bytes, expectedTraceInfo: info, minimumSecurity: minimumSecurity) {
                built += 1
                return air
            }
            return (nil, built)
        } catch {
            return (error, built)
        }
    }

    @Test func validProofBuildsTheAIROnceAndVerifies() {
        let (error, built) = Self.verify(Self.bytes)
        #expect(error == nil)
        #expect(built == 1)
    }

    @Test func garbageIsRefusedAtDecodeWithoutAnAIR() {
        for garbage: [UInt8] in [[], [0x53], Array("STRK".utf8), Array(Self.bytes[..<40]), [UInt8](repeating: 0xAB, count: 5000)] {
            let (error, built) = Self.verify(garbage)
            guard case .malformedProof = error else {
                Issue.record("\(garbage.count) bytes: \(String(describing: error))")
                continue
            }
            #expect(built == 0, "\(garbage.count) bytes built an AIR")
        }
    }

    @Test func otherTraceShapeIsRefusedAtTheShapeCheckWithoutAnAIR() {
        let shapes = [TraceInfo(mainWidth: 2, length: Self.rows * 2), TraceInfo(mainWidth: 3, length: Self.rows),
                      TraceInfo(mainWidth: 2, auxWidth: 1, auxChallenges: 1, length: Self.rows)]
        for info in shapes {
            let (error, built) = Self.verify(Self.bytes, expecting: info)
            #expect(error?.description.contains("proof shape check") == true, "\(info): \(String(describing: error))")
            #expect(built == 0)
        }
    }

    /// The header is screened before the body is read: a proof for another shape is refused at
    /// the shape check even when the rest of its bytes would not decode.
    @Test func shapeIsCheckedBeforeTheBodyIsDecoded() throws {
        let header = Array(Self.bytes[..<19])
        #expect(try ProofCodec.decodeContext(header).traceInfo == Self.air.traceInfo)
        let (error, built) = Self.verify(header + [0xFF, 0xFF], expecting: TraceInfo(mainWidth: 2, length: Self.rows * 4))
        #expect(error?.description.contains("proof shape check") == true, "\(String(describing: error))")
        #expect(built == 0)
        let (weak, _) = Self.verify(header, minimumSecurity: 200)
        #expect(weak == .insufficientSecurity(got: Self.proofSecurity, required: 200))
        let (truncated, _) = Self.verify(header)
        guard case .malformedProof = truncated else {
            Issue.record("a header alone: \(String(describing: truncated))")
            return
        }
    }

    @Test func weakProofIsRefusedWithoutAnAIR() {
        let (error, built) = Self.verify(Self.bytes, minimumSecurity: 200)
        #expect(error == .insufficientSecurity(got: Self.proofSecurity, required: 200))
        #expect(built == 0)
    }

    static var proofSecurity: Int { fastOptions.conjecturedSecurity(traceLength: rows) }

    /// An AIR whose trace differs from the shape the caller promised is refused, not verified against.
    @Test func airOfAnotherShapeThanPromisedIsRefused() {
        let other = FibonacciAIR(rows: Self.rows * 2, result: Self.statement.result)
        let (error, built) = Self.verify(Self.bytes, air: other)
        #expect(built == 1)
        #expect(error?.description.contains("not the expected") == true, "\(String(describing: error))")
    }
}
