#!/usr/bin/env node
// An rsocket-js (1.0.0-alpha.3) client of a tidecache RSocket server, written only from
// ../WIRE-FORMAT.md: routes as composite metadata with a routing entry, data in the documented
// layouts. Run by RSocketJsInteropTest; also runnable by hand against any tidecache server:
//
//   node client.js --transport tcp --host 127.0.0.1 --port 7000 --cache users
//   node client.js --transport ws --url ws://127.0.0.1:7001/rsocket --cache users
//
// Options:
//   --transport tcp|ws     required
//   --host H --port P      for tcp
//   --url ws://H:P/PATH    for ws
//   --cache NAME           the cache to address (routes cache.put.NAME, ...); required
//   --key K                the key written, read, removed (default interop-key)
//   --value-hex HEX        the value, as hex (default: "Ada" then the bytes 00 ff 7f 80)
//   --leave-key K          after the round trip, put K -> value with TTL 0 (never expires) and
//                          leave it there, for the caller to read back (default: none)
//   --expect K=HEX         get K and check that its value is HEX (written by the caller)
//   --stream-elements N    stats stream: take N elements, then cancel (default 3)
//   (always)               cache.scan of the cache, one entry at a time (request n 1, then one
//                          REQUEST_N of 1 per entry), to its COMPLETE; prints every entry
//   --timeout-ms MS        give up after MS in all (default 20000)
//
// Prints one JSON line per step on stdout ({"step":...,"ok":true,...}); the last one is
// {"step":"done","ok":true}. Exit codes: 0 success; 1 a mismatch (the answer was not what
// WIRE-FORMAT.md says); 2 bad arguments; 3 could not connect, a transport error or the timeout.
// On failure a line {"step":...,"ok":false,"error":...} is printed and the message also goes to
// stderr.
"use strict";

const { RSocketConnector } = require("rsocket-core");
const { TcpClientTransport } = require("rsocket-tcp-client");
const { WebsocketClientTransport } = require("rsocket-websocket-client");
const {
  encodeCompositeMetadata,
  encodeRoute,
  WellKnownMimeType,
} = require("rsocket-composite-metadata");
const WebSocket = require("ws");

const EXIT_MISMATCH = 1;
const EXIT_USAGE = 2;
const EXIT_TRANSPORT = 3;

class Failure extends Error {
  constructor(step, message, exitCode) {
    super(message);
    this.step = step;
    this.exitCode = exitCode;
  }
}

/** The step under way, named in the failure line. */
const state = { step: "args" };

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function fail(step, message, exitCode) {
  emit({ step, ok: false, error: message });
  process.stderr.write(`interop client: step '${step}' failed: ${message}\n`);
  process.exit(exitCode);
}

function parseArgs(argv) {
  const opts = {
    key: "interop-key",
    valueHex: Buffer.concat([Buffer.from("Ada"), Buffer.from([0x00, 0xff, 0x7f, 0x80])])
      .toString("hex"),
    streamElements: 3,
    timeoutMs: 20000,
  };
  const names = {
    "--transport": "transport", "--host": "host", "--port": "port", "--url": "url",
    "--cache": "cache", "--key": "key", "--value-hex": "valueHex", "--leave-key": "leaveKey",
    "--expect": "expect", "--stream-elements": "streamElements", "--timeout-ms": "timeoutMs",
  };
  for (let i = 0; i < argv.length; i++) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length) {
      throw new Failure("args", `unknown option or missing value: '${argv[i]}'`, EXIT_USAGE);
    }
    opts[name] = argv[++i];
  }
  if (opts.transport !== "tcp" && opts.transport !== "ws") {
    throw new Failure("args", "--transport must be tcp or ws", EXIT_USAGE);
  }
  if (opts.transport === "tcp" && (!opts.host || !/^\d+$/.test(String(opts.port || "")))) {
    throw new Failure("args", "tcp needs --host and a numeric --port", EXIT_USAGE);
  }
  if (opts.transport === "ws" && !/^wss?:\/\//.test(opts.url || "")) {
    throw new Failure("args", "ws needs --url ws://host:port/path", EXIT_USAGE);
  }
  if (!opts.cache) {
    throw new Failure("args", "--cache is required", EXIT_USAGE);
  }
  if (!/^([0-9a-f]{2})*$/i.test(opts.valueHex)) {
    throw new Failure("args", "--value-hex must be an even number of hex digits", EXIT_USAGE);
  }
  if (opts.expect !== undefined) {
    const eq = opts.expect.lastIndexOf("=");
    const hex = eq < 0 ? "" : opts.expect.slice(eq + 1);
    if (eq <= 0 || !/^([0-9a-f]{2})*$/i.test(hex)) {
      throw new Failure("args", "--expect must be KEY=HEX", EXIT_USAGE);
    }
    opts.expect = { key: opts.expect.slice(0, eq), value: Buffer.from(hex, "hex") };
  }
  opts.streamElements = Number(opts.streamElements);
  opts.timeoutMs = Number(opts.timeoutMs);
  if (!(opts.streamElements >= 1) || !(opts.timeoutMs >= 1)) {
    throw new Failure("args", "--stream-elements and --timeout-ms must be positive", EXIT_USAGE);
  }
  return opts;
}

