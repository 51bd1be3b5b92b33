// swift-tools-version:6.1
// Builds the protoc plugins used by ../generate.sh (protoc-gen-swift, protoc-gen-grpc-swift-2).
// Not part of the main package; built only when regenerating the committed Swift code.
import PackageDescription

let package = Package(
    name: "ProtocPlugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    ],
    targets: []
)
