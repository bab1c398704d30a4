'use strict';
/*
 * Corral Node loader: runs an ordinary Node web app, unchanged, on the socket Corral gives it.
 *
 *     CORRAL_SOCKET=/path/app.sock node node_loader.js server.js [app args...]
 *     PORT=8080 node node_loader.js app.mjs
 *
 * The current directory is the app root; the entry script is resolved against it.
 *
 * Environment:
 *   CORRAL_SOCKET       Unix domain socket to listen on (wins over PORT)
 *   PORT                else listen on 127.0.0.1:PORT
 *   CORRAL_APP          the app's name (informational; passed on to the app untouched)
 *   CORRAL_STDIN_WATCH  "0": do not exit when stdin reaches EOF (for running by hand)
 *   CORRAL_APP_FAULTS   faults this process simulates, to rehearse a broken app (see below), e.g.
 *                       "slow-start@3s,hang:0.01,crash:0.05,leak:0.1@20MB,garbage:0.02"
 *   CORRAL_APP_FAULT_SEED  the seed of those draws (default: random, printed at start), plus
 *                          CORRAL_PROCESS_NUMBER (1, 2, ... per app, set by Corral)
 *
 * Which listen() is redirected:
 *   net.Server.prototype.listen is patched before the app is loaded. The FIRST listen() call
 *   of an http.Server (http.createServer, express/koa/fastify/hapi/next servers) is redirected
 *   to CORRAL_SOCKET (a stale socket file there is removed first) or to 127.0.0.1:$PORT,
 *   whatever arguments the app passed: a port, a host, a path, an options object, nothing,
 *   with or without a backlog and a callback. The callback and the 'listening' event still
 *   work; server.address() returns the socket path (a string) or the loopback address.
 *   Only plain-HTTP servers are redirected: https/tls, http2 and raw net servers listen where
 *   the app asked, untouched (an https server gets a warning: Corral talks plain HTTP to the
 *   app). A second http.Server listens where the app asked too, with a warning: only the
 *   first one receives Corral's traffic.
 *   The redirected listen() binds on the next turn of the event loop, after the code that
 *   called it has finished (for the entry script: after its top level ran without throwing),
 *   so an app that fails to load never accepts a connection.
 *
 * Loading:
 *   CommonJS entries are loaded as the main module (require.main === module holds, as under
 *   `node server.js`); ESM entries (.mjs, or .js under a package.json with "type": "module")
 *   through import() of their file URL. process.argv[1] is the entry's absolute path and
 *   process.argv[2..] are the app's own arguments, as if it had been started directly.
 *
 * Simulated faults (CORRAL_APP_FAULTS, the same instructions as the wsgi loader's):
 *   slow-start@<duration>  bind Corral's socket that long after the app's listen() (late readiness)
 *   hang:<p>               never answer the request (other connections are still served)
 *   crash:<p>              send a head with Content-Length 1000 and part of the body, then exit 13
 *   leak:<p>[@<size>]      keep a Buffer of <size> (default 10MB) for good, then answer normally
 *   garbage:<p>            write bytes that are not HTTP to the connection, then close it
 *   <p> is a probability from 0 to 1; <duration> a number with ms, s (the default) or m, at most
 *   2147483647ms; <size> a number with B (the default), KB, MB or GB, at most 4GB. The grammar is
 *   the wsgi loader's (corral_wsgi/faults.py); both loaders' tests check it against one fixture,
 *   module-api/src/test/shared/fault-grammar.json. A malformed part: "corral-node: bad
 *   CORRAL_APP_FAULTS part '<part>'", exit 2, before the app is loaded. Each fault is logged:
 *   "corral-node: simulated fault: garbage for /path (seed 7)".
 *   Replay: a mulberry32 generator seeded with CORRAL_APP_FAULT_SEED; each request of the
 *   redirected server draws once for every rule in the spec, always in the order leak, hang,
 *   crash, garbage, before any acts; leak acts, then the first of hang, crash and garbage that
 *   fired. The same seed, spec and sequence of requests replay the same faults (the wsgi loader
 *   draws in the same order with Python's generator, so its sequence for a seed differs).
 *   The app never sees a request that hangs, crashes or gets garbage.
 *
 * Protocol with the engine (which logs stdout at INFO and stderr at WARNING):
 *   - The loader's lines start with "corral-node: ". On stdout: "listening on", "simulating
 *     faults" and "simulated fault: ...". On stderr: errors and warnings (usage and settings,
 *     "cannot load", "cannot listen", the https and second-server notices, the listen() hint,
 *     the shutdown deadline). A clean run writes nothing to stderr. Before each exit of its own
 *     (but the immediate ones: stdin EOF, a second SIGINT) the loader waits, at most 5 s, until
 *     stdout and stderr are flushed: to a pipe they are asynchronous, and process.exit() would
 *     drop what is still queued, the app's lines as well as the reason for the exit.
 *   - Load error (syntax error, missing module, exception at the top level, rejected ESM
 *     evaluation): the stack, then "corral-node: cannot load <entry>: <error>" on stderr,
 *     exit status 1, nothing bound.
 *   - Then "corral-node: listening on <path or 127.0.0.1:port>" on stdout; the socket accepts.
 *     If no http.Server has called listen() 5 s after start, one hint line says so on stderr
 *     ("corral-node: <entry> has not called listen() yet"); the engine's spawnTimeout decides.
 *   - Exit 1 when the socket cannot be bound ("corral-node: cannot listen on <addr>: ...").
 *   - Exit 2 on a usage error (no entry, neither CORRAL_SOCKET nor a valid PORT, a bad
 *     CORRAL_APP_FAULTS or CORRAL_APP_FAULT_SEED).
 *   - stdin EOF (the JVM is gone; only watched when stdin is a pipe or a socket): exit 0 at once.
 *   - SIGTERM or SIGINT: stop accepting, let the requests in flight finish (their responses
 *     say "Connection: close" when their headers were not sent yet; idle keep-alive
 *     connections are closed), then exit 0. After 10 s whatever is still open is cut and the
 *     status is 0 as well. A second SIGINT exits at once; a second SIGTERM is ignored (the
 *     lifeline may forward the JVM's TERM to the whole group, so one may arrive twice).
 *     If the app has its own listener for that signal, the app is in charge: the loader only
 *     adds the 10 s deadline, and the process ends when the app exits or its event loop empties.
 *   - The app's uncaught exceptions and unhandled rejections after start take Node's default
 *     course (stack on stderr, exit status 1); nothing here catches them.
 *   - The socket file is removed on exit if it is still the one this process bound.
 *   - Keep-alive: unless the app changed them, keepAliveTimeout becomes 300 s (the proxy
 *     reuses connections) and headersTimeout/requestTimeout are raised above it if needed.
 *
 * Node 18.2+ (built for Node 20), no dependencies. Not for Node's cluster module: Corral is
 * the process manager, and pool processes are separate loaders.
 */

