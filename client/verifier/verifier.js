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
    ["the document carries no witnessed checkpoint", "证照未附见证方联署的检查点"],
    ["the checkpoint note does not verify", "检查点签名文本 (C2SP) 无法以登记簿公钥验证"],
    ["the checkpoint note states another tree", "检查点签名文本所述的树与证照的检查点不符"],
    ["witness cosignatures required verify", "见证方联署数量不足"],
    ["the book's key", "检查点所用的登记簿密钥不在其有效的树大小范围内"],
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

  // ---- strict JSON (shared/strict_json.py): one reading of JSON for everything from outside ----

  const MAX_JSON_DEPTH = 32;

  class JsonRefused extends Error {}

  // RFC 8259 and nothing more: no member named twice in any object at any depth, nesting at most
  // MAX_JSON_DEPTH deep, nothing but whitespace after the value. JSON.parse keeps the last of two
  // members of one name, which would give a second reading of the same bytes.
  function strictJson(text) {
    if (text.startsWith("\ufeff")) throw new JsonRefused("the text starts with a byte-order mark");
    let at = 0;
    let depth = 0;
    const fail = (why) => {
      throw new JsonRefused(`${why} at character ${at}`);
    };
    const space = () => {
      while (at < text.length && " \t\n\r".includes(text[at])) at++;
    };
    const string = () => {
      at++;
      let out = "";
      for (;;) {
        if (at >= text.length) fail("Unterminated string starting");
        const c = text[at];
        if (c === '"') {
          at++;
          return out;
        }
        if (c < " ") fail("Invalid control character");
        if (c === "\\") {
          const e = text[at + 1];
          const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
          if (e in simple) {
            out += simple[e];
            at += 2;
          } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
            out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
            at += 6;
          } else fail("Invalid \\escape");
        } else {
          out += c;
          at++;
        }
      }
    };
    const value = () => {
      space();
      const c = text[at];
      if (c === "{" || c === "[") {
        if (++depth > MAX_JSON_DEPTH) throw new JsonRefused(`the text nests deeper than ${MAX_JSON_DEPTH} levels`);
        at++;
        space();
        const object = c === "{";
        const found = object ? {} : [];
        const names = new Set();
        if (text[at] === (object ? "}" : "]")) {
          at++;
          depth--;
          return found;
        }
        for (;;) {
          if (object) {
            space();
            if (text[at] !== '"') fail("Expecting property name enclosed in double quotes");
            const key = string();
            if (names.has(key)) throw new JsonRefused(`the member ${JSON.stringify(key)} is named twice in one object`);
            names.add(key);
            space();
            if (text[at] !== ":") fail("Expecting ':' delimiter");
            at++;
            Object.defineProperty(found, key, { value: value(), enumerable: true, writable: true, configurable: true });
          } else found.push(value());
          space();
          if (text[at] === ",") {
            at++;
            continue;
          }
          if (text[at] === (object ? "}" : "]")) {
            at++;
            depth--;
            return found;
          }
          fail("Expecting ',' delimiter");
        }
      }
      if (c === '"') return string();
      for (const [word, meaning] of [["true", true], ["false", false], ["null", null]]) {
        if (text.startsWith(word, at)) {
          at += word.length;
          return meaning;
        }
      }
      const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
      if (!number || !number[0]) fail("Expecting value");
      at += number[0].length;
      return Number(number[0]);
    };
    const result = value();
    space();
    if (at < text.length) fail("Extra data");
    return result;
  }

  // ---- the document: from the JSON file, a PDF, or a QR payload ---------------------------------

  // Fields by proto name and JSON name, as json_format accepts them; anything else is refused.
  const DOCUMENT_FIELDS = {
    content: "content", leaf: "leaf", leaf_index: "leaf_index", leafIndex: "leaf_index",
    audit_path: "audit_path", auditPath: "audit_path", checkpoint: "checkpoint", seal: "seal",
    holder_openings: "holder_openings", holderOpenings: "holder_openings",
    checkpoint_note: "checkpoint_note", checkpointNote: "checkpoint_note",
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
      holderOpenings: [], checkpointNote: "",
      checkpoint: {
        treeSize: 0n, rootHash: new Uint8Array(), time: { seconds: 0n, nanos: 0 },
        signature: new Uint8Array(), keyId: new Uint8Array(), authority: "",
      },
    };
  }

  function fromJsonText(text, what = "the file") {
    let value;
    try {
      value = strictJson(text);
    } catch (error) {
      throw new Unreadable(`${what} is not JSON this reader takes: ${error.message}`);
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
    if (top.checkpoint_note != null) {
      if (typeof top.checkpoint_note !== "string") throw new Unreadable("checkpoint_note is not a string");
      document.checkpointNote = top.checkpoint_note;
    }
    if (top.holder_openings != null) {
      if (!Array.isArray(top.holder_openings)) throw new Unreadable("holder_openings is not a list");
      document.holderOpenings = top.holder_openings.map((k) => jsonBytes(k, "holder_openings"));
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
      else if (f.number === 7 && f.type === 2) document.holderOpenings.push(f.value);
      else if (f.number === 8 && f.type === 2) document.checkpointNote = utf8Text(f.value, "checkpoint_note");
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

  // zlib data inflated up to `limit` bytes; what goes wrong is thrown as a `Refusal`, `tooBig`
  // or `broken(error)` saying what.
  async function inflateWithin(bytes, limit, Refusal, tooBig, broken) {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > limit) throw new Refusal(tooBig);
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof Refusal) throw error;
      throw new Refusal(broken(error));
    }
    return concat(...chunks);
  }

  const asciiTrim = (text) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

  // A pasted text may be the link a phone's scanner shows (…#DF1:…); a file holds the payload.
  function fromPastedPayload(text) {
    text = asciiTrim(text);
    const hash = text.indexOf("#" + PAYLOAD_PREFIX);
    if (!text.startsWith(PAYLOAD_PREFIX) && hash >= 0) text = decodeURIComponent(text.slice(hash + 1));
    return fromPayload(text);
  }

  async function fromPayload(text) {
    text = asciiTrim(text);
    if (!text.startsWith(PAYLOAD_PREFIX)) throw new Unreadable(`a verification payload starts with ${PAYLOAD_PREFIX}`);
    if (text.length > MAX_PAYLOAD_CHARS) throw new Unreadable(`a verification payload is at most ${MAX_PAYLOAD_CHARS} characters`);
    return fromProtobuf(
      await inflateWithin(
        base45Decode(text.slice(PAYLOAD_PREFIX.length)),
        MAX_DOCUMENT_BYTES,
        Unreadable,
        "the data inflates past the size of a document",
        (error) => `the data does not inflate: ${error.message}`,
      ),
    );
  }

  // ---- the one reading of a deedflow PDF (client/paper/pdf_reader.py, docs/verification.md) ----

  const ATTACHMENT = "deedflow-document.json";
  const MAX_DECODED_BYTES = 8 * 1024 * 1024;
  const MAX_NESTING = 32;
  const MAX_OBJECTS = 10000;
  const PDF_WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
  const PDF_DELIMITERS = new Set(Array.from("()<>[]{}/%", (c) => c.charCodeAt(0)));
  const ACTIVE_KEYS = new Set(["OpenAction", "AA", "JS", "JavaScript", "Launch", "SubmitForm", "ImportData", "RichMedia", "URI"]);
  const ACTIVE_ACTIONS = new Set(["JavaScript", "Launch", "SubmitForm", "ImportData", "RichMedia", "URI", "GoToR", "GoToE", "Rendition"]);
  const PDF_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
  const AFTER_END = "the PDF goes on after its end (%%EOF): it was changed after it was made";
  const latin1 = (bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join("");

  class PdfRefused extends Error {}
  class PdfName {
    constructor(name) {
      this.name = name;
    }
  }
  class PdfRef {
    constructor(number, generation) {
      this.number = number;
      this.generation = generation;
    }
  }
  class PdfKeyword {
    constructor(word) {
      this.word = word;
    }
  }
  class PdfStream {
    constructor(dictionary, raw) {
      this.dictionary = dictionary;
      this.raw = raw;
    }
  }
  const isName = (value, name) => value instanceof PdfName && (name === undefined || value.name === name);
  const isKeyword = (value, word) => value instanceof PdfKeyword && value.word === word;
  const isInteger = (value) => value instanceof Number && value.integer === true;
  // Numbers carry whether they were written as integers, as Python's int and float tell apart.
  const pdfInteger = (n) => Object.assign(new Number(n), { integer: true });
  const pdfReal = (n) => Object.assign(new Number(n), { integer: false });
  const num = (value) => (value instanceof Number ? value.valueOf() : value);
  const isNumber = (value) => value instanceof Number;

  class PdfLexer {
    constructor(data, at = 0) {
      this.data = data;
      this.at = at;
    }

    skipSpace() {
      const comments = [];
      const data = this.data;
      while (this.at < data.length) {
        const c = data[this.at];
        if (PDF_WHITESPACE.has(c)) this.at++;
        else if (c === 0x25) {
          let end = this.at;
          while (end < data.length && data[end] !== 0x0d && data[end] !== 0x0a) end++;
          comments.push(latin1(data.subarray(this.at, end)));
          this.at = end;
        } else break;
      }
      return comments;
    }

    token() {
      this.skipSpace();
      const data = this.data;
      if (this.at >= data.length) return null;
      const c = data[this.at];
      const two = latin1(data.subarray(this.at, this.at + 2));
      if (two === "<<" || two === ">>") {
        this.at += 2;
        return two;
      }
      if (c === 0x5b || c === 0x5d) {
        this.at++;
        return String.fromCharCode(c);
      }
      if (c === 0x2f) return this.name();
      if (c === 0x28) return this.literal();
      if (c === 0x3c) return this.hex();
      if (c === 0x29 || c === 0x3e || c === 0x7b || c === 0x7d) {
        throw new PdfRefused(`an unexpected '${String.fromCharCode(c)}' at byte ${this.at}`);
      }
      let end = this.at;
      while (end < data.length && !PDF_WHITESPACE.has(data[end]) && !PDF_DELIMITERS.has(data[end])) end++;
      const word = latin1(data.subarray(this.at, end));
      this.at = end;
      if (PDF_NUMBER.test(word)) return word.includes(".") ? pdfReal(parseFloat(word)) : pdfInteger(parseInt(word, 10));
      return new PdfKeyword(word);
    }

    name() {
      const data = this.data;
      let end = this.at + 1;
      while (end < data.length && !PDF_WHITESPACE.has(data[end]) && !PDF_DELIMITERS.has(data[end])) end++;
      const raw = data.subarray(this.at + 1, end);
      this.at = end;
      const out = [];
      for (let i = 0; i < raw.length; ) {
        const hexPair = latin1(raw.subarray(i + 1, i + 3));
        if (raw[i] === 0x23 && /^[0-9A-Fa-f]{2}$/.test(hexPair)) {
          out.push(parseInt(hexPair, 16));
          i += 3;
        } else out.push(raw[i++]);
      }
      return new PdfName(latin1(out));
    }

    literal() {
      const data = this.data;
      const out = [];
      let depth = 1;
      let i = this.at + 1;
      const escapes = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
      while (i < data.length) {
        const c = data[i];
        if (c === 0x5c) {
          i++;
          if (i >= data.length) break;
          const e = data[i];
          if (e in escapes) {
            out.push(escapes[e]);
            i++;
          } else if (e >= 0x30 && e <= 0x37) {
            let digits = "";
            while (digits.length < 3 && data[i] >= 0x30 && data[i] <= 0x37) digits += String.fromCharCode(data[i++]);
            out.push(parseInt(digits, 8) & 0xff);
          } else if (e === 0x0d) i += data[i + 1] === 0x0a ? 2 : 1;
          else if (e === 0x0a) i++;
          else {
            out.push(e);
            i++;
          }
          continue;
        }
        if (c === 0x28) depth++;
        else if (c === 0x29) {
          depth--;
          if (depth === 0) {
            this.at = i + 1;
            return new Uint8Array(out);
          }
        }
        out.push(c);
        i++;
      }
      throw new PdfRefused("a string runs to the end of the file");
    }

    hex() {
      let end = this.at;
      while (end < this.data.length && this.data[end] !== 0x3e) end++;
      if (end >= this.data.length) throw new PdfRefused("a hex string runs to the end of the file");
      let digits = latin1(this.data.subarray(this.at + 1, end)).replace(/[\x00\t\n\x0c\r ]/g, "");
      if (!/^[0-9A-Fa-f]*$/.test(digits)) throw new PdfRefused("a hex string holds something other than hex digits");
      this.at = end + 1;
      if (digits.length % 2) digits += "0";
      const out = new Uint8Array(digits.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
      return out;
    }

    value(depth = 0) {
      if (depth > MAX_NESTING) throw new PdfRefused("values nest too deep");
      const token = this.token();
      if (token === "<<") {
        const found = new Map();
        for (;;) {
          const key = this.token();
          if (key === ">>") return found;
          if (!isName(key)) throw new PdfRefused("a dictionary key is not a name");
          if (found.has(key.name)) throw new PdfRefused(`a dictionary names /${key.name} twice`);
          found.set(key.name, this.value(depth + 1));
        }
      }
      if (token === "[") {
        const items = [];
        for (;;) {
          const mark = this.at;
          const item = this.token();
          if (item === "]") return items;
          this.at = mark;
          items.push(this.value(depth + 1));
        }
      }
      if (isInteger(token)) {
        const mark = this.at;
        const generation = this.token();
        if (isInteger(generation) && isKeyword(this.token(), "R")) return new PdfRef(num(token), num(generation));
        this.at = mark;
        return token;
      }
      if (isKeyword(token, "true")) return true;
      if (isKeyword(token, "false")) return false;
      if (isKeyword(token, "null")) return null;
      if (token === null || token === ">>" || token === "]") throw new PdfRefused("a value is missing");
      return token;
    }
  }

  const startsWithBytes = (data, text, at) => {
    for (let i = 0; i < text.length; i++) if (data[at + i] !== text.charCodeAt(i)) return false;
    return true;
  };

  function findBytes(data, text, from) {
    outer: for (let i = from; i <= data.length - text.length; i++) {
      for (let j = 0; j < text.length; j++) if (data[i + j] !== text.charCodeAt(j)) continue outer;
      return i;
    }
    return -1;
  }

  function parsePdfFile(data) {
    if (!startsWithBytes(data, "%PDF-1.", 0)) throw new PdfRefused("the file does not start as a PDF 1.x file");
    const objects = new Map();
    let trailer = null;
    const lexer = new PdfLexer(data);
    let ends = 0;
    for (;;) {
      for (const comment of lexer.skipSpace()) {
        if (ends) throw new PdfRefused(AFTER_END);
        if (comment.replace(/[ \t\n\r\x0b\x0c]+$/, "") === "%%EOF") ends++;
      }
      if (lexer.at >= data.length) break;
      if (ends) throw new PdfRefused(AFTER_END);
      const token = lexer.token();
      if (isInteger(token)) parsePdfObject(lexer, num(token), objects);
      else if (isKeyword(token, "xref")) {
        const start = findBytes(data, "trailer", lexer.at);
        if (start < 0) throw new PdfRefused("a cross-reference table has no trailer");
        lexer.at = start;
      } else if (isKeyword(token, "trailer")) {
        const value = lexer.value();
        if (!(value instanceof Map)) throw new PdfRefused("the trailer is not a dictionary");
        if (trailer) throw new PdfRefused("the PDF has two trailers: it was changed after it was made");
        trailer = value;
      } else if (isKeyword(token, "startxref")) lexer.token();
      else throw new PdfRefused(`unexpected ${describeToken(token)} at byte ${lexer.at}`);
    }
    if (ends !== 1) throw new PdfRefused("the PDF does not end with %%EOF");
    trailer = trailer || new Map();
    if (trailer.has("Encrypt")) throw new PdfRefused("the PDF is encrypted");
    return { objects, trailer };
  }

  function describeToken(token) {
    if (token instanceof PdfKeyword) return `Keyword(word='${token.word}')`;
    if (token instanceof PdfName) return `'${token.name}'`;
    return typeof token === "string" ? `'${token}'` : String(num(token));
  }

  function parsePdfObject(lexer, number, objects) {
    const generation = lexer.token();
    if (!isInteger(generation) || !isKeyword(lexer.token(), "obj")) throw new PdfRefused(`object ${number} has no 'obj' header`);
    if (objects.has(number)) throw new PdfRefused(`object ${number} is defined twice: the PDF was changed after it was made`);
    if (objects.size >= MAX_OBJECTS) throw new PdfRefused("the PDF holds too many objects");
    let value = lexer.value();
    let after = lexer.token();
    if (isKeyword(after, "stream")) {
      value = parsePdfStream(lexer, value, number);
      after = lexer.token();
    }
    if (!isKeyword(after, "endobj")) throw new PdfRefused(`object ${number} does not end with endobj`);
    const dictionary = value instanceof PdfStream ? value.dictionary : value;
    if (dictionary instanceof Map) {
      const kind = dictionary.get("Type");
      if (isName(kind, "ObjStm") || isName(kind, "XRef")) {
        throw new PdfRefused(`a compressed /${kind.name} stream is not part of a deedflow PDF`);
      }
    }
    objects.set(number, value);
  }

  function parsePdfStream(lexer, dictionary, number) {
    if (!(dictionary instanceof Map)) throw new PdfRefused(`the stream of object ${number} has no dictionary`);
    const data = lexer.data;
    if (data[lexer.at] === 0x0d && data[lexer.at + 1] === 0x0a) lexer.at += 2;
    else if (data[lexer.at] === 0x0a) lexer.at += 1;
    else throw new PdfRefused(`the stream of object ${number} does not start on a new line`);
    const length = dictionary.get("Length");
    if (!isInteger(length) || num(length) < 0 || lexer.at + num(length) > data.length) {
      throw new PdfRefused(`the stream of object ${number} has no length of its own`);
    }
    const raw = data.subarray(lexer.at, lexer.at + num(length));
    lexer.at += num(length);
    if (!isKeyword(lexer.token(), "endstream")) throw new PdfRefused(`the stream of object ${number} is not as long as it says`);
    return new PdfStream(dictionary, raw);
  }

  function resolve(pdf, value) {
    let depth = 0;
    while (value instanceof PdfRef) {
      if (++depth > MAX_NESTING) throw new PdfRefused("references run in a circle");
      value = pdf.objects.has(value.number) ? pdf.objects.get(value.number) : null;
    }
    return value;
  }

  function ascii85(raw) {
    let text = latin1(raw).replace(/[\x00\t\n\x0c\r ]/g, "");
    if (text.startsWith("<~")) text = text.slice(2);
    if (!text.endsWith("~>")) throw new PdfRefused("an ASCII85 stream does not end with ~>");
    text = text.slice(0, -2);
    const out = [];
    let group = [];
    for (const ch of text) {
      if (ch === "z") {
        if (group.length) throw new PdfRefused("an ASCII85 stream cannot be decoded: z inside group");
        out.push(0, 0, 0, 0);
        continue;
      }
      const v = ch.charCodeAt(0) - 33;
      if (v < 0 || v > 84) throw new PdfRefused(`an ASCII85 stream cannot be decoded: Non-Ascii85 digit found: ${ch}`);
      group.push(v);
      if (group.length === 5) {
        const n = group.reduce((acc, d) => acc * 85 + d, 0);
        if (n > 0xffffffff) throw new PdfRefused("an ASCII85 stream cannot be decoded: Ascii85 overflow");
        out.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
        group = [];
      }
    }
    if (group.length) {
      const kept = group.length - 1;
      while (group.length < 5) group.push(84);
      const n = group.reduce((acc, d) => acc * 85 + d, 0);
      if (n > 0xffffffff) throw new PdfRefused("an ASCII85 stream cannot be decoded: Ascii85 overflow");
      out.push(...[(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].slice(0, kept));
    }
    return new Uint8Array(out);
  }

  const inflatePdf = (raw) =>
    inflateWithin(
      raw,
      MAX_DECODED_BYTES,
      PdfRefused,
      "a compressed stream inflates past what a deedflow PDF holds",
      () => "a compressed stream is cut short or has bytes after its end",
    );

  async function decodedStream(stream) {
    let filters = stream.dictionary.get("Filter");
    filters = filters === undefined || filters === null ? [] : Array.isArray(filters) ? filters : [filters];
    const parameters = stream.dictionary.get("DecodeParms");
    const none = parameters === undefined || parameters === null ||
      (Array.isArray(parameters) && parameters.every((p) => p === null) && parameters.length <= 1);
    if (!none) throw new PdfRefused("a stream's filter has parameters, which a deedflow PDF does not use");
    let data = stream.raw;
    for (const filter of filters) {
      if (isName(filter, "FlateDecode")) data = await inflatePdf(data);
      else if (isName(filter, "ASCII85Decode")) data = ascii85(data);
      else throw new PdfRefused(`the filter /${filter instanceof PdfName ? filter.name : filter} is not one this reader takes`);
    }
    return data;
  }

  function textString(value) {
    if (!(value instanceof Uint8Array)) return "";
    if (value[0] === 0xfe && value[1] === 0xff) return new TextDecoder("utf-16be").decode(value.subarray(2));
    return latin1(value);
  }

  function walkActive(value, found, depth = 0) {
    if (depth > MAX_NESTING) return;
    if (value instanceof PdfStream) value = value.dictionary;
    if (value instanceof Map) {
      for (const [key, item] of value) {
        if (ACTIVE_KEYS.has(key)) found.add(key);
        if (key === "S" && item instanceof PdfName && ACTIVE_ACTIONS.has(item.name)) found.add(item.name);
        walkActive(item, found, depth + 1);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) walkActive(item, found, depth + 1);
    }
  }

  async function pdfAttachment(pdf, catalog) {
    const objects = [...pdf.objects.values()];
    const streams = objects.filter((o) => o instanceof PdfStream && isName(o.dictionary.get("Type"), "EmbeddedFile"));
    const annotated = objects.filter((o) => o instanceof Map && isName(o.get("Subtype"), "FileAttachment"));
    const entries = [];
    const collect = (node, depth) => {
      node = resolve(pdf, node);
      if (!(node instanceof Map) || depth > MAX_NESTING) return;
      const names = resolve(pdf, node.get("Names"));
      if (Array.isArray(names)) {
        for (let i = 0; i + 1 < names.length; i += 2) entries.push([textString(names[i]), names[i + 1]]);
      }
      const kids = resolve(pdf, node.get("Kids"));
      for (const kid of Array.isArray(kids) ? kids : []) collect(kid, depth + 1);
    };
    const tree = resolve(pdf, catalog.get("Names"));
    if (tree instanceof Map) collect(tree.get("EmbeddedFiles"), 0);
    const count = Math.max(streams.length + annotated.length, entries.length);
    if (count === 0) throw new PdfRefused(`this PDF carries no deedflow document (no embedded ${ATTACHMENT})`);
    if (count > 1) throw new PdfRefused(`this PDF carries ${count} embedded files; a deedflow PDF carries one`);
    if (!entries.length) throw new PdfRefused("the embedded file is not listed among the PDF's embedded files");
    const [name, specRef] = entries[0];
    const spec = resolve(pdf, specRef);
    const names = [name];
    if (spec instanceof Map) for (const k of ["F", "UF"]) if (spec.has(k)) names.push(textString(spec.get(k)));
    const wrong = names.find((n) => n !== ATTACHMENT);
    if (wrong !== undefined) throw new PdfRefused(`the embedded file is named ${pyQuote(wrong)}, not '${ATTACHMENT}'`);
    const files = spec instanceof Map ? resolve(pdf, spec.get("EF")) : null;
    const stream = files instanceof Map ? resolve(pdf, files.get("F")) : null;
    if (!(stream instanceof PdfStream) || !streams.includes(stream)) {
      throw new PdfRefused("the embedded file's entry names no embedded file");
    }
    return decodedStream(stream);
  }

  // Python's repr of a str, for the messages both readers word alike.
  function pyQuote(text) {
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    return quote + text.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote) + quote;
  }

  function utf16(hex) {
    if (hex.length % 4) return "";
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return new TextDecoder("utf-16be").decode(bytes);
  }

  class PdfFont {
    static async make(pdf, font) {
      const made = new PdfFont();
      made.width = 1;
      made.map = null;
      font = resolve(pdf, font);
      if (!(font instanceof Map)) return made;
      const unicode = resolve(pdf, font.get("ToUnicode"));
      const encoding = font.get("Encoding");
      if (unicode instanceof PdfStream) made.cmap(latin1(await decodedStream(unicode)));
      else if (
        ["Type1", "TrueType", "MMType1"].some((k) => isName(font.get("Subtype"), k)) &&
        (encoding === undefined || encoding === null || isName(encoding, "WinAnsiEncoding") ||
          isName(encoding, "StandardEncoding"))
      ) {
        made.map = new Map();
        for (let b = 0; b < 256; b++) made.map.set(String.fromCharCode(b), String.fromCharCode(b));
      }
      return made;
    }

    cmap(text) {
      const hexes = /<([0-9A-Fa-f]+)>/g;
      const blocks = (begin, end) =>
        Array.from(text.matchAll(new RegExp(`${begin}([\\s\\S]*?)${end}`, "g")), (m) => m[1]);
      const widths = new Set();
      for (const block of blocks("begincodespacerange", "endcodespacerange")) {
        for (const m of block.matchAll(hexes)) widths.add(Math.floor(m[1].length / 2));
      }
      if (widths.size !== 1) return;
      this.width = [...widths][0];
      const mapping = new Map();
      const key = (hex) => latin1(Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16)));
      for (const block of blocks("beginbfchar", "endbfchar")) {
        const pairs = Array.from(block.matchAll(hexes), (m) => m[1]);
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          if (pairs[i].length % 2 === 0) mapping.set(key(pairs[i]), utf16(pairs[i + 1]));
        }
      }
      for (const block of blocks("beginbfrange", "endbfrange")) {
        for (const m of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
          const start = parseInt(m[1], 16);
          const end = parseInt(m[2], 16);
          if (end < start || end - start > 0xffff || end >= 256 ** this.width) continue;
          const targets = m[3].startsWith("[") ? Array.from(m[3].matchAll(hexes), (t) => t[1]) : null;
          for (let code = start, offset = 0; code <= end; code++, offset++) {
            const codeKey = latin1(Array.from({ length: this.width }, (_, i) => (code >>> (8 * (this.width - 1 - i))) & 0xff));
            if (targets) {
              if (offset < targets.length) mapping.set(codeKey, utf16(targets[offset]));
            } else {
              // The last character counts up through the range, within the BMP only.
              const base = utf16(m[3].slice(1, -1));
              const last = base ? base.charCodeAt(base.length - 1) : 0;
              if (base && !/[\uD800-\uDFFF]$/.test(base) && last + offset <= 0xffff) {
                mapping.set(codeKey, base.slice(0, -1) + String.fromCharCode(last + offset));
              }
            }
          }
        }
      }
      this.map = mapping;
    }

    text(data) {
      if (this.map === null || data.length % this.width) return null;
      let out = "";
      for (let i = 0; i < data.length; i += this.width) {
        const char = this.map.get(latin1(data.subarray(i, i + this.width)));
        if (char === undefined) return null;
        out += char;
      }
      return out;
    }
  }

  const IDENTITY = [1, 0, 0, 1, 0, 0];

  function times(m, n) {
    const [a, b, c, d, e, f] = m;
    const [a2, b2, c2, d2, e2, f2] = n;
    return [
      a * a2 + b * c2,
      a * b2 + b * d2,
      c * a2 + d * c2,
      c * b2 + d * d2,
      e * a2 + f * c2 + e2,
      e * b2 + f * d2 + f2,
    ];
  }

  function asMatrix(operands) {
    if (operands.length === 6 && operands.every(isNumber)) return operands.map((o) => num(o));
    return null;
  }

  class PdfPage {
    constructor(pdf, number, reading) {
      this.pdf = pdf;
      this.number = number;
      this.reading = reading;
      this.fonts = new Map();
    }

    async font(resources, name) {
      const fonts = resources instanceof Map ? resolve(this.pdf, resources.get("Font")) : null;
      const ref = fonts instanceof Map ? fonts.get(name.name) : undefined;
      const key = ref instanceof PdfRef ? ref.number : ref;
      if (!this.fonts.has(key)) this.fonts.set(key, await PdfFont.make(this.pdf, ref));
      return this.fonts.get(key);
    }

    flag(list) {
      if (!list.includes(this.number)) list.push(this.number);
    }

    show(font, data, tm, ctm) {
      if (!(data instanceof Uint8Array)) return;
      const text = font ? font.text(data) : null;
      if (text === null) {
        this.flag(this.reading.unreadable);
        return;
      }
      const at = times([1, 0, 0, 1, tm[4], tm[5]], ctm);
      this.reading.runs.push({ page: this.number, x: at[4], y: at[5], text });
    }

    async interpret(content, resources, ctm, depth = 0) {
      if (depth > 8) throw new PdfRefused("forms nest too deep");
      const lexer = new PdfLexer(content);
      let operands = [];
      const states = [];
      let font = null;
      let leading = 0;
      let tm = IDENTITY;
      let tlm = IDENTITY;
      for (;;) {
        lexer.skipSpace();
        const c = lexer.data[lexer.at];
        const startsValue = c === 0x5b || c === 0x28 || c === 0x3c || c === 0x2f;
        const token = startsValue ? lexer.value() : lexer.token();
        if (token === null) return;
        if (!(token instanceof PdfKeyword)) {
          operands.push(token);
          continue;
        }
        const op = token.word;
        let m;
        if (op === "q") states.push([ctm, font, leading]);
        else if (op === "Q" && states.length) [ctm, font, leading] = states.pop();
        else if (op === "cm" && (m = asMatrix(operands))) ctm = times(m, ctm);
        else if (op === "BT") tm = tlm = IDENTITY;
        else if (op === "Tf" && operands.length === 2 && operands[0] instanceof PdfName) font = await this.font(resources, operands[0]);
        else if (op === "TL" && operands.length && isNumber(operands[operands.length - 1])) {
          leading = num(operands[operands.length - 1]);
        }
        else if (op === "Tm" && (m = asMatrix(operands))) tm = tlm = m;
        else if ((op === "Td" || op === "TD") && operands.length === 2 && operands.every(isNumber)) {
          if (op === "TD") leading = -num(operands[1]);
          tm = tlm = times([1, 0, 0, 1, num(operands[0]), num(operands[1])], tlm);
        } else if (op === "T*" || op === "'" || op === '"') {
          tm = tlm = times([1, 0, 0, 1, 0, -leading], tlm);
          if (op !== "T*" && operands.length) this.show(font, operands[operands.length - 1], tm, ctm);
        } else if (op === "Tj" && operands.length) this.show(font, operands[operands.length - 1], tm, ctm);
        else if (op === "TJ" && operands.length && Array.isArray(operands[operands.length - 1])) {
          this.show(font, concat(...operands[operands.length - 1].filter((p) => p instanceof Uint8Array)), tm, ctm);
        } else if (op === "Do" && operands.length && operands[operands.length - 1] instanceof PdfName) {
          await this.draw(resources, operands[operands.length - 1], ctm, depth);
        } else if (op === "BI") {
          this.flag(this.reading.pictures);
          const rest = latin1(content.subarray(lexer.at));
          const end = /[\x00\t\n\x0c\r ]ID[\x00\t\n\x0c\r ][\s\S]*?[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)/.exec(rest);
          if (!end) throw new PdfRefused("an inline image does not end");
          lexer.at += end.index + end[0].length;
        }
        operands = [];
      }
    }

    async draw(resources, name, ctm, depth) {
      const objects = resources instanceof Map ? resolve(this.pdf, resources.get("XObject")) : null;
      const drawn = objects instanceof Map ? resolve(this.pdf, objects.get(name.name)) : null;
      if (!(drawn instanceof PdfStream)) return;
      const kind = drawn.dictionary.get("Subtype");
      if (isName(kind, "Image")) this.flag(this.reading.pictures);
      else if (isName(kind, "Form")) {
        const matrix = asMatrix(resolve(this.pdf, drawn.dictionary.get("Matrix")) || []) || IDENTITY;
        const inner = resolve(this.pdf, drawn.dictionary.get("Resources"));
        await this.interpret(await decodedStream(drawn), inner instanceof Map ? inner : resources, times(matrix, ctm), depth + 1);
      }
    }
  }

  function pdfPages(pdf, node, inherited, depth, found) {
    node = resolve(pdf, node);
    if (!(node instanceof Map) || depth > MAX_NESTING) throw new PdfRefused("the page tree is broken");
    const resources = resolve(pdf, node.has("Resources") ? node.get("Resources") : inherited);
    if (isName(node.get("Type"), "Page")) {
      found.push([node, resources]);
      return;
    }
    const kids = resolve(pdf, node.get("Kids"));
    if (!Array.isArray(kids)) throw new PdfRefused("the page tree is broken");
    for (const kid of kids) pdfPages(pdf, kid, resources, depth + 1, found);
  }

  async function readPdf(data) {
    const pdf = parsePdfFile(data);
    const catalog = resolve(pdf, pdf.trailer.get("Root"));
    if (!(catalog instanceof Map) || !isName(catalog.get("Type"), "Catalog")) throw new PdfRefused("the PDF has no catalog");
    const reading = { attachment: await pdfAttachment(pdf, catalog), runs: [], active: [], pictures: [], unreadable: [] };
    const keys = new Set();
    for (const value of pdf.objects.values()) walkActive(value, keys);
    reading.active = [...keys].sort();
    const pages = [];
    pdfPages(pdf, catalog.get("Pages"), null, 0, pages);
    for (let i = 0; i < pages.length; i++) {
      const [page, resources] = pages[i];
      const contents = resolve(pdf, page.get("Contents"));
      const streams = Array.isArray(contents) ? contents.map((c) => resolve(pdf, c)) : [contents];
      const parts = [];
      for (const s of streams) if (s instanceof PdfStream) parts.push(await decodedStream(s));
      const content = parts.length ? parts.reduce((a, b) => concat(a, new Uint8Array([0x0a]), b)) : new Uint8Array();
      await new PdfPage(pdf, i + 1, reading).interpret(content, resources instanceof Map ? resources : new Map(), IDENTITY);
    }
    return reading;
  }

  // The signed document embedded in a deedflow PDF, and what else the PDF holds.
  async function fromPdf(bytes) {
    let pdf;
    try {
      pdf = await readPdf(bytes);
    } catch (error) {
      if (error instanceof PdfRefused) throw new Unreadable(`the PDF cannot be read: ${error.message}`);
      throw error;
    }
    return { document: fromJsonText(decodeUtf8(pdf.attachment), "the embedded file"), pdf };
  }

  // A BOM is kept (ignoreBOM), so that the strict JSON reader refuses it as Python's does.
  function decodeUtf8(bytes) {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
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
      value = strictJson(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
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

  // The leaf version whose holders are commitments, and what each commitment hashes
  // (shared/commitments.py): SHA-256(prefix ‖ opening ‖ holder).
  const COMMITTED = 2;
  const COMMITMENT_PREFIX = UTF8.encode("deedflow-commitment/v1\0");

  async function holdersAgree(holders, committed, openings) {
    if (!Array.isArray(holders) || !Array.isArray(committed)) return false;
    if (holders.length !== committed.length || holders.length !== openings.length) return false;
    for (let i = 0; i < holders.length; i++) {
      const [holder, commitment, opening] = [holders[i], committed[i], openings[i]];
      if (typeof holder !== "string" || typeof commitment !== "string") return false;
      if (holder === `erased/${commitment}`) continue;
      if (opening.length !== 32) return false;
      const computed = await sha256(concat(COMMITMENT_PREFIX, opening, UTF8.encode(holder)));
      if (hex(computed) !== commitment) return false;
    }
    return true;
  }

  // ---- the checkpoint as a C2SP note, and its witnesses' cosignatures (shared/signed_note.py,
  // shared/cosignature.py) ----------------------------------------------------------------------

  const ORIGIN_PREFIX = "deedflow.example/register/";
  const NOTE_MAX_BYTES = 16384;
  const NOTE_MAX_SIGNATURES = 64;
  const DASH = "\u2014 ";

  class MalformedNote extends Error {}

  // What Python's str.isspace() calls space (JavaScript's \s differs: it has U+FEFF, lacks
  // U+001C-U+001F and U+0085), so that both readers refuse the same names.
  const SPACES = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const SPACE = new RegExp(`[${SPACES}]`);
  const SPACE_OR_PLUS = new RegExp(`[${SPACES}+]`);

  // Standard base64, padded, and canonical: the one encoding of its bytes (as the Python reader).
  function base64Canonical(text) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new MalformedNote("not base64");
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    if (btoa(String.fromCharCode(...bytes)) !== text) throw new MalformedNote("not canonical base64");
    return bytes;
  }

  function checkName(name) {
    if (!name || SPACE_OR_PLUS.test(name)) throw new MalformedNote("bad key name");
  }

  function checkText(text) {
    if (!text.endsWith("\n") || /[\x00-\x09\x0b-\x1f]/.test(text)) throw new MalformedNote("bad note text");
  }

  function splitNote(bytes) {
    if (bytes.length > NOTE_MAX_BYTES) throw new MalformedNote("note too large");
    let decoded;
    try {
      decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new MalformedNote("not UTF-8");
    }
    const cut = decoded.lastIndexOf("\n\n");
    if (cut < 0) throw new MalformedNote("no blank line");
    const text = decoded.slice(0, cut + 1);
    const lines = decoded.slice(cut + 2);
    checkText(text);
    if (!lines.endsWith("\n")) throw new MalformedNote("no final newline");
    const signatures = [];
    for (const line of lines.slice(0, -1).split("\n")) {
      if (!line.startsWith(DASH)) throw new MalformedNote("not a signature line");
      const rest = line.slice(DASH.length);
      const space = rest.indexOf(" ");
      const name = space < 0 ? rest : rest.slice(0, space);
      const encoded = space < 0 ? "" : rest.slice(space + 1);
      checkName(name);
      const raw = base64Canonical(encoded);
      if (raw.length < 5) throw new MalformedNote("signature too short");
      signatures.push({ name, id: raw.subarray(0, 4), signature: raw.subarray(4) });
    }
    if (!signatures.length || signatures.length > NOTE_MAX_SIGNATURES) throw new MalformedNote("signature count");
    return { text, signatures };
  }

  function parseCheckpointText(text) {
    const lines = text.split("\n");
    if (lines.length !== 4 || lines[3] !== "") throw new MalformedNote("not a checkpoint");
    const [origin, size, root] = lines;
    if (!origin || SPACE.test(origin)) throw new MalformedNote("bad origin");
    if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new MalformedNote("bad size");
    const digest = base64Canonical(root);
    if (digest.length !== 32) throw new MalformedNote("bad root");
    return { origin, size: BigInt(size), root: digest };
  }

  const keyIdOf = async (name, type, publicKey) =>
    (await sha256(concat(UTF8.encode(`${name}\n`), new Uint8Array([type]), publicKey))).subarray(0, 4);

  // A witness's verifier key, `name+hex id+base64(0x04 ‖ key)` (shared/cosignature.py).
  async function parseCosignerKey(text) {
    // Split at the first two '+' only: the key's base64 may hold more.
    const trimmed = text.trim();
    const first = trimmed.indexOf("+");
    const second = trimmed.indexOf("+", first + 1);
    if (first < 0 || second < 0) throw new Unreadable(`not a witness key: ${text}`);
    const [name, hexId, encoded] = [trimmed.slice(0, first), trimmed.slice(first + 1, second), trimmed.slice(second + 1)];
    checkName(name);
    const raw = base64Canonical(encoded);
    if (raw.length !== 33 || raw[0] !== 0x04) throw new Unreadable("a witness key is of type 0x04");
    const publicKey = raw.subarray(1);
    const id = await keyIdOf(name, 0x04, publicKey);
    if (hex(id) !== hexId) throw new Unreadable("the witness key's id is not its key's");
    return { name, publicKey, id };
  }

  // The trusted witnesses whose cosignatures of the text verify, by name, each once.
  async function verifiedCosigners(text, signatures, witnesses) {
    const found = new Set();
    for (const line of signatures) {
      const witness = witnesses.find((w) => w.name === line.name && equalBytes(w.id, line.id));
      if (!witness || found.has(witness.name) || line.signature.length !== 72) continue;
      const timestamp = new DataView(line.signature.buffer, line.signature.byteOffset, 8).getBigUint64(0);
      if (timestamp >= 2n ** 63n) continue;
      const message = UTF8.encode(`cosignature/v1\ntime ${timestamp}\n${text}`);
      if (await ed25519Verify(witness.publicKey, line.signature.subarray(8), message)) found.add(witness.name);
    }
    return [...found].sort();
  }

  async function checkNote(document, publicKey, witnesses, quorum, failures) {
    const note = UTF8.encode(document.checkpointNote);
    if (!note.length) {
      if (quorum) failures.push("the document carries no witnessed checkpoint");
      return [];
    }
    const cp = document.checkpoint;
    let text, signatures, stated, origin;
    try {
      if (!cp.authority) throw new MalformedNote("no book");
      origin = ORIGIN_PREFIX + cp.authority;
      ({ text, signatures } = splitNote(note));
      const id = await keyIdOf(origin, 0x01, publicKey);
      let verified = false;
      for (const line of signatures) {
        if (line.name !== origin || !equalBytes(line.id, id)) continue;
        if (!(await ed25519Verify(publicKey, line.signature, UTF8.encode(text)))) throw new MalformedNote("bad signature");
        verified = true;
      }
      if (!verified) throw new MalformedNote("no trusted signature");
      stated = parseCheckpointText(text);
    } catch (error) {
      if (!(error instanceof MalformedNote)) throw error;
      failures.push("the checkpoint note does not verify with the book's key");
      return [];
    }
    if (stated.origin !== origin || stated.size !== cp.treeSize || !equalBytes(stated.root, cp.rootHash)) {
      failures.push("the checkpoint note states another tree than the document's checkpoint");
    }
    const names = await verifiedCosigners(text, signatures, witnesses);
    if (names.length < quorum) failures.push(`${names.length} of the ${quorum} witness cosignatures required verify`);
    return names;
  }

  // The key a book's history names for the checkpoint (registry-key.js, DEEDFLOW_BOOK_KEYS; as
  // shared/documents.py::_chosen): by its id, with a failure outside the sizes it signs; a book
  // with no history is checked with the registry key loaded.
  async function chosenKey(cp, registryKey, failures) {
    const history = (window.DEEDFLOW_BOOK_KEYS || {})[cp.authority];
    if (!history || !history.length) return registryKey;
    const keys = history.map((k) => ({ ...k, key: Uint8Array.from(atob(k.key), (c) => c.charCodeAt(0)) }));
    for (const k of keys) {
      if (!equalBytes(await sha256(k.key), cp.keyId)) continue;
      const size = cp.treeSize;
      if (BigInt(k.first) > size || (k.last !== null && size > BigInt(k.last))) {
        const until = k.last === null ? "on" : `to ${k.last}`;
        failures.push(
          `the book's key ${hex(cp.keyId).slice(0, 16)} signs its checkpoints of sizes ${k.first} ${until} only, not ${size}`,
        );
      }
      return k.key;
    }
    return keys[keys.length - 1].key;
  }

  async function verifyDocument(document, registryKey, witnesses = [], quorum = 0) {
    const failures = [];
    const checks = {};
    const cp = document.checkpoint;
    const publicKey = await chosenKey(cp, registryKey, failures);
    const before_note = failures.length;
    const cosigned = await checkNote(document, publicKey, witnesses, quorum, failures);
    checks.witnessed = failures.length === before_note;
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
      const agree = "v" in leaf
        ? leaf.v === COMMITTED && (await holdersAgree(content.holders, leaf.holders, document.holderOpenings))
        : sameJson(content.holders, leaf.holders);
      if (!agree) failures.push("the document's holders differ from the entry's");
      if (!KINDS.includes(content.kind)) failures.push(`unknown document kind ${pyRepr(content.kind)}`);
    }
    checks.agreement = failures.length === before;
    return { valid: failures.length === 0, failures, checks, content: content || {}, at, witnesses: cosigned };
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

  // ---- the template's fields (client/paper/fields.py) -------------------------------------------

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
      `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +08:00`
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

  // ---- printed against sealed (client/paper/printed.py) ------------------------------------------

  const VALUE_OFFSET = 90;
  const ROW_TOLERANCE = 6;
  const END_OF_FIELDS = "验证信息Verificationdata";
  const flat = (text) => text.replace(/[ \t\n\r\f\v\u00a0\u3000]+/g, "");
  const above = (a, b) => a.page < b.page || (a.page === b.page && -a.y < -b.y);

  // Each field as the page prints it: its label's row's runs in the value column, top to bottom
  // and left to right; a run belongs to the lowest label at or above it.
  function comparePrinted(runs, fields) {
    const labels = new Map(fields.map((f) => [flat(f[0]), f]));
    const anchors = new Map();
    let end = null;
    for (const run of runs) {
      const text = flat(run.text);
      if (labels.has(text) && !anchors.has(text)) anchors.set(text, run);
      else if (text === END_OF_FIELDS && end === null) end = run;
    }
    const rows = [...anchors.entries()].sort((p, q) => p[1].page - q[1].page || -p[1].y - -q[1].y);
    const found = new Map([...anchors.keys()].map((k) => [k, []]));
    if (rows.length) {
      const column = Math.min(...rows.map(([, run]) => run.x)) + VALUE_OFFSET;
      for (const run of runs) {
        if (run.x < column || (end !== null && !above(run, end))) continue;
        const level = { page: run.page, y: run.y - ROW_TOLERANCE };
        let owner = null;
        for (const [key, anchor] of rows) {
          if (above(level, anchor)) break;
          owner = key;
        }
        if (owner !== null) found.get(owner).push(run);
      }
    }
    return [...labels.entries()].map(([key, [zh, en, sealed]]) => {
      if (!found.has(key)) return { zh, en, printed: null, sealed, same: false };
      const ordered = [...found.get(key)].sort((p, q) => p.page - q.page || q.y - p.y || p.x - q.x);
      const printed = ordered.map((r) => r.text).join(" ");
      return { zh, en, printed, sealed, same: flat(printed) === flat(sealed) };
    });
  }

  function finding(p) {
    if (p.printed === null) return `${p.zh} (${p.en}): not printed, sealed “${p.sealed}”`;
    return `${p.zh} (${p.en}): printed “${p.printed}”, sealed “${p.sealed}”`;
  }

  // client/paper/verdict.py: VALID, INVALID (a check of the sealed document failed), or ALTERED
  // (it holds, but the PDF around it prints something else, acts, or cannot be read).
  function pageFindings(pdf, content, result) {
    const page = [];
    let printed = [];
    if (KINDS.includes(content.kind)) {
      printed = comparePrinted(pdf.runs, documentFields(content));
      for (const p of printed) if (!p.same) page.push(finding(p));
    }
    if (pdf.active.length) page.push("active content: " + pdf.active.map((n) => `/${n}`).join(", "));
    if (pdf.pictures.length) page.push(`a picture is drawn on page ${pdf.pictures.join(", ")}: what it shows is not checked`);
    if (pdf.unreadable.length) {
      page.push(`text on page ${pdf.unreadable.join(", ")} is drawn in a font whose characters cannot be read`);
    }
    return { page, printed, verdict: result.valid ? (page.length ? "ALTERED" : "VALID") : "INVALID" };
  }

  // ---- the page -------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  let registryKey = null;
  // The witnesses the page trusts and how many must have cosigned (registry-key.js).
  let witnessKeys = null;
  const witnessQuorum = () => (window.DEEDFLOW_WITNESSES ? window.DEEDFLOW_WITNESSES.quorum : 0);
  async function trustedWitnesses() {
    if (witnessKeys === null) {
      const configured = window.DEEDFLOW_WITNESSES ? window.DEEDFLOW_WITNESSES.keys : [];
      witnessKeys = await Promise.all(configured.map(parseCosignerKey));
    }
    return witnessKeys;
  }

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
      ALTERED: "ALTERED 无效：内嵌证照有效，但 PDF 页面与签章内容不符 (the page is not what the registry sealed)",
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
      ["witnessed", "检查点经所需数量的见证方联署 (C2SP)", "the checkpoint is cosigned by the witnesses required (C2SP)"],
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
    const page = $("page-findings");
    page.replaceChildren();
    for (const message of outcome.page || []) {
      const li = document.createElement("li");
      li.dataset.message = message;
      li.textContent = message;
      page.append(li);
    }
    const printed = $("printed");
    printed.replaceChildren();
    $("printed-section").hidden = !(outcome.printed && outcome.printed.length);
    for (const p of outcome.printed || []) {
      const tr = printed.insertRow();
      tr.dataset.field = p.zh;
      tr.dataset.same = String(p.same);
      const th = document.createElement("th");
      th.textContent = p.zh;
      tr.append(th);
      tr.insertCell().textContent = p.sealed;
      tr.insertCell().textContent = p.printed === null ? "未印 not printed" : p.same ? "一致 same" : p.printed;
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
      row(data, "检查点时间", "Checkpoint time", outcome.at ? chinaTime(outcome.at) : "", { field: "检查点时间" });
      row(data, "登记机构公钥标识", "Registry key id", hex(cp.keyId), { field: "登记机构公钥标识" });
    }
    $("source").textContent = outcome.source || "";
    verdict.scrollIntoView({ block: "start" });
  }

  // `read` gives { document, pdf } (pdf only for a PDF file).
  async function check(read, source) {
    if (!registryKey) {
      show({ verdict: "UNREADABLE", failures: ["no registry public key is loaded: paste or choose it first"], source });
      return;
    }
    let held;
    try {
      held = await read();
    } catch (error) {
      const message = error instanceof Unreadable ? error.message : `${error.name}: ${error.message}`;
      show({ verdict: "UNREADABLE", failures: [`cannot read the document: ${message}`], source });
      return;
    }
    let result;
    try {
      result = await verifyDocument(held.document, registryKey, await trustedWitnesses(), witnessQuorum());
    } catch (error) {
      show({ verdict: "UNREADABLE", failures: [`cannot read the document: ${error.message}`], source });
      return;
    }
    const judged = held.pdf
      ? pageFindings(held.pdf, result.content, result)
      : { page: [], printed: [], verdict: result.valid ? "VALID" : "INVALID" };
    show({ ...result, ...judged, document: held.document, source });
  }

  // client/paper/reading.py: a PDF by its first bytes; else UTF-8 without a byte-order mark, a
  // QR payload when it starts so (ASCII whitespace aside), else the JSON file.
  async function readFile(bytes) {
    if (startsWithBytes(bytes, "%PDF-", 0)) return fromPdf(bytes);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new Unreadable("the file starts with a byte-order mark");
    const text = decodeUtf8(bytes);
    if (asciiTrim(text).startsWith(PAYLOAD_PREFIX)) return { document: await fromPayload(text) };
    return { document: fromJsonText(text) };
  }

  async function checkFile(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = startsWithBytes(bytes, "%PDF-", 0) ? "PDF" : "file";
    await check(() => readFile(bytes), `${file.name} (${kind})`);
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
    const pasted = async () => ({ document: await fromPastedPayload($("payload").value) });
    $("payload-check").addEventListener("click", () => check(pasted, "QR payload"));
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
      check(pasted, "link");
    }
  });
})();
