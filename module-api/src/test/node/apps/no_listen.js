'use strict';
// Never listens; stays alive until stdin closes or a signal arrives.
process.stderr.write('app: loaded, not listening\n');
setInterval(() => {}, 1000);
