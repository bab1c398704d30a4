'use strict';
// Handles SIGTERM itself: closes its server, cleans up, and lets the process end.
const http = require('http');

const server = http.createServer((req, res) => res.end('own\n')).listen(3000);
process.on('SIGTERM', () => {
  server.close(() => {
    process.stderr.write('app: own cleanup done\n');
    process.exitCode = 0;
  });
});
