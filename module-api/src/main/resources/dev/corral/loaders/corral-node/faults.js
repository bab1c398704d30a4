'use strict';
/*
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
 * Requiring this module runs nothing: the loader's tests require it for the parsers.
 */

const { constants: bufferConstants } = require('buffer');

const { log, exitAfterOutput } = require('./output');

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

/**
 * The faults this process simulates, from its environment: parseFaults() of CORRAL_APP_FAULTS
 * with its spec (trimmed), its seed (a string) and its generator, or null when there are none.
 * Throws the message to log on a bad seed, or else a bad spec.
 */
function faultsFromEnvironment(env) {
  const spec = trimFault(env.CORRAL_APP_FAULTS || '');
  if (!spec) return null;
  const seed = parseFaultSeed(env.CORRAL_APP_FAULT_SEED || '', env.CORRAL_PROCESS_NUMBER || '');
  const faults = parseFaults(spec);
  faults.spec = spec;
  faults.seed = seed.toString();
  faults.random = mulberry32(Number(BigInt.asUintN(32, seed)));
  faults.leaked = [];
  return faults;
}

/**
 * Acts out the faults drawn for one request; true if the request must not reach the app.
 * track(res) counts a hung request in flight.
 */
function simulateFaults(faults, req, res, track) {
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
function interceptRequests(server, faults, track) {
  const emit = server.emit;
  server.emit = function emitWithFaults(event, req, res) {
    if ((event === 'request' || event === 'checkContinue') && simulateFaults(faults, req, res, track)) return true;
    return emit.apply(this, arguments);
  };
}

module.exports = { parseFaults, parseFaultSeed, faultsFromEnvironment, interceptRequests };
