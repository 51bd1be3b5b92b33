#!/usr/bin/env bash
# Soak under faults across hosts: the multi-host fleet (network namespaces on a bridge: a client,
# two proxies, a scheduler, a metrics exporter and three workers; CURVE and TLS on every link,
# workers found through DNS) proves real transactions for a while, at the queue limit, while a
# chaos loop SIGKILLs and restarts workers and cuts and restores links (workers and proxies).
#
# The bar (the script fails when any part breaks):
#   - every call is answered by its deadline: a proof, or RESOURCE_EXHAUSTED / UNAVAILABLE /
#     DEADLINE_EXCEEDED with a message (`ctl load` checks, and verifies every proof against its witness);
#   - no accepted job is lost: after the run the scheduler holds no job and no worker is busy, and
#     a proof still goes through each proxy;
#   - no process dies except the workers the chaos loop kills;
#   - memory stays flat: the scheduler's, proxies' and exporter's RSS in the second half of the
#     run stays within 25% + 16 MiB of their first-half peak.
# Prints outcomes by gRPC code, p50/p99 latency, kills, link cuts and peak RSS per process.
#
# Usage: multihost-soak.sh [--duration 10m] [--clients 8] [--queue 4] [--chaos-every 4s] [--report FILE]
# Needs root (ip netns) and release binaries (MRP_BIN_DIR, default .build/release).
set -euo pipefail
duration=120s clients=8 queue=4 chaos_every=4 report=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --queue) queue="$2"; shift 2 ;;
    --chaos-every) chaos_every="${2%s}"; shift 2 ;;
    --report) report="$(realpath -m "$2")"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
seconds() { local d="$1"; case "$d" in *m) echo $(( ${d%m} * 60 )) ;; *s) echo "${d%s}" ;; *) echo "$d" ;; esac; }
run_seconds="$(seconds "$duration")"

source "$(dirname "$0")/fleet-netns.sh"
[[ -x "$bin/metrics-exporter" ]] || { echo "$bin/metrics-exporter missing" >&2; exit 1; }
workers=(w1 w2 w3)
fleet_init soak client proxy1 proxy2 sched metrics "${workers[@]}"
fail() { fleet_fail "$@"; }
fleet_hosts_file sched workers.test "${ip[w1]}" "${ip[w2]}" "${ip[w3]}"

fleet_keys scheduler proxy1 proxy2 exporter
cat proxy1.pub proxy2.pub > proxies.pub
cat scheduler.pub proxy1.pub proxy2.pub > publishers.pub
fleet_ca
for w in "${workers[@]}"; do fleet_cert "tls-$w" "IP:${ip[$w]}" serverAuth; done
for p in proxy1 proxy2; do fleet_cert "tls-$p" "IP:${ip[$p]}" serverAuth; done
fleet_cert tls-scheduler "DNS:scheduler" clientAuth

export MRP_LOG="${MRP_LOG:-info}"
events="tcp://${ip[metrics]}:8085"
start_worker() {
  fleet_start "$1" "$1" "$bin/worker" --proof-type transaction --port 50051 --threads 1 \
    --tls-cert-file "tls-$1.pem" --tls-key-file "tls-$1.key" --tls-client-ca-file ca.pem
}
for w in "${workers[@]}"; do start_worker "$w"; done
fleet_start metrics exporter "$bin/metrics-exporter" --port 6192 --events-endpoint "tcp://0.0.0.0:8085" \
  --curve-secret-key-file exporter.key --curve-allowed-clients publishers.pub
fleet_start sched scheduler "$bin/scheduler" --proof-type transaction --job-host 0.0.0.0 --port 8084 --control-port 8083 \
  --state-file "$work/state.json" --discover-workers workers.test:50051 --discovery-interval 2s --health-check-interval 1s \
  --max-queue-items "$queue" --max-retries 2 \
  --curve-secret-key-file scheduler.key --curve-allowed-clients proxies.pub \
  --worker-tls-ca-file ca.pem --worker-tls-cert-file tls-scheduler.pem --worker-tls-key-file tls-scheduler.key \
  --metrics-endpoint "$events" --metrics-public-key exporter.pub