const { constants: bufferConstants } = require('buffer');
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const path = require('path');
const Module = require('module');
const { pathToFileURL } = require('url');
const { inspect } = require('util');

const LOG_PREFIX = 'corral-node: ';
const KEEP_ALIVE_TIMEOUT = 300 * 1000;   // ms; Node's default is 5 s
const NODE_DEFAULT_KEEP_ALIVE = 5000;
const SHUTDOWN_TIMEOUT = 10 * 1000;      // ms from SIGTERM/SIGINT to the forced exit
const IDLE_SWEEP_INTERVAL = 50;          // ms between closeIdleConnections() while draining
const LISTEN_HINT_DELAY = 5000;          // ms before "has not called listen() yet"
const FLUSH_TIMEOUT = 5000;              // ms an exit of the loader's own waits for stdout and stderr
let exiting = false;                     // exitAfterOutput() was called: nothing more may be bound

function write(stream, message) {
  try {
    stream.write(LOG_PREFIX + message + '\n');
  } catch (e) {
    // the stream is gone: nothing to tell anyone
  }
}

/** An informational line, on stdout. */
function log(message) {
  write(process.stdout, message);
}

/** An error or a warning, on stderr. */
function warn(message) {
  write(process.stderr, message);
}

/**
 * process.exit(status) once all that was written to stdout and stderr so far is out, or after
 * FLUSH_TIMEOUT. To a pipe (as under Corral) both are asynchronous on POSIX, and process.exit()
 * drops whatever is still queued: the last lines of the app, and the loader's reason to exit.
 * An empty write's callback runs after every write queued before it. Meanwhile nothing is bound
 * any more: an app that failed to load never accepts a connection.
 */
