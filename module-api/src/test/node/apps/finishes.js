'use strict';
// Does its work and ends without ever listening: the loader must not keep it alive.
process.stderr.write('app: finished\n');
