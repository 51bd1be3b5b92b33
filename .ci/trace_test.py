#!/usr/bin/env python3
"""End-to-end tracing test: real worker, scheduler and proxy processes (release binaries) export
spans over OTLP/gRPC to a real receiver (otlp_receiver.py) started here.

Case 1, one worker: a transaction proof request carrying a client `traceparent` yields one trace
holding spans of all three services, parented proxy.prove → scheduler.job → scheduler.attempt →
worker.prove (→ decode / prove_stark / encode), proxy.prove's parent being the client's span; the
proof verifies; the worker's log lines carry the trace id.

Case 2, two workers: the worker that starts proving is killed (SIGKILL) mid-proof; the scheduler
retries on the other. The trace shows two attempt spans, the first failed and the second ok, with
the surviving worker's prove span under the second.

Usage: trace_test.py BIN_DIR WORK_DIR   (python needs grpcio, grpcio-tools, opentelemetry-proto)
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import otlp_receiver  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(HERE)
os.makedirs(WORK, exist_ok=True)
STARTED = []


def log(message):
    print(f"[trace-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fail(message):
    raise SystemExit(f"trace-test FAILED: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generated_stubs():
    """Python classes for proto/remote_prover.proto, generated into WORK."""
    out = os.path.join(WORK, "gen")
    os.makedirs(out, exist_ok=True)
    from grpc_tools import protoc
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main(["protoc", f"-I{ROOT}/proto", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}",
                        f"{ROOT}/proto/remote_prover.proto"])
    if code != 0:
        fail("protoc could not generate the remote_prover stubs")
    sys.path.insert(0, out)
    import remote_prover_pb2
    import remote_prover_pb2_grpc
    return remote_prover_pb2, remote_prover_pb2_grpc


PB, PB_GRPC = generated_stubs()
EMPTY = __import__("google.protobuf.empty_pb2", fromlist=["Empty"]).Empty


def launch(name, args, env, log_path):
    out = open(log_path, "w")
    process = subprocess.Popen([os.path.join(BIN, name)] + args, env=env, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT)
    STARTED.append(process)
    return process


def stop_all():
    for p in STARTED:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    for p in STARTED:
        while p.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if p.poll() is None:
            p.kill()
            p.wait()
    STARTED.clear()


class Cluster:
    """Workers, a scheduler and a proxy on free loopback ports, tracing to `endpoint`."""

    def __init__(self, name, workers, endpoint, schedule_delay_ms=100):
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        env = dict(os.environ)
        env.update({
            "MRP_LOG": "info",
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": str(schedule_delay_ms),  # how long spans wait in the batch before export
        })
        env.pop("OTEL_SERVICE_NAME", None)
        self.env = env
        self.workers = []
        for index in range(workers):
            port = free_port()
            log_path = os.path.join(self.dir, f"worker{index}.log")
            process = launch("worker", ["--proof-type", "transaction", "--port", str(port), "--localhost", "--threads", "1"],
                             env, log_path)
            self.workers.append({"port": port, "process": process, "log": log_path})
        job_port, control_port = free_port(), free_port()
        launch("scheduler", [
            "--proof-type", "transaction", "--port", str(job_port), "--control-port", str(control_port),
            "--state-file", os.path.join(self.dir, "scheduler-state.json"), "--health-check-interval", "200ms",
            "--workers", ",".join(f"127.0.0.1:{w['port']}" for w in self.workers),
        ], env, os.path.join(self.dir, "scheduler.log"))
        self.proxy_port = free_port()
        launch("proxy", [
            "--proof-type", "transaction", "--port", str(self.proxy_port), "--localhost",
            "--scheduler", f"tcp://127.0.0.1:{job_port}", "--max-req-per-sec", "100", "--timeout", "120s",
        ], env, os.path.join(self.dir, "proxy.log"))
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.proxy_port}", options=[
            ("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)])

    def wait_healthy(self, count, timeout=60):
        status = PB_GRPC.ProxyStatusApiStub(self.channel)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                reply = status.Status(EMPTY(), timeout=2)
                if sum(1 for w in reply.workers if w.status == PB.HEALTHY) >= count:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
        fail(f"{count} healthy workers not seen within {timeout}s (logs in {self.dir})")

    def prove(self, witness, traceparent):
        api = PB_GRPC.ApiStub(self.channel)
        request = PB.ProofRequest(proof_type=PB.TRANSACTION, payload=witness)
        return api.Prove(request, metadata=[("traceparent", traceparent), ("tracestate", "client=trace-test")],
                         timeout=120).payload


def verify(proof, name):
    path = os.path.join(WORK, f"{name}.proof")
    with open(path, "wb") as out:
        out.write(proof)
    result = subprocess.run([os.path.join(BIN, "ctl"), "verify", path], capture_output=True, text=True)
    if result.returncode != 0 or "OK" not in result.stdout:
        fail(f"{name}: the proof does not verify: {result.stdout} {result.stderr}")


def wait_for_spans(recorder, trace_id, wanted, timeout=30):
    """The trace's spans once every (service, name, count) in `wanted` has arrived."""
    deadline = time.time() + timeout
    while True:
        spans = [s for s in recorder.snapshot() if s["trace_id"] == trace_id]
        if all(sum(1 for s in spans if s["service"] == service and s["name"] == name) >= count
               for service, name, count in wanted):
            time.sleep(0.5)  # stragglers of the same batch
            return [s for s in recorder.snapshot() if s["trace_id"] == trace_id]
        if time.time() > deadline:
            names = sorted(f"{s['service']}:{s['name']}" for s in spans)
            fail(f"trace {trace_id}: expected {wanted}, got {names}")
        time.sleep(0.1)


