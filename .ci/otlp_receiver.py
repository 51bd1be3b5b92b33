#!/usr/bin/env python3
"""A minimal OTLP/gRPC trace receiver for tests: serves
opentelemetry.proto.collector.trace.v1.TraceService/Export on 127.0.0.1 and records every span it
receives as one JSON line (trace and span ids in hex, parent, name, service.name, times, status,
attributes). Used by .ci/trace_test.py; runs standalone too:

    python otlp_receiver.py --port 4317 --out spans.jsonl
"""
import argparse
import json
import threading
import time
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc


def any_value(value):
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind)


def attributes(pairs):
    return {kv.key: any_value(kv.value) for kv in pairs}


class Recorder(trace_service_pb2_grpc.TraceServiceServicer):
    """Appends each exported span to `path` and keeps it in memory."""

    def __init__(self, path):
        self.path = path
        self.spans = []
        self.lock = threading.Lock()

    def Export(self, request, context):
        rows = []
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    rows.append({
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": span.kind,
                        "service": resource.get("service.name"),
                        "start_ns": span.start_time_unix_nano,
                        "end_ns": span.end_time_unix_nano,
                        "status_code": span.status.code,
                        "status_message": span.status.message,
                        "attributes": attributes(span.attributes),
                    })
        with self.lock:
            self.spans.extend(rows)
            with open(self.path, "a") as out:
                for row in rows:
                    out.write(json.dumps(row) + "\n")
        return trace_service_pb2.ExportTraceServiceResponse()

    def snapshot(self):
        with self.lock:
            return list(self.spans)


def start(path, port=0):
    """Starts the receiver; returns (server, recorder, bound port)."""
    recorder = Recorder(path)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(recorder, server)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, recorder, bound


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=4317)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    server, _, port = start(args.out, args.port)
    print(f"otlp receiver on 127.0.0.1:{port}, spans to {args.out}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop(0)
