'use strict';
/*
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
 * This module also owns what follows from having that server: the socket file this process
 * bound (removed on exit), keep-alive settings, the requests in flight, and draining them when
 * the process is asked to stop (lifeline.js decides when).
 */

const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const { inspect } = require('util');

const { log, warn, exitAfterOutput, isExiting, errorSummary } = require('./output');
const { interceptRequests } = require('./faults');

const KEEP_ALIVE_TIMEOUT = 300 * 1000;   // ms; Node's default is 5 s
const NODE_DEFAULT_KEEP_ALIVE = 5000;
const IDLE_SWEEP_INTERVAL = 50;          // ms between closeIdleConnections() while draining

let sockPath = null;         // CORRAL_SOCKET, or null
let port = null;             // else PORT
let listenAddress = null;    // what "listening on" names
let faults = null;           // the simulated faults, or null

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

// --- the redirected listen() -----------------------------------------------------------------

const originalListen = net.Server.prototype.listen;
let corralServer = null;     // the http.Server that got Corral's address
let listenPending = false;   // its listen() has been called but not performed yet
let stopping = false;
const warnedServers = new WeakSet();
const inFlight = new Set();  // responses of corralServer not finished yet

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

function performListen(server) {
  listenPending = false;
  if (stopping || isExiting()) return;
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
    if (faults) interceptRequests(this, faults, track);
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

/**
 * Redirects listen() (before the app is loaded) to options.sockPath or 127.0.0.1:options.port,
 * named options.listenAddress, with options.faults (or null) in front of its requests; the
 * socket file goes on exit.
 */
function install(options) {
  ({ sockPath, port, listenAddress, faults } = options);
  process.on('exit', removeOwnSocket);
  net.Server.prototype.listen = corralListen;
}

/** Whether an http.Server has called listen(). */
function hasServer() {
  return corralServer !== null;
}

// --- stopping ----------------------------------------------------------------------------------

function isStopping() {
  return stopping;
}

/** From now on nothing more is bound, and every response says "Connection: close". */
function beginStopping() {
  stopping = true;
}

function inFlightCount() {
  return inFlight.size;
}

/**
 * Closes Corral's server and calls done() once every connection is gone: the requests in flight
 * finish (saying "Connection: close" if their headers are not sent yet) and idle keep-alive
 * connections are closed as soon as they are idle. False, and done() is never called, when the
 * server is not listening: nothing to drain.
 */
function drain(done) {
  const server = corralServer;
  if (server === null || listenPending || !server.listening) {
    return false;
  }
  for (const res of inFlight) {
    if (!res.headersSent) res.shouldKeepAlive = false;
  }
  server.close(done);   // called once every connection is gone
  const sweep = () => {
    if (typeof server.closeIdleConnections === 'function') server.closeIdleConnections();
  };
  sweep();
  // Keep-alive connections whose last request finishes after close() go idle later: close them
  // as soon as they do.
  setInterval(sweep, IDLE_SWEEP_INTERVAL).unref();
  return true;
}

module.exports = { install, hasServer, isStopping, beginStopping, inFlightCount, drain };