def one(spans, service, name):
    found = [s for s in spans if s["service"] == service and s["name"] == name]
    if len(found) != 1:
        fail(f"expected one {service} {name} span, got {len(found)}")
    return found[0]


def expect_parent(child, parent):
    if child["parent_span_id"] != parent["span_id"]:
        fail(f"{child['service']} {child['name']}: parent {child['parent_span_id']}, expected "
             f"{parent['service']} {parent['name']} {parent['span_id']}")


def describe(spans):
    """The trace as an indented tree: name, service, duration, key attributes."""
    by_parent = {}
    for s in spans:
        by_parent.setdefault(s["parent_span_id"], []).append(s)
    ids = {s["span_id"] for s in spans}
    lines = []

    def walk(span, depth):
        ms = (span["end_ns"] - span["start_ns"]) / 1e6
        keys = ("mrp.attempt", "mrp.worker", "mrp.outcome", "mrp.witness_bytes", "mrp.proof_bytes", "mrp.queue_seconds")
        extra = " ".join(f"{k.split('.')[-1]}={span['attributes'][k]}" for k in keys if k in span["attributes"])
        lines.append(f"{'  ' * depth}{span['name']} [{span['service']}] {ms:.1f} ms {extra}")
        for child in sorted(by_parent.get(span["span_id"], []), key=lambda c: c["start_ns"]):
            walk(child, depth + 1)

    for root in sorted((s for s in spans if s["parent_span_id"] not in ids), key=lambda s: s["start_ns"]):
        lines.append(f"(parent {root['parent_span_id'] or 'none'})")
        walk(root, 1)
    return "\n".join(lines)


def new_traceparent():
    return secrets.token_hex(16), secrets.token_hex(8)


def case_one(recorder, endpoint, witness):
    log("case 1: one worker, one proof; spans exported only at shutdown")
    # A batch delay far beyond the test: the spans arrive only because SIGTERM flushes them.
    cluster = Cluster("one-worker", 1, endpoint, schedule_delay_ms=600_000)
    cluster.wait_healthy(1)
    trace_id, client_span = new_traceparent()
    started = time.time()
    proof = cluster.prove(witness, f"00-{trace_id}-{client_span}-01")
    log(f"proved in {time.time() - started:.2f}s ({len(proof)} bytes)")
    verify(proof, "case1")
    time.sleep(1)
    early = [s for s in recorder.snapshot() if s["trace_id"] == trace_id]
    if early:
        fail(f"{len(early)} spans exported before shutdown despite the long batch delay")
    stop_all()
    spans = wait_for_spans(recorder, trace_id, [
        ("mrp-proxy", "proxy.prove", 1), ("mrp-scheduler", "scheduler.job", 1), ("mrp-scheduler", "scheduler.attempt", 1),
        ("mrp-worker", "worker.prove", 1), ("mrp-worker", "worker.encode", 1)], timeout=5)
    log("every span of the trace was flushed at shutdown (SIGTERM)")
    services = {s["service"] for s in spans}
    if services != {"mrp-proxy", "mrp-scheduler", "mrp-worker"}:
        fail(f"services in the trace: {services}")
    request = one(spans, "mrp-proxy", "proxy.prove")
    if request["parent_span_id"] != client_span:
        fail(f"proxy.prove's parent is {request['parent_span_id']}, not the client's span {client_span}")
    for name in ("proxy.checks", "proxy.scheduler_round_trip"):
        expect_parent(one(spans, "mrp-proxy", name), request)
    job = one(spans, "mrp-scheduler", "scheduler.job")
    expect_parent(job, request)
    attempt = one(spans, "mrp-scheduler", "scheduler.attempt")
    expect_parent(attempt, job)
    expect_parent(one(spans, "mrp-scheduler", "scheduler.queue_wait"), job)
    prove = one(spans, "mrp-worker", "worker.prove")
    expect_parent(prove, attempt)
    for name in ("worker.decode", "worker.prove_stark", "worker.encode"):
        expect_parent(one(spans, "mrp-worker", name), prove)
    attrs = prove["attributes"]
    if attrs.get("mrp.proof_type") != "transaction" or attrs.get("mrp.witness_bytes") != len(witness) \
            or attrs.get("mrp.proof_bytes") != len(proof):
        fail(f"worker.prove attributes: {attrs}")
    if attempt["attributes"].get("mrp.outcome") != "ok" or attempt["attributes"].get("mrp.attempt") != 1:
        fail(f"scheduler.attempt attributes: {attempt['attributes']}")
    with open(cluster.workers[0]["log"]) as f:
        proving_lines = [line for line in f if "proving" in line]
    traced = [line.strip() for line in proving_lines if f"trace_id={trace_id}" in line]
    if not traced:
        fail(f"the worker's 'proving' log line does not carry trace_id={trace_id}: {proving_lines}")
    log(f"worker log line: {traced[0]}")
    log(f"case 1 ok: trace {trace_id}, {len(spans)} spans\n{describe(spans)}")


