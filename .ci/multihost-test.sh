#!/usr/bin/env bash
# The fleet across hosts, on a real (virtual) network: Linux network namespaces joined by veth
# pairs and a bridge — a client host, two proxy hosts, a scheduler host and three worker hosts —
# each running the release binaries with CURVE (proxy → scheduler) and TLS (client → proxy,
# scheduler → worker, mutual). Checks:
#   1. proofs from the client through either proxy verify;
#   2. a worker whose link goes down mid-proof: the job completes on another worker;
#   3. the scheduler refuses a proxy with an unknown key and a plaintext one (their calls fail);
#   4. the control endpoint refuses callers from another host;
#   5. a worker added to the DNS name the scheduler watches joins and serves.
# Needs root (ip netns) and release binaries (MRP_BIN_DIR, default .build/release). Everything it
# creates — namespaces, the bridge, /etc/netns/<ns> files, processes — is removed on exit.
set -euo pipefail
source "$(dirname "$0")/fleet-netns.sh"
fleet_init multihost client proxy1 proxy2 sched w1 w2 w3
fail() { fleet_fail "$@"; }
fleet_hosts_file sched workers.test "${ip[w1]}" "${ip[w2]}"

# Keys and certificates.
fleet_keys scheduler proxy1 proxy2 stranger
cat proxy1.pub proxy2.pub > proxies.pub
fleet_ca
for w in w1 w2 w3; do fleet_cert "tls-$w" "IP:${ip[$w]}" serverAuth; done
for p in proxy1 proxy2; do fleet_cert "tls-$p" "IP:${ip[$p]}" serverAuth; done
fleet_cert tls-scheduler "DNS:scheduler" clientAuth

export MRP_LOG="${MRP_LOG:-info}"
start() { fleet_start "$@"; }
for w in w1 w2 w3; do
  start "$w" "$w" "$bin/worker" --proof-type transaction --port 50051 --threads 1 \
    --tls-cert-file "tls-$w.pem" --tls-key-file "tls-$w.key" --tls-client-ca-file ca.pem
done
start sched scheduler "$bin/scheduler" --proof-type transaction --job-host 0.0.0.0 --port 8084 --control-port 8083 \
  --state-file "$work/state.json" --discover-workers workers.test:50051 --discovery-interval 1s --health-check-interval 1s \
  --curve-secret-key-file scheduler.key --curve-allowed-clients proxies.pub \
  --worker-tls-ca-file ca.pem --worker-tls-cert-file tls-scheduler.pem --worker-tls-key-file tls-scheduler.key
for p in proxy1 proxy2; do
  start "$p" "$p" "$bin/proxy" --proof-type transaction --port 8082 --max-req-per-sec 0 --timeout 60s \
    --scheduler "tcp://${ip[sched]}:8084" --curve-secret-key-file "$p.key" --scheduler-public-key scheduler.pub \
    --tls-cert-file "tls-$p.pem" --tls-key-file "tls-$p.key"
done
# A proxy on the client host holding a key the scheduler does not list, and a plaintext one.
start client stranger "$bin/proxy" --proof-type transaction --port 9082 --localhost --max-req-per-sec 0 --timeout 5s \
  --scheduler "tcp://${ip[sched]}:8084" --curve-secret-key-file stranger.key --scheduler-public-key scheduler.pub
start client plaintext "$bin/proxy" --proof-type transaction --port 9083 --localhost --max-req-per-sec 0 --timeout 5s \
  --scheduler "tcp://${ip[sched]}:8084" --insecure

ctl_at() { local h="$1" host="$2"; shift 2; in_ns "$h" "$bin/ctl" "$@" --host "$host"; }
fleet_wait_healthy 2 || fail "the discovered workers never became healthy"

for p in proxy1 proxy2; do
  for _ in $(seq 1 100); do ctl_at client "${ip[$p]}" status --port 8082 --tls-ca-file ca.pem >/dev/null 2>&1 && break; sleep 0.2; done
  ctl_at client "${ip[$p]}" status --port 8082 --tls-ca-file ca.pem >/dev/null 2>"$work/status.err" || fail "$p not reachable: $(cat "$work/status.err")"
done

# 1. Proofs through either proxy, over TLS, verify.
"$bin/ctl" witness transaction --inputs 2 --outputs 2 --seed 7 -o small.witness >/dev/null
for p in proxy1 proxy2; do
  ctl_at client "${ip[$p]}" prove small.witness -o "$p.proof" --port 8082 --tls-ca-file ca.pem >/dev/null 2>"$work/prove.err" \
    || fail "prove via $p: $(cat "$work/prove.err")"
  "$bin/ctl" verify "$p.proof" | grep -q OK || fail "the proof via $p does not verify"
done
echo "multihost: proofs via both proxies verify"

# 3. The stranger's and the plaintext proxy's calls get nothing from the scheduler.
for port in 9082 9083; do
  if in_ns client "$bin/ctl" prove small.witness -o /dev/null --port "$port" >/dev/null 2>&1; then fail "proxy on $port got a proof"; fi
done
grep -q "proxy refused" "$work/scheduler.log" || fail "the scheduler did not log the stranger's refusal"
echo "multihost: an unknown key and a plaintext proxy are refused"

# 4. The control endpoint does not answer another host.
if in_ns client "$bin/ctl" list-workers --control-host "${ip[sched]}" --control-port 8083 >/dev/null 2>&1; then
  fail "the control endpoint answered another host"
fi
echo "multihost: the control endpoint refuses other hosts"

# 5. A worker added to the DNS name joins and serves.
printf '%s workers.test\n' "${ip[w3]}" >> "/etc/netns/$tag-sched/hosts"
fleet_wait_healthy 3 || fail "the worker added to DNS never joined"
echo "multihost: a worker added to DNS joins"

# 2. A worker's link goes down mid-proof: the job completes on another worker.
"$bin/ctl" witness transaction --inputs 16 --outputs 16 --seed 9 -o big.witness >/dev/null
ctl_at client "${ip[proxy1]}" prove big.witness -o big.proof --port 8082 --tls-ca-file ca.pem >/dev/null 2>"$work/big.err" &
prove_pid=$!
busy=""
for _ in $(seq 1 200); do
  busy="$(in_ns sched "$bin/ctl" list-workers --control-port 8083 2>/dev/null | awk '$3 == "yes" {print $1; exit}')"
  [[ -n "$busy" ]] && break
  sleep 0.05
done
[[ -n "$busy" ]] || fail "no worker was seen busy"
for w in w1 w2 w3; do [[ "$busy" == "${ip[$w]}:50051" ]] && victim="$w"; done
fleet_link "$victim" down
wait "$prove_pid" || fail "the proof whose worker lost its link failed: $(cat "$work/big.err")"
"$bin/ctl" verify big.proof | grep -q OK || fail "the retried proof does not verify"
fleet_link "$victim" up
echo "multihost: a worker cut off mid-proof ($victim) cost the client nothing"

for pid in "${fleet_pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process died (pid $pid)"; done
echo "multihost: OK"
