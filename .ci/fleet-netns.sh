# Shared by the multi-host scripts (sourced, not run): a small network of Linux network
# namespaces on a bridge, the fleet's CURVE keys and TLS certificates, and process helpers.
# Everything it creates — namespaces, the bridge, /etc/netns/<ns> files, processes, the work
# directory — is removed by fleet_cleanup, which the caller installs as its EXIT trap.
#
# After `fleet_init NAME HOST…`: $bin (release binaries), $work (a temporary directory, the
# current directory), $tag (prefix of every namespace and interface), ${ip[HOST]} (each host's
# address on a free 10.x.y.0/24), ${ifindex[HOST]} (its veth is "$tag-v<index>" in the root
# namespace), fleet_pids (every process started with fleet_start).

fleet_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MRP_BIN_DIR:-$fleet_root/.build/release}"
declare -A ip=() ifindex=()
fleet_hosts=()
fleet_pids=()
fleet_name=fleet

# fleet_empty_namespace NS: SIGKILLs every process in namespace NS until none is left (10 s at
# most): a namespace deleted while its processes are still exiting lives on, and so does its veth.
fleet_empty_namespace() {
  local ns="$1" pids=""
  for _ in $(seq 1 100); do
    pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
    [[ -z "${pids// /}" ]] && return 0
    kill -9 $pids 2>/dev/null
    sleep 0.1
  done
  echo "$fleet_name: cleanup: processes $pids still in $ns" >&2
  return 1
}

# fleet_links: this run's interfaces left in the root namespace (the bridge, veth ends "$tag-vN").
fleet_links() { ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep "^$tag-" || true; }

fleet_cleanup() {
  set +e
  trap '' INT TERM  # a second signal must not cut the cleanup short
  [[ -n "${tag:-}" ]] || return 0
  for pid in "${fleet_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 1 20); do  # up to 2 s to end on their own
    local alive=0
    for pid in "${fleet_pids[@]}"; do [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" == [^Z]* ]] && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${fleet_pids[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for h in "${fleet_hosts[@]}"; do
    fleet_empty_namespace "$tag-$h"
    ip netns del "$tag-$h" 2>/dev/null
    rm -rf "/etc/netns/$tag-$h"
  done
  # Whatever of this run's links is left (a veth goes with its namespace, which the kernel may
  # still be tearing down): delete it, until none is left (5 s at most).
  local links
  for _ in $(seq 1 50); do
    links="$(fleet_links)"
    [[ -z "$links" ]] && break
    for link in $links; do ip link del "$link" 2>/dev/null; done
    sleep 0.1
  done
  [[ -z "$(fleet_links)" ]] || echo "$fleet_name: cleanup: links left: $(fleet_links | tr '\n' ' ')" >&2
  if [[ "${KEEP_LOGS:-}" != "" ]]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}

fleet_fail() { echo "$fleet_name: FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2 || true; exit 1; }

in_ns() { local h="$1"; shift; ip netns exec "$tag-$h" "$@"; }

# fleet_init NAME HOST…: checks the binaries, makes the work directory and the network.
fleet_init() {
  fleet_name="$1"; shift
  fleet_hosts=("$@")
  for exe in worker scheduler proxy ctl; do [[ -x "$bin/$exe" ]] || { echo "$bin/$exe missing" >&2; exit 1; }; done
  command -v openssl >/dev/null || { echo "openssl missing" >&2; exit 1; }
  tag="m$$"                       # short: interface names have 15 characters
  work="$(mktemp -d)"
  trap fleet_cleanup EXIT
  # A /24 no interface of this machine uses.
  local net
  for _ in $(seq 1 50); do
    net="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
    ip -4 addr | grep -q " $net\." || break
  done
  ip link add "$tag-br" type bridge
  ip link set "$tag-br" up
  local i=0
  for h in "${fleet_hosts[@]}"; do
    ip[$h]="$net.$((10 + i))"
    ifindex[$h]=$i
    ip netns add "$tag-$h"
    ip link add "$tag-v$i" type veth peer name eth0 netns "$tag-$h"
    ip link set "$tag-v$i" master "$tag-br" up
    in_ns "$h" ip addr add "${ip[$h]}/24" dev eth0
    in_ns "$h" ip link set eth0 up
    in_ns "$h" ip link set lo up
    i=$((i + 1))
  done
  cd "$work"
}

# fleet_hosts_file HOST NAME ADDRESS…: /etc/hosts of HOST (`ip netns exec` shows /etc/netns/<ns>/hosts
# as /etc/hosts) maps NAME to every ADDRESS.
fleet_hosts_file() {
  local h="$1" name="$2"; shift 2
  mkdir -p "/etc/netns/$tag-$h"
  { echo "127.0.0.1 localhost"; for a in "$@"; do echo "$a $name"; done; } > "/etc/netns/$tag-$h/hosts"
}

# fleet_link HOST up|down: connects or cuts HOST's cable (its veth end on the bridge).
fleet_link() { ip link set "$tag-v${ifindex[$1]}" "$2"; }

# fleet_keys NAME…: a CURVE key pair NAME.key / NAME.pub for each NAME.
fleet_keys() { for k in "$@"; do "$bin/ctl" keygen "$work/$k" >/dev/null; done; }

# fleet_ca: a throw-away certificate authority (ca.pem, ca.key).
fleet_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj /CN=mrp-fleet-ca 2>/dev/null
}

# fleet_cert NAME SAN USAGE: NAME.pem / NAME.key signed by the CA, e.g. fleet_cert tls-w1 IP:10.1.2.3 serverAuth.
fleet_cert() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
}

# fleet_start HOST LOGNAME command…: runs the command in HOST's namespace, output to $work/LOGNAME.log
# (appended: a restarted process keeps its history); its pid is in $fleet_last_pid.
fleet_start() {
  local h="$1" log="$2"; shift 2
  in_ns "$h" "$@" >>"$work/$log.log" 2>&1 &
  fleet_last_pid=$!
  fleet_pids+=("$fleet_last_pid")
}

# fleet_healthy_workers: how many workers the scheduler (on host "sched", control port 8083) reports healthy.
fleet_healthy_workers() { in_ns sched "$bin/ctl" list-workers --control-port 8083 2>/dev/null | awk '$2 == "HEALTHY"' | wc -l; }

# fleet_wait_healthy N: waits up to a minute for N healthy workers.
fleet_wait_healthy() {
  for _ in $(seq 1 120); do [[ "$(fleet_healthy_workers)" -ge "$1" ]] && return 0; sleep 0.5; done
  return 1
}
