'use strict';
const http = require('http');
http.createServer((req, res) => res.end('never\n')).listen(3000);
require('corral-test-no-such-module');
