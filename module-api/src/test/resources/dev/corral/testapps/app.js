// A Node test app that knows nothing of Corral: it listens on port 3000 like any app would,
// and Corral's bundled loader redirects that to the process's socket.
const http = require('http');
http.createServer((req, res) => {
  const body = 'hello from node ' + (process.env.CORRAL_APP || '?') + ' pid ' + process.pid + ' ' + req.url + '\n';
  res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'X-Pid': String(process.pid)});
  res.end(body);
}).listen(3000);
