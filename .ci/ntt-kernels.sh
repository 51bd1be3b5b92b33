#!/usr/bin/env bash
# NTT butterfly kernels in the release build: the shared check in hash-kernels.sh (cost per
# butterfly, byte-identical verifying fib, transaction and block proofs with each kernel forced,
# 1 and 2 threads).
exec bash "$(dirname "$0")/hash-kernels.sh" ntt
