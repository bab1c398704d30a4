// An ES module app; listen({port}) with an options object.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const isMain = import.meta.url === pathToFileURL(process.argv[1]).href;
const server = http.createServer((req, res) => {
  res.end(JSON.stringify({ app: 'esm.mjs', isMain }));
});
await Promise.resolve();   // top-level await
server.listen({ port: 3000, host: 'localhost' });
