'use strict';
// Two HTTP servers: the first gets Corral's socket, the second listens where it asked.
const http = require('http');

http.createServer((req, res) => res.end('first\n')).listen(3000);
const second = http.createServer((req, res) => res.end('second\n'));
second.listen(0, '127.0.0.1', () => {
  process.stderr.write('app: second server on port ' + second.address().port + '\n');
});