function exitAfterOutput(status) {
  exiting = true;
  let pending = 1;
  const done = () => {
    if (--pending === 0) process.exit(status);
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength > 0 && !stream.destroyed) {
      pending++;
      try {
        stream.write('', done);
      } catch (e) {
        done();
      }
    }
  }
  setTimeout(() => process.exit(status), FLUSH_TIMEOUT);
  done();
}

function firstLine(text) {
  const s = String(text);
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function errorSummary(err) {
  if (err instanceof Error || (err && typeof err === 'object' && 'message' in err)) {
    const name = err.name || 'Error';
    const message = firstLine(err.message == null ? '' : err.message).trim();
    return message ? name + ': ' + message : String(name);
  }
  try {
    return firstLine(typeof err === 'string' ? err : inspect(err));
  } catch (e) {
    return 'unprintable exception';
  }
}

function describeListenArgs(args) {
  const parts = [];
  for (const a of args) {
    if (typeof a === 'function') continue;
    try {
      parts.push(typeof a === 'string' ? JSON.stringify(a) : inspect(a, { depth: 1, breakLength: Infinity }));
    } catch (e) {
      parts.push('?');
    }
  }
  return parts.length ? parts.join(', ') : '(no arguments)';
}

// --- simulated faults (CORRAL_APP_FAULTS) -------------------------------------------------------

const FAULT_ORDER = ['leak', 'hang', 'crash', 'garbage'];   // the order of the draws: never change
const DURATION_UNITS = { '': 1000, ms: 1, s: 1000, m: 60000 };   // to ms
const SIZE_UNITS = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const DEFAULT_LEAK = 10 * 1024 * 1024;
const MAX_LEAK = 4 * 1024 ** 3;       // bytes: 4GB, what one Buffer holds (Node 14+, 64-bit)
const MAX_SLOW_START = 2 ** 31 - 1;   // ms: what setTimeout() takes (24.8 days)
// Not HTTP from the first byte: a NUL, then text and bytes that no status line has.
const GARBAGE = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe]),
  Buffer.from(' corral simulated garbage: this is not HTTP ', 'latin1'),
  Buffer.from([0x80, 0x81, 0x82, 0x0d, 0x0a])]);

/** A small seeded generator (mulberry32): floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The only whitespace trimmed around the spec, its parts, numbers and the seed: what both
 * JavaScript's trim() and Python's str.strip() take (not U+FEFF, which only trim() takes, nor
 * U+001C..U+001F and U+0085, which only strip() takes).
 */
