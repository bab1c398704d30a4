'use strict';
/*
 * Loading:
 *   CommonJS entries are loaded as the main module (require.main === module holds, as under
 *   `node server.js`); ESM entries (.mjs, or .js under a package.json with "type": "module")
 *   through import() of their file URL. process.argv[1] is the entry's absolute path and
 *   process.argv[2..] are the app's own arguments, as if it had been started directly (index.js
 *   sets them). A load error: the stack, "cannot load <entry>: <error>", exit 1.
 */

const fs = require('fs');
const path = require('path');
const Module = require('module');
const { pathToFileURL } = require('url');
const { inspect } = require('util');

const { warn, exitAfterOutput, errorSummary } = require('./output');

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

function loadFailed(entry, err) {
  try {
    process.stderr.write((err instanceof Error && err.stack ? inspect(err) : 'thrown: ' + inspect(err)) + '\n');
  } catch (e) {
    // unprintable
  }
  warn('cannot load ' + entry + ': ' + errorSummary(err));
  exitAfterOutput(1);
}

/** Loads the app's entry script (entry as given, entryPath resolved) as `node <entry>` would. */
function load(entry, entryPath) {
  if (isEsm(entryPath)) {
    import(pathToFileURL(entryPath).href).catch((err) => loadFailed(entry, err));
  } else {
    try {
      if (typeof Module._load === 'function') {
        Module._load(entryPath, null, true);   // as `node <entry>` does: require.main is the app
      } else {
        require(entryPath);
      }
    } catch (err) {
      loadFailed(entry, err);
    }
  }
}

module.exports = { load };
