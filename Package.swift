// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "MidenRemoteProver",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "STARK", targets: ["STARK"]),
        .library(name: "STARKExamples", targets: ["STARKExamples"]),
        .library(name: "Rollup", targets: ["Rollup"]),
        .executable(name: "stark-bench", targets: ["stark-bench"]),
        .executable(name: "ctl", targets: ["ctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The STARK engine: field, polynomials, hashes and Merkle trees, AIR, FRI, prover, verifier, proof format.
        .target(
            name: "STARK"
        ),
        // Example statements proven with the engine: Fibonacci and an RPO256 hash chain.
        .target(
            name: "STARKExamples",
            dependencies: ["STARK"]
        ),
        // The rollup protocol: accounts, notes, nullifiers, trees, witnesses and their encodings.
        .target(
            name: "Rollup",
            dependencies: ["STARK"],
            exclude: ["AIR/README.md"]
        ),
        // Release-mode benchmark of the engine on the example statements.
        .executableTarget(
            name: "stark-bench",
            dependencies: [
                "STARK", "STARKExamples", "Rollup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Operator command line: witnesses, hashing, (later) cluster control, proving and verifying.
        .executableTarget(
            name: "ctl",
            dependencies: [
                "Rollup", "STARK",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "STARKTests",
            dependencies: ["STARK", "STARKExamples"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RollupTests",
            dependencies: ["Rollup", "STARK"],
            exclude: ["Fixtures"]
        ),
    ]
)
