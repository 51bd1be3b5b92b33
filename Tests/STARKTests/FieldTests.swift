import Testing
@testable import STARK

@Suite struct FieldSmokeTests {
    @Test func rootOfUnityHasOrder() {
        let r = Felt.rootOfUnity(logSize: 32)
        #expect(r.power(1 << 32) == .one)
        #expect(r.power(1 << 31) != .one)
    }
}
