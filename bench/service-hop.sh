#!/usr/bin/env bash
# The service hop benchmark: what the proxy → ZeroMQ → scheduler path adds to a gRPC call, next to
# calling a worker directly and to nginx's grpc_pass in front of the same worker.
#
# It starts a transaction worker, a scheduler, a proxy and nginx on loopback (free ports), then sends
# the same unary remote_prover.Api/Prove call with h2load (Debian's nghttp2-client) along each path:
# 1 connection × 1 stream (sequential: mean latency) and 10 connections × 10 streams (req/s). The
# witness is 3 bytes the worker refuses when it decodes it (INVALID_ARGUMENT "truncated"), so each
# request crosses the whole path while proving costs nothing; the script checks that answer on
# every path with nghttp before measuring. Rounds alternate the paths; the median round is printed.
#
# Usage: bench/service-hop.sh [--requests N] [--rounds R]     (binaries: MRP_BIN_DIR, default .build/release;
#        log level of every process: MRP_LOG, default warning)
# Needs: h2load and nghttp (apt-get install nghttp2-client), nginx (apt-get install nginx).
set -euo pipefail

requests=20000
rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --requests) requests="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) echo "usage: $0 [--requests N] [--rounds R]" >&2; exit 2 ;;
    esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${MRP_BIN_DIR:-$root/.build/release}"
for tool in h2load nghttp nginx; do
    command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install nghttp2-client nginx" >&2; exit 1; }
done
for exe in worker scheduler proxy; do
    [[ -x "$bin/$exe" ]] || { echo "$bin/$exe missing: swift build -c release --static-swift-stdlib" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
worker_port=$(free_port); job_port=$(free_port); control_port=$(free_port); proxy_port=$(free_port); nginx_port=$(free_port)

# The request: a gRPC frame (uncompressed, 4-byte big-endian length) holding ProofRequest
# { proof_type: TRANSACTION (0, the default, so absent), payload: "abc" }.
printf '\x00\x00\x00\x00\x05\x12\x03abc' > "$work/request.bin"

# Every process logs at MRP_LOG (default warning here: the info line per refused request would
# otherwise be measured three times on the service path and once on the others).
export MRP_LOG="${MRP_LOG:-warning}"
"$bin/worker" --proof-type transaction --port "$worker_port" --localhost >"$work/worker.log" 2>&1 &
pids+=($!); worker_pid=$!
"$bin/scheduler" --proof-type transaction --port "$job_port" --control-port "$control_port" \
    --workers "127.0.0.1:$worker_port" --max-queue-items 100000 --state-file "$work/state.json" \
    --worker-startup-grace 30s >"$work/scheduler.log" 2>&1 &
pids+=($!); scheduler_pid=$!
"$bin/proxy" --proof-type transaction --port "$proxy_port" --localhost --scheduler "tcp://127.0.0.1:$job_port" \
    --max-req-per-sec 0 >"$work/proxy.log" 2>&1 &
pids+=($!); proxy_pid=$!
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    keepalive_requests 100000000;  # h2load keeps one connection per client for the whole run
    upstream worker { server 127.0.0.1:$worker_port; keepalive 32; keepalive_requests 100000000; }
    server {
        listen 127.0.0.1:$nginx_port http2;
        location / { grpc_pass grpc://worker; }
    }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/stdout.log" 2>&1 &
pids+=($!)

# One call along a path; succeeds when the worker's own refusal comes back.
refused_by_worker() {
    nghttp -v -H ':method: POST' -H 'content-type: application/grpc' -H 'te: trailers' \
        -d "$work/request.bin" "http://127.0.0.1:$1/remote_prover.Api/Prove" 2>&1 |
        grep -q 'grpc-message: .*truncated'
}
declare -A port=([direct]=$worker_port [nginx]=$nginx_port [service]=$proxy_port)
for path in direct nginx service; do
    for _ in $(seq 1 150); do refused_by_worker "${port[$path]}" && continue 2; sleep 0.2; done
    echo "path $path never answered with the worker's refusal; logs in $work:" >&2
    tail -n 5 "$work"/*.log "$work"/nginx/*.log >&2
    exit 1
done

h2() {  # h2() port clients streams requests → "mean_latency_ms req_per_s"
    h2load -n "$4" -c "$2" -m "$3" -H 'content-type: application/grpc' -H 'te: trailers' \
        -d "$work/request.bin" "http://127.0.0.1:$1/remote_prover.Api/Prove" 2>&1 |
        awk '/^finished in/ { rps = $4 }
             /^time for request:/ { mean = $6; unit = mean; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", mean)
                                    if (unit == "us") mean /= 1000; if (unit == "s") mean *= 1000 }
             /^requests:/ { ok = $8 }
             END { printf "%.3f %.0f %s\n", mean, rps, ok }'
}

nginx_worker_pid=$(pgrep -P "$(cat "$work/nginx/nginx.pid")" | head -n 1)
# CPU time (user + system, clock ticks) of a process so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

declare -A lat thr cpu
for round in $(seq 1 "$rounds"); do
    for path in direct nginx service; do
        h2 "${port[$path]}" 1 1 1000 >/dev/null  # warm the connection pools
        before=$(for p in $worker_pid $scheduler_pid $proxy_pid $nginx_worker_pid; do ticks "$p"; done | paste -sd' ')
        read -r ms _ ok1 < <(h2 "${port[$path]}" 1 1 $((requests / 4)))
        after=$(for p in $worker_pid $scheduler_pid $proxy_pid $nginx_worker_pid; do ticks "$p"; done | paste -sd' ')
        cpu[$path]=$(awk -v b="$before" -v a="$after" -v n=$((requests / 4)) -v hz="$hz" 'BEGIN {
            split(b, x, " "); split(a, y, " ")
            for (i = 1; i <= 4; i++) printf "%d ", (y[i] - x[i]) * 1e6 / hz / n }')
        read -r _ rps ok2 < <(h2 "${port[$path]}" 10 10 "$requests")
        lat[$path]+="$ms "
        thr[$path]+="$rps "
        echo "round $round $path: ${ms} ms sequential, ${rps} req/s at 10x10 (2xx: $ok1, $ok2)" >&2
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "| path | 1 connection, sequential: mean latency | 10 connections × 10 streams: req/s |"
echo "|---|---|---|"
for path in direct nginx service; do
    label=$([[ $path == direct ]] && echo "straight to a worker" || { [[ $path == nginx ]] && echo "nginx \`grpc_pass\` → worker" || echo "proxy → ZeroMQ → scheduler → worker"; })
    echo "| $label | $(echo "${lat[$path]}" | median) ms | $(echo "${thr[$path]}" | median) |"
done
echo
echo "CPU per request in the sequential run of the last round (µs, user + system):"
echo "| path | worker | scheduler | proxy | nginx |"
echo "|---|---|---|---|---|"
for path in direct nginx service; do
    read -r w s p n <<<"${cpu[$path]}"
    echo "| $path | $w | $s | $p | $n |"
done
d=$(echo "${lat[direct]}" | median); s=$(echo "${lat[service]}" | median)
n=$(echo "${thr[nginx]}" | median); t=$(echo "${thr[service]}" | median)
awk -v d="$d" -v s="$s" -v n="$n" -v t="$t" 'BEGIN {
    printf "\nadded latency through proxy and scheduler: %.0f µs over a direct call; throughput %.2f× nginx\n", (s - d) * 1000, t / n }'