for p in proxy1 proxy2; do
  fleet_start "$p" "$p" "$bin/proxy" --proof-type transaction --port 8082 --max-req-per-sec 0 --timeout 60s \
    --scheduler "tcp://${ip[sched]}:8084" --curve-secret-key-file "$p.key" --scheduler-public-key scheduler.pub \
    --tls-cert-file "tls-$p.pem" --tls-key-file "tls-$p.key" --metrics-endpoint "$events" --metrics-public-key exporter.pub
done
fleet_wait_healthy 3 || fail "the workers never became healthy"
for p in proxy1 proxy2; do
  for _ in $(seq 1 100); do in_ns client "$bin/ctl" status --host "${ip[$p]}" --port 8082 --tls-ca-file ca.pem >/dev/null 2>&1 && break; sleep 0.2; done
done

# Distinct witnesses of mixed sizes (2 to 16 notes each way, so faults also land mid-proof): a proof
# returned to the wrong caller shows as a mismatch.
witnesses=()
seed=0
for notes in 2 4 8 16 2 8; do
  seed=$((seed + 1))
  "$bin/ctl" witness transaction --inputs "$notes" --outputs "$notes" --seed "$seed" -o "tx$seed.witness" >/dev/null
  witnesses+=("tx$seed.witness")
done

# The long-lived processes (pid by host), sampled for RSS every 2 s into rss.tsv (seconds, host, KiB).
pid_in() { ip netns pids "$tag-$1" 2>/dev/null | head -n 1; }
declare -A long_pid=()
for h in sched proxy1 proxy2 metrics; do long_pid[$h]="$(pid_in "$h")"; [[ -n "${long_pid[$h]}" ]] || fail "no process on $h"; done
t0=$SECONDS
sample_rss() {
  while true; do
    for h in sched proxy1 proxy2 metrics "${workers[@]}"; do
      local pid; pid="$(pid_in "$h")"
      [[ -n "$pid" ]] || continue
      awk -v t=$((SECONDS - t0)) -v h="$h" '/^VmRSS:/ {print t "\t" h "\t" $2}' "/proc/$pid/status" 2>/dev/null || true
    done >> rss.tsv
    sleep 2
  done
}
sample_rss &
sampler=$!

# The chaos loop: every few seconds one fault, chosen at random — SIGKILL a worker and restart it
# 2–5 s later; cut a worker's link for 2–8 s; cut a proxy's link for 1–3 s. At most one worker is
# down or cut at a time, so the fleet keeps serving.
chaos() {
  local kills=0 worker_cuts=0 proxy_cuts=0
  local end=$((SECONDS + run_seconds - 5))
  sleep 3
  while [[ $SECONDS -lt $end ]]; do
    local w="${workers[$((RANDOM % ${#workers[@]}))]}"
    case $((RANDOM % 5)) in
      0|1)
        local pid; pid="$(pid_in "$w")"
        if [[ -n "$pid" ]]; then
          kill -9 "$pid"; kills=$((kills + 1))
          echo "$((SECONDS - t0)) s: SIGKILL $w (pid $pid)"
          sleep $((2 + RANDOM % 4))
          start_worker "$w"
        fi ;;
      2|3)
        fleet_link "$w" down; worker_cuts=$((worker_cuts + 1))
        local down=$((2 + RANDOM % 7))
        echo "$((SECONDS - t0)) s: cut $w for $down s"
        sleep "$down"
        fleet_link "$w" up ;;
      4)
        local p="proxy$((1 + RANDOM % 2))" down=$((1 + RANDOM % 3))
        fleet_link "$p" down; proxy_cuts=$((proxy_cuts + 1))
        echo "$((SECONDS - t0)) s: cut $p for $down s"
        sleep "$down"
        fleet_link "$p" up ;;
    esac
    sleep "$chaos_every"
  done
  echo "chaos: $kills worker kills, $worker_cuts worker link cuts, $proxy_cuts proxy link cuts" > chaos-summary.txt
}
chaos > chaos.log 2>&1 &
chaos_pid=$!

