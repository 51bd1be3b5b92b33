#!/usr/bin/env bash
# Hashing kernels in the release build, for one hash: blake3 or rpo256 (or ntt: the NTT kernels).
# Prints the kernel costs (BLAKE3: per Merkle node and row leaf; RPO256: per permutation; NTT: per
# butterfly), scalar and multi-lane, then proves the same statements with each kernel forced through
# MRP_BLAKE3_KERNEL / MRP_RPO256_KERNEL / MRP_NTT_KERNEL and 1 and 2 threads: every proof must verify (stark-bench
# verifies) and all proofs of one statement must be byte-identical (same BLAKE3 of the encoded proof).
set -euo pipefail
cd "$(dirname "$0")/.."
hash=${1:-}
case "$hash" in
  # fib: 2-element trace rows, folding 8 (16-element FRI rows) and 4; rpo: 12-element rows.
  blake3) costs=--blake3; kernel_variable=MRP_BLAKE3_KERNEL
          examples=("fib --log-rows 12" "fib --log-rows 11 --folding 4 --blowup 16" "rpo --log-rows 8") ;;
  rpo256) costs=--permutation; kernel_variable=MRP_RPO256_KERNEL
          examples=("fib --log-rows 12" "rpo --log-rows 8") ;;
  # The NTT butterflies (not a hash: BLAKE3-committed proofs with each NTT kernel forced).
  ntt)    costs=--ntt; kernel_variable=MRP_NTT_KERNEL
          examples=("fib --log-rows 12" "tx --notes 1" "block --updates 16") ;;
  *) echo "usage: $0 blake3|rpo256|ntt"; exit 2 ;;
esac
proof_hash=$hash
[ "$hash" = ntt ] && proof_hash=blake3
BENCH=${BENCH:-.build/release/stark-bench}
[ -x "$BENCH" ] || { echo "missing $BENCH (swift build -c release --static-swift-stdlib --product stark-bench)"; exit 1; }

"$BENCH" "$costs" --runs 3

status=0
for example in "${examples[@]}"; do
  hashes=()
  for kernel in scalar vector; do
    # shellcheck disable=SC2086
    out=$(env "$kernel_variable=$kernel" "$BENCH" --example $example --hash "$proof_hash" --grinding 8 --threads 1 2 --runs 1 --json)
    while read -r line; do
      h=$(sed -n 's/.*"proof_blake3": "\([0-9a-f]*\)".*/\1/p' <<<"$line")
      ms=$(sed -n 's/.*"prove_ms": \([0-9.]*\).*/\1/p' <<<"$line")
      t=$(sed -n 's/.*"threads": \([0-9]*\).*/\1/p' <<<"$line")
      echo "$example kernel=$kernel threads=$t prove ${ms} ms proof ${h:0:16}"
      hashes+=("$h")
    done <<<"$out"
  done
  if [ "${#hashes[@]}" -ne 4 ] || [ "$(printf '%s\n' "${hashes[@]}" | sort -u | wc -l)" -ne 1 ] || [ -z "${hashes[0]}" ]; then
    echo "FAIL: $example proofs differ between kernels or thread counts: ${hashes[*]}"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "$hash-kernels: OK"
exit "$status"
