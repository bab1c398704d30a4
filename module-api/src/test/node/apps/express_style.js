'use strict';
// Shaped like express: app is a request handler with a listen() that creates the server.
const http = require('http');

function miniExpress() {
  const app = (req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('express-style ' + req.method + ' ' + req.url + '\n');
  };
  app.listen = function listen() {
    const server = http.createServer(this);
    return server.listen.apply(server, arguments);
  };
  return app;
}

const app = miniExpress();
const server = app.listen(8080, '0.0.0.0', () => {
  process.stderr.write('app: express-style ready, returned server=' +
                       (server instanceof http.Server) + '\n');
});
