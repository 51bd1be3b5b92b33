// swift-tools-version:6.1
import PackageDescription

/// What every service executable (worker, scheduler, proxy, exporter) uses besides its libraries:
/// the command line, logging and the service lifecycle.
let serviceProcess: [Target.Dependency] = [
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]

let package = Package(
    name: "MidenRemoteProver",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "STARK", targets: ["STARK"]),
        .library(name: "STARKExamples", targets: ["STARKExamples"]),
        .library(name: "Rollup", targets: ["Rollup"]),
        .executable(name: "stark-bench", targets: ["stark-bench"]),
        .executable(name: "stark-fuzz", targets: ["stark-fuzz"]),
        .executable(name: "ctl", targets: ["ctl"]),
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "scheduler", targets: ["scheduler"]),
        .executable(name: "proxy", targets: ["proxy"]),
        .executable(name: "metrics-exporter", targets: ["metrics-exporter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // OpenTelemetry: OTLP/gRPC span export only (the HTTP trait would pull in async-http-client).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPGRPC"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.3.0"),
    ],
    targets: [
        // The STARK engine: field, polynomials, hashes and Merkle trees, AIR, FRI, prover, verifier, proof format.
        .target(
            name: "STARK",
            dependencies: ["CHeapOptions"]
        ),
        // The C allocator's thresholds (mallopt), set by HeapRetention.
        .target(name: "CHeapOptions"),
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
        // The system libzmq (Debian: libzmq3-dev), wrapped by Wire's ZeroMQ layer.
        .systemLibrary(
            name: "CZMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // The address of the concurrency runtime's global-enqueue hook (EventLoopExecutor).
        .target(name: "CConcurrencyHook"),
        // Generated protobuf and gRPC code for proto/*.proto (regenerate with proto/generate.sh; never edit).
        .target(
            name: "Wire",
            dependencies: [
                "CZMQ",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/proto.sha256"]
        ),
        // The proving service's logic: worker, scheduler, proxy and exporter services.
        .target(
            name: "ProverService",
            dependencies: [
                "Rollup", "STARK", "Wire", "CConcurrencyHook",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
        // A prover worker: serves remote_prover.Api/Prove for one proof type.
        .executableTarget(
            name: "worker",
            dependencies: ["ProverService", "Rollup"] + serviceProcess
        ),
        // The public gRPC endpoint: checks, rate limits and forwards jobs to schedulers over ZeroMQ.
        .executableTarget(
            name: "proxy",
            dependencies: ["ProverService", "Rollup", "Wire"] + serviceProcess
        ),
        // The metrics exporter: subscribes to proxy/scheduler metric events, serves Prometheus /metrics.
        .executableTarget(
            name: "metrics-exporter",
            dependencies: ["ProverService", "Wire"] + serviceProcess
        ),
        // The scheduler: the job queue and worker pool behind a ZeroMQ job endpoint and control endpoint.
        .executableTarget(
            name: "scheduler",
            dependencies: ["ProverService", "Rollup", "Wire"] + serviceProcess
        ),
        // Release-mode benchmark of the engine on the example statements.
        .executableTarget(
            name: "stark-bench",
            dependencies: [
                "STARK", "STARKExamples", "Rollup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzzing engine: honest samples, mutations, and the decode and verify checks of each
        // payload kind. Shared by stark-fuzz and its tests; not a product.
        .target(
            name: "FuzzEngine",
            dependencies: ["STARK", "STARKExamples", "Rollup"]
        ),
        // Release-mode fuzzing of the decoders and verifiers with mutated honest payloads.
        .executableTarget(
            name: "stark-fuzz",
            dependencies: [
                "FuzzEngine", "STARK", "Rollup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Operator command line: local cluster, witnesses, hashing, worker control, proving and verifying.
        .executableTarget(
            name: "ctl",
            dependencies: [
                "Rollup", "STARK", "ProverService", "Wire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test support: the trace mutation harness every AIR's soundness tests use.
        .target(
            name: "AIRTesting",
            dependencies: ["STARK"],
            path: "Tests/AIRTesting"
        ),
        .testTarget(
            name: "STARKTests",
            dependencies: ["STARK", "STARKExamples", "AIRTesting"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ProverServiceTests",
            dependencies: [
                "ProverService", "Rollup", "STARK", "Wire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(
            name: "WireTests",
            dependencies: ["Wire"]
        ),
        .testTarget(
            name: "FuzzEngineTests",
            dependencies: ["FuzzEngine", "STARK", "STARKExamples", "Rollup"]
        ),
        .testTarget(
            name: "RollupTests",
            dependencies: ["Rollup", "STARK", "AIRTesting"],
            exclude: ["Fixtures"]
        ),
    ]
)