def case_two(recorder, endpoint, witness):
    log("case 2: two workers, the proving one killed mid-proof")
    cluster = Cluster("two-workers", 2, endpoint)
    cluster.wait_healthy(2)
    trace_id, client_span = new_traceparent()
    import threading
    outcome = {}

    def call():
        try:
            outcome["proof"] = cluster.prove(witness, f"00-{trace_id}-{client_span}-01")
        except grpc.RpcError as error:
            outcome["error"] = f"{error.code()}: {error.details()}"

    caller = threading.Thread(target=call)
    caller.start()
    victim = None
    deadline = time.time() + 60
    while victim is None and time.time() < deadline:
        for worker in cluster.workers:
            with open(worker["log"]) as f:
                if any("proving" in line and trace_id in line for line in f):
                    victim = worker
                    break
        time.sleep(0.01)
    if victim is None:
        fail("no worker started proving")
    victim["process"].kill()
    log(f"killed the worker on port {victim['port']} (SIGKILL) mid-proof")
    caller.join(150)
    if "proof" not in outcome:
        fail(f"the request failed after the kill: {outcome.get('error')}")
    verify(outcome["proof"], "case2")
    spans = wait_for_spans(recorder, trace_id, [
        ("mrp-proxy", "proxy.prove", 1), ("mrp-scheduler", "scheduler.job", 1), ("mrp-scheduler", "scheduler.attempt", 2),
        ("mrp-worker", "worker.prove", 1)])
    stop_all()
    job = one(spans, "mrp-scheduler", "scheduler.job")
    expect_parent(job, one(spans, "mrp-proxy", "proxy.prove"))
    attempts = sorted((s for s in spans if s["name"] == "scheduler.attempt"), key=lambda s: s["attributes"].get("mrp.attempt"))
    if len(attempts) != 2:
        fail(f"expected 2 attempts, got {len(attempts)}")
    first, second = attempts
    for a in attempts:
        expect_parent(a, job)
    if first["attributes"].get("mrp.outcome") in (None, "ok") or first["status_code"] != 2:
        fail(f"the first attempt should have failed: {first['attributes']} status {first['status_code']}")
    if second["attributes"].get("mrp.outcome") != "ok":
        fail(f"the second attempt should be ok: {second['attributes']}")
    if first["attributes"].get("mrp.worker") != f"127.0.0.1:{victim['port']}" or \
            second["attributes"].get("mrp.worker") == first["attributes"].get("mrp.worker"):
        fail(f"attempt workers: {first['attributes'].get('mrp.worker')} then {second['attributes'].get('mrp.worker')}")
    proves = [s for s in spans if s["name"] == "worker.prove"]
    if len(proves) != 1:
        fail(f"expected one worker.prove span (the killed worker exports none), got {len(proves)}")
    expect_parent(proves[0], second)
    if job["attributes"].get("mrp.attempts") != 2:
        fail(f"scheduler.job attempts: {job['attributes']}")
    log(f"case 2 ok: trace {trace_id}, {len(spans)} spans\n{describe(spans)}")


def main():
    spans_path = os.path.join(WORK, "spans.jsonl")
    if os.path.exists(spans_path):
        os.remove(spans_path)
    server, recorder, port = otlp_receiver.start(spans_path)
    endpoint = f"http://127.0.0.1:{port}"
    log(f"OTLP receiver on {endpoint}, spans to {spans_path}")
    witness_path = os.path.join(WORK, "tx.witness")
    subprocess.run([os.path.join(BIN, "ctl"), "witness", "transaction", "--seed", "11", "-o", witness_path], check=True)
    with open(witness_path, "rb") as f:
        witness = f.read()
    # Case 2's proof must outlast the kill: 16 notes in and out take several times longer to prove.
    long_witness_path = os.path.join(WORK, "tx16.witness")
    subprocess.run([os.path.join(BIN, "ctl"), "witness", "transaction", "--seed", "12", "--inputs", "16", "--outputs", "16",
                    "-o", long_witness_path], check=True)
    with open(long_witness_path, "rb") as f:
        long_witness = f.read()
    try:
        case_one(recorder, endpoint, witness)
        case_two(recorder, endpoint, long_witness)
    finally:
        stop_all()
        server.stop(0)
    log("all tracing checks passed")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
