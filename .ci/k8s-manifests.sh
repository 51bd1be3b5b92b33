#!/usr/bin/env bash
# The Kubernetes manifests (compose/kubernetes): every overlay renders with `kubectl kustomize`
# (offline), every object passes strict validation against the Kubernetes schemas (the
# kubernetes-validate package bundles them: no cluster needed), and the manifests only use
# executables and MRP_ variables the project has.
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
"$work/venv/bin/python" - "$work" <<'PY'
import glob, re, sys, yaml
known = set()
for path in glob.glob("Sources/**/*.swift", recursive=True):
    text = open(path).read()
    known.update(re.findall(r'"(MRP_[A-Z0-9_]+)"', text))
    # Names the shared settings code derives from a prefix (ServerTLSSettings, CurveKeySettings).
    for prefix in re.findall(r'environmentPrefix: "(MRP_[A-Z0-9_]+)"', text):
        known.update(prefix + s for s in ("_CERT_FILE", "_KEY_FILE", "_CLIENT_CA_FILE"))
    for prefix in re.findall(r'CurveKeySettings\(prefix: "(MRP_[A-Z0-9_]+)"\)', text):
        known.update(prefix + s for s in ("_SECRET_KEY_FILE", "_SECRET_KEY", "_ALLOWED_CLIENTS_FILE", "_ALLOWED_CLIENTS"))
executables = {"worker", "scheduler", "proxy", "metrics-exporter", "ctl"}
problems = []
for path in glob.glob(sys.argv[1] + "/*.yaml"):
    for doc in yaml.safe_load_all(open(path)):
        if not doc:
            continue
        names = []
        if doc["kind"] == "ConfigMap":
            names = list(doc.get("data", {}))
        if doc["kind"] == "Deployment":
            for container in doc["spec"]["template"]["spec"]["containers"]:
                if container["command"][0] not in executables:
                    problems.append(f"{path}: {container['name']} runs {container['command'][0]}")
                names += [e["name"] for e in container.get("env", [])]
        problems += [f"{path}: {doc['metadata']['name']} sets {n}, which nothing reads" for n in names if n.startswith("MRP_") and n not in known]
if problems:
    sys.exit("\n".join(problems))
PY
echo "k8s-manifests: OK ($(ls compose/kubernetes/overlays | wc -l) overlays rendered and validated against Kubernetes $version)"
