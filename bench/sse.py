#!/usr/bin/env python3
"""Server-sent events through a system: how late each event reaches its client.

Opens --streams connections at once to 127.0.0.1:--port, each `GET /events?n=N&ms=M` of
bench/app.py (N events M ms apart, each carrying the app's time.time_ns() when it sent it), and
notes for every event the time it arrived less the time it was sent (one machine, one clock).
Prints one JSON object: events expected and received, their delays (p50, p99, max in ms), how
many came later than --bound-ms, and errors. Loopback only; bounded by --timeout per read and
by the streams' own length.
"""

import argparse
import json
import re
import socket
import threading
import time

EVENT = re.compile(rb"data: (\d+)\n\n")


def stream(args, delays, errors, lock):
    request = ("GET /events?n={}&ms={} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
               "Connection: close\r\n\r\n").format(args.events, args.interval_ms).encode()
    mine = []
    try:
        with socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout) as s:
            s.sendall(request)
            buffer = b""
            head_done = False
            while len(mine) < args.events:
                data = s.recv(65536)
                now = time.time_ns()
                if not data:
                    break
                buffer += data
                if not head_done:
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    status = buffer.split(b" ", 2)[1]
                    if status != b"200":
                        raise OSError("status " + status.decode())
                    head_done = True
                    buffer = buffer[end + 4:]
                last = 0
                for match in EVENT.finditer(buffer):
                    mine.append((now - int(match.group(1))) / 1e6)
                    last = match.end()
                buffer = buffer[last:]
        if len(mine) < args.events:
            raise OSError("the stream ended after {} of {} events".format(len(mine), args.events))
    except (OSError, ValueError, IndexError) as e:
        with lock:
            errors.append(str(e))
    with lock:
        delays.extend(mine)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--bound-ms", type=float, default=100.0)
    parser.add_argument("--timeout", type=float, default=15.0)
    args = parser.parse_args()
    delays, errors, lock = [], [], threading.Lock()
    threads = [threading.Thread(target=stream, args=(args, delays, errors, lock)) for _ in range(args.streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({
        "streams": args.streams, "events": args.events, "interval_ms": args.interval_ms, "bound_ms": args.bound_ms,
        "expected": args.streams * args.events, "received": len(delays),
        "p50_ms": percentile(delays, 50), "p99_ms": percentile(delays, 99), "max_ms": max(delays) if delays else None,
        "late": sum(1 for d in delays if d > args.bound_ms), "errors": errors,
    }))


if __name__ == "__main__":
    main()
