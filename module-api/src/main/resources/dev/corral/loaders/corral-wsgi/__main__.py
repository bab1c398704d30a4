"""Runs the Corral WSGI loader (the package corral_wsgi next to this file):

    CORRAL_SOCKET=/path/app.sock python3 -u <this directory> module[:callable]

See corral_wsgi/__init__.py for the environment and the protocol with the engine.
"""

import sys

from corral_wsgi.main import exit_now, main

if __name__ == "__main__":
    exit_now(main(sys.argv))
