import Testing

/// The worker's memory settings (`MRP_PROVER_MEMORY_MIB`, `MRP_HEAP_RETAIN_MIB`): a malformed value
/// stops it at start-up, naming the variable, instead of proving with a setting nobody chose.
@Suite struct WorkerMemorySettingsTests {
    @Test(arguments: [
        ("MRP_PROVER_MEMORY_MIB", "lots"), ("MRP_PROVER_MEMORY_MIB", "-5"),
        ("MRP_HEAP_RETAIN_MIB", "2048"), ("MRP_HEAP_RETAIN_MIB", "1.5"), ("MRP_HEAP_RETAIN_MIB", "x"),
    ])
    func aMalformedValueStopsTheWorker(variable: String, value: String) throws {
        let (refused, output) = try WorkerStartupRefusal.run(environment: [variable: value])
        #expect(refused, "the worker ran with \(variable)=\(value)")
        #expect(output.contains(variable) && output.contains(value), "\(output)")
    }
}
