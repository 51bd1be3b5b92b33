#!/usr/bin/env bash
# The Debian package, end to end: builds it from .build/release (packaging/build-deb.sh), checks
# its metadata and contents, installs it, verifies every systemd unit, checks the worker instance
# wrapper, runs `miden-prover-ctl up` from PATH in a fresh directory — as the miden-prover user,
# without privileges and with memory that is never writable and executable at once, like the units —,
# proves and verifies a transaction through that cluster, stops it and purges the package.
# Cleans up (processes, package, temporary files) even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
started=$SECONDS
package=miden-remote-prover
log() { echo "package-test: $*" >&2; }

if [[ "${CI:-}" == "true" ]] && command -v apt-get >/dev/null; then
  apt-get install -y -qq --no-install-recommends dpkg-dev binutils adduser systemd python3 util-linux >/dev/null
fi

# Binaries without a Swift runtime dependency: relink statically if the release build is not.
if ! [[ -x .build/release/ctl ]] || ldd .build/release/ctl | grep -q '/opt/swift\|libswiftCore'; then
  log "building the release products with the Swift runtime linked statically"
  swift build -c release --static-swift-stdlib
fi

work="$(mktemp -d)"
chmod 0755 "$work"
cluster_pid=""
cleanup() {
  local status=$?
  if [[ -n "$cluster_pid" ]] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$cluster_pid" 2>/dev/null || true
  fi
  # Anything the installed executables left running (only ours: started from the package's path).
  for pid in $(pgrep -f '^/usr/lib/miden-remote-prover/' || true); do kill -KILL "$pid" 2>/dev/null || true; done
  if dpkg -s "$package" >/dev/null 2>&1; then apt-get purge -y -qq "$package" >/dev/null 2>&1 || dpkg --purge "$package" >/dev/null 2>&1 || true; fi
  if [[ $status -ne 0 && -f "$work/up.log" ]]; then log "ctl up output:"; tail -n 40 "$work/up.log" >&2; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

# --- build and inspect ----------------------------------------------------------------------
if dpkg -s "$package" >/dev/null 2>&1; then apt-get purge -y -qq "$package" >/dev/null; fi
build_started=$SECONDS
deb="$(packaging/build-deb.sh --binaries .build/release --output "$work/deb")"
log "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $((SECONDS - build_started)) s"
info="$(dpkg-deb --info "$deb")"
version="$(sed -n 's/.*static let current = "\([^"]*\)".*/\1/p' Sources/ProverService/Common/ServiceVersion.swift)"
for field in "Package: $package" "Version: $version" "Architecture: $(dpkg --print-architecture)" "Depends: .*libzmq5" \
             "conffiles" "postinst" "prerm" "postrm"; do
  grep -q "$field" <<<"$info" || { echo "$info" >&2; log "dpkg-deb --info lacks '$field'"; exit 1; }
done
if grep -q 'Depends:.*swift' <<<"$info"; then log "the package depends on a Swift runtime: $(grep Depends <<<"$info")"; exit 1; fi
contents="$(dpkg-deb --contents "$deb" | awk '{print $6 ($7 ? " " $7 " " $8 : "")}')"
expected=(./usr/lib/$package/worker-instance ./usr/share/doc/$package/README.Debian
          ./lib/systemd/system/miden-prover-worker@.service ./lib/systemd/system/miden-prover-scheduler@.service
          ./lib/systemd/system/miden-prover-proxy@.service ./lib/systemd/system/miden-prover-metrics-exporter.service
          ./lib/systemd/system/miden-prover.target ./etc/default/miden-prover-worker ./etc/default/miden-prover-metrics-exporter)
for name in worker scheduler proxy metrics-exporter ctl; do
  expected+=("./usr/lib/$package/$name" "./usr/bin/miden-prover-$name -> ../lib/$package/$name")
done
for type in transaction batch block; do
  expected+=("./etc/default/miden-prover-scheduler-$type" "./etc/default/miden-prover-proxy-$type")
done
for entry in "${expected[@]}"; do
  grep -qxF "$entry" <<<"$contents" || { log "the package lacks $entry"; exit 1; }
done
if dpkg-deb --contents "$deb" | grep -v '^[d-]r..r..r.. root/root\|^l.* root/root'; then log "files not owned by root or with odd modes (above)"; exit 1; fi
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort > "$work/conffiles"
(grep -oE '\./etc/default/[^ ]+' <<<"$contents" | sed 's|^\.||' | sort) | diff - "$work/conffiles" >&2 \
  || { log "DEBIAN/conffiles does not list exactly the files in /etc/default"; exit 1; }

# --- install, units, wrapper ----------------------------------------------------------------
apt-get install -y -qq "$deb" >/dev/null
getent passwd miden-prover >/dev/null || { log "postinst did not create the miden-prover user"; exit 1; }
for unit in miden-prover-worker@transaction-50051.service miden-prover-scheduler@transaction.service \
            miden-prover-proxy@batch.service miden-prover-metrics-exporter.service miden-prover.target; do
  template="${unit/@*./@.}"
  # systemd-analyze verify takes the instance's name from a link named like it.
  ln -sf "/lib/systemd/system/$template" "$work/$unit"
  if ! out="$(systemd-analyze verify "$work/$unit" 2>&1)" || [[ -n "$out" ]]; then
    log "systemd-analyze verify $unit:"; echo "$out" >&2; exit 1
  fi
  rm -f "$work/$unit"
done
for type in transaction batch block; do
  for service in scheduler proxy; do
    [[ -f /etc/default/miden-prover-$service-$type ]] || { log "/etc/default/miden-prover-$service-$type is missing"; exit 1; }
  done
done
log "systemd-analyze verify: every unit clean"

# Free loopback ports for the cluster (other clusters may run on this machine).
read -r proxy_port control_port scheduler_port events_port metrics_port worker_port spare_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)

# The worker wrapper refuses a malformed instance and starts a well-formed one.
if /usr/lib/$package/worker-instance transaction 2>"$work/wrapper.err"; then log "worker-instance accepted 'transaction'"; exit 1; fi
grep -q "is not <proof type>-<port>" "$work/wrapper.err" || { cat "$work/wrapper.err" >&2; exit 1; }
MRP_WORKER_LOCALHOST=true MRP_WORKER_THREADS=1 /usr/lib/$package/worker-instance "transaction-$spare_port" 2>"$work/wrapper.log" &
wrapper_pid=$!
for _ in $(seq 1 100); do grep -q "worker ready: transaction on .*:$spare_port" "$work/wrapper.log" && break; sleep 0.1; done
grep -q "worker ready: transaction on .*:$spare_port" "$work/wrapper.log" || { cat "$work/wrapper.log" >&2; log "worker-instance did not start a worker"; kill "$wrapper_pid"; exit 1; }
kill -TERM "$wrapper_pid"; wait "$wrapper_pid" || true

# --- ctl up from PATH, in a fresh directory, sandboxed like the units -------------------------
cd "$work"
mkdir run && chown miden-prover:miden-prover run && cd run
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[[ "$(command -v miden-prover-ctl)" == /usr/bin/miden-prover-ctl ]] || { log "miden-prover-ctl is not on PATH"; exit 1; }
# MemoryDenyWriteExecute= via prctl(PR_SET_MDWE), inherited by ctl's children;
# NoNewPrivileges= and CapabilityBoundingSet= via setpriv; User= miden-prover.
setpriv --reuid=miden-prover --regid=miden-prover --init-groups --no-new-privs --bounding-set=-all -- \
  python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0: sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
os.execvp(sys.argv[1], sys.argv[1:])' \
  miden-prover-ctl up --proof-type transaction --workers 1 --threads 2 \
    --port "$proxy_port" --control-port "$control_port" --scheduler-port "$scheduler_port" \
    --events-port "$events_port" --metrics-port "$metrics_port" --worker-port "$worker_port" >"$work/up.log" 2>&1 &
cluster_pid=$!
up_started=$SECONDS
until grep -qs "cluster ready" "$work/up.log"; do
  kill -0 "$cluster_pid" 2>/dev/null || { log "miden-prover-ctl up exited"; exit 1; }
  (( SECONDS - up_started < 120 )) || { log "the cluster was not ready within 120 s"; exit 1; }
  sleep 0.5
done
log "cluster ready from PATH in $((SECONDS - up_started)) s"
miden-prover-ctl status --port "$proxy_port" >&2
miden-prover-ctl witness transaction --inputs 2 --outputs 2 -o tx.witness
prove_started=$SECONDS
miden-prover-ctl prove tx.witness -o tx.proof --port "$proxy_port"
miden-prover-ctl verify tx.proof | tee verify.out >&2
grep -qx OK verify.out || { log "the proof did not verify"; exit 1; }
log "proved and verified a transaction through the installed cluster in $((SECONDS - prove_started)) s"
metrics_out="$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$metrics_port/metrics').read().decode())")"
grep -q '^# TYPE' <<<"$metrics_out" || { log "no metrics at 127.0.0.1:$metrics_port"; exit 1; }

kill -TERM "$cluster_pid"
for _ in $(seq 1 150); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$cluster_pid" 2>/dev/null; then log "ctl up did not stop within 15 s of SIGTERM"; exit 1; fi
wait "$cluster_pid" || true
cluster_pid=""
if pgrep -f '^/usr/lib/miden-remote-prover/' >&2; then log "processes of the cluster still run (above)"; exit 1; fi
cd "$repo"

# --- purge ----------------------------------------------------------------------------------
apt-get purge -y -qq "$package" >/dev/null
for path in /usr/bin/miden-prover-ctl /usr/lib/$package /etc/default/miden-prover-worker /lib/systemd/system/miden-prover-worker@.service; do
  [[ ! -e "$path" ]] || { log "$path is still there after purge"; exit 1; }
done
log "passed in $((SECONDS - started)) s"
