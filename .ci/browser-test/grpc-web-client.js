// A minimal gRPC-Web client for the remote prover, in plain browser JavaScript (no npm, no
// generated code): protobuf encoding of the few messages by hand, gRPC-Web framing, fetch.
"use strict";

const ProofType = { TRANSACTION: 0, BATCH: 1, BLOCK: 2 };

// --- protobuf wire format (varints and length-delimited fields only) ---
function encodeVarint(value) {
  const out = [];
  while (value > 0x7f) { out.push((value & 0x7f) | 0x80); value = Math.floor(value / 128); }
  out.push(value);
  return out;
}

function encodeProofRequest(proofType, payload) {
  const bytes = [0x08, ...encodeVarint(proofType), 0x12, ...encodeVarint(payload.length)];
  const out = new Uint8Array(bytes.length + payload.length);
  out.set(bytes, 0);
  out.set(payload, bytes.length);
  return out;
}

// Fields of a message: { fieldNumber: [values] }, varints as numbers, length-delimited as Uint8Array.
function decodeFields(bytes) {
  const fields = {};
  let i = 0;
  const varint = () => {
    let value = 0, scale = 1, byte;
    do {
      if (i >= bytes.length) throw new Error("truncated varint");
      byte = bytes[i++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  while (i < bytes.length) {
    const key = varint(), field = Math.floor(key / 8), wire = key & 7;
    let value;
    if (wire === 0) value = varint();
    else if (wire === 2) { const n = varint(); value = bytes.subarray(i, i + n); i += n; }
    else throw new Error("unsupported wire type " + wire);
    (fields[field] = fields[field] || []).push(value);
  }
  return fields;
}

const text = (bytes) => new TextDecoder().decode(bytes);

function decodeProxyStatus(bytes) {
  const f = decodeFields(bytes);
  return {
    version: f[1] ? text(f[1][0]) : "",
    supportedProofType: f[2] ? f[2][0] : 0,
    workers: (f[3] || []).map((w) => {
      const g = decodeFields(w);
      return { name: g[1] ? text(g[1][0]) : "", version: g[2] ? text(g[2][0]) : "", status: g[3] ? g[3][0] : 0 };
    }),
  };
}

function decodeProof(bytes) {
  const f = decodeFields(bytes);
  return f[1] ? f[1][0] : new Uint8Array();
}

// --- gRPC-Web framing ---
function frame(message) {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s) {
  const raw = atob(s);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// Calls a unary method; resolves to { status, message, response } where response is the reply's
// bytes (null on error). The status comes from the trailers frame, or from the headers of a
// trailers-only response. `textMode` uses application/grpc-web-text (base64 bodies).
async function grpcWebCall(baseUrl, path, requestBytes, { textMode = false, timeout = "60S" } = {}) {
  const contentType = textMode ? "application/grpc-web-text" : "application/grpc-web+proto";
  const body = textMode ? toBase64(frame(requestBytes)) : frame(requestBytes);
  const reply = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": contentType, "x-grpc-web": "1", "x-user-agent": "mrp-browser-test/1", "grpc-timeout": timeout },
    body,
  });
  if (reply.status !== 200) throw new Error("HTTP " + reply.status + ": " + (await reply.text()));
  let bytes = new Uint8Array(await reply.arrayBuffer());
  if (textMode && bytes.length > 0) bytes = fromBase64(text(bytes));
  let status = reply.headers.get("grpc-status");
  let message = reply.headers.get("grpc-message");
  let response = null;
  for (let i = 0; i < bytes.length; ) {
    if (bytes.length - i < 5) throw new Error("truncated frame header");
    const flag = bytes[i], n = new DataView(bytes.buffer, bytes.byteOffset + i + 1, 4).getUint32(0);
    const payload = bytes.subarray(i + 5, i + 5 + n);
    if (payload.length !== n) throw new Error("truncated frame");
    if (flag & 0x80) {
      for (const line of text(payload).split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase(), value = line.slice(colon + 1).trim();
        if (key === "grpc-status") status = value;
        if (key === "grpc-message") message = value;
      }
    } else if (response === null) {
      response = payload.slice();
    }
    i += 5 + n;
  }
  return { status: status === null ? null : Number(status), message: message ? decodeURIComponent(message) : "", response };
}
