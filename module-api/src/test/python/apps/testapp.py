"""WSGI test app for test_wsgi_loader.py: one callable, behaviour chosen by the path."""

import hashlib
import json
import os
import sys
import time
from urllib.parse import parse_qs


def _query(environ):
    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _wait_for_file(path, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for " + path)
        time.sleep(0.01)


class Closing(object):
    """An iterable whose close() leaves a marker file."""

    def __init__(self, items, marker):
        self.items = items
        self.marker = marker

    def __iter__(self):
        return iter(self.items)

    def close(self):
        with open(self.marker, "w") as f:
            f.write("closed")


def application(environ, start_response):
    path = environ["PATH_INFO"]
    q = _query(environ)
    text = [("Content-Type", "text/plain")]

    if path == "/hello":
        start_response("200 OK", text)
        return [b"Hello, world!\n"]

    if path == "/pid":
        start_response("200 OK", text)
        return [str(os.getpid()).encode()]

    if path == "/echo":
        # reads the whole body, answers its length and sha256
        mode = q.get("mode", "read")
        inp = environ["wsgi.input"]
        if mode == "read":
            body = inp.read()
        elif mode == "read-all":
            body = inp.read(-1)
        elif mode == "sized":
            parts = []
            while True:
                part = inp.read(int(q.get("size", "1000")))
                if not part:
                    break
                parts.append(part)
            body = b"".join(parts)
        elif mode == "lines":
            body = b"".join(inp)
        elif mode == "readline":
            parts = []
            while True:
                line = inp.readline(int(q.get("limit", "-1")))
                if not line:
                    break
                parts.append(line)
            body = b"".join(parts)
        else:
            body = b"".join(inp.readlines())
        digest = hashlib.sha256(body).hexdigest()
        start_response("200 OK", text + [("X-Body-Length", str(len(body)))])
        return [("%d %s" % (len(body), digest)).encode()]

    if path == "/ignore-body":
        start_response("200 OK", text)
        return [b"ignored"]

    if path.startswith("/environ"):
        out = {}
        for k, v in environ.items():
            if isinstance(v, (str, int, bool, tuple)):
                out[k] = v
        out["wsgi.errors_is_stderr"] = environ["wsgi.errors"] is sys.stderr
        out["has_input_read"] = hasattr(environ["wsgi.input"], "read")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(out).encode()]

    if path == "/stream":
        # a generator: the loader must send it chunked, as produced
        n = int(q.get("n", "3"))
        size = int(q.get("size", "10"))
        start_response("200 OK", text)

        def gen():
            for i in range(n):
                yield (b"%d" % (i % 10)) * size
        return gen()

    if path == "/stream-wait":
        # yields one part, then waits until the test has seen it (a file appears)
        flag = q["flag"]
        start_response("200 OK", text)

        def gen():
            yield b"first;"
            _wait_for_file(flag)
            yield b"second"
        return gen()

    if path == "/big":
        mib = int(q.get("mib", "200"))
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        block = b"x" * (1024 * 1024)

        def gen():
            for _ in range(mib):
                yield block
        return gen()

    if path == "/length":
        # Content-Length given by the app, body in several pieces
        start_response("200 OK", text + [("Content-Length", "15")])
        return iter([b"abcde", b"fghij", b"", b"klmno"])

    if path == "/too-long":
        start_response("200 OK", text + [("Content-Length", "5")])
        return iter([b"12345", b"6789"])

    if path == "/hop-by-hop":
        start_response("200 OK", text + [("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                                         ("Transfer-Encoding", "gzip")])
        return iter([b"hop"])

    if path == "/app-close":
        start_response("200 OK", text + [("Connection", "close")])
        return [b"bye"]

    if path == "/write":
        write = start_response("200 OK", text)
        write(b"written;")
        return iter([b"iterated"])

    if path == "/nocontent":
        start_response("204 No Content", [])
        return [b""]

    if path == "/boom":
        raise RuntimeError("boom before headers")

    if path == "/boom-gen":
        start_response("200 OK", text)

        def gen():
            raise RuntimeError("boom in the first item")
            yield b""  # noqa
        return gen()

    if path == "/boom-mid":
        start_response("200 OK", text)

        def gen():
            yield b"partial;"
            raise RuntimeError("boom in the middle")
        return gen()

    if path == "/exc-info":
        start_response("200 OK", text)
        try:
            raise ValueError("changed my mind")
        except ValueError:
            start_response("503 Service Unavailable", text, sys.exc_info())
        return [b"replaced"]

    if path == "/close":
        start_response("200 OK", text)
        return Closing([b"a", b"b"], q["marker"])

    if path == "/file":
        fname = q["name"]
        f = open(fname, "rb")
        size = os.path.getsize(fname)
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(size))])
        return environ["wsgi.file_wrapper"](f, 8192)

    if path == "/slow":
        # tells the test it has started, then waits for its go
        with open(q["started"], "w") as f:
            f.write("started")
        _wait_for_file(q["go"])
        start_response("200 OK", text)
        return [b"finished"]

    start_response("404 Not Found", text)
    return [b"not found: " + path.encode("latin-1")]


nested = type("Nested", (), {"app": staticmethod(application)})
not_callable = 42
