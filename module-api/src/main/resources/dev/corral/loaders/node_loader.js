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
 * Protocol with the engine:
 *   - Load error (syntax error, missing module, exception at the top level, rejected ESM
 *     evaluation): the stack, then "corral-node: cannot load <entry>: <error>" on stderr,
 *     exit status 1, nothing bound.
 *   - Then "corral-node: listening on <path or 127.0.0.1:port>" on stderr; the socket accepts.
 *     If no http.Server has called listen() 5 s after start, one hint line says so
 *     ("corral-node: <entry> has not called listen() yet"); the engine's spawnTimeout decides.
 *   - Exit 1 when the socket cannot be bound ("corral-node: cannot listen on <addr>: ...").
 *   - Exit 2 on a usage error (no entry, neither CORRAL_SOCKET nor a valid PORT).
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

function log(message) {
  try {
    process.stderr.write(LOG_PREFIX + message + '\n');
  } catch (e) {
    // stderr gone: nothing to tell anyone
  }
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

// --- command line and environment -----------------------------------------------------------

const entry = process.argv[2];
if (!entry || entry.startsWith('-')) {
  log('usage: node node_loader.js <entry script> [app args...]');
  process.exit(2);
}

const sockPath = process.env.CORRAL_SOCKET || null;
let port = null;
if (!sockPath) {
  const text = process.env.PORT || '';
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    log('cannot start ' + entry + ': set CORRAL_SOCKET or PORT (1-65535), PORT was ' +
        JSON.stringify(text));
    process.exit(2);
  }
  port = Number(text);
}
const listenAddress = sockPath || '127.0.0.1:' + port;
const entryPath = path.resolve(entry);

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

function trackRequests(server) {
  server.prependListener('request', (req, res) => {
    if (stopping) {
      res.shouldKeepAlive = false;   // "Connection: close", and the socket closes after it
    }
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
}

function performListen(server) {
  listenPending = false;
  if (stopping) return;
  const onError = (err) => {
    log('cannot listen on ' + listenAddress + ': ' + errorSummary(err));
    process.exit(1);
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
      log('an https server listens on ' + describeListenArgs(args) + ' without Corral: ' +
          'Corral forwards plain HTTP, so only an http.Server can receive its traffic');
    }
    return originalListen.apply(this, args);
  }
  if (corralServer === null) {
    corralServer = this;
    listenPending = true;
    trackRequests(this);
    const cb = args.length && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
    if (cb) this.once('listening', cb);
    setImmediate(performListen, this);
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
    log('another HTTP server listens on ' + describeListenArgs(args) + ', left alone: only the ' +
        'first one (on ' + listenAddress + ') receives Corral\'s traffic');
  }
  return originalListen.apply(this, args);
}

net.Server.prototype.listen = corralListen;

// --- SIGTERM / SIGINT ------------------------------------------------------------------------

function onStopSignal(signal) {
  if (stopping) {
    if (signal === 'SIGINT') process.exit(0);   // Ctrl-C twice
    return;
  }
  stopping = true;
  const appHandles = process.listenerCount(signal) > 1;   // ours came first
  const deadline = setTimeout(() => {
    if (!appHandles) {
      log('still ' + inFlight.size + ' request(s) in flight ' + SHUTDOWN_TIMEOUT / 1000 +
          ' s after ' + signal + ', exiting');
    } else {
      log('the app did not exit within ' + SHUTDOWN_TIMEOUT / 1000 + ' s of ' + signal + ', exiting');
    }
    process.exit(0);
  }, SHUTDOWN_TIMEOUT);
  deadline.unref();   // fires if anything keeps the process alive; never delays a natural end
  if (appHandles) return;   // the app's own listener runs next and decides

  const server = corralServer;
  if (server === null || listenPending || !server.listening) {
    process.exit(0);   // nothing accepted yet, nothing to drain
  }
  for (const res of inFlight) {
    if (!res.headersSent) res.shouldKeepAlive = false;
  }
  server.close(() => process.exit(0));   // called once every connection is gone
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
  log('cannot load ' + entry + ': ' + errorSummary(err));
  process.exit(1);
}

watchStdin();

const hint = setTimeout(() => {
  if (corralServer === null) log(entry + ' has not called listen() yet');
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