echo "soak: running for $duration"
load_status=0
in_ns client "$bin/ctl" load "${witnesses[@]}" --proxies "${ip[proxy1]}:8082,${ip[proxy2]}:8082" --tls-ca-file ca.pem \
  --clients "$clients" --duration "$duration" --deadline 30s --grace 10s --json load.json --progress-every 30s \
  > load.txt 2> load-progress.log || load_status=$?
wait "$chaos_pid" || true
kill "$sampler" 2>/dev/null || true
say() { echo "$@" | tee -a summary.txt; }
say "soak: $duration, $clients clients over 2 proxies, queue limit $queue, 3 workers (1 thread each)"
tee -a summary.txt < load.txt

# Every link up, every worker running; then nothing may be left in the scheduler.
for h in "${workers[@]}" proxy1 proxy2; do fleet_link "$h" up; done
for w in "${workers[@]}"; do [[ -n "$(pid_in "$w")" ]] || start_worker "$w"; done
fleet_wait_healthy 3 || fail "the workers did not all come back healthy after the run"
for _ in $(seq 1 60); do
  busy="$(in_ns sched "$bin/ctl" list-workers --control-port 8083 2>/dev/null | awk '$3 == "yes"' | wc -l)"
  [[ "$busy" -eq 0 ]] && break; sleep 0.5
done
[[ "$busy" -eq 0 ]] || fail "$busy workers still busy after every call ended"
for p in proxy1 proxy2; do
  in_ns client "$bin/ctl" prove tx1.witness -o "after-$p.proof" --host "${ip[$p]}" --port 8082 --tls-ca-file ca.pem >/dev/null 2>prove.err \
    || fail "no proof through $p after the soak: $(cat prove.err)"
  "$bin/ctl" verify "after-$p.proof" | grep -q OK || fail "the proof through $p after the soak does not verify"
done
metrics_text="$(in_ns client python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "http://${ip[metrics]}:6192/metrics" 2>/dev/null || true)"
metric_sum() { awk -v m="$1" 'index($1, m) == 1 && (substr($1, length(m) + 1, 1) == "{" || length($1) == length(m)) {s += $2} END {printf "%d", s}' <<< "$metrics_text"; }
queue_metric="$(awk '$1 ~ /^mrp_queue_size/ {print $2; exit}' <<< "$metrics_text")"

# No long-lived process died.
for h in sched proxy1 proxy2 metrics; do
  kill -0 "${long_pid[$h]}" 2>/dev/null || fail "the process on $h died (pid ${long_pid[$h]})"
done

# Memory: peak per host over the run; the long-lived ones' second half against their first half.
half=$(( run_seconds / 2 ))
memory_ok=true
say "peak RSS (MiB):"
for h in sched proxy1 proxy2 metrics "${workers[@]}"; do
  read -r first second peak < <(awk -F'\t' -v h="$h" -v half="$half" '$2 == h {
      if ($1 < half) { if ($3 > f) f = $3 } else { if ($3 > s) s = $3 }
      if ($3 > p) p = $3 } END { printf "%d %d %d\n", f, s, p }' rss.tsv)
  line="  $(printf '%-8s' "$h") peak $((peak / 1024)), first half $((first / 1024)), second half $((second / 1024))"
  case "$h" in
    sched|proxy1|proxy2|metrics)
      if (( second > first * 5 / 4 + 16384 )); then line+="  GREW"; memory_ok=false; fi ;;
  esac
  say "$line"
done
[[ ! -f chaos-summary.txt ]] || say "$(cat chaos-summary.txt)"
[[ -z "$metrics_text" ]] || say "exporter after the run: mrp_queue_size $queue_metric, mrp_requests_total $(metric_sum mrp_requests_total), mrp_request_retries_total $(metric_sum mrp_request_retries_total), mrp_request_failures_total $(metric_sum mrp_request_failures_total)"

if [[ -n "$report" ]]; then
  { cat summary.txt; echo "chaos events:"; cat chaos.log; } > "$report"
fi
[[ "$load_status" -eq 0 ]] || fail "the load run broke its bar (see above)"
$memory_ok || fail "a long-lived process's memory grew"
echo "soak: OK"
