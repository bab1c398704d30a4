'use strict';
/*
 * When the loader ends: stdin EOF (the JVM is gone; exit 0 at once), SIGTERM or SIGINT (drain,
 * then exit 0; a deadline of 10 s; a second SIGINT exits at once). See index.js, "Protocol with
 * the engine", for the whole rule.
 */

const fs = require('fs');

const { warn, exitAfterOutput } = require('./output');
const listen = require('./listen');

const SHUTDOWN_TIMEOUT = 10 * 1000;      // ms from SIGTERM/SIGINT to the forced exit

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

// --- SIGTERM / SIGINT ------------------------------------------------------------------------

function onStopSignal(signal) {
  if (listen.isStopping()) {
    if (signal === 'SIGINT') process.exit(0);   // Ctrl-C twice: at once
    return;
  }
  listen.beginStopping();
  const appHandles = process.listenerCount(signal) > 1;   // ours came first
  const deadline = setTimeout(() => {
    if (!appHandles) {
      warn('still ' + listen.inFlightCount() + ' request(s) in flight ' + SHUTDOWN_TIMEOUT / 1000 +
          ' s after ' + signal + ', exiting');
    } else {
      warn('the app did not exit within ' + SHUTDOWN_TIMEOUT / 1000 + ' s of ' + signal + ', exiting');
    }
    exitAfterOutput(0);
  }, SHUTDOWN_TIMEOUT);
  deadline.unref();   // fires if anything keeps the process alive; never delays a natural end
  if (appHandles) return;   // the app's own listener runs next and decides

  if (!listen.drain(() => exitAfterOutput(0))) {
    exitAfterOutput(0);   // nothing accepted yet, nothing to drain
  }
}

/** Installs the loader's SIGTERM and SIGINT listeners, before the app's own. */
function handleStopSignals() {
  process.on('SIGTERM', onStopSignal);
  process.on('SIGINT', onStopSignal);
}

module.exports = { watchStdin, handleStopSignals };