const OUTER_WHITESPACE = /^[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function trimFault(text) {
  return text.replace(OUTER_WHITESPACE, '');
}

/** A non-negative decimal number with an optional unit (case-insensitive), scaled; null if bad. */
function faultNumber(text, units) {
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([a-z]*)$/.exec(trimFault(text).toLowerCase());
  if (!m || !Object.prototype.hasOwnProperty.call(units, m[2])) return null;
  return Number(m[1]) * units[m[2]];
}

/**
 * { slowStartMs, rules: Map name -> { p, size } } of a CORRAL_APP_FAULTS spec; throws
 * "bad CORRAL_APP_FAULTS part '<part>'" on the first malformed part.
 */
function parseFaults(spec) {
  const faults = { slowStartMs: 0, rules: new Map() };
  for (const raw of spec.split(',')) {
    const part = trimFault(raw);
    if (!part) continue;
    const bad = () => new Error("bad CORRAL_APP_FAULTS part '" + part + "'");
    if (part.startsWith('slow-start@')) {
      const ms = faultNumber(part.slice('slow-start@'.length), DURATION_UNITS);
      if (ms === null || ms > MAX_SLOW_START) throw bad();
      faults.slowStartMs = ms;
      continue;
    }
    const colon = part.indexOf(':');
    const name = colon < 0 ? part : part.slice(0, colon);
    const rest = colon < 0 ? '' : part.slice(colon + 1);
    const at = rest.indexOf('@');
    if (!FAULT_ORDER.includes(name) || colon < 0 || (at >= 0 && name !== 'leak')) throw bad();
    const p = faultNumber(at < 0 ? rest : rest.slice(0, at), { '': 1 });
    if (p === null || p > 1) throw bad();
    let size = DEFAULT_LEAK;
    if (at >= 0) {
      size = faultNumber(rest.slice(at + 1), SIZE_UNITS);
      if (size === null || size > MAX_LEAK || size > bufferConstants.MAX_LENGTH) throw bad();
      size = Math.floor(size);
    }
    faults.rules.set(name, { p, size });
  }
  return faults;
}

/**
 * The seed of the draws, a BigInt: the integer seedText (CORRAL_APP_FAULT_SEED; random when
 * empty) plus processNumber (CORRAL_PROCESS_NUMBER, 1, 2, ... per app, set by Corral) when that
 * is a number, so that the processes of one app do not repeat each other. Throws the message
 * to log if seedText is not an integer.
 */
function parseFaultSeed(seedText, processNumber) {
  const text = trimFault(seedText);
  if (text && !/^[+-]?[0-9]+$/.test(text)) {
    throw new Error("CORRAL_APP_FAULT_SEED must be an integer, was '" + text + "'");
  }
  const number = trimFault(processNumber);
  return (text ? BigInt(text) : BigInt(Math.floor(Math.random() * 2 ** 31)))
      + (/^[0-9]+$/.test(number) ? BigInt(number) : 0n);
}

// Required rather than run (by the loader's tests, which check the fault grammar against the
// fixture that the wsgi loader's tests use too): the parsers, and nothing runs.
if (require.main !== module) {
  module.exports = { parseFaults, parseFaultSeed };
  return;
}

// --- command line and environment -----------------------------------------------------------

const entry = process.argv[2];
if (!entry || entry.startsWith('-')) {
  warn('usage: node node_loader.js <entry script> [app args...]');
  exitAfterOutput(2);
  return;
}

const sockPath = process.env.CORRAL_SOCKET || null;
let port = null;
if (!sockPath) {
  const text = process.env.PORT || '';
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    warn('cannot start ' + entry + ': set CORRAL_SOCKET or PORT (1-65535), PORT was ' +
         JSON.stringify(text));
    exitAfterOutput(2);
    return;
  }
  port = Number(text);
}
const listenAddress = sockPath || '127.0.0.1:' + port;
const entryPath = path.resolve(entry);

let faults = null;   // the parsed CORRAL_APP_FAULTS, with its seed and generator
{
  const spec = trimFault(process.env.CORRAL_APP_FAULTS || '');
  if (spec) {
    let seed;
    try {
      seed = parseFaultSeed(process.env.CORRAL_APP_FAULT_SEED || '', process.env.CORRAL_PROCESS_NUMBER || '');
      faults = parseFaults(spec);
    } catch (e) {
      warn(e.message);
      exitAfterOutput(2);
      return;
    }
    faults.seed = seed.toString();
    faults.random = mulberry32(Number(BigInt.asUintN(32, seed)));
    faults.leaked = [];
    log('simulating faults ' + spec + ' (seed ' + faults.seed + ')');
  }
}

// --- the socket file ---------------------------------------------------------------------------

let boundInode = null;   // inode of the socket file this process bound, for the cleanup on exit

function removeStaleSocket(p) {
  try {
    if (fs.lstatSync(p).isSocket()) fs.unlinkSync(p);
  } catch (e) {
    // ENOENT: nothing there; anything else: listen() reports it
  }
}

function removeOwnSocket() {
  if (sockPath && boundInode !== null) {
    try {
      if (fs.lstatSync(sockPath).ino === boundInode) fs.unlinkSync(sockPath);
    } catch (e) {
      // already gone
    }
    boundInode = null;
  }
}

process.on('exit', removeOwnSocket);

// --- stdin: EOF means the JVM is gone ------------------------------------------------------------

function watchStdin() {
  if (process.env.CORRAL_STDIN_WATCH === '0') return;
  let st;
  try {
    st = fs.fstatSync(0);
  } catch (e) {
    return;   // no stdin at all
  }
  // A terminal, a file or /dev/null is not a lifeline: /dev/null would be at EOF at once.
  if (!st.isFIFO() && !st.isSocket()) return;
  const stdin = process.stdin;
  const gone = () => process.exit(0);
  stdin.on('end', gone);
  stdin.on('close', gone);
  stdin.on('error', () => {});   // 'close' follows
  stdin.on('data', () => {});    // nobody writes; anything that comes is dropped
  stdin.resume();
  // Watching must not keep the process alive by itself: an app whose server closed and whose
  // work is done still ends normally.
  if (typeof stdin.unref === 'function') stdin.unref();
}

// --- the redirected listen() -----------------------------------------------------------------

