'use strict';
/*
 * Tests of the bundled Node loader (dev/corral/loaders/corral-node/), against real processes.
 *
 * Run:  node --test module-api/src/test/node/
 * The loader runs under the same node binary as the tests (process.execPath).
 * Every wait polls a condition with a deadline; nothing relies on a sleep being long enough.
 */

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const APPS = path.join(__dirname, 'apps');
// The directory that Corral runs as `node <lib>/corral-node <entry>`: its package.json names index.js.
const LOADER = path.resolve(__dirname, '..', '..', 'main', 'resources', 'dev', 'corral', 'loaders',
                            'corral-node');
const DEADLINE = 15000;   // ms for any single wait
const LISTENING = 'corral-node: listening on ';

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls predicate (which may throw to fail early) until it returns a truthy value. */
async function waitUntil(predicate, what, timeout = DEADLINE) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out after ' + timeout + ' ms waiting for ' + what);
    await delay(10);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();

/** One loader process; stdin is a pipe that only the test holds, like the JVM's. */
class Loader {
  constructor(entry, { usePort = false, port = null, env = {}, args = [], loader = LOADER } = {}) {
    this.entry = entry;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-'));   // short: AF_UNIX path limit
    this.sockPath = path.join(this.dir, 'app.sock');
    this.port = usePort ? port : null;
    const fullEnv = { ...process.env };
    for (const key of ['PORT', 'CORRAL_SOCKET', 'CORRAL_STDIN_WATCH', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS']) {
      delete fullEnv[key];
    }
    fullEnv.CORRAL_APP = 'test';
    if (usePort) fullEnv.PORT = String(port);
    else fullEnv.CORRAL_SOCKET = this.sockPath;
    Object.assign(fullEnv, env);
    this.stdout = '';
    this.stderr = '';
    this.exit = null;   // { code, signal } once exited
    this.proc = spawn(process.execPath, [loader, entry, ...args], {
      cwd: APPS, env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout.setEncoding('utf8').on('data', (d) => { this.stdout += d; });
    this.proc.stderr.setEncoding('utf8').on('data', (d) => { this.stderr += d; });
    this.proc.stdin.on('error', () => {});   // EPIPE once the loader is gone
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code, signal) => {   // 'close': stdout and stderr fully read too
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    running.add(this);
  }

  static async withPort(entry, options = {}) {
    return new Loader(entry, { ...options, usePort: true, port: await freePort() });
  }

  get target() {
    return this.port === null ? { socketPath: this.sockPath } : { host: '127.0.0.1', port: this.port };
  }

  get address() {
    return this.port === null ? this.sockPath : '127.0.0.1:' + this.port;
  }

  describe() {
    return this.entry + ' (exit ' + JSON.stringify(this.exit) + ', stdout: ' + JSON.stringify(this.stdout) +
        ', stderr: ' + JSON.stringify(this.stderr) + ')';
  }

  /** Waits until text has come on the loader's stdout or (stream 'stderr') its stderr. */
  async waitFor(stream, text, what = JSON.stringify(text)) {
    return waitUntil(() => {
      if (this[stream].includes(text)) return true;
      if (this.exit) throw new Error('loader exited while waiting for ' + what + ' on ' + stream + ': ' + this.describe());
      return false;
    }, what + ' on ' + stream + ' of ' + this.entry);
  }

  async waitForStdout(text, what) {
    return this.waitFor('stdout', text, what);
  }

  async waitForStderr(text, what) {
    return this.waitFor('stderr', text, what);
  }

  async waitListening() {
    await this.waitForStdout(LISTENING + this.address, 'listening');
  }

  async waitExit(timeout = DEADLINE) {
    let timer;
    const timedOut = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('loader did not exit within ' + timeout + ' ms: ' +
                                                this.describe())), timeout);
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose() {
    if (!this.exit) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    running.delete(this);
  }
}

after(async () => {
  await Promise.all([...running].map((l) => l.dispose()));
});

/** One request; resolves to { status, headers, body }. */
function request(target, { path: urlPath = '/', agent = false, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, path: urlPath, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, socket: res.socket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A request whose response is read as it comes: firstData resolves on the first body bytes,
 * done with the whole response (or rejects if the connection breaks first).
 */
function streamingRequest(target, urlPath) {
  let onFirst;
  const firstData = new Promise((resolve) => { onFirst = resolve; });
  const done = new Promise((resolve, reject) => {
    const req = http.request({ ...target, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; onFirst(); });
      res.on('end', () => {
        if (res.complete) resolve({ status: res.statusCode, headers: res.headers, body });
        else reject(new Error('response cut short after ' + JSON.stringify(body)));
      });
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted after ' + JSON.stringify(body))));
    });
    req.on('error', reject);
    req.end();
  });
  done.catch(() => {});   // observed by the test through await
  return { firstData, done };
}

/** True once nothing accepts connections at target any more. */
function refusesConnections(target) {
  return new Promise((resolve) => {
    const socket = net.connect(target.socketPath ? { path: target.socketPath } : target);
    socket.on('connect', () => { socket.destroy(); resolve(false); });
    socket.on('error', () => resolve(true));
  });
}

// Every test has its own process, directory and port, so they run side by side.
describe('corral-node', { concurrency: 4 }, () => {
  // --- serving ---------------------------------------------------------------------------------

  test('plain app calling listen(3000) answers on the Unix socket, as the main module', async () => {
    const loader = new Loader('plain.js', { args: ['--flag', 'x'] });
    try {
      await loader.waitListening();
      const res = await request(loader.target, { path: '/hello?a=1' });
      assert.equal(res.status, 200);
      const data = JSON.parse(res.body);
      assert.equal(data.url, '/hello?a=1');
      assert.equal(data.isMain, true, 'require.main === module in the app');
      assert.equal(data.argv1, path.join(APPS, 'plain.js'));
      assert.deepEqual(data.args, ['--flag', 'x']);
      assert.equal(data.corralApp, 'test');
      assert.equal(data.address, loader.sockPath);
      assert.ok(fs.lstatSync(loader.sockPath).isSocket());
      assert.equal(loader.stdout, LISTENING + loader.sockPath + '\n', 'nothing else on stdout');
      assert.equal(loader.stderr, '', 'nothing on stderr');
    } finally {
      await loader.dispose();
    }
  });

  test('with PORT the app answers on 127.0.0.1:PORT, whatever port it asked for', async () => {
    const loader = await Loader.withPort('plain.js');
    try {
      await loader.waitListening();
      const res = await request(loader.target, { path: '/p' });
      assert.equal(res.status, 200);
      const data = JSON.parse(res.body);
      assert.equal(data.url, '/p');
      assert.deepEqual(data.address, { address: '127.0.0.1', family: 'IPv4', port: loader.port });
      assert.ok(!fs.existsSync(loader.sockPath));
    } finally {
      await loader.dispose();
    }
  });

  test('a stale socket file left by a killed process is replaced', async () => {
    const staleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-'));
    const stale = path.join(staleDir, 'app.sock');
    try {
      // A process that binds the socket and dies by SIGKILL leaves the file behind.
      const script = 'require("net").createServer().listen(process.argv[1], () => process.kill(process.pid, "SIGKILL"))';
      const child = spawn(process.execPath, ['-e', script, stale], { stdio: 'ignore' });
      await new Promise((resolve) => child.on('exit', resolve));
      assert.ok(fs.lstatSync(stale).isSocket(), 'stale socket file in place');
      assert.ok(await refusesConnections({ socketPath: stale }));

      const loader = new Loader('plain.js', { env: { CORRAL_SOCKET: stale } });
      loader.sockPath = stale;
      try {
        await loader.waitListening();
        const res = await request(loader.target);
        assert.equal(JSON.parse(res.body).app, 'plain');
      } finally {
        await loader.dispose();
      }
    } finally {
      fs.rmSync(staleDir, { recursive: true, force: true });
    }
  });

  test('listen(callback): the callback runs once, after the loader reports listening', async () => {
    const loader = new Loader('callback.js');
    try {
      await loader.waitForStdout('app: callback 1');
      const lines = loader.stdout.trim().split('\n');
      assert.equal(lines[0], LISTENING + loader.sockPath);
      assert.equal(lines[1], 'app: callback 1 listening=true events=1 address=' + JSON.stringify(loader.sockPath));
      const res = await request(loader.target);
      assert.equal(res.body, 'callback app\n');
      assert.doesNotMatch(loader.stdout, /callback 2/);
    } finally {
      await loader.dispose();
    }
  });

  test('express-style listen(8080, "0.0.0.0", cb) is redirected and calls back', async () => {
    const loader = new Loader('express_style.js');
    try {
      await loader.waitForStderr('app: express-style ready, returned server=true');
      const res = await request(loader.target, { path: '/users/7' });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'express-style GET /users/7\n');
    } finally {
      await loader.dispose();
    }
  });

  test('ESM app (.mjs) with top-level await and listen({port, host})', async () => {
    const loader = new Loader('esm.mjs');
    try {
      await loader.waitListening();
      const res = await request(loader.target);
      assert.deepEqual(JSON.parse(res.body), { app: 'esm.mjs', isMain: true });
    } finally {
      await loader.dispose();
    }
  });

  test('ESM .js under "type": "module" that awaits its own listen at the top level, with PORT', async () => {
    const loader = await Loader.withPort('esm-pkg/server.js');
    try {
      await loader.waitForStderr('app: esm-pkg top level done');
      await loader.waitListening();
      const res = await request(loader.target);
      assert.deepEqual(JSON.parse(res.body), { app: 'esm-pkg' });
    } finally {
      await loader.dispose();
    }
  });

  test('keep-alive: two requests on one connection of an agent; keepAliveTimeout raised to 300 s', async () => {
    const loader = new Loader('plain.js');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await loader.waitListening();
      const first = await request(loader.target, { agent, path: '/1' });
      const second = await request(loader.target, { agent, path: '/2' });
      assert.equal(first.headers.connection, 'keep-alive');
      assert.equal(first.headers['keep-alive'], 'timeout=300');
      assert.equal(JSON.parse(first.body).connection, 1);
      assert.equal(JSON.parse(second.body).connection, 1, 'second request on the same connection');
      assert.equal(first.socket, second.socket);
    } finally {
      agent.destroy();
      await loader.dispose();
    }
  });

  test('keep-alive: a keepAliveTimeout the app set itself is kept', async () => {
    const loader = new Loader('plain.js', { env: { TEST_KEEP_ALIVE_MS: '7000' } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await loader.waitListening();
      const res = await request(loader.target, { agent });
      assert.equal(res.headers['keep-alive'], 'timeout=7');
    } finally {
      agent.destroy();
      await loader.dispose();
    }
  });

  test('a second HTTP server listens where it asked, with a warning; the first gets the socket', async () => {
    const loader = new Loader('two_servers.js');
    try {
      await loader.waitListening();
      const line = await waitUntil(() => /app: second server on port (\d+)/.exec(loader.stderr), 'second server');
      assert.match(loader.stderr, /corral-node: another HTTP server listens on 0, "127\.0\.0\.1", left alone: only the first one \(on \S+\) receives Corral's traffic/);
      assert.equal((await request(loader.target)).body, 'first\n');
      assert.equal((await request({ host: '127.0.0.1', port: Number(line[1]) })).body, 'second\n');
    } finally {
      await loader.dispose();
    }
  });

  // --- load errors -----------------------------------------------------------------------------

  for (const [entry, summary] of [
    ['throws_after_listen.js', 'Error: boom at top level'],
    ['syntax_error.js', 'SyntaxError: missing ) after argument list'],
    ['missing_module.js', "Error: Cannot find module 'corral-test-no-such-module'"],
    ['esm_throws.mjs', 'TypeError: esm boom'],
    ['no_such_entry.js', 'Error: Cannot find module'],
  ]) {
    test('load error in ' + entry + ': stack, summary, exit 1, never listening', async () => {
      const loader = new Loader(entry);
      try {
        const { code, signal } = await loader.waitExit();
        assert.equal(signal, null);
        assert.equal(code, 1, loader.describe());
        const lines = loader.stderr.trimEnd().split('\n');
        assert.ok(lines[lines.length - 1].startsWith('corral-node: cannot load ' + entry + ': ' + summary),
                  loader.stderr);
        assert.ok(lines.length > 1, 'the stack comes first');
        assert.doesNotMatch(loader.stderr, /listening on/);
        assert.equal(loader.stdout, '', 'nothing on stdout');
        assert.ok(!fs.existsSync(loader.sockPath), 'no socket file');
      } finally {
        await loader.dispose();
      }
    });
  }

  test('usage errors exit 2', async () => {
    for (const [entry, env, message] of [
      ['plain.js', { CORRAL_SOCKET: '', PORT: '' }, 'set CORRAL_SOCKET or PORT'],
      ['plain.js', { CORRAL_SOCKET: '', PORT: '70000' }, 'PORT was "70000"'],
      ['', {}, 'usage: node corral-node <entry script>'],
    ]) {
      const loader = new Loader(entry, { env });
      try {
        const { code } = await loader.waitExit();
        assert.equal(code, 2, loader.describe());
        assert.match(loader.stderr, new RegExp('^corral-node: .*' + message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.equal(loader.stdout, '', 'nothing on stdout');
      } finally {
        await loader.dispose();
      }
    }
  });

  test('a socket that cannot be bound: exit 1 with the reason', async () => {
    const bad = path.join(os.tmpdir(), 'cn-no-such-dir-' + process.pid, 'app.sock');
    const loader2 = new Loader('plain.js', { env: { CORRAL_SOCKET: bad } });
    try {
      const { code } = await loader2.waitExit();
      assert.equal(code, 1, loader2.describe());
      assert.match(loader2.stderr, new RegExp('corral-node: cannot listen on ' + bad + ': Error: listen E[A-Z]+: '));
      assert.equal(loader2.stdout, '', 'nothing on stdout');
    } finally {
      await loader2.dispose();
    }
  });

  test('informational lines on stdout, errors on stderr: a clean start and stop, an app that fails to load', async () => {
    const clean = new Loader('plain.js');
    try {
      await clean.waitListening();
      clean.proc.kill('SIGTERM');
      const { code } = await clean.waitExit();
      assert.equal(code, 0, clean.describe());
      assert.equal(clean.stdout, LISTENING + clean.sockPath + '\n');
      assert.equal(clean.stderr, '');
    } finally {
      await clean.dispose();
    }
    const broken = new Loader('missing_module.js');
    try {
      const { code } = await broken.waitExit();
      assert.equal(code, 1, broken.describe());
      assert.match(broken.stderr, /^Error: Cannot find module 'corral-test-no-such-module'\n/);
      assert.ok(broken.stderr.endsWith("corral-node: cannot load missing_module.js: Error: Cannot find module 'corral-test-no-such-module'\n"),
                broken.stderr);
      assert.equal(broken.stdout, '');
    } finally {
      await broken.dispose();
    }
  });

  test('an exit of the loader\'s own loses no output still queued for the pipes', async () => {
    const loader = new Loader('big_output_throws.js');
    try {
      const { code } = await loader.waitExit();
      assert.equal(code, 1, loader.describe().slice(0, 500));
      assert.equal(loader.stdout.length, 2048 * 1024, 'all of the app\'s 2 MiB on stdout');
      assert.equal(loader.stdout, ('x'.repeat(1023) + '\n').repeat(2048));
      assert.ok(loader.stderr.endsWith('corral-node: cannot load big_output_throws.js: Error: boom after a lot of output\n'),
                loader.stderr);
    } finally {
      await loader.dispose();
    }
  });

  // --- lifetime --------------------------------------------------------------------------------

  test('closing stdin makes the loader exit 0 and remove its socket', async () => {
    const loader = new Loader('plain.js');
    try {
      await loader.waitListening();
      loader.proc.stdin.end();
      const { code, signal } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
      assert.equal(signal, null);
      assert.ok(!fs.existsSync(loader.sockPath), 'socket file removed');
    } finally {
      await loader.dispose();
    }
  });

  test('closing stdin also ends an app that never listens', async () => {
    const loader = new Loader('no_listen.js');
    try {
      await waitUntil(() => loader.proc.pid && fs.existsSync('/proc/' + loader.proc.pid), 'process start');
      loader.proc.stdin.end();
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
    } finally {
      await loader.dispose();
    }
  });

  test('watching stdin does not keep a finished app alive (stdin still open)', async () => {
    const loader = new Loader('finishes.js');
    try {
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
      assert.equal(loader.stderr, 'app: finished\n');
      assert.equal(loader.stdout, '');
      assert.ok(!loader.proc.stdin.writableEnded, 'the test never closed stdin');
    } finally {
      await loader.dispose();
    }
  });

  test('an app that closes its own server ends by itself, exit 0', async () => {
    const loader = new Loader('plain.js');
    try {
      await loader.waitListening();
      assert.equal((await request(loader.target, { path: '/close' })).body, 'closing\n');
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
    } finally {
      await loader.dispose();
    }
  });

  test('an app that never listens gets a hint on stderr after a few seconds', async () => {
    const loader = new Loader('no_listen.js');
    try {
      await loader.waitForStderr('corral-node: no_listen.js has not called listen() yet');
      assert.equal(loader.exit, null, 'still running: the engine\'s spawnTimeout decides');
    } finally {
      await loader.dispose();
    }
  });

  test('SIGTERM: stops accepting, finishes the requests in flight, then exits 0', async () => {
    const releaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-'));
    const release = path.join(releaseDir, 'release');
    const slow = new Loader('slow.js', { env: { TEST_RELEASE_FILE: release } });
    try {
      await slow.waitListening();
      const started = streamingRequest(slow.target, '/slow');   // headers and a first part sent
      await started.firstData;
      const late = streamingRequest(slow.target, '/slow?late=1');   // nothing sent yet
      await slow.waitForStderr('app: request /slow?late=1');

      slow.proc.kill('SIGTERM');
      await waitUntil(() => refusesConnections(slow.target), 'the socket to stop accepting');
      assert.equal(slow.exit, null, 'still running while requests are in flight');

      fs.writeFileSync(release, '');
      const first = await started.done;
      assert.equal(first.status, 200);
      assert.equal(first.body, 'first part\nlast part\n');
      const second = await late.done;
      assert.equal(second.status, 200);
      assert.equal(second.body, 'last part\n');
      assert.equal(second.headers.connection, 'close', 'no keep-alive offered while stopping');

      const { code, signal } = await slow.waitExit();
      assert.equal(signal, null);
      assert.equal(code, 0, slow.describe());
      assert.ok(!fs.existsSync(slow.sockPath), 'socket file removed');
    } finally {
      fs.rmSync(releaseDir, { recursive: true, force: true });
      await slow.dispose();
    }
  });

  test('SIGTERM: requests still in flight after 10 s are cut, exit 0', { timeout: 60000 }, async () => {
    const slow = new Loader('slow.js', { env: { TEST_RELEASE_FILE: path.join(os.tmpdir(), 'cn-never-' + process.pid) } });
    try {
      await slow.waitListening();
      const pending = streamingRequest(slow.target, '/slow');
      await pending.firstData;
      const signalled = Date.now();
      slow.proc.kill('SIGTERM');
      const { code, signal } = await slow.waitExit(30000);
      const elapsed = Date.now() - signalled;
      assert.equal(signal, null);
      assert.equal(code, 0, slow.describe());
      assert.ok(elapsed >= 9500, 'exited after ' + elapsed + ' ms');
      assert.match(slow.stderr, /corral-node: still 1 request\(s\) in flight 10 s after SIGTERM, exiting\n/);
      await assert.rejects(pending.done);
    } finally {
      await slow.dispose();
    }
  });

  test('SIGTERM closes idle keep-alive connections and exits 0 at once', async () => {
    const loader = new Loader('plain.js');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await loader.waitListening();
      await request(loader.target, { agent });   // leaves one idle keep-alive connection
      const socketClosed = new Promise((resolve) => {
        const sockets = Object.values(agent.freeSockets).flat();
        assert.equal(sockets.length, 1);
        sockets[0].on('close', resolve);
      });
      loader.proc.kill('SIGTERM');
      await socketClosed;
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
    } finally {
      agent.destroy();
      await loader.dispose();
    }
  });

  test('SIGINT behaves like SIGTERM', async () => {
    const loader = await Loader.withPort('express_style.js');
    try {
      await loader.waitListening();
      loader.proc.kill('SIGINT');
      const { code, signal } = await loader.waitExit();
      assert.equal(signal, null);
      assert.equal(code, 0, loader.describe());
    } finally {
      await loader.dispose();
    }
  });

  test('SIGTERM before the app listens: exit 0', async () => {
    const loader = new Loader('no_listen.js');
    try {
      await loader.waitForStderr('app: loaded, not listening');
      loader.proc.kill('SIGTERM');
      const { code, signal } = await loader.waitExit();
      assert.equal(signal, null);
      assert.equal(code, 0, loader.describe());
    } finally {
      await loader.dispose();
    }
  });

  test('an app with its own SIGTERM handler stays in charge of its shutdown', async () => {
    const loader = new Loader('own_sigterm.js');
    try {
      await loader.waitListening();
      loader.proc.kill('SIGTERM');
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
      assert.match(loader.stderr, /app: own cleanup done\n/);
    } finally {
      await loader.dispose();
    }
  });

  test('an uncaught exception after start takes Node\'s default course: stack and exit 1', async () => {
    const loader = new Loader('plain.js');
    try {
      await loader.waitListening();
      await request(loader.target, { path: '/crash' }).catch(() => {});
      const { code } = await loader.waitExit();
      assert.equal(code, 1, loader.describe());
      assert.match(loader.stderr, /Error: crash requested\n\s+at /);
      assert.ok(!fs.existsSync(loader.sockPath), 'socket file removed');
    } finally {
      await loader.dispose();
    }
  });
});

// --- simulated faults (CORRAL_APP_FAULTS) ------------------------------------------------------

/** The loader's documented generator (mulberry32), to predict its draws. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault log lines the loader must write for paths, given rules { name: p } and seed. */
function predictFaultLines(seed, rules, paths) {
  const random = mulberry32(seed);
  const lines = [];
  for (const p of paths) {
    const fired = new Set();
    for (const name of ['leak', 'hang', 'crash', 'garbage']) {   // the documented draw order
      if (name in rules && random() < rules[name]) fired.add(name);
    }
    if (fired.has('leak')) lines.push('corral-node: simulated fault: leaked memory (seed ' + seed + ')');
    if (fired.has('garbage')) lines.push('corral-node: simulated fault: garbage for ' + p + ' (seed ' + seed + ')');
  }
  return lines;
}

function faultLines(loader) {
  return loader.stdout.split('\n').filter((line) => line.includes('simulated fault: '));
}

function rawGet(urlPath) {
  return Buffer.from('GET ' + urlPath + ' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 'latin1');
}

/** A raw connection that sends bytes and collects whatever comes back until it closes. */
function rawConnect(target, bytes) {
  const conn = { data: Buffer.alloc(0), closed: false, error: null };
  const socket = net.connect(target.socketPath ? { path: target.socketPath } : target);
  conn.socket = socket;
  socket.on('connect', () => socket.write(bytes));
  socket.on('data', (d) => { conn.data = Buffer.concat([conn.data, d]); });
  socket.on('error', (e) => { conn.error = e; });
  conn.done = new Promise((resolve) => socket.on('close', () => { conn.closed = true; resolve(conn); }));
  return conn;
}

/** Waits for the connection to close, at most DEADLINE. */
async function closedWithin(conn, what) {
  await waitUntil(() => conn.closed, what + ' to close');
  return conn;
}

function vmRssKib(pid) {
  const line = fs.readFileSync('/proc/' + pid + '/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]);
}

describe('simulated faults (CORRAL_APP_FAULTS)', { concurrency: 4 }, () => {
  test('slow-start@<duration>: Corral\'s socket is bound that late, then the app answers', async () => {
    const started = Date.now();
    const loader = new Loader('plain.js', { env: { CORRAL_APP_FAULTS: 'slow-start@800ms', CORRAL_APP_FAULT_SEED: '1' } });
    try {
      await loader.waitForStdout('corral-node: simulating faults slow-start@800ms (seed 1)\n');
      await loader.waitListening();
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 800, 'listening after ' + elapsed + ' ms');
      assert.equal((await request(loader.target)).status, 200);
    } finally {
      await loader.dispose();
    }
  });

  test('hang:p: that request is never answered nor seen by the app; other connections are served', async () => {
    // a seed whose first draw hangs and whose second does not
    let seed = 1;
    while (!((r) => r() < 0.5 && r() >= 0.5)(mulberry32(seed))) seed++;
    const loader = new Loader('on_request.js', { env: { CORRAL_APP_FAULTS: 'hang:0.5', CORRAL_APP_FAULT_SEED: String(seed) } });
    try {
      await loader.waitListening();
      const hung = rawConnect(loader.target, rawGet('/stuck'));
      await loader.waitForStdout('corral-node: simulated fault: hanging on /stuck (seed ' + seed + ')\n');
      const other = await request(loader.target, { path: '/other' });
      assert.equal(other.body, 'on-request /other\n');
      await delay(300);   // a window in which an answer would have arrived
      assert.equal(hung.data.length, 0, 'nothing sent on the hung connection');
      assert.equal(hung.closed, false, 'the hung connection stays open');
      assert.doesNotMatch(loader.stderr, /app: request \/stuck/);
      hung.socket.destroy();
    } finally {
      await loader.dispose();
    }
  });

  test('crash:p: a head with Content-Length 1000, part of the body, then exit 13', async () => {
    const loader = new Loader('on_request.js', { env: { CORRAL_APP_FAULTS: 'crash:1', CORRAL_APP_FAULT_SEED: '5' } });
    try {
      await loader.waitListening();
      const conn = await closedWithin(rawConnect(loader.target, rawGet('/hello')), 'the crashing response');
      const text = conn.data.toString('latin1');
      const [head, body] = text.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\nContent-Length: 1000(\r\n|$)/i);
      assert.equal(body, 'the beginning of a response that never ends', 'truncated body');
      const { code, signal } = await loader.waitExit();
      assert.equal(signal, null);
      assert.equal(code, 13, loader.describe());
      assert.match(loader.stdout, /corral-node: simulated fault: crashing in the middle of \/hello \(seed 5\)\n/);
      assert.doesNotMatch(loader.stderr, /app: request/);
    } finally {
      await loader.dispose();
    }
  });

  test('leak:p@size: each request keeps that much memory resident, and is answered', async () => {
    const loader = new Loader('plain.js', { env: { CORRAL_APP_FAULTS: 'leak:1@32MB', CORRAL_APP_FAULT_SEED: '1' } });
    try {
      await loader.waitListening();
      const before = vmRssKib(loader.proc.pid);
      for (const p of ['/a', '/b']) {
        const res = await request(loader.target, { path: p });
        assert.equal(JSON.parse(res.body).url, p, 'answered by the app');
      }
      await waitUntil(() => faultLines(loader).length === 2, 'two leak lines');
      assert.deepEqual(faultLines(loader), Array(2).fill('corral-node: simulated fault: leaked memory (seed 1)'));
      const grown = vmRssKib(loader.proc.pid) - before;
      assert.ok(grown >= 60 * 1024, 'RSS grew by ' + grown + ' KiB, expected 2 x 32 MiB');
    } finally {
      await loader.dispose();
    }
  });

  for (const [entry, usePort] of [['plain.js', false], ['on_request.js', false], ['esm.mjs', false], ['plain.js', true]]) {
    test('garbage:p: ' + entry + (usePort ? ' on TCP' : '') + ' answers bytes that are not HTTP and closes', async () => {
      const options = { env: { CORRAL_APP_FAULTS: 'garbage:1', CORRAL_APP_FAULT_SEED: '1' } };
      const loader = usePort ? await Loader.withPort(entry, options) : new Loader(entry, options);
      try {
        await loader.waitListening();
        const conn = await closedWithin(rawConnect(loader.target, rawGet('/hello?x=1')), 'the garbage connection');
        assert.ok(conn.data.length > 0, 'some bytes came');
        assert.ok(!conn.data.toString('latin1').startsWith('HTTP/'), JSON.stringify(conn.data.toString('latin1')));
        assert.match(conn.data.toString('latin1'), /not HTTP/);
        await loader.waitForStdout('corral-node: simulated fault: garbage for /hello (seed 1)\n');
        assert.doesNotMatch(loader.stderr, /app: request/);
        assert.equal(loader.exit, null, 'the process lives on');
      } finally {
        await loader.dispose();
      }
    });
  }

  test('a malformed part or seed: the reason, exit 2, the app never loaded', async () => {
    for (const part of ['hang', 'hang:x', 'hang:1.5', 'garbage:-1', 'crash:0.1@5s', 'leak:0.1@20XB',
      'leak:0.1@', 'slow-start@soon', 'slow-start@40000m', 'slow-start:1s', 'explode:0.1']) {
      const loader = new Loader('on_request.js', { env: { CORRAL_APP_FAULTS: 'leak:0.1,' + part } });
      try {
        const { code } = await loader.waitExit();
        assert.equal(code, 2, loader.describe());
        assert.equal(loader.stderr, "corral-node: bad CORRAL_APP_FAULTS part '" + part + "'\n");
        assert.equal(loader.stdout, '', 'nothing on stdout');
        assert.ok(!fs.existsSync(loader.sockPath), 'nothing bound');
      } finally {
        await loader.dispose();
      }
    }
    const loader = new Loader('on_request.js', { env: { CORRAL_APP_FAULTS: 'hang:0.1', CORRAL_APP_FAULT_SEED: 'x7' } });
    try {
      const { code } = await loader.waitExit();
      assert.equal(code, 2, loader.describe());
      assert.equal(loader.stderr, "corral-node: CORRAL_APP_FAULT_SEED must be an integer, was 'x7'\n");
      assert.equal(loader.stdout, '', 'nothing on stdout');
    } finally {
      await loader.dispose();
    }
  });

  test('the same seed replays the same faults, in the documented draw order, whatever the spec order', async () => {
    const seed = 42;
    const paths = Array.from({ length: 16 }, (_, i) => '/r' + i);
    const expected = predictFaultLines(seed, { leak: 0.5, garbage: 0.5 }, paths);
    assert.ok(expected.some((l) => l.includes('garbage')) && expected.some((l) => l.includes('leaked')) &&
              expected.filter((l) => l.includes('garbage')).length < paths.length, 'the seed exercises both ways');
    let first = null;
    for (const spec of ['leak:0.5@1KB,garbage:0.5', 'garbage:0.5, leak:0.5@1KB']) {
      const loader = new Loader('plain.js', { env: { CORRAL_APP_FAULTS: spec, CORRAL_APP_FAULT_SEED: String(seed) } });
      try {
        await loader.waitListening();
        const outcomes = [];
        for (const p of paths) {
          const conn = await closedWithin(rawConnect(loader.target, rawGet(p)), p);
          outcomes.push(conn.data.toString('latin1').startsWith('HTTP/1.1 200 ') ? 'ok' : 'garbage');
        }
        await waitUntil(() => faultLines(loader).length >= expected.length, expected.length + ' fault lines');
        assert.deepEqual(faultLines(loader), expected, spec);
        const garbled = expected.filter((l) => l.includes('garbage')).map((l) => l.split(' ')[5]);
        assert.deepEqual(outcomes, paths.map((p) => (garbled.includes(p) ? 'garbage' : 'ok')), spec);
        if (first === null) first = outcomes;
        else assert.deepEqual(outcomes, first);
      } finally {
        await loader.dispose();
      }
    }
  });
});

describe('the loader directory as RunDir copies it', () => {
  /** The files that FILES lists (RunDir copies the directory by it: a jar's resources cannot be listed). */
  function listed() {
    return fs.readFileSync(path.join(LOADER, 'FILES'), 'utf8').split('\n').map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
  }

  test('FILES lists every file of the directory', () => {
    const found = fs.readdirSync(LOADER, { recursive: true })
        .filter((f) => fs.statSync(path.join(LOADER, f)).isFile() && f !== 'FILES');
    assert.deepEqual(listed().sort(), found.sort());
  });

  test('the listed files alone run an app, as CommonJS even under a package.json of "type": "module"', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-pkg-'));
    const copy = path.join(root, 'lib', 'corral-node');
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const file of listed()) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(LOADER, file), path.join(copy, file));
    }
    const loader = new Loader('plain.js', { loader: copy });
    try {
      await loader.waitListening();
      const res = await request(loader.target, { path: '/hello' });
      assert.equal(res.status, 200, loader.describe());
      loader.proc.kill('SIGTERM');
      const { code } = await loader.waitExit();
      assert.equal(code, 0, loader.describe());
      assert.equal(loader.stderr, '', 'a clean run writes nothing to stderr');
    } finally {
      await loader.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
