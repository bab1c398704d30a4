#!/usr/bin/env python3
"""The app processes behind nginx, HAProxy and the direct reference: one Corral wsgi loader
per port on 127.0.0.1, each restarted when it exits (as a process manager would: systemd
Restart=always, supervisord, a gunicorn master), until SIGTERM or SIGINT.

    pool.py --loader PATH/corral-wsgi --app-dir DIR --ports 18001,18002 [--entry app:application]
            [--setsid]

Prints "pool: ready" on stdout once every port accepts connections, and one line per exit
and restart on stderr ("pool: process 1234 on port 18001 exited with status 3; restarted").
With --setsid each app process gets its own session (as Corral's lifeline does), which
matters to Linux's autogroup scheduling. Stdlib only.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loader", required=True)
    parser.add_argument("--app-dir", required=True)
    parser.add_argument("--ports", required=True)
    parser.add_argument("--entry", default="app:application")
    parser.add_argument("--setsid", action="store_true")
    args = parser.parse_args()
    ports = [int(p) for p in args.ports.split(",")]
    loader = os.path.abspath(args.loader)
    app_dir = os.path.abspath(args.app_dir)

    env = dict(os.environ, CORRAL_STDIN_WATCH="0", PYTHONDONTWRITEBYTECODE="1")
    children = {}   # pid -> (Popen, port, start time)
    stopping = []

    def spawn(port):
        child = subprocess.Popen([sys.executable, "-u", loader, args.entry], cwd=app_dir,
                                 env=dict(env, PORT=str(port)), stdin=subprocess.DEVNULL,
                                 start_new_session=args.setsid)
        children[child.pid] = (child, port, time.monotonic())
        return child

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for port in ports:
        spawn(port)
    deadline = time.monotonic() + 30
    while not all(accepts(p) for p in ports):
        if time.monotonic() > deadline or stopping:
            print("pool: the app processes did not listen within 30 s", file=sys.stderr)
            break
        time.sleep(0.02)
    else:
        print("pool: ready", flush=True)

    restarts = 0
    quick_exits = {}   # port -> exits in a row within a second of the start
    while not stopping:
        # polled, not blocking: a blocking waitpid is resumed after a signal (PEP 475)
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.005)
            continue
        if pid not in children or stopping:
            continue
        child, port, started = children.pop(pid)
        child.returncode = os.waitstatus_to_exitcode(status)
        quick_exits[port] = quick_exits.get(port, 0) + 1 if time.monotonic() - started < 1 else 0
        if quick_exits[port] > 10:
            print("pool: the process on port %d keeps exiting at once (status %d); giving up"
                  % (port, child.returncode), file=sys.stderr, flush=True)
            stopping.append(0)
            break
        restarts += 1
        replacement = spawn(port)
        print("pool: process %d on port %d exited with status %d; restarted as %d (restart #%d)"
              % (pid, port, child.returncode, replacement.pid, restarts), file=sys.stderr, flush=True)

    for child, _, _ in list(children.values()):
        try:
            child.terminate()
        except OSError:
            pass
    end = time.monotonic() + 5
    for child, _, _ in list(children.values()):
        try:
            child.wait(max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("pool: stopped after %d restarts" % restarts, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