const originalListen = net.Server.prototype.listen;
let corralServer = null;     // the http.Server that got Corral's address
let listenPending = false;   // its listen() has been called but not performed yet
let stopping = false;
const warnedServers = new WeakSet();
const inFlight = new Set();  // responses of corralServer not finished yet

function applyKeepAlive(server) {
  if (server.keepAliveTimeout === NODE_DEFAULT_KEEP_ALIVE) {
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT;
  }
  const ka = server.keepAliveTimeout;
  if (ka > 0) {
    if (server.headersTimeout > 0 && server.headersTimeout <= ka) {
      server.headersTimeout = ka + 1000;
    }
    if (server.requestTimeout > 0 && server.requestTimeout < server.headersTimeout) {
      server.requestTimeout = server.headersTimeout;
    }
  }
}

function track(res) {
  if (stopping) {
    res.shouldKeepAlive = false;   // "Connection: close", and the socket closes after it
  }
  inFlight.add(res);
  res.once('close', () => inFlight.delete(res));
}

function trackRequests(server) {
  server.prependListener('request', (req, res) => track(res));
}

/** Acts out the faults drawn for one request; true if the request must not reach the app. */
function simulateFaults(req, res) {
  const fired = new Set();
  for (const name of FAULT_ORDER) {   // every rule draws, whatever fires, so a seed replays
    const rule = faults.rules.get(name);
    if (rule && faults.random() < rule.p) fired.add(name);
  }
  if (fired.size === 0) return false;
  const where = String(req.url).split('?')[0] + ' (seed ' + faults.seed + ')';
  if (fired.has('leak')) {
    faults.leaked.push(Buffer.alloc(faults.rules.get('leak').size, 0x78));   // filled: resident
    log('simulated fault: leaked memory (seed ' + faults.seed + ')');
  }
  if (fired.has('hang')) {
    log('simulated fault: hanging on ' + where);
    track(res);      // counted in flight, like a request the app is still working on
    req.resume();    // the body is read and dropped: Node's requestTimeout must not answer 408
    return true;
  }
  if (fired.has('crash')) {
    log('simulated fault: crashing in the middle of ' + where);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
    // exit once the partial body is in the kernel's hands
    res.write('the beginning of a response that never ends', () => exitAfterOutput(13));
    return true;
  }
  if (fired.has('garbage')) {
    log('simulated fault: garbage for ' + where);
    const socket = req.socket;   // past the response writer: raw bytes, then the end
    socket.end(GARBAGE, () => socket.destroy());
    return true;
  }
  return false;
}

/**
 * Puts the faults in front of every request of the server. Wrapping emit() rather than adding a
 * listener: a listener can act before the app's, but cannot keep the app's from running, and a
 * hung or garbled request must never reach the app, whether it gave its handler to
 * createServer() or added it with on('request') (before or after listen()).
 */
function interceptRequests(server) {
  const emit = server.emit;
  server.emit = function emitWithFaults(event, req, res) {
    if ((event === 'request' || event === 'checkContinue') && simulateFaults(req, res)) return true;
    return emit.apply(this, arguments);
  };
}

function performListen(server) {
  listenPending = false;
  if (stopping || exiting) return;
  const onError = (err) => {
    warn('cannot listen on ' + listenAddress + ': ' + errorSummary(err));
    exitAfterOutput(1);
  };
  server.prependOnceListener('error', onError);
  server.prependOnceListener('listening', () => {
    server.removeListener('error', onError);
    if (sockPath) {
      try {
        boundInode = fs.lstatSync(sockPath).ino;
      } catch (e) {
        boundInode = null;
      }
    }
    log('listening on ' + listenAddress);
  });
  applyKeepAlive(server);
  if (sockPath) {
    removeStaleSocket(sockPath);
    originalListen.call(server, { path: sockPath });
  } else {
    originalListen.call(server, { port: port, host: '127.0.0.1' });
  }
}

