#!/usr/bin/env bash
# RPO256 kernels in the release build: the shared check in hash-kernels.sh (cost per permutation,
# byte-identical verifying proofs with each kernel forced, 1 and 2 threads).
exec bash "$(dirname "$0")/hash-kernels.sh" rpo256
