// The benchmark app for Node (Node's standard library only), the twin of bench/app.py: the soak
// (bench/run --soak) serves it beside app.py through Corral's bundled Node loader, which moves
// its listen() to the process's socket. Under a pathPrefix the loader passes the whole path, so
// the prefix (CORRAL_SCRIPT_NAME) is cut off here.
//
//     /hello          a tiny response (14 bytes)
//     /sleep?ms=N     waits N ms (without blocking the process), then a tiny response
//     /big?kb=N       N KiB of body with a Content-Length, written in 64 KiB pieces
//     /upload         reads the whole request body and says how many bytes it got
//     /crash          the process exits in the middle of the request, before any response byte
//     anything else   404
'use strict';
const http = require('http');

const HELLO = 'Hello, world!\n';
const PIECE = 64 * 1024;
const BLOCK = Buffer.alloc(PIECE, 'x');
const PREFIX = process.env.CORRAL_SCRIPT_NAME || '';

function intParam(query, name, otherwise) {
  const value = new URLSearchParams(query).get(name);
  const n = value === null ? NaN : parseInt(value, 10);
  return Number.isNaN(n) ? otherwise : Math.max(0, n);
}

function text(res, status, body) {
  res.writeHead(status, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body)});
  res.end(body);
}

function big(res, total) {
  res.writeHead(200, {'Content-Type': 'application/octet-stream', 'Content-Length': total});
  let left = total;
  const write = () => {
    while (left > 0) {
      const n = Math.min(PIECE, left);
      left -= n;
      if (!res.write(n === PIECE ? BLOCK : BLOCK.subarray(0, n))) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

const server = http.createServer((req, res) => {
  const [rawPath, query = ''] = req.url.split('?', 2);
  const path = PREFIX && rawPath.startsWith(PREFIX) ? rawPath.slice(PREFIX.length) || '/' : rawPath;
  if (path === '/hello') {
    text(res, 200, HELLO);
  } else if (path === '/sleep') {
    const ms = intParam(query, 'ms', 0);
    setTimeout(() => text(res, 200, 'slept ' + ms + ' ms\n'), ms);
  } else if (path === '/big') {
    big(res, intParam(query, 'kb', 1024) * 1024);
  } else if (path === '/upload') {
    let received = 0;
    req.on('data', (chunk) => { received += chunk.length; });
    req.on('end', () => text(res, 200, 'received ' + received + ' bytes\n'));
  } else if (path === '/crash') {
    process.exit(3);
  } else {
    text(res, 404, 'not found\n');
  }
});
server.listen(process.env.PORT || 3000);
