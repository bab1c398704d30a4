#!/usr/bin/env python3
"""The slow readers of bench/run's slow-readers scenario: clients on a slow link, each reading a
large response at a fixed rate, so that whatever serves them must either hold what they have not
taken yet (response buffering) or keep an app process waiting for them.

    slowreaders.py --port P [--host 127.0.0.1] [--path '/big?kb=2048'] [--readers 32]
                   [--rate 204800] [--rcvbuf 16384] [--chunk 8192] [--ramp S] [--duration S]
                   [--timeout S]

Each reader, a thread of its own, sends GET PATH (HTTP/1.1, keep-alive; a new connection when
the server closed the last one) and reads the answer at most --rate bytes/s (a token bucket from
the answer's first byte, --chunk bytes at a time), through a socket whose receive buffer is set
to --rcvbuf before it connects (Linux doubles it: the kernel on the client's side can absorb
only that much of the answer; the server's send buffer takes some more), then sends its next
request at once: every reader runs throughout, one request after another.

The readers start --ramp seconds apart in all (evenly spread, so that their requests do not come
in bursts; a ramp as long as one answer takes spreads them over its whole time). Once the last
has started, "slowreaders: ramped" goes to stderr; the readers go on for --duration seconds (or
until SIGTERM or SIGINT), then stop where they are (an answer in the middle is cut: counted as
cut, not as an error). Then one JSON line on stdout:

    readers, rate, rcvbuf_effective, window_s       the setup; window_s: from "ramped" to the stop
    window_bytes, window_bps                        body bytes all readers read in the window, and per second
    reader_bps {min, p50, max}                      each reader's body bytes in the window per second
    responses {complete, cut, failed, bytes}        answers read whole (status 200, the full length),
                                                    cut by the stop, failed (status, length, error)
    complete {bps, total_s, ttfb_ms}                over the complete answers: body bytes per second
                                                    from the first byte to the last, the whole time
                                                    from the request's send, the time to the first
                                                    byte: {min, p50, p90, max} each
    statuses {code: n}, errors {kind: n}

Every wait is bounded (--timeout on every connect, send and receive); the main thread gives the
readers 2 s to stop, then reports and exits. Stdlib only; loopback or any host:port.
"""

import argparse
import json
import signal
import socket
import sys
import threading
import time


def percentiles(values, points=(0, 50, 90, 100)):
    values = sorted(values)
    if not values:
        return None
    out = {}
    for p in points:
        name = {0: "min", 100: "max"}.get(p, "p%d" % p)
        index = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
        out[name] = values[index]
    return out


class Stop(Exception):
    pass


