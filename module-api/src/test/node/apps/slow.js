'use strict';
// /slow streams a response that finishes only once the test creates the release file
// (process.env.TEST_RELEASE_FILE); /slow?late=1 sends nothing, headers included, until then.
const fs = require('fs');
const http = require('http');

function whenReleased(done) {
  const timer = setInterval(() => {
    if (fs.existsSync(process.env.TEST_RELEASE_FILE)) {
      clearInterval(timer);
      done();
    }
  }, 10);
}

http.createServer((req, res) => {
  if (req.url.startsWith('/slow')) {
    process.stderr.write('app: request ' + req.url + '\n');
    const late = req.url.includes('late=1');
    if (!late) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first part\n');
    }
    whenReleased(() => {
      if (late) res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('last part\n');
    });
    return;
  }
  res.end('fast\n');
}).listen(3000);