function corralListen(...args) {
  if (!(this instanceof http.Server)) {
    if (this instanceof https.Server && !warnedServers.has(this)) {
      warnedServers.add(this);
      warn('an https server listens on ' + describeListenArgs(args) + ' without Corral: ' +
          'Corral forwards plain HTTP, so only an http.Server can receive its traffic');
    }
    return originalListen.apply(this, args);
  }
  if (corralServer === null) {
    corralServer = this;
    listenPending = true;
    trackRequests(this);
    if (faults) interceptRequests(this);
    const cb = args.length && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
    if (cb) this.once('listening', cb);
    if (faults && faults.slowStartMs > 0) {
      setTimeout(performListen, faults.slowStartMs, this);   // slow-start: readiness comes late
    } else {
      setImmediate(performListen, this);
    }
    return this;
  }
  if (this === corralServer) {
    if (listenPending) {   // called twice before the deferred listen: one listen, both callbacks
      const cb = args.length && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
      if (cb) this.once('listening', cb);
      return this;
    }
    if (this.listening) return originalListen.apply(this, args);   // Node's own "already listening"
    // listening again after close(): Corral's address again
    const cb = args.length && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
    if (cb) this.once('listening', cb);
    performListen(this);
    return this;
  }
  if (!warnedServers.has(this)) {
    warnedServers.add(this);
    warn('another HTTP server listens on ' + describeListenArgs(args) + ', left alone: only the ' +
        'first one (on ' + listenAddress + ') receives Corral\'s traffic');
  }
  return originalListen.apply(this, args);
}

net.Server.prototype.listen = corralListen;

// --- SIGTERM / SIGINT ------------------------------------------------------------------------

function onStopSignal(signal) {
  if (stopping) {
    if (signal === 'SIGINT') process.exit(0);   // Ctrl-C twice: at once
    return;
  }
  stopping = true;
  const appHandles = process.listenerCount(signal) > 1;   // ours came first
  const deadline = setTimeout(() => {
    if (!appHandles) {
      warn('still ' + inFlight.size + ' request(s) in flight ' + SHUTDOWN_TIMEOUT / 1000 +
          ' s after ' + signal + ', exiting');
    } else {
      warn('the app did not exit within ' + SHUTDOWN_TIMEOUT / 1000 + ' s of ' + signal + ', exiting');
    }
    exitAfterOutput(0);
  }, SHUTDOWN_TIMEOUT);
  deadline.unref();   // fires if anything keeps the process alive; never delays a natural end
  if (appHandles) return;   // the app's own listener runs next and decides

  const server = corralServer;
  if (server === null || listenPending || !server.listening) {
    exitAfterOutput(0);   // nothing accepted yet, nothing to drain
    return;
  }
  for (const res of inFlight) {
    if (!res.headersSent) res.shouldKeepAlive = false;
  }
  server.close(() => exitAfterOutput(0));   // called once every connection is gone
  const sweep = () => {
    if (typeof server.closeIdleConnections === 'function') server.closeIdleConnections();
  };
  sweep();
  // Keep-alive connections whose last request finishes after close() go idle later: close them
  // as soon as they do.
  setInterval(sweep, IDLE_SWEEP_INTERVAL).unref();
}

process.on('SIGTERM', onStopSignal);
process.on('SIGINT', onStopSignal);

// --- loading the app ---------------------------------------------------------------------------

function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;   // .cjs, extensionless (bin/www), ...: CommonJS
  let dir = path.dirname(file);
  for (;;) {
    if (dir.endsWith(path.sep + 'node_modules')) return false;
    let text = null;
    try {
      text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch (e) {
      // none here: look further up
    }
    if (text !== null) {
      try {
        return JSON.parse(text).type === 'module';
      } catch (e) {
        return false;   // Node reports the broken package.json itself
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function loadFailed(err) {
  try {
    process.stderr.write((err instanceof Error && err.stack ? inspect(err) : 'thrown: ' + inspect(err)) + '\n');
  } catch (e) {
    // unprintable
  }
  warn('cannot load ' + entry + ': ' + errorSummary(err));
  exitAfterOutput(1);
}

watchStdin();

const hint = setTimeout(() => {
  if (corralServer === null) warn(entry + ' has not called listen() yet');
}, LISTEN_HINT_DELAY);
hint.unref();

// The app sees itself as the main script, with its own arguments.
process.argv = [process.argv[0], entryPath].concat(process.argv.slice(3));

if (isEsm(entryPath)) {
  import(pathToFileURL(entryPath).href).catch(loadFailed);
} else {
  try {
    if (typeof Module._load === 'function') {
      Module._load(entryPath, null, true);   // as `node <entry>` does: require.main is the app
    } else {
      require(entryPath);
    }
  } catch (err) {
    loadFailed(err);
  }
}
