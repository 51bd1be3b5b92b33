#!/usr/bin/env bash
# Regenerates the committed Swift code in Sources/Wire/Generated from the .proto files here.
# Needs protoc (Debian: protobuf-compiler). Builds the two protoc plugins once, in .build-protoc
# (several minutes the first time). CI does not run this; it checks the stamp instead
# (Tests/ProverServiceTests/GeneratedCodeTests.swift): edit a .proto, run this script, commit both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
scratch="$root/.build-protoc"
swift build -c release --package-path proto/plugins --scratch-path "$scratch" --product protoc-gen-swift
swift build -c release --package-path proto/plugins --scratch-path "$scratch" --product protoc-gen-grpc-swift-2
bin="$scratch/release"
out="Sources/Wire/Generated"
rm -rf "$out"
mkdir -p "$out"
protos=(remote_prover.proto health.proto internal.proto)
protoc -I proto -I /usr/include \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" --swift_out="$out" --swift_opt=Visibility=Public \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" --grpc-swift_out="$out" \
  --grpc-swift_opt=Visibility=Public,Server=true,Client=true \
  "${protos[@]}"
# The stamp: a digest of the .proto files the code was generated from.
(cd proto && sha256sum "${protos[@]}") > "$out/proto.sha256"
echo "generated $(ls "$out" | wc -l) files in $out"
