// A Node test app that knows nothing of Corral: it listens on port 3000 like any app would,
// and Corral's bundled loader redirects that to the process's socket.
// TESTAPP_KEEPALIVE_MS: closes a keep-alive connection idle that long (Node's own default: 5 s),
// and says so on stdout with the last request it carried.
const http = require('http');
const server = http.createServer((req, res) => {
  req.socket.lastUrl = req.url;
  const body = 'hello from node ' + (process.env.CORRAL_APP || '?') + ' pid ' + process.pid + ' ' + req.url + '\n';
  res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'X-Pid': String(process.pid)});
  res.end(body);
});
if (process.env.TESTAPP_KEEPALIVE_MS) {
  server.keepAliveTimeout = Number(process.env.TESTAPP_KEEPALIVE_MS);
  server.on('connection', (socket) => socket.on('close', () => console.log('testapp: closed an idle connection after ' + socket.lastUrl)));
}
server.listen(3000);
