// deedflow's verification page: checks a sealed certificate (不动产权证书) or registration proof
// (不动产登记证明) in the browser, with WebCrypto only (SHA-256 for the RFC 9162 audit path,
// Ed25519 for the checkpoint and the seal), against the registry's public key. It mirrors
// shared/documents.py::verify_document check for check and message for message, so that it gives
// the same answer as `deedctl verify` on the same bytes. Nothing is sent anywhere.
"use strict";

(() => {
  const UTF8 = new TextEncoder();
  const KINDS = ["certificate", "proof"];
  const PAYLOAD_PREFIX = "DF1:";
  const MAX_PAYLOAD_CHARS = 4296;
  const MAX_DOCUMENT_BYTES = 64 * 1024;
  const ED25519_SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

  // Each failure as shared/documents.py words it, and in Chinese.
  const CHINESE = [
    ["the checkpoint was signed by another key", "检查点由登记机构以外的密钥签署"],
    ["the checkpoint's signature does not verify", "检查点签名无效"],
    ["the checkpoint is of another book", "检查点不属于该不动产单元所在登记机构的登记簿"],
    ["the entry is not in the signed tree", "登记簿记载不在已签署的默克尔树中（包含证明不成立）"],
    ["the registry's seal does not verify", "登记机构电子印章无效（文件已被改动）"],
    ["the content is not", "证照内容不是有效的 JSON 对象"],
    ["the leaf is not JSON", "登记簿叶子不是有效的 JSON"],
    ["the leaf is not a JSON object", "登记簿叶子不是 JSON 对象"],
    ["the leaf is not a register entry", "叶子不是登记簿记载"],
    ["the document names", "证照所指记载与叶子不符"],
    ["the document's unit differs", "证照的不动产单元与记载不符"],
    ["the document's holders differ", "证照的权利人与记载不符"],
    ["unknown document kind", "未知的证照类型"],
  ];

  class Unreadable extends Error {}

  // ---- bytes ----------------------------------------------------------------------------------

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

  const B64 = (() => {
    const table = new Int16Array(256).fill(-1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
    return table;
  })();

  // Python's binascii.a2b_base64 in its lenient mode, as protobuf's json_format calls it (URL-safe
  // letters translated, padding added): characters outside the alphabet are skipped, a complete
  // pad ends the input, and a dangling quad is an error.
  function base64Lenient(bytes) {
    const out = [];
    let quad = 0;
    let left = 0;
    let pads = 0;
    for (const raw of bytes) {
      if (raw === 0x3d) {
        if (quad >= 2 && quad + ++pads >= 4) return new Uint8Array(out);
        continue;
      }
      const c = B64[raw];
      if (c < 0) continue;
      pads = 0;
      if (quad === 0) {
        quad = 1;
        left = c;
      } else if (quad === 1) {
        quad = 2;
        out.push(((left << 2) | (c >> 4)) & 0xff);
        left = c & 0x0f;
      } else if (quad === 2) {
        quad = 3;
        out.push(((left << 4) | (c >> 2)) & 0xff);
        left = c & 0x03;
      } else {
        quad = 0;
        out.push(((left << 6) | c) & 0xff);
        left = 0;
      }
    }
    if (quad !== 0) throw new Unreadable(quad === 1 ? "invalid base64 length" : "incorrect base64 padding");
    return new Uint8Array(out);
  }

  function jsonBytes(value, field) {
    if (typeof value !== "string") throw new Unreadable(`${field} must be a base64 string`);
    const utf8 = UTF8.encode(value.replaceAll("-", "+").replaceAll("_", "/"));
    const padded = concat(utf8, new Uint8Array(4 - (utf8.length % 4)).fill(0x3d));
    return base64Lenient(padded);
  }

  function jsonInteger(value, field) {
    if (typeof value === "number") {
      if (!Number.isInteger(value)) throw new Unreadable(`${field} is not an integer`);
      return BigInt(value);
    }
    if (typeof value === "string" && /^[+-]?\d+(_\d+)*$/.test(value)) return BigInt(value.replaceAll("_", ""));
    throw new Unreadable(`${field} is not an integer`);
  }

  // ---- the document: from the JSON file, a PDF, or a QR payload ---------------------------------

  // Fields by proto name and JSON name, as json_format accepts them; anything else is refused.
  const DOCUMENT_FIELDS = {
    content: "content", leaf: "leaf", leaf_index: "leaf_index", leafIndex: "leaf_index",
    audit_path: "audit_path", auditPath: "audit_path", checkpoint: "checkpoint", seal: "seal",
  };
  const CHECKPOINT_FIELDS = {
    tree_size: "tree_size", treeSize: "tree_size", root_hash: "root_hash", rootHash: "root_hash",
    checkpoint_time: "checkpoint_time", checkpointTime: "checkpoint_time", signature: "signature",
    key_id: "key_id", keyId: "key_id", authority: "authority",
  };

  function named(object, names, what) {
    if (object === null || typeof object !== "object" || Array.isArray(object)) {
      throw new Unreadable(`${what} is not a JSON object`);
    }
    const found = {};
    for (const [key, value] of Object.entries(object)) {
      const name = names[key];
      if (name === undefined) throw new Unreadable(`${what} has no field ${JSON.stringify(key)}`);
      if (name in found) throw new Unreadable(`${what} names ${name} twice`);
      found[name] = value;
    }
    return found;
  }

  // Timestamp.FromJsonString: seconds and nanos of an RFC 3339 time.
  function parseTimestamp(text) {
    if (typeof text !== "string") throw new Unreadable("checkpoint_time is not a string");
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
    if (!m) throw new Unreadable("checkpoint_time is not an RFC 3339 time");
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const probe = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
    probe.setUTCFullYear(year);
    if (
      year < 1 || month < 1 || month > 12 || probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1 ||
      hour > 23 || minute > 59 || second > 59
    ) {
      throw new Unreadable("checkpoint_time is out of range");
    }
    let seconds = BigInt(Math.floor(probe.getTime() / 1000));
    if (m[8] !== "Z") {
      const sign = m[8][0] === "-" ? -1n : 1n;
      seconds -= sign * BigInt(Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
    }
    const nanos = Number((m[7] || "").padEnd(9, "0"));
    return { seconds, nanos };
  }

  // A SignedDocument with every field at its proto3 default, as either reader starts from.
  function emptyDocument() {
    return {
      content: new Uint8Array(), leaf: new Uint8Array(), leafIndex: 0n, auditPath: [], seal: new Uint8Array(),
      checkpoint: {
        treeSize: 0n, rootHash: new Uint8Array(), time: { seconds: 0n, nanos: 0 },
        signature: new Uint8Array(), keyId: new Uint8Array(), authority: "",
      },
    };
  }

  function fromJsonText(text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Unreadable(`not JSON: ${error.message}`);
    }
    const top = named(value, DOCUMENT_FIELDS, "the document");
    const document = emptyDocument();
    if (top.content != null) document.content = jsonBytes(top.content, "content");
    if (top.leaf != null) document.leaf = jsonBytes(top.leaf, "leaf");
    if (top.leaf_index != null) document.leafIndex = jsonInteger(top.leaf_index, "leaf_index");
    if (top.seal != null) document.seal = jsonBytes(top.seal, "seal");
    if (top.audit_path != null) {
      if (!Array.isArray(top.audit_path)) throw new Unreadable("audit_path is not a list");
      document.auditPath = top.audit_path.map((h) => jsonBytes(h, "audit_path"));
    }
    if (top.checkpoint != null) {
      const c = named(top.checkpoint, CHECKPOINT_FIELDS, "the checkpoint");
      const cp = document.checkpoint;
      if (c.tree_size != null) cp.treeSize = jsonInteger(c.tree_size, "tree_size");
      if (c.root_hash != null) cp.rootHash = jsonBytes(c.root_hash, "root_hash");
      if (c.checkpoint_time != null) cp.time = parseTimestamp(c.checkpoint_time);
      if (c.signature != null) cp.signature = jsonBytes(c.signature, "signature");
      if (c.key_id != null) cp.keyId = jsonBytes(c.key_id, "key_id");
      if (c.authority != null) {
        if (typeof c.authority !== "string") throw new Unreadable("authority is not a string");
        cp.authority = c.authority;
      }
    }
    return document;
  }

  // The protobuf wire form of SignedDocument (document.proto), which the QR payload carries.
  function protoFields(bytes) {
    const fields = [];
    let at = 0;
    const varint = () => {
      let result = 0n;
      for (let shift = 0n; shift < 70n; shift += 7n) {
        if (at >= bytes.length) throw new Unreadable("truncated varint");
        const b = bytes[at++];
        result |= BigInt(b & 0x7f) << shift;
        if (!(b & 0x80)) return result;
      }
      throw new Unreadable("varint too long");
    };
    while (at < bytes.length) {
      const key = varint();
      const number = Number(key >> 3n);
      const type = Number(key & 7n);
      if (number === 0) throw new Unreadable("field number 0");
      if (type === 0) fields.push({ number, type, value: varint() });
      else if (type === 1 || type === 5) {
        const size = type === 1 ? 8 : 4;
        if (at + size > bytes.length) throw new Unreadable("truncated fixed field");
        at += size;
      } else if (type === 2) {
        const length = Number(varint());
        if (at + length > bytes.length) throw new Unreadable("truncated field");
        fields.push({ number, type, value: bytes.subarray(at, at + length) });
        at += length;
      } else throw new Unreadable(`wire type ${type} is not supported`);
    }
    return fields;
  }

  const signed64 = (v) => BigInt.asIntN(64, v);

  function utf8Text(bytes, what) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new Unreadable(`${what} is not UTF-8`);
    }
  }

  function fromProtobuf(bytes) {
    const document = emptyDocument();
    for (const f of protoFields(bytes)) {
      if (f.number === 1 && f.type === 2) document.content = f.value;
      else if (f.number === 2 && f.type === 2) document.leaf = f.value;
      else if (f.number === 3 && f.type === 0) document.leafIndex = signed64(f.value);
      else if (f.number === 4 && f.type === 2) document.auditPath.push(f.value);
      else if (f.number === 6 && f.type === 2) document.seal = f.value;
      else if (f.number === 5 && f.type === 2) {
        const cp = document.checkpoint;
        for (const g of protoFields(f.value)) {
          if (g.number === 1 && g.type === 0) cp.treeSize = signed64(g.value);
          else if (g.number === 2 && g.type === 2) cp.rootHash = g.value;
          else if (g.number === 4 && g.type === 2) cp.signature = g.value;
          else if (g.number === 5 && g.type === 2) cp.keyId = g.value;
          else if (g.number === 6 && g.type === 2) cp.authority = utf8Text(g.value, "authority");
          else if (g.number === 3 && g.type === 2) {
            for (const t of protoFields(g.value)) {
              if (t.number === 1 && t.type === 0) cp.time.seconds = signed64(t.value);
              else if (t.number === 2 && t.type === 0) cp.time.nanos = Number(BigInt.asIntN(32, t.value));
            }
          }
        }
      }
    }
    return document;
  }

  const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

  function base45Decode(text) {
    const values = Array.from(text, (ch) => {
      const v = BASE45.indexOf(ch);
      if (v < 0) throw new Unreadable(`${JSON.stringify(ch)} is not a Base45 character`);
      return v;
    });
    if (values.length % 3 === 1) throw new Unreadable("a Base45 text cannot have this length");
    const out = [];
    for (let i = 0; i < values.length; i += 3) {
      const chunk = values.slice(i, i + 3);
      const n = chunk[0] + chunk[1] * 45 + (chunk.length === 3 ? chunk[2] * 2025 : 0);
      if (chunk.length === 3) {
        if (n > 0xffff) throw new Unreadable("a Base45 triple is out of range");
        out.push(n >> 8, n & 0xff);
      } else {
        if (n > 0xff) throw new Unreadable("a Base45 pair is out of range");
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  async function inflate(bytes, format) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
    const reader = stream.getReader();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > MAX_DOCUMENT_BYTES) throw new Unreadable("the data inflates past the size of a document");
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof Unreadable) throw error;
      throw new Unreadable(`the data does not inflate: ${error.message}`);
    }
    return concat(...chunks);
  }

  async function fromPayload(text) {
    text = text.trim();
    const hash = text.indexOf("#" + PAYLOAD_PREFIX);
    if (hash >= 0) text = decodeURIComponent(text.slice(hash + 1));
    if (!text.startsWith(PAYLOAD_PREFIX)) throw new Unreadable(`a verification payload starts with ${PAYLOAD_PREFIX}`);
    if (text.length > MAX_PAYLOAD_CHARS) throw new Unreadable(`a verification payload is at most ${MAX_PAYLOAD_CHARS} characters`);
    return fromProtobuf(await inflate(base45Decode(text.slice(PAYLOAD_PREFIX.length)), "deflate"));
  }

  // The signed document embedded in a deedflow PDF (shared/paper/pdf.py): the stream of the
  // object whose type is /EmbeddedFile, inflated when the PDF compressed it.
  async function fromPdf(bytes) {
    const text = new TextDecoder("latin1").decode(bytes);
    const marker = /\/Type\s*\/EmbeddedFile\b/g;
    let found;
    while ((found = marker.exec(text)) !== null) {
      const start = text.lastIndexOf("obj", found.index);
      const open = text.indexOf("stream", found.index);
      if (start < 0 || open < 0) continue;
      const dictionary = text.slice(start, open);
      let dataAt = open + "stream".length;
      if (text[dataAt] === "\r") dataAt++;
      if (text[dataAt] === "\n") dataAt++;
      const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary);
      const end = length ? dataAt + Number(length[1]) : text.indexOf("endstream", dataAt);
      let data = bytes.subarray(dataAt, end);
      if (/\/Filter\s*\/FlateDecode/.test(dictionary)) data = await inflate(data, "deflate");
      return { text: decodeUtf8(data), pdf: true };
    }
    throw new Unreadable("this PDF carries no deedflow document (no embedded file)");
  }

  function decodeUtf8(bytes) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new Unreadable("the file is not UTF-8 text");
    }
  }

  // ---- the checks (shared/documents.py::verify_document) ----------------------------------------

  const leafHash = (leaf) => sha256(concat(new Uint8Array([0]), leaf));
  const nodeHash = (left, right) => sha256(concat(new Uint8Array([1]), left, right));

  async function verifyInclusion(leaf, index, size, path, expectedRoot) {
    if (!(index >= 0n && index < size)) return false;
    let fn = index;
    let sn = size - 1n;
    let r = await leafHash(leaf);
    for (const p of path) {
      if (sn === 0n) return false;
      if (fn & 1n || fn === sn) {
        r = await nodeHash(p, r);
        if (!(fn & 1n)) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && equalBytes(r, expectedRoot);
  }

  // datetime.isoformat(timespec="microseconds") of the checkpoint time in UTC.
  function isoMicroseconds(time) {
    const micros = time.seconds * 1000000n + BigInt(Math.trunc(time.nanos / 1000));
    const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
    const seconds = floorDiv(micros, 1000000n);
    const fraction = micros - seconds * 1000000n;
    const date = new Date(Number(seconds) * 1000);
    const year = date.getUTCFullYear();
    if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) throw new Unreadable("the checkpoint time is out of range");
    const two = (n) => String(n).padStart(2, "0");
    return (
      `${String(year).padStart(4, "0")}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}` +
      `T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}` +
      `.${String(fraction).padStart(6, "0")}+00:00`
    );
  }

  async function ed25519Verify(publicKey, signature, data) {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, data);
    } catch {
      return false;
    }
  }

  function pyRepr(value) {
    if (value === undefined || value === null) return "None";
    if (typeof value !== "string") return JSON.stringify(value);
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    return quote + value.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote) + quote;
  }

  const pyStr = (value) => (value === undefined || value === null ? "None" : typeof value === "string" ? value : JSON.stringify(value));

  function sameJson(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function jsonObject(bytes, what, failures) {
    let value;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (error) {
      failures.push(`${what} is not JSON: ${error.message}`);
      return null;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      failures.push(`${what} is not a JSON object`);
      return null;
    }
    return value;
  }

  async function verifyDocument(document, publicKey) {
    const failures = [];
    const checks = {};
    const cp = document.checkpoint;
    checks.key = equalBytes(cp.keyId, await sha256(publicKey));
    if (!checks.key) failures.push("the checkpoint was signed by another key than the registry's");
    const at = isoMicroseconds(cp.time);
    // An empty authority is the city-wide book kept before the register was split (shared/checkpoint.py).
    const origin = cp.authority ? `deedflow register ${cp.authority}` : "deedflow register";
    const checkpointText = `${origin}\n${cp.treeSize}\n${hex(cp.rootHash)}\n${at}\n`;
    checks.checkpoint = await ed25519Verify(publicKey, cp.signature, UTF8.encode(checkpointText));
    if (!checks.checkpoint) failures.push("the checkpoint's signature does not verify");
    checks.inclusion = await verifyInclusion(document.leaf, document.leafIndex, cp.treeSize, document.auditPath, cp.rootHash);
    if (!checks.inclusion) failures.push("the entry is not in the signed tree (inclusion proof fails)");
    const sealText =
      `deedflow document\n${hex(await sha256(document.content))}\n${hex(await leafHash(document.leaf))}\n` +
      `${cp.treeSize}\n${hex(cp.rootHash)}\n`;
    checks.seal = await ed25519Verify(publicKey, document.seal, UTF8.encode(sealText));
    if (!checks.seal) failures.push("the registry's seal does not verify (the document was changed)");
    const before = failures.length;
    const content = jsonObject(document.content, "the content", failures);
    const leaf = jsonObject(document.leaf, "the leaf", failures);
    if (content && leaf) {
      if (leaf.type !== "entry") failures.push("the leaf is not a register entry");
      const entry = `units/${pyStr(leaf.unit_number)}/entries/${pyStr(leaf.sequence)}`;
      if (!sameJson(content.entry, entry)) {
        failures.push(`the document names ${pyRepr(content.entry)}, the leaf is ${pyRepr(entry)}`);
      }
      if (!sameJson(content.unit_number, leaf.unit_number)) failures.push("the document's unit differs from the entry's");
      const book = typeof leaf.unit_number === "string" ? leaf.unit_number.slice(0, 6) : "";
      if (cp.authority && cp.authority !== book) {
        failures.push(`the checkpoint is of another book (${pyRepr(cp.authority)}) than the unit's (${pyRepr(book)})`);
      }
      if (!sameJson(content.holders, leaf.holders)) failures.push("the document's holders differ from the entry's");
      if (!KINDS.includes(content.kind)) failures.push(`unknown document kind ${pyRepr(content.kind)}`);
    }
    checks.agreement = failures.length === before;
    return { valid: failures.length === 0, failures, checks, content: content || {}, at };
  }

  // ---- the registry's key ---------------------------------------------------------------------

  function publicKeyFromPem(pem) {
    const body = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pem || "");
    if (!body) throw new Unreadable("not a PEM public key");
    const der = base64Lenient(UTF8.encode(body[1].replace(/\s+/g, "")));
    if (der.length !== 44 || !ED25519_SPKI_PREFIX.every((b, i) => der[i] === b)) {
      throw new Unreadable("the registry's key must be an Ed25519 public key");
    }
    return der.subarray(12);
  }

  // ---- the template's fields (shared/paper/fields.py) -------------------------------------------

  const NOT_RECORDED = "未记载 (not recorded)";
  const CO_OWNERSHIP = {
    CO_OWNERSHIP_SOLE: "单独所有 (sole)",
    CO_OWNERSHIP_BY_SHARES: "按份共有 (by shares)",
    CO_OWNERSHIP_JOINT: "共同共有 (joint)",
  };

  function chinaTime(text) {
    if (!text) return NOT_RECORDED;
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
    if (!m) return text;
    let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (m[7] !== "Z") ms -= (m[7][0] === "-" ? -1 : 1) * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(4, 6))) * 60000;
    const d = new Date(ms + 8 * 3600000);
    const two = (n) => String(n).padStart(2, "0");
    return (
      `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
      `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} (UTC+8)`
    );
  }

  const person = (p) => `${p.name || ""}（身份证 ${p.resident_id || ""}）`;
  const share = (p) => `${p.name || ""} ${(Number(p.share_basis_points || 0) / 100).toFixed(2)}%`;
  const yuan = (fen) =>
    `${(Number(fen || 0) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`;

  function authorityName(number) {
    const found = /^渝\(\d{4}\)(.+?)不动产(?:权|证明)第\d+号$/.exec(String(number || ""));
    return found ? `重庆市${found[1]}不动产登记机构` : NOT_RECORDED;
  }

  function coOwnership(body) {
    const owners = body.owners || [];
    if (body.co_ownership === "CO_OWNERSHIP_JOINT") return CO_OWNERSHIP.CO_OWNERSHIP_JOINT;
    if (owners.length <= 1) return CO_OWNERSHIP.CO_OWNERSHIP_SOLE;
    return `${CO_OWNERSHIP.CO_OWNERSHIP_BY_SHARES}：` + owners.map(share).join("，");
  }

  function certificateFields(content) {
    const body = content.body || {};
    const notes = [...(body.encumbrances || [])];
    for (const c of body.corrections || []) notes.push(`更正登记 (corrected by) ${c}`);
    notes.push("电子证照，以登记簿为准 (electronic certificate; the register prevails)");
    return [
      ["权利人", "Right holder", (body.owners || []).map(person).join("；")],
      ["共有情况", "Co-ownership", coOwnership(body)],
      ["坐落", "Location", body.address || NOT_RECORDED],
      ["不动产单元号", "Real estate unit number", content.unit_number || ""],
      ["权利类型", "Right type", body.right_type || NOT_RECORDED],
      ["权利性质", "Nature of the right", body.right_nature || NOT_RECORDED],
      ["用途", "Use", body.use || NOT_RECORDED],
      ["面积", "Area", `建筑面积 (gross floor area) ${(Number(body.gross_area_dm2 || 0) / 100).toFixed(2)} m²`],
      ["使用期限", "Term of use", body.land_use_term || NOT_RECORDED],
      [
        "权利其他状况",
        "Other particulars",
        `登记原因 (cause) ${body.right_source || NOT_RECORDED}；登簿 (entered) ${chinaTime(body.register_time || "")}；` +
          `登记簿 (entry) ${content.entry || ""}`,
      ],
      ["附记", "Notes", notes.join("；")],
    ];
  }

  function proofFields(content) {
    const body = content.body || {};
    const loan = body.loan || {};
    const bank = loan.bank || {};
    const notes = [`顺位时间 (priority from) ${chinaTime(body.priority_time || "")}`];
    if (body.premortgage) notes.push(`由预抵押转为抵押 (converted from) ${body.premortgage}`);
    notes.push("电子证照，以登记簿为准 (electronic proof; the register prevails)");
    return [
      ["证明权利或事项", "Right or matter proven", "抵押权 (mortgage)"],
      ["权利人（申请人）", "Right holder (applicant)", `${bank.name || ""}（${bank.uscc || ""}）`],
      ["义务人", "Obligor", (body.mortgagors || []).map(person).join("；")],
      ["坐落", "Location", body.address || NOT_RECORDED],
      ["不动产单元号", "Real estate unit number", content.unit_number || ""],
      [
        "其他",
        "Other",
        `被担保主债权数额 (secured principal) ${yuan(loan.amount_fen)}；` +
          `债务履行期限 (term) ${Number(loan.term_months || 0)} 个月 (months)；` +
          `抵押合同 (mortgage contract) ${loan.mortgage_contract_number || ""}；` +
          `登簿 (entered) ${chinaTime(body.register_time || "")}`,
      ],
      ["附记", "Notes", notes.join("；")],
    ];
  }

  function documentFields(content) {
    const certificate = content.kind === "certificate";
    return [
      ...(certificate ? certificateFields(content) : proofFields(content)),
      certificate ? ["证书号", "Certificate number", content.number || ""] : ["证明号", "Proof number", content.number || ""],
      ["登记机构", "Registration authority", authorityName(content.number)],
      ["发证时间", "Issued", chinaTime(content.sealed_time || "")],
    ];
  }

  // ---- the page -------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  let registryKey = null;

  async function useKey(pem, source) {
    try {
      registryKey = publicKeyFromPem(pem);
      $("key-state").textContent = `已载入 loaded (${source}) · key id ${hex(await sha256(registryKey)).slice(0, 16)}…`;
      $("key-state").dataset.loaded = "true";
    } catch (error) {
      registryKey = null;
      $("key-state").textContent = `公钥无效 invalid key: ${error.message}`;
      $("key-state").dataset.loaded = "false";
    }
  }

  function row(table, zh, en, value, attributes = {}) {
    const tr = table.insertRow();
    Object.assign(tr.dataset, attributes);
    const th = document.createElement("th");
    th.append(zh, document.createElement("br"));
    const small = document.createElement("small");
    small.textContent = en;
    th.append(small);
    tr.append(th);
    const td = tr.insertCell();
    td.textContent = value;
    td.className = "value";
  }

  function show(outcome) {
    const verdict = $("verdict");
    verdict.hidden = false;
    verdict.dataset.verdict = outcome.verdict;
    verdict.className = outcome.verdict === "VALID" ? "valid" : "invalid";
    $("verdict-text").textContent = {
      VALID: "VALID 有效：登记机构签发，且在其签署的登记簿中",
      INVALID: "INVALID 无效：核验未通过",
      UNREADABLE: "INVALID 无效：无法读取这份文件 (cannot read this document)",
    }[outcome.verdict];
    const checks = $("checks");
    checks.replaceChildren();
    const labels = [
      ["key", "检查点由所信任的登记机构公钥签署", "the checkpoint names the trusted registry key"],
      ["checkpoint", "检查点签名有效 (Ed25519)", "the checkpoint's signature verifies (Ed25519)"],
      ["inclusion", "登记簿记载在签署的树中 (RFC 9162, SHA-256)", "the entry is in the signed tree (RFC 9162 audit path, SHA-256)"],
      ["seal", "登记机构电子印章有效 (Ed25519)", "the registry's seal verifies (Ed25519)"],
      ["agreement", "证照与登记簿记载一致", "the document says what its entry says"],
    ];
    for (const [name, zh, en] of labels) {
      if (!outcome.checks || !(name in outcome.checks)) continue;
      const li = document.createElement("li");
      li.dataset.check = name;
      li.dataset.ok = String(outcome.checks[name]);
      li.textContent = `${outcome.checks[name] ? "✓" : "✗"} ${zh} / ${en}`;
      checks.append(li);
    }
    const failures = $("failures");
    failures.replaceChildren();
    for (const message of outcome.failures) {
      const li = document.createElement("li");
      li.dataset.message = message;
      const chinese = CHINESE.find(([prefix]) => message.startsWith(prefix));
      li.textContent = chinese ? `${chinese[1]} — ${message}` : message;
      failures.append(li);
    }
    const fields = $("fields");
    fields.replaceChildren();
    if (outcome.content && outcome.content.kind) {
      for (const [zh, en, value] of documentFields(outcome.content)) row(fields, zh, en, value, { field: zh });
    }
    const data = $("verification-data");
    data.replaceChildren();
    if (outcome.document) {
      const cp = outcome.document.checkpoint;
      row(data, "叶序号", "Leaf index", String(outcome.document.leafIndex), { field: "叶序号" });
      row(data, "树大小", "Tree size", String(cp.treeSize), { field: "树大小" });
      row(data, "根哈希", "Root hash (SHA-256)", hex(cp.rootHash), { field: "根哈希" });
      row(data, "检查点时间", "Checkpoint time", outcome.at || "", { field: "检查点时间" });
      row(data, "登记机构公钥标识", "Registry key id", hex(cp.keyId), { field: "登记机构公钥标识" });
    }
    $("source").textContent = outcome.source || "";
    verdict.scrollIntoView({ block: "start" });
  }

  async function check(read, source) {
    if (!registryKey) {
      show({ verdict: "UNREADABLE", failures: ["no registry public key is loaded: paste or choose it first"], source });
      return;
    }
    let document;
    try {
      document = await read();
    } catch (error) {
      const message = error instanceof Unreadable ? error.message : `${error.name}: ${error.message}`;
      show({ verdict: "UNREADABLE", failures: [`cannot read the document: ${message}`], source });
      return;
    }
    let result;
    try {
      result = await verifyDocument(document, registryKey);
    } catch (error) {
      show({ verdict: "UNREADABLE", failures: [`cannot read the document: ${error.message}`], source });
      return;
    }
    show({ verdict: result.valid ? "VALID" : "INVALID", ...result, document, source });
  }

  async function checkFile(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const isPdf = bytes.length >= 5 && new TextDecoder("latin1").decode(bytes.subarray(0, 5)) === "%PDF-";
    await check(async () => {
      if (isPdf) return fromJsonText((await fromPdf(bytes)).text);
      const text = decodeUtf8(bytes);
      return text.trim().startsWith(PAYLOAD_PREFIX) ? fromPayload(text) : fromJsonText(text);
    }, `${file.name} (${isPdf ? "PDF" : "file"})`);
  }

  window.addEventListener("DOMContentLoaded", () => {
    if (window.DEEDFLOW_REGISTRY_KEY) useKey(window.DEEDFLOW_REGISTRY_KEY, "registry-key.js");
    else $("key-state").textContent = "未载入公钥 no key loaded: paste the registry's public key (registry-log.pub) below";
    $("key-apply").addEventListener("click", () => useKey($("key-pem").value, "pasted"));
    $("key-file").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (file) await useKey(await file.text(), file.name);
    });
    $("document-file").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (file) await checkFile(file);
      event.target.value = "";
    });
    $("payload-check").addEventListener("click", () => check(() => fromPayload($("payload").value), "QR payload"));
    const zone = $("drop-zone");
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", async (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      const file = event.dataTransfer.files[0];
      if (file) await checkFile(file);
    });
    if (location.hash.startsWith("#" + PAYLOAD_PREFIX)) {
      $("payload").value = decodeURIComponent(location.hash.slice(1));
      check(() => fromPayload($("payload").value), "link");
    }
  });
})();