// ---- WIRE-FORMAT.md section 3: the route, as composite metadata with one routing entry ----

function route(tag) {
  return encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(tag)]]);
}

// ---- WIRE-FORMAT.md section 4: data layouts ----

/** put = keyLength u16 | key | ttlMillis i64 | value */
function putData(key, ttlMillis, value) {
  const k = Buffer.from(key, "utf8");
  const b = Buffer.alloc(2 + k.length + 8 + value.length);
  b.writeUInt16BE(k.length, 0);
  k.copy(b, 2);
  b.writeBigInt64BE(BigInt(ttlMillis), 2 + k.length);
  value.copy(b, 2 + k.length + 8);
  return b;
}

/** entry = keyLength u16 | key | value (the rest); the key as UTF-8 text, the value as hex */
function readEntry(b) {
  if (b.length < 2 || 2 + b.readUInt16BE(0) > b.length) {
    throw new Failure(state.step, `not an entry: 0x${b.toString("hex")}`, EXIT_MISMATCH);
  }
  const keyLength = b.readUInt16BE(0);
  return {
    key: b.subarray(2, 2 + keyLength).toString("utf8"),
    valueHex: b.subarray(2 + keyLength).toString("hex"),
  };
}

/** interval = intervalMillis u32 */
function intervalData(millis) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(millis, 0);
  return b;
}

// ---- the interactions, as promises ----

/**
 * Request-response. Resolves {value: Buffer} for a payload (NEXT), {value: null} for a COMPLETE
 * without one; rejects with the RSocket error (code, message).
 */
function requestResponse(rsocket, tag, data) {
  return new Promise((resolve, reject) => {
    let value = null;
    rsocket.requestResponse({ data, metadata: route(tag) }, {
      onNext(payload, isComplete) {
        value = payload.data ? Buffer.from(payload.data) : Buffer.alloc(0);
        if (isComplete) {
          resolve({ value });
        }
      },
      onComplete() {
        resolve({ value });
      },
      onError(e) {
        reject(e);
      },
      onExtension() {},
    });
  });
}

/** Request-stream: takes n elements (asking for more than that), then cancels. */
function takeThenCancel(rsocket, tag, data, n) {
  return new Promise((resolve, reject) => {
    const got = [];
    let subscription = null;
    let done = false;
    const finish = (f) => {
      if (!done) {
        done = true;
        f();
      }
    };
    subscription = rsocket.requestStream({ data, metadata: route(tag) }, 2147483647, {
      onNext(payload) {
        if (done) {
          return;
        }
        got.push(payload.data ? Buffer.from(payload.data).toString("utf8") : "");
        if (got.length === n) {
          // A stats stream never completes: we end it, with a CANCEL frame.
          subscription.cancel();
          finish(() => resolve(got));
        }
      },
      onComplete() {
        finish(() => reject(new Error(`the stream completed after ${got.length} of ${n} elements`
          + " (WIRE-FORMAT.md: it never completes)")));
      },
      onError(e) {
        finish(() => reject(e));
      },
      onExtension() {},
    });
  });
}

/**
 * Request-stream to its COMPLETE, asking for one element at a time: initial request n 1, then a
 * REQUEST_N of 1 after each element (the server must send no more than asked).
 */
