'use strict';
// Writes 2 MiB to stdout (far more than a pipe holds), then fails to load: the loader's exit must
// not drop what is still queued, neither this output nor its own "cannot load" line.
process.stdout.write(('x'.repeat(1023) + '\n').repeat(2048));
throw new Error('boom after a lot of output');
