"""A 'generic' Corral test app: a threaded HTTP server on $CORRAL_SOCKET (or $PORT) that records
how many requests it is serving at once, so tests can see what Corral sends it, and that can
answer with any bytes (invalid HTTP, a cut response, an event stream)."""
import os
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

lock = threading.Lock()
state = {"inflight": 0, "max": 0, "connections": 0}

# Answers that break HTTP's framing or head (/bad/<name>; extra-bytes is a valid answer followed
# by what looks like a second one, and the chunk size 10000000000000005 wraps around to 5 in 64
# bits): after one, the server keeps the connection open and reads on, so a proxy that sent
# another request on it would get it answered there (/conn tells which connection answered).
# The connection numbers of these answers go to TESTAPP_STATE_DIR/bad-connections.log.
BAD_ANSWERS = {
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
    "length-and-chunked": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n0\r\n\r\n",
    "chunked-and-length": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                          b"5\r\nhello\r\n0\r\n\r\n",
    "bad-status-line": b"HTTP/1.1 2OO OK\r\nContent-Length: 5\r\n\r\nhello",
    "space-in-header-name": b"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 5\r\n\r\nhello",
    "bare-cr": b"HTTP/1.1 200 OK\r\nX-Bad: a\rContent-Length: 7\r\nContent-Length: 5\r\n\r\nhello",
    "chunk-size-overflow": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"10000000000000005\r\nhello\r\n0\r\n\r\n",
    "switching-protocols": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    "extra-bytes": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                   b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED",
    "chunk-size-overflow-later": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"5\r\nhello\r\n10000000000000005\r\nworld\r\n0\r\n\r\n",
    "unknown-transfer-coding": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\nhello",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "corral"

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        with lock:
            state["connections"] += 1
            self.connection_number = state["connections"]

    def _send(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        record_dir = os.environ.get("TESTAPP_STATE_DIR")
        if record_dir:
            with open(os.path.join(record_dir, "requests-%d.log" % os.getpid()), "a") as log:
                log.write("%.3f %s\n" % (time.time(), url.path))
        if url.path.endswith("/health"):
            sick = os.path.exists("UNHEALTHY-%d" % os.getpid())
            self._send(500 if sick else 200, b"sick" if sick else b"ok")
            return
        if url.path.endswith("/conn"):
            self._send(200, str(self.connection_number).encode())
            return
        if url.path.startswith("/bad/"):
            if record_dir:
                with open(os.path.join(record_dir, "bad-connections.log"), "a") as log:
                    log.write("%d\n" % self.connection_number)
            self.wfile.write(BAD_ANSWERS[url.path[len("/bad/"):]])
            self.wfile.flush()
            return
        if url.path.endswith("/max"):
            self._send(200, str(state["max"]).encode())
            return
        if url.path.endswith("/garbage"):
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.close_connection = True
            return
        if url.path.endswith("/truncated"):
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a few bytes")
            self.wfile.flush()
            os._exit(4)
        if url.path.endswith("/stream"):
            # a chunked stream that pauses after its first chunk until the test says go on (a
            # file "release-stream" in TESTAPP_STATE_DIR), at most 30 s
            self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            self.wfile.flush()
            release = os.path.join(os.environ.get("TESTAPP_STATE_DIR", "."), "release-stream")
            deadline = time.time() + 30
            while not os.path.exists(release) and time.time() < deadline:
                time.sleep(0.01)
            self.wfile.write(b"4\r\nlast\r\n0\r\n\r\n")
            self.wfile.flush()
            return
        if url.path.endswith("/truncated-large"):
            # past Corral's 16 KiB hold-back: these bytes go on to the client before the cut
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 65536)
            self.wfile.flush()
            os._exit(4)
        with lock:
            state["inflight"] += 1
            if state["inflight"] > state["max"]:
                state["max"] = state["inflight"]
                record_dir = os.environ.get("TESTAPP_STATE_DIR")
                if record_dir:
                    with open(os.path.join(record_dir, "max-%d" % os.getpid()), "w") as f:
                        f.write(str(state["max"]))
        try:
            time.sleep(int(query.get("ms", ["50"])[0]) / 1000.0)
        finally:
            with lock:
                state["inflight"] -= 1
        self._send(200, str(os.getpid()).encode())


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if os.environ.get("TESTAPP_NEVER_LISTEN"):
        sys.stderr.write("testapp: not listening on purpose\n")
        sys.stderr.flush()
        sys.stdin.read()
        return
    path = os.environ.get("CORRAL_SOCKET")
    if path:
        if os.path.exists(path):
            os.unlink(path)
        server = UnixServer(path, Handler)
    else:
        server = TcpServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    exit_after = os.environ.get("TESTAPP_EXIT_AFTER_MS")
    if exit_after:
        threading.Timer(int(exit_after) / 1000.0, lambda: os._exit(5)).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