function collectOneByOne(rsocket, tag, data) {
  return new Promise((resolve, reject) => {
    const got = [];
    let subscription = null;
    let outstanding = 1;
    subscription = rsocket.requestStream({ data, metadata: route(tag) }, 1, {
      onNext(payload, isComplete) {
        outstanding--;
        if (outstanding < 0) {
          reject(new Failure(state.step, `an element beyond the request n (${got.length + 1})`,
            EXIT_MISMATCH));
          subscription.cancel();
          return;
        }
        got.push(payload.data ? Buffer.from(payload.data) : Buffer.alloc(0));
        if (isComplete) {
          resolve(got);
          return;
        }
        outstanding++;
        subscription.request(1);
      },
      onComplete() {
        resolve(got);
      },
      onError(e) {
        reject(e);
      },
      onExtension() {},
    });
  });
}

function describe(buffer) {
  return buffer === null ? "a miss (COMPLETE without payload)" : `0x${buffer.toString("hex")}`;
}

function transportOf(opts) {
  if (opts.transport === "tcp") {
    return new TcpClientTransport({
      connectionOptions: { host: opts.host, port: Number(opts.port) },
    });
  }
  // Node 20 has no global WebSocket: the ws package provides one.
  return new WebsocketClientTransport({ url: opts.url, wsCreator: (url) => new WebSocket(url) });
}

