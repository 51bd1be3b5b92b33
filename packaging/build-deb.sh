#!/usr/bin/env bash
# Builds the Debian package miden-remote-prover from release binaries:
#   usr/lib/miden-remote-prover/{worker,scheduler,proxy,metrics-exporter,ctl}  the executables
#   usr/bin/miden-prover-{worker,scheduler,proxy,metrics-exporter,ctl}       symlinks to them
#   lib/systemd/system/                     worker@, scheduler@, proxy@, metrics-exporter, target
#   etc/default/miden-prover-*              settings (conffiles), every MRP_* variable with its default
#
# Usage: packaging/build-deb.sh [--binaries DIR] [--output DIR] [--version VERSION]
#   --binaries  where the release executables are (default .build/release); build them with
#               `swift build -c release --static-swift-stdlib` so they need no Swift toolchain
#   --output    where the .deb goes (default .build/debian); the script prints its path last
#   --version   package version (default: ServiceVersion.current in Sources/ProverService)
#   --compression  dpkg-deb -Z type: zstd (default: fast, Debian 12+, Ubuntu 21.10+), xz (smaller,
#               minutes slower) or gzip (any dpkg)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packaging="$root/packaging"
binaries="$root/.build/release"
output="$root/.build/debian"
version=""
compression=zstd
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binaries) binaries="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --compression) compression="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

package=miden-remote-prover
executables=(worker scheduler proxy metrics-exporter ctl)
proof_types=(transaction batch block)

fail() { echo "build-deb.sh: $*" >&2; exit 1; }

case "$compression" in zstd|xz|gzip) ;; *) fail "--compression '$compression' is not zstd, xz or gzip" ;; esac
for tool in dpkg-deb dpkg-shlibdeps strip ldd; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install dpkg-dev binutils)"
done
if [[ -z "$version" ]]; then
  version="$(sed -n 's/.*static let current = "\([^"]*\)".*/\1/p' "$root/Sources/ProverService/Common/ServiceVersion.swift")"
  [[ -n "$version" ]] || fail "cannot read ServiceVersion.current from Sources/ProverService/Common/ServiceVersion.swift"
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || fail "--version '$version' is not a Debian version"
architecture="$(dpkg --print-architecture)"

# Every executable present, and needing only libraries from Debian packages (not a Swift toolchain).
for name in "${executables[@]}"; do
  binary="$binaries/$name"
  [[ -x "$binary" ]] || fail "$binary is missing: run \`swift build -c release --static-swift-stdlib\` first"
  missing="$(ldd "$binary" | awk '/not found/ {print $1}')"
  [[ -z "$missing" ]] || fail "$binary needs libraries that are not installed: $missing"
  foreign="$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/(usr\/)?lib(64|32|x32)?\// {print $3}')"
  [[ -z "$foreign" ]] || fail "$binary links libraries outside the system's: $(echo $foreign) — build with \`swift build -c release --static-swift-stdlib\`"
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
tree="$stage/$package"
lib="$tree/usr/lib/$package"
units="$tree/lib/systemd/system"
defaults="$tree/etc/default"
doc="$tree/usr/share/doc/$package"
mkdir -p "$lib" "$tree/usr/bin" "$units" "$defaults" "$doc" "$tree/DEBIAN"

# The executables, stripped as dh_strip does (183 MB → 88 MB each), and their installed names in
# /usr/bin. ctl finds its siblings through its real path (ExecutableLocator).
for name in "${executables[@]}"; do
  strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$lib/$name" "$binaries/$name"
  chmod 0755 "$lib/$name"
  ln -s "../lib/$package/$name" "$tree/usr/bin/miden-prover-$name"
done
install -m 0755 "$packaging/worker-instance" "$lib/worker-instance"

# The units, each with the shared hardening block in place of @HARDENING@.
for unit in "$packaging"/systemd/*.service "$packaging"/systemd/*.target; do
  awk -v inc="$packaging/systemd/hardening.inc" '
    $0 == "@HARDENING@" { while ((getline line < inc) > 0) print line; close(inc); next }
    { print }' "$unit" > "$units/$(basename "$unit")"
  chmod 0644 "$units/$(basename "$unit")"
done

# The settings: one file per proof type for schedulers and proxies (ports of the `ctl up`
# layout: transaction 8082/8083/8084, batch +10, block +20), one shared by all workers.
install -m 0644 "$packaging/default/miden-prover-worker" "$defaults/miden-prover-worker"
install -m 0644 "$packaging/default/miden-prover-metrics-exporter" "$defaults/miden-prover-metrics-exporter"
for index in "${!proof_types[@]}"; do
  type="${proof_types[$index]}"
  offset=$((10 * index))
  for service in scheduler proxy; do
    sed -e "s/@PROOF_TYPE@/$type/g" -e "s/@PROXY_PORT@/$((8082 + offset))/g" \
        -e "s/@CONTROL_PORT@/$((8083 + offset))/g" -e "s/@SCHEDULER_PORT@/$((8084 + offset))/g" \
        "$packaging/default/miden-prover-$service.in" > "$defaults/miden-prover-$service-$type"
    chmod 0644 "$defaults/miden-prover-$service-$type"
  done
done
if grep -l '@[A-Z_]*@' "$defaults"/* "$units"/*; then fail "unreplaced @PLACEHOLDER@ in the files above"; fi
(cd "$tree" && find etc -type f | sort | sed 's|^|/|') > "$tree/DEBIAN/conffiles"

install -m 0644 "$packaging/README.Debian" "$doc/README.Debian"
for script in postinst prerm postrm; do install -m 0755 "$packaging/debian/$script" "$tree/DEBIAN/$script"; done

# Depends: the shared libraries the executables link (libzmq5, libc6, …), from dpkg-shlibdeps.
mkdir -p "$stage/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" > "$stage/shlibs/debian/control"
shlibs="$(cd "$stage/shlibs" && dpkg-shlibdeps -O "${executables[@]/#/$lib/}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[[ -n "$shlibs" ]] || fail "dpkg-shlibdeps found no library dependencies"

installed_size="$(du -sk --exclude=DEBIAN "$tree" | cut -f1)"
cat > "$tree/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $architecture
Maintainer: Miden remote prover maintainers <maintainers@invalid>
Installed-Size: $installed_size
Depends: adduser, $shlibs
Section: net
Priority: optional
Description: Miden remote STARK prover: workers, schedulers, proxies, metrics
 A remote proving service for Miden-style rollups: prover workers for
 transaction, batch and block proofs, the schedulers that queue jobs and
 place them on workers, the public gRPC proxies, a Prometheus metrics
 exporter, and miden-prover-ctl to operate them (or run a local cluster).
 .
 systemd units: miden-prover-worker@<type>-<port>, miden-prover-scheduler@<type>,
 miden-prover-proxy@<type>, miden-prover-metrics-exporter, miden-prover.target;
 nothing is enabled on install. See /usr/share/doc/miden-remote-prover/README.Debian.
EOF

mkdir -p "$output"
deb="$output/${package}_${version}_${architecture}.deb"
dpkg-deb --root-owner-group "-Z$compression" --build "$tree" "$deb" >/dev/null
echo "$deb"
