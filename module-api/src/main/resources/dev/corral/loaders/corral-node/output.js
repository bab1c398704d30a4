'use strict';
/*
 * The loader's own lines ("corral-node: ..."; informational ones on stdout, errors and warnings
 * on stderr) and its own exits, which wait until those lines are out.
 */

const { inspect } = require('util');

const LOG_PREFIX = 'corral-node: ';
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

/** Whether exitAfterOutput() was called: nothing more may be bound. */
function isExiting() {
  return exiting;
}

function firstLine(text) {
  const s = String(text);
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** "Name: first line of the message" of anything thrown, for one log line. */
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

module.exports = { log, warn, exitAfterOutput, isExiting, errorSummary };
