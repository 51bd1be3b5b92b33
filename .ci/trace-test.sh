#!/usr/bin/env bash
# OpenTelemetry tracing across proxy → scheduler → worker, against a real OTLP/gRPC receiver
# (.ci/otlp_receiver.py) with the release binaries in .build/release (see .ci/trace_test.py).
# Installs its Python needs into a virtualenv under .build/ (python3-venv from apt when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/.build/release"
for tool in worker scheduler proxy ctl; do
  [[ -x "$bin/$tool" ]] || { echo "trace-test: $bin/$tool is missing: run swift build -c release first" >&2; exit 1; }
done

if [[ "${CI:-}" == "true" ]] && command -v apt-get >/dev/null && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
venv="$root/.build/trace-test-venv"
if ! "$venv/bin/python" -c 'import grpc, grpc_tools, opentelemetry.proto' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check grpcio grpcio-tools opentelemetry-proto
fi

work=$(mktemp -d /tmp/mrp-trace-test.XXXXXX)
# The Python driver stops every process it started; this trap is the backstop (its whole process group).
cleanup() {
  local status=$?
  [[ -n "${driver:-}" ]] && kill -TERM -- "-$driver" 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "trace-test: failed; logs and spans kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
set -m  # the driver gets its own process group, so the trap can end it and everything it started
"$venv/bin/python" "$root/.ci/trace_test.py" "$bin" "$work" &
driver=$!
wait "$driver"
