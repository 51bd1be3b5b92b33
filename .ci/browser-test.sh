#!/usr/bin/env bash
# gRPC-Web in a real browser: a worker, a scheduler and a proxy (release binaries) with gRPC-Web on,
# a static page served from another origin (so CORS is exercised for real) that calls Status
# (binary and text mode) and Prove through a hand-written gRPC-Web client, in headless Chromium.
# The page posts its results back; this script checks them and verifies the proof with `ctl verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MRP_BIN_DIR:-.build/release}  # MRP_BIN_DIR=.build/debug for a local run
started=$(date +%s)

if [[ "${CI:-}" == "true" ]] && { ! command -v chromium >/dev/null || ! command -v python3 >/dev/null; }; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium python3 >/dev/null
fi
for tool in chromium python3; do command -v "$tool" >/dev/null || { echo "browser-test: $tool is not installed" >&2; exit 1; }; done
for exe in worker scheduler proxy ctl; do [[ -x "$bin/$exe" ]] || { echo "browser-test: $bin/$exe missing (swift build -c release)" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
chromium_group=""
cleanup() {
  # Chromium runs in its own session: its helper processes go with the group.
  [[ -n "$chromium_group" ]] && { kill -- "-$chromium_group" 2>/dev/null || true; wait "$chromium_group" 2>/dev/null || true; }
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "browser-test: FAILED: $*" >&2
  for log in "$work"/*.log; do echo "--- $(basename "$log") (last lines)" >&2; tail -n 20 "$log" >&2 || true; done
  exit 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
worker_port=$(free_port); scheduler_port=$(free_port); control_port=$(free_port)
proxy_port=$(free_port); web_port=$(free_port); page_port=$(free_port)
page_origin="http://127.0.0.1:$page_port"

"$bin/worker" --proof-type transaction --port "$worker_port" --localhost >"$work/worker.log" 2>&1 & pids+=($!)
"$bin/scheduler" --proof-type transaction --port "$scheduler_port" --control-port "$control_port" \
  --workers "127.0.0.1:$worker_port" --state-file "$work/scheduler-state.json" --health-check-interval 500ms >"$work/scheduler.log" 2>&1 & pids+=($!)
"$bin/proxy" --proof-type transaction --port "$proxy_port" --localhost --scheduler "tcp://127.0.0.1:$scheduler_port" \
  --grpc-web-port "$web_port" --grpc-web-allowed-origins "$page_origin" >"$work/proxy.log" 2>&1 & pids+=($!)

for _ in $(seq 1 120); do
  if "$bin/ctl" status --port "$proxy_port" 2>/dev/null | grep -q HEALTHY; then break; fi
  sleep 0.5
done
"$bin/ctl" status --port "$proxy_port" | grep -q HEALTHY || fail "the worker did not become healthy"

mkdir -p "$work/site"
cp .ci/browser-test/index.html .ci/browser-test/grpc-web-client.js "$work/site/"
"$bin/ctl" witness transaction --inputs 1 --outputs 1 --seed 11 -o "$work/site/witness.bin"
python3 .ci/browser-test/server.py --port "$page_port" --dir "$work/site" --result "$work/result.json" >"$work/page-server.log" 2>&1 & pids+=($!)

setsid chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$work/profile" \
  "$page_origin/index.html?proxy=http://127.0.0.1:$web_port" >"$work/chromium.log" 2>&1 & chromium_group=$!
for _ in $(seq 1 240); do [[ -s "$work/result.json" ]] && break; sleep 0.5; done
[[ -s "$work/result.json" ]] || fail "the page posted no result within 120 s"

python3 - "$work/result.json" "$work/proof.bin" <<'PY' || fail "the page's results are wrong: $(cat "$work/result.json")"
import base64, json, sys
result = json.load(open(sys.argv[1]))
assert "error" not in result, result["error"]
for key in ("status", "textStatus"):
    status = result[key]
    assert status["grpcStatus"] == 0, (key, status)
    assert status["version"], (key, "empty version")
    assert status["supportedProofType"] == 0, (key, "proof type is not TRANSACTION")
    assert [w["status"] for w in status["workers"]] == [1], (key, "workers", status["workers"])
prove = result["prove"]
assert prove["grpcStatus"] == 0 and prove["proofBase64"], prove
open(sys.argv[2], "wb").write(base64.b64decode(prove["proofBase64"]))
invalid = result["invalid"]
assert invalid["grpcStatus"] == 3 and invalid["message"], invalid
print(f"browser-test: Status version {result['status']['version']}, Prove {prove['milliseconds']} ms in the browser, "
      f"invalid witness -> grpc-status 3 ({invalid['message']})")
PY
"$bin/ctl" verify "$work/proof.bin" >"$work/verify.log" 2>&1 || fail "ctl verify refused the browser's proof: $(cat "$work/verify.log")"
echo "browser-test: OK — the proof from the browser verifies ($(( $(date +%s) - started )) s)"
