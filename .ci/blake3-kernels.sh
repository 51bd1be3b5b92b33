#!/usr/bin/env bash
# BLAKE3 kernels in the release build: the shared check in hash-kernels.sh (costs per node and leaf,
# byte-identical verifying proofs with each kernel forced, 1 and 2 threads).
exec bash "$(dirname "$0")/hash-kernels.sh" blake3
