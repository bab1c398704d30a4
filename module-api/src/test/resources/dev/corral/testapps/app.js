// A Node test app that knows nothing of Corral: it listens on port 3000 like any app would,
// and Corral's bundled loader redirects that to the process's socket.
// TESTAPP_KEEPALIVE_MS: closes a keep-alive connection idle that long (Node's own default: 5 s),
// and says so on stdout with the last request it carried.
// It also serves WebSockets, hand-rolled on the 'upgrade' event (no npm package): every message
// is echoed back as it came (same opcode and FIN), except the text 'pid', answered 'pid <pid>';
// pings get pongs, a close frame gets the same one back and the socket ends, with a line on
// stdout. GET /ws-open answers how many WebSockets are open.
const http = require('http');
const crypto = require('crypto');
let openSockets = 0;
const server = http.createServer((req, res) => {
  req.socket.lastUrl = req.url;
  const body = req.url === '/ws-open' ? String(openSockets)
    : 'hello from node ' + (process.env.CORRAL_APP || '?') + ' pid ' + process.pid + ' ' + req.url + '\n';
  res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'X-Pid': String(process.pid)});
  res.end(body);
});
if (process.env.TESTAPP_KEEPALIVE_MS) {
  server.keepAliveTimeout = Number(process.env.TESTAPP_KEEPALIVE_MS);
  server.on('connection', (socket) => socket.on('close', () => console.log('testapp: closed an idle connection after ' + socket.lastUrl)));
}
server.listen(3000);

server.on('upgrade', (req, socket, head) => {
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Accept: ' + accept + '\r\nX-Pid: ' + process.pid + '\r\n\r\n');
  openSockets++;
  let pending = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
  let closed = false;
  const send = (first, payload) => {
    const length = payload.length;
    const header = length < 126 ? Buffer.from([first, length])
      : length < 65536 ? Buffer.from([first, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([first, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
    socket.write(Buffer.concat([header, payload]));
  };
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (!closed && pending.length >= 2) {
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
      const opcode = first & 0x0f;
      if (opcode === 0x8) {
        closed = true;
        const code = length >= 2 ? payload.readUInt16BE(0) : 1005;
        console.log('testapp: websocket ' + req.url + ' closed by the peer with ' + code);
        send(0x88, payload);
        socket.end();
      } else if (opcode === 0x9) {
        send(0x8a, payload);
      } else if (opcode === 0x1 && payload.toString() === 'pid') {
        send(0x81, Buffer.from('pid ' + process.pid));
      } else if (opcode !== 0xa) {
        send(first, payload);
      }
    }
  });
  socket.on('error', () => {});
  socket.on('end', () => socket.end());   // the peer closed: so do we (Node's HTTP sockets allow half-open ones)
  socket.on('close', () => {
    openSockets--;
    if (!closed) console.log('testapp: websocket ' + req.url + ' ended without a close frame');
  });
});