class Reader(threading.Thread):
    def __init__(self, index, args, stop, window):
        super().__init__(name="reader-%d" % index, daemon=True)
        self.args = args
        self.stop = stop
        self.window = window          # [start, end] in monotonic seconds, set by the main thread
        self.sock = None
        self.buffer = b""
        self.window_bytes = 0
        self.complete = []            # (body bytes, first byte - send, last byte - first byte, last - send)
        self.cut = 0
        self.failed = 0
        self.statuses = {}
        self.errors = {}
        self.rcvbuf = None
        self.request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: corral-bench-slowreader\r\n"
                        "Accept: */*\r\n\r\n" % (args.path, args.host, args.port)).encode("ascii")

    # ------------------------------------------------------------------ the paced socket

    def connect(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # before connect: the window the client advertises, and its scale, come from it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.args.rcvbuf)
        if self.args.mss:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, self.args.mss)
        sock.settimeout(self.args.timeout)
        sock.connect((self.args.host, self.args.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rcvbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        self.sock = sock
        self.buffer = b""

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buffer = b""

    def recv(self, limit):
        """Up to limit bytes (from what is buffered first); b"" when the server closed."""
        if self.stop.is_set():
            raise Stop()
        if self.buffer:
            data, self.buffer = self.buffer[:limit], self.buffer[limit:]
            return data
        return self.sock.recv(limit)

    def pace(self, first, taken):
        """Sleeps until taken bytes are within the rate since first (monotonic seconds)."""
        due = first + taken / float(self.args.rate)
        while True:
            if self.stop.is_set():
                raise Stop()
            wait = due - time.monotonic()
            if wait <= 0:
                return
            self.stop.wait(min(wait, 0.25))

    def count_window(self, n):
        start, end = self.window
        now = time.monotonic()
        if start is not None and now >= start and (end is None or now <= end):
            self.window_bytes += n

    # ------------------------------------------------------------------ one exchange

    def exchange(self):
        """Sends one request and reads its answer, paced; returns whether the connection may be reused."""
        sent = time.monotonic()
        self.sock.sendall(self.request)
        head = b""
        first = None
        taken = 0
        while b"\r\n\r\n" not in head:
            if first is not None:
                self.pace(first, taken)
            data = self.recv(self.args.chunk)
            if not data:
                raise ConnectionError("closed before the head" if not head else "closed in the head")
            if first is None:
                first = time.monotonic()
            taken += len(data)
            head += data
            if len(head) > 65536:
                raise ValueError("head too long")
        head, _, rest = head.partition(b"\r\n\r\n")
        self.buffer = rest + self.buffer
        taken -= len(rest)   # the body bytes already here are counted as they are taken below
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "?"
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.statuses[status] = self.statuses.get(status, 0) + 1
        keep = headers.get("connection", "").lower() != "close" and lines[0].startswith("HTTP/1.1")
        body = 0
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body, taken = self.read_chunked(first, taken)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            while body < length:
                self.pace(first, taken)
                data = self.recv(min(self.args.chunk, length - body))
                if not data:
                    raise ConnectionError("closed after %d of %d body bytes" % (body, length))
                body += len(data)
                taken += len(data)
                self.count_window(len(data))
        else:
            keep = False
            while True:
                self.pace(first, taken)
                data = self.recv(self.args.chunk)
                if not data:
                    break
                body += len(data)
                taken += len(data)
                self.count_window(len(data))
        last = time.monotonic()
        if status == "200" and body >= self.args.expect:
            self.complete.append((body, first - sent, last - first, last - sent))
        else:
            self.failed += 1
            self.errors["status %s, %d bytes" % (status, body)] = \
                self.errors.get("status %s, %d bytes" % (status, body), 0) + 1
            self.stop.wait(0.1)   # not a hot loop against a server that refuses
        return keep

    def read_line(self, first, taken):
        line = b""
        while not line.endswith(b"\r\n"):
            self.pace(first, taken)
            data = self.recv(1)
            if not data:
                raise ConnectionError("closed in a chunk header")
            line += data
            taken += 1
            if len(line) > 4096:
                raise ValueError("chunk header too long")
        return line[:-2], taken

    def read_chunked(self, first, taken):
        body = 0
        while True:
            line, taken = self.read_line(first, taken)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:   # trailers, up to the empty line
                    line, taken = self.read_line(first, taken)
                    if not line:
                        return body, taken
            left = size
            while left > 0:
                self.pace(first, taken)
                data = self.recv(min(self.args.chunk, left))
                if not data:
                    raise ConnectionError("closed in a chunk")
                left -= len(data)
                taken += len(data)
                body += len(data)
                self.count_window(len(data))
            line, taken = self.read_line(first, taken)   # the chunk's CRLF
            if line:
                raise ValueError("no CRLF after a chunk")

    def run(self):
        while not self.stop.is_set():
            try:
                if self.sock is None:
                    self.connect()
                if not self.exchange():
                    self.close()
            except Stop:
                self.cut += 1
                break
            except (OSError, ValueError, ConnectionError) as e:
                if self.stop.is_set():
                    self.cut += 1
                    break
                kind = type(e).__name__ if not isinstance(e, ConnectionError) or not str(e) else str(e).split(" after ")[0]
                self.errors[kind] = self.errors.get(kind, 0) + 1
                self.failed += 1
                self.close()
                self.stop.wait(0.1)
        self.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/big?kb=2048")
    parser.add_argument("--expect", type=int, default=None, help="body bytes of a complete answer (default: from ?kb=)")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--rate", type=int, default=200 * 1024, help="bytes/s per reader")
    parser.add_argument("--rcvbuf", type=int, default=16384)
    parser.add_argument("--mss", type=int, default=1460, help="the MSS the client announces (0: the route's)")
    parser.add_argument("--chunk", type=int, default=8192)
    parser.add_argument("--ramp", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    if args.expect is None:
        kb = 0
        for pair in args.path.partition("?")[2].split("&"):
            key, _, value = pair.partition("=")
            if key == "kb" and value.isdigit():
                kb = int(value)
        args.expect = kb * 1024
    if not (0 < args.readers <= 1000 and args.rate > 0 and 0 <= args.ramp <= 600 and 0 < args.duration <= 3600):
        sys.exit("slowreaders: --readers in (0, 1000], --rate > 0, --ramp in [0, 600], --duration in (0, 3600]")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    window = [None, None]
    readers = [Reader(i, args, stop, window) for i in range(args.readers)]
    began = time.monotonic()
    for i, reader in enumerate(readers):
        at = began + args.ramp * i / args.readers
        while not stop.is_set() and time.monotonic() < at:
            stop.wait(min(0.05, max(0.0, at - time.monotonic())))
        if stop.is_set():
            break
        reader.start()
    window[0] = time.monotonic()
    print("slowreaders: ramped (%d readers in %.1f s)" % (sum(r.is_alive() for r in readers), window[0] - began),
          file=sys.stderr, flush=True)
    stop.wait(args.duration)
    window[1] = time.monotonic()
    stop.set()
    for reader in readers:
        if reader.ident is not None:
            reader.join(max(0.0, window[1] + 2 - time.monotonic()))
            reader.close()   # a reader still blocked in a receive fails out of it

    span = window[1] - window[0]
    complete = [c for r in readers for c in r.complete]
    statuses, errors = {}, {}
    for r in readers:
        for k, v in r.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
    started = [r for r in readers if r.ident is not None]
    result = {
        "readers": len(started),
        "path": args.path,
        "rate": args.rate,
        "rcvbuf": args.rcvbuf,
        "rcvbuf_effective": max([r.rcvbuf for r in readers if r.rcvbuf] or [0]),
        "chunk": args.chunk,
        "ramp_s": round(window[0] - began, 3),
        "window_s": round(span, 3),
        "window_bytes": sum(r.window_bytes for r in readers),
        "window_bps": round(sum(r.window_bytes for r in readers) / span, 1) if span > 0 else None,
        "reader_bps": percentiles([round(r.window_bytes / span, 1) for r in started]) if span > 0 else None,
        "responses": {
            "complete": len(complete),
            "cut": sum(r.cut for r in readers),
            "failed": sum(r.failed for r in readers),
            "bytes": sum(c[0] for c in complete),
        },
        "complete": {
            "bps": percentiles([round(c[0] / c[2], 1) for c in complete if c[2] > 0]),
            "total_s": percentiles([round(c[3], 3) for c in complete]),
            "ttfb_ms": percentiles([round(c[1] * 1000, 2) for c in complete]),
        },
        "statuses": statuses,
        "errors": errors,
    }
    print(json.dumps(result, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
