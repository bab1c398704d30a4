'use strict';
/*
 * Corral Node loader: runs an ordinary Node web app, unchanged, on the socket Corral gives it.
 *
 *     CORRAL_SOCKET=/path/app.sock node <lib>/corral-node server.js [app args...]
 *     PORT=8080 node <lib>/corral-node app.mjs
 *
 * <lib>/corral-node is a directory: this file (its main, by package.json) and the modules it
 * requires, each by capability (below). The current directory is the app root; the entry
 * script is resolved against it.
 *
 * Environment:
 *   CORRAL_SOCKET       Unix domain socket to listen on (wins over PORT)
 *   PORT                else listen on 127.0.0.1:PORT
 *   CORRAL_APP          the app's name (informational; passed on to the app untouched)
 *   CORRAL_STDIN_WATCH  "0": do not exit when stdin reaches EOF (for running by hand)
 *   CORRAL_APP_FAULTS   faults this process simulates, to rehearse a broken app (see faults.js), e.g.
 *                       "slow-start@3s,hang:0.01,crash:0.05,leak:0.1@20MB,garbage:0.02"
 *   CORRAL_APP_FAULT_SEED  the seed of those draws (default: random, printed at start), plus
 *                          CORRAL_PROCESS_NUMBER (1, 2, ... per app, set by Corral)
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
 * Modules, by capability:
 *   index     start-up: the command line and environment, then the steps below in order
 *   output    the loader's own lines, and its own exits once they are flushed
 *   faults    CORRAL_APP_FAULTS and CORRAL_APP_FAULT_SEED: the grammar, the draws, the faults
 *   listen    the redirected listen(): which server gets Corral's address, the socket file,
 *             keep-alive, the requests in flight and draining them
 *   lifeline  stdin EOF and SIGTERM/SIGINT
 *   load      loading the app: CommonJS as the main module, or ESM
 *
 * Node 18.2+ (built for Node 20), no dependencies. Not for Node's cluster module: Corral is
 * the process manager, and pool processes are separate loaders.
 */

const path = require('path');

const { log, warn, exitAfterOutput } = require('./output');
const { faultsFromEnvironment } = require('./faults');
const listen = require('./listen');
const lifeline = require('./lifeline');
const { load } = require('./load');

const LISTEN_HINT_DELAY = 5000;          // ms before "has not called listen() yet"

// --- command line and environment -----------------------------------------------------------

const entry = process.argv[2];
if (!entry || entry.startsWith('-')) {
  warn('usage: node corral-node <entry script> [app args...]');
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

let faults;   // the parsed CORRAL_APP_FAULTS, with its seed and generator, or null
try {
  faults = faultsFromEnvironment(process.env);
} catch (e) {
  warn(e.message);
  exitAfterOutput(2);
  return;
}
if (faults) log('simulating faults ' + faults.spec + ' (seed ' + faults.seed + ')');

// --- the steps, in this order ------------------------------------------------------------------

listen.install({ sockPath, port, listenAddress, faults });
lifeline.handleStopSignals();
lifeline.watchStdin();

const hint = setTimeout(() => {
  if (!listen.hasServer()) warn(entry + ' has not called listen() yet');
}, LISTEN_HINT_DELAY);
hint.unref();

// The app sees itself as the main script, with its own arguments.
process.argv = [process.argv[0], entryPath].concat(process.argv.slice(3));

load(entry, entryPath);
