#!/usr/bin/env bash
# The Kubernetes manifests (compose/kubernetes): every overlay renders with `kubectl kustomize`
# (offline), every object passes strict validation against the Kubernetes schemas (the
# kubernetes-validate package bundles them: no cluster needed), and the manifests only use
# service executables, and each container and ConfigMap sets only MRP_ variables the executables
# that load them read (as `<executable> --print-environment` lists them; binaries from
# .build/release, or BIN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${CI:-}" == "true" ]] && ! command -v kubectl >/dev/null; then
  apt-get install -y -qq --no-install-recommends kubectl >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q kubernetes-validate
version="${K8S_VERSION:-1.30.0}"
for overlay in compose/kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  kubectl kustomize "$overlay" > "$work/$name.yaml"
  "$work/venv/bin/kubernetes-validate" --strict --quiet -k "$version" "$work/$name.yaml"
done
"$work/venv/bin/kubernetes-validate" --strict --quiet -k "$version" compose/kubernetes/examples/*.yaml
# What each executable reads, as it lists it itself (its variable group in ProverService/Environment).
bin="${BIN_DIR:-.build/release}"
for executable in worker scheduler proxy metrics-exporter; do
  "$bin/$executable" --print-environment > "$work/$executable.variables"
  [[ -s "$work/$executable.variables" ]] || { echo "k8s-manifests: $bin/$executable --print-environment printed nothing" >&2; exit 1; }
done
"$work/venv/bin/python" - "$work" <<'PY'
import collections, glob, os, sys, yaml
work = sys.argv[1]
reads = {os.path.basename(p)[:-len(".variables")]: set(open(p).read().split()) for p in glob.glob(work + "/*.variables")}
problems = []
for path in glob.glob(work + "/*.yaml"):
    docs = [doc for doc in yaml.safe_load_all(open(path)) if doc]
    config_maps = {doc["metadata"]["name"]: list(doc.get("data", {})) for doc in docs if doc["kind"] == "ConfigMap"}
    # A ConfigMap's variable must be read by some container that loads it.
    readers = collections.defaultdict(set)
    for doc in docs:
        if doc["kind"] != "Deployment":
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            executable = container["command"][0]
            where = f"{path}: {doc['metadata']['name']}/{container['name']}"
            if executable not in reads:
                problems.append(f"{where} runs {executable}, not a service executable")
                continue
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    readers[source["configMapRef"]["name"]] |= reads[executable]
            problems += [f"{where} sets {e['name']}, which {executable} does not read"
                         for e in container.get("env", []) if e["name"].startswith("MRP_") and e["name"] not in reads[executable]]
    for name, keys in config_maps.items():
        problems += [f"{path}: ConfigMap {name} sets {key}, which no container loading it reads"
                     for key in keys if key.startswith("MRP_") and key not in readers[name]]
if problems:
    sys.exit("\n".join(problems))
PY
echo "k8s-manifests: OK ($(ls compose/kubernetes/overlays | wc -l) overlays rendered and validated against Kubernetes $version)"
