'use strict';
// listen() is called, then the top level throws: nothing may ever accept a connection.
const http = require('http');

http.createServer((req, res) => res.end('never\n')).listen(3000);
throw new Error('boom at top level');
