"""The benchmark app: a stdlib-only WSGI callable, served in every system measured by the same
server code, Corral's bundled loader (module-api/src/main/resources/dev/corral/loaders/
corral-wsgi/), one request at a time per process.

    /hello          a tiny response (14 bytes)
    /sleep?ms=N     sleeps N ms, then a tiny response
    /big?kb=N       N KiB of body with a Content-Length, streamed in 64 KiB pieces
    /upload         reads the whole request body and says how many bytes it got
    /crash          the process exits in the middle of the request, before any response byte
    anything else   404
"""

import os
import time

HELLO = b"Hello, world!\n"
PIECE = 64 * 1024
BLOCK = b"x" * PIECE
TEXT = [("Content-Type", "text/plain")]


def _int_param(environ, name, default):
    for pair in environ.get("QUERY_STRING", "").split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            try:
                return max(0, int(value))
            except ValueError:
                return default
    return default


def _big(total):
    full, rest = divmod(total, PIECE)
    for _ in range(full):
        yield BLOCK
    if rest:
        yield BLOCK[:rest]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/hello":
        start_response("200 OK", TEXT + [("Content-Length", str(len(HELLO)))])
        return [HELLO]
    if path == "/sleep":
        ms = _int_param(environ, "ms", 0)
        time.sleep(ms / 1000.0)
        body = b"slept %d ms\n" % ms
        start_response("200 OK", TEXT + [("Content-Length", str(len(body)))])
        return [body]
    if path == "/big":
        total = _int_param(environ, "kb", 1024) * 1024
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(total))])
        return _big(total)
    if path == "/upload":
        stream = environ["wsgi.input"]
        received = 0
        while True:
            chunk = stream.read(PIECE)
            if not chunk:
                break
            received += len(chunk)
        body = b"received %d bytes\n" % received
        start_response("200 OK", TEXT + [("Content-Length", str(len(body)))])
        return [body]
    if path == "/crash":
        os._exit(3)
    start_response("404 Not Found", TEXT + [("Content-Length", "10")])
    return [b"not found\n"]
