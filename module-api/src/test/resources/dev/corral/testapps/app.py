"""WSGI test app for Corral's tests: every endpoint exists to make one behaviour observable."""
import hashlib
import json
import os
import sys
import time
from urllib.parse import parse_qs

if os.environ.get("TESTAPP_FAIL_IMPORT"):
    raise RuntimeError("TESTAPP_FAIL_IMPORT is set: refusing to load")
if os.path.exists("BROKEN"):
    raise RuntimeError("this version is broken (the file BROKEN exists)")


_leaked = []


def _qs(environ, name, default):
    values = parse_qs(environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else default


def _record(path):
    state = os.environ.get("TESTAPP_STATE_DIR")
    if state:
        with open(os.path.join(state, "requests-%d.log" % os.getpid()), "a") as log:
            log.write("%.3f %s\n" % (time.time(), path))


def _seen(line):
    """One line per request in TESTAPP_STATE_DIR/seen.log: what the app saw, in order."""
    state = os.environ.get("TESTAPP_STATE_DIR")
    if state:
        with open(os.path.join(state, "seen.log"), "a") as log:
            log.write(line + "\n")


_sleeps = 0


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    pid = str(os.getpid())
    _record(path)
    if path.endswith("/health"):
        sick = os.path.exists("UNHEALTHY") or os.path.exists("UNHEALTHY-" + pid)
        body = b"sick" if sick else b"ok"
        start_response("500 Internal Server Error" if sick else "200 OK",
                       [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    if path.endswith("/fail"):
        body = ("failing in pid %s\n" % pid).encode()
        start_response("500 Internal Server Error", [("Content-Type", "text/plain"),
                                                     ("Content-Length", str(len(body))), ("X-Pid", pid)])
        return [body]
    if path.endswith("/sleep"):
        global _sleeps
        _sleeps += 1
        started = _sleeps   # the order this process began its sleeps in, seen from the server
        time.sleep(int(_qs(environ, "ms", "100")) / 1000.0)
        body = pid.encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                                  ("X-Pid", pid), ("X-Sleep-Number", str(started))])
        return [body]
    if path.endswith("/echo"):
        digest = hashlib.sha256()
        total = 0
        stream = environ["wsgi.input"]
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
        body = json.dumps({"length": total, "sha256": digest.hexdigest()}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path.endswith("/record") or path.endswith("/early"):
        # what the app saw of this request (method, target, body length and SHA-256), as one
        # line in seen.log once the body is read whole, and as the X-Seen header of the answer;
        # /early answers at once without reading the body
        query = environ.get("QUERY_STRING", "")
        seen = environ["REQUEST_METHOD"] + " " + path + ("?" + query if query else "")
        if path.endswith("/early"):
            seen += " early"
        else:
            try:
                data = environ["wsgi.input"].read()
            except Exception:
                _seen(seen + " incomplete")
                raise
            seen += " %d %s" % (len(data), hashlib.sha256(data).hexdigest())
        _seen(seen)
        headers = {k: v for k, v in environ.items() if k.startswith("HTTP_") or k == "CONTENT_LENGTH"}
        body = json.dumps(headers).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                  ("X-Seen", seen)])
        return [body]
    if path.endswith("/big"):
        mb = int(_qs(environ, "mb", "1"))
        block = bytes(range(256)) * 4096  # 1 MiB

        def stream():
            for _ in range(mb):
                yield block
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return stream()
    if path.endswith("/sleepcrash"):
        time.sleep(int(_qs(environ, "ms", "100")) / 1000.0)
        os._exit(3)
    if path.endswith("/crash"):
        sys.stderr.write("testapp: crashing on purpose\n")
        sys.stderr.flush()
        os._exit(3)
    if path.endswith("/headers"):
        headers = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["PATH_INFO"] = path
        headers["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "")
        headers["QUERY_STRING"] = environ.get("QUERY_STRING", "")
        headers["REQUEST_METHOD"] = environ["REQUEST_METHOD"]
        body = json.dumps(headers).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                  ("Connection", "keep-alive"), ("X-App-Header", "yes")])
        return [body]
    if path.endswith("/leak"):
        mb = int(_qs(environ, "mb", "10"))
        _leaked.append(b"x" * (mb * 1024 * 1024))
        body = ("leaked %d MB in pid %s\n" % (mb, pid)).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Pid", pid)])
        return [body]
    if path.endswith("/output"):
        # one line on each stream, for the test that Corral logs stdout at INFO, stderr at WARNING
        token = _qs(environ, "token", "-")
        sys.stdout.write("testapp: on stdout %s\n" % token)
        sys.stdout.flush()
        sys.stderr.write("testapp: on stderr %s\n" % token)
        sys.stderr.flush()
        body = pid.encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Pid", pid)])
        return [body]
    if path.endswith("/identity"):
        # who the process runs as and what environment it got (the user and envDrop tests)
        # one "key=value" line each: uid, euid, gid, egid, groups (comma separated), env.NAME
        lines = ["uid=%d" % os.getuid(), "euid=%d" % os.geteuid(), "gid=%d" % os.getgid(), "egid=%d" % os.getegid(),
                 "groups=" + ",".join(str(g) for g in sorted(os.getgroups()))]
        lines += ["env.%s=%s" % (k, v.replace("\n", "\\n")) for k, v in sorted(os.environ.items())]
        body = ("\n".join(lines) + "\n").encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Pid", pid)])
        return [body]
    if path.endswith("/garbage"):
        raise SystemExit("unreachable: garbage is served by the generic test server")
    body = ("hello from " + os.environ.get("CORRAL_APP", "?") + " pid " + pid + "\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Pid", pid),
                              ("X-Process-Number", os.environ.get("CORRAL_PROCESS_NUMBER", ""))])
    return [body]
