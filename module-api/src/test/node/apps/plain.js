'use strict';
// An ordinary app: listens on port 3000, as it would without Corral.
const http = require('http');

let connections = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/crash') {
    setImmediate(() => { throw new Error('crash requested'); });
    res.end('crashing\n');
    return;
  }
  if (req.url === '/close') {   // the app shuts its own server down
    res.setHeader('Connection', 'close');
    res.end('closing\n');
    server.close();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({
    app: 'plain',
    url: req.url,
    connection: req.socket.connectionId,
    isMain: require.main === module,
    argv1: process.argv[1],
    args: process.argv.slice(2),
    corralApp: process.env.CORRAL_APP,
    address: server.address(),
  }));
});
server.on('connection', (socket) => { socket.connectionId = ++connections; });
if (process.env.TEST_KEEP_ALIVE_MS) server.keepAliveTimeout = Number(process.env.TEST_KEEP_ALIVE_MS);

if (require.main === module) {
  server.listen(3000);
}
