// A .js file under "type": "module"; awaits its own listen at the top level (like fastify).
import http from 'node:http';

const server = http.createServer((req, res) => res.end(JSON.stringify({ app: 'esm-pkg' })));
await new Promise((resolve) => server.listen(4000, resolve));
process.stderr.write('app: esm-pkg top level done\n');
