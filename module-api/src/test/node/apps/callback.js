'use strict';
// listen() with only a callback; the 'listening' event is used too.
const http = require('http');

const server = http.createServer((req, res) => res.end('callback app\n'));
let events = 0;
server.on('listening', () => { events++; });
let calls = 0;
server.listen(() => {
  calls++;
  // Runs after the loader's own listening handler; report what the app sees (on stdout, after
  // the loader's listening line).
  process.stdout.write('app: callback ' + calls + ' listening=' + server.listening +
                       ' events=' + events + ' address=' + JSON.stringify(server.address()) + '\n');
});