async function run(opts) {
  state.step = "connect";
  const expectThat = (condition, message) => {
    if (!condition) {
      throw new Failure(state.step, message, EXIT_MISMATCH);
    }
  };
  const cache = opts.cache;
  const value = Buffer.from(opts.valueHex, "hex");

  let rsocket;
  try {
    rsocket = await new RSocketConnector({
      setup: {
        metadataMimeType: WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.string,
        dataMimeType: "application/octet-stream",
        keepAlive: 20000,
        lifetime: 90000,
      },
      transport: transportOf(opts),
    }).connect();
  } catch (e) {
    throw new Failure(state.step, `could not connect: ${e && e.message ? e.message : String(e)}`,
      EXIT_TRANSPORT);
  }
  emit({ step: state.step, ok: true, transport: opts.transport });

  state.step = "put";
  let answer = await requestResponse(rsocket, `cache.put.${cache}`,
    putData(opts.key, 60000, value));
  expectThat(answer.value === null,
    `put: expected COMPLETE without payload, got ${describe(answer.value)}`);
  emit({ step: state.step, ok: true, key: opts.key, valueHex: value.toString("hex"),
    ttlMillis: 60000 });

  state.step = "get";
  answer = await requestResponse(rsocket, `cache.get.${cache}`, Buffer.from(opts.key, "utf8"));
  expectThat(answer.value !== null && answer.value.equals(value),
    `get: expected 0x${value.toString("hex")}, got ${describe(answer.value)}`);
  emit({ step: state.step, ok: true, key: opts.key, valueHex: answer.value.toString("hex") });

  state.step = "remove";
  answer = await requestResponse(rsocket, `cache.remove.${cache}`, Buffer.from(opts.key, "utf8"));
  expectThat(answer.value !== null && answer.value.equals(Buffer.from([0x01])),
    `remove: expected 0x01 (was present), got ${describe(answer.value)}`);
  emit({ step: state.step, ok: true, key: opts.key, removed: true });

  state.step = "get-miss";
  answer = await requestResponse(rsocket, `cache.get.${cache}`, Buffer.from(opts.key, "utf8"));
  expectThat(answer.value === null,
    `get after remove: expected a miss, got ${describe(answer.value)}`);
  emit({ step: state.step, ok: true, key: opts.key, hit: false });

  state.step = "remove-absent";
  answer = await requestResponse(rsocket, `cache.remove.${cache}`, Buffer.from(opts.key, "utf8"));
  expectThat(answer.value !== null && answer.value.equals(Buffer.from([0x00])),
    `remove of an absent key: expected 0x00, got ${describe(answer.value)}`);
  emit({ step: state.step, ok: true, key: opts.key, removed: false });

  state.step = "error";
  const unknown = `no-such-cache-${process.pid}`;
  try {
    answer = await requestResponse(rsocket, `cache.get.${unknown}`, Buffer.from("k"));
    expectThat(false, `get from cache '${unknown}': expected an UNKNOWN_CACHE error, got `
      + describe(answer.value));
  } catch (e) {
    if (e instanceof Failure) {
      throw e;
    }
    expectThat(e.code === 0x201 && /^UNKNOWN_CACHE: /.test(e.message),
      `expected APPLICATION_ERROR (0x201) 'UNKNOWN_CACHE: ...', got code ${e.code}: ${e.message}`);
    emit({ step: state.step, ok: true, code: e.code, message: e.message });
  }

  if (opts.expect) {
    state.step = "get-expected";
    answer = await requestResponse(rsocket, `cache.get.${cache}`,
      Buffer.from(opts.expect.key, "utf8"));
    expectThat(answer.value !== null && answer.value.equals(opts.expect.value),
      `get '${opts.expect.key}': expected 0x${opts.expect.value.toString("hex")}, got `
      + describe(answer.value));
    emit({ step: state.step, ok: true, key: opts.expect.key,
      valueHex: answer.value.toString("hex") });
  }

  if (opts.leaveKey) {
    state.step = "put-leave";
    answer = await requestResponse(rsocket, `cache.put.${cache}`, putData(opts.leaveKey, 0, value));
    expectThat(answer.value === null,
      `put: expected COMPLETE without payload, got ${describe(answer.value)}`);
    emit({ step: state.step, ok: true, key: opts.leaveKey, valueHex: value.toString("hex"),
      ttlMillis: 0 });
  }

  state.step = "scan";
  const entries = (await collectOneByOne(rsocket, `cache.scan.${cache}`, Buffer.alloc(0)))
    .map(readEntry)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = entries.map((e) => e.key);
  expectThat(new Set(keys).size === keys.length,
    `cache.scan: a key arrived twice: ${JSON.stringify(keys)}`);
  emit({ step: state.step, ok: true, route: `cache.scan.${cache}`, requestN: 1, entries });

  state.step = "stream";
  const stats = await takeThenCancel(rsocket, `stats.${cache}`, intervalData(20),
    opts.streamElements);
  const parsed = stats.map((text) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Failure(state.step, `stats element is not JSON: ${text}`, EXIT_MISMATCH);
    }
  });
  for (const s of parsed) {
    expectThat(s.type === "CacheStats" && s.cache === cache && Number.isInteger(s.puts),
      `expected {"type":"CacheStats","cache":"${cache}",...}, got ${JSON.stringify(s)}`);
  }
  emit({ step: state.step, ok: true, route: `stats.${cache}`, elements: parsed.length,
    cancelled: true, last: parsed[parsed.length - 1] });

  state.step = "stats";
  answer = await requestResponse(rsocket, `cache.stats.${cache}`, Buffer.alloc(0));
  let snapshot = null;
  try {
    snapshot = JSON.parse(answer.value === null ? "" : answer.value.toString("utf8"));
  } catch (e) {
    expectThat(false, `cache.stats: expected stats JSON, got ${describe(answer.value)}`);
  }
  expectThat(snapshot.type === "CacheStats" && snapshot.cache === cache,
    `cache.stats: expected {"type":"CacheStats","cache":"${cache}",...}, got `
    + JSON.stringify(snapshot));
  emit({ step: state.step, ok: true, stats: snapshot });

  state.step = "close";
  rsocket.close();
  emit({ step: state.step, ok: true });
  emit({ step: "done", ok: true });
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    fail(e.step || "args", e.message, e.exitCode || EXIT_USAGE);
  }
  const timer = setTimeout(() => fail("timeout",
    `no result after ${opts.timeoutMs} ms`, EXIT_TRANSPORT), opts.timeoutMs);
  run(opts).then(() => {
    clearTimeout(timer);
    process.exit(0);
  }, (e) => {
    if (e instanceof Failure) {
      fail(e.step, e.message, e.exitCode);
    }
    // An ERROR frame where the step expected an answer (a mismatch), or a dropped connection.
    if (e && typeof e.code === "number") {
      fail(state.step, `unexpected error frame, code 0x${e.code.toString(16)}: ${e.message}`,
        EXIT_MISMATCH);
    }
    fail(state.step, `${e && e.message ? e.message : String(e)}`, EXIT_TRANSPORT);
  });
}

main();
