'use strict';
// The handler comes through server.on('request'), added after listen(); each request is logged.
const http = require('http');

const server = http.createServer();
server.listen(3000);
server.on('request', (req, res) => {
  process.stderr.write('app: request ' + req.url + '\n');
  res.end('on-request ' + req.url + '\n');
});
