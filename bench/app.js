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
//
// and a WebSocket echo on any path (bench/run's websocket-echo): each message comes back as it
// came, frame by frame; a close frame is answered and the socket ends. Hand-rolled on the
// server's 'upgrade' event, as an app with the ws package would do it.
'use strict';
const crypto = require('crypto');
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
server.on('upgrade', (req, socket, head) => {
  const key = req.headers['sec-websocket-key'];
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !key) {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.setNoDelay(true);
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let pending = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      let length = pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (pending[1] & 0x80) !== 0;
      const maskAt = offset;
      if (masked) offset += 4;
      if (pending.length < offset + length) return;
      const payload = Buffer.from(pending.subarray(offset, offset + length));
      if (masked) {
        for (let i = 0; i < length; i++) payload[i] ^= pending[maskAt + (i & 3)];
      }
      const first = pending[0];
      pending = pending.subarray(offset + length);
      const header = length < 126 ? Buffer.from([first, length])
        : length < 65536 ? Buffer.from([first, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([first, 127]), Buffer.from(BigInt(length).toString(16).padStart(16, '0'), 'hex')]);
      socket.write(Buffer.concat([header, payload]));
      if ((first & 0x0f) === 0x8) {
        socket.end();
        return;
      }
    }
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
});
server.listen(process.env.PORT || 3000);
