import http from 'node:http';

http.createServer((req, res) => res.end('never\n')).listen(3000);
throw new TypeError('esm boom');
