"""The benchmark app: a stdlib-only WSGI callable, served in every system measured by the same
server code, Corral's bundled loader (module-api/src/main/resources/dev/corral/loaders/
corral-wsgi/), one request at a time per process.

    /hello          a tiny response (14 bytes)
    /sleep?ms=N     sleeps N ms, then a tiny response
    /big?kb=N       N KiB of body with a Content-Length, streamed in 64 KiB pieces
    /upload         reads the whole request body and says how many bytes it got
    /crash          the process exits in the middle of the request, before any response byte
    /events?n=N&ms=M  server-sent events: N events M ms apart, each `data: <time.time_ns()>`,
                    without a Content-Length (chunked), with X-Accel-Buffering: no (as SSE apps
                    send it behind nginx)
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


def _events(count, interval_ms):
    for i in range(count):
        if i:
            time.sleep(interval_ms / 1000.0)
        yield b"data: %d\n\n" % time.time_ns()


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
    if path == "/events":
        start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
                                  ("X-Accel-Buffering", "no")])
        return _events(_int_param(environ, "n", 10), _int_param(environ, "ms", 50))
    if path == "/crash":
        os._exit(3)
    start_response("404 Not Found", TEXT + [("Content-Length", "10")])
    return [b"not found\n"]
