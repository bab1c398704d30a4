"""Corral demo app: a tiny WSGI app (standard library only) that shows which process served you.

    /              an HTML page: this process's pid, the app name, the headers Corral forwarded
    /slow?ms=N     answers after N milliseconds (default 1000, at most 60000): watch requests queue
    /stream?kb=N   streams N KiB of text (default 64, at most 102400) in 1 KiB lines, unbuffered

Reload the page: with several processes in the pool, the pid changes.
"""
import html
import itertools
import os
import time
from urllib.parse import parse_qs

FORWARDED = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id")
STARTED = time.time()
SERVED = itertools.count(1)

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Corral demo: {app}</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:.2em .8em;text-align:left}}</style>
</head><body>
<h1>Served by process {pid}</h1>
<p>App <b>{app}</b>; this process has been up {uptime:.0f} s and served {served} request(s).
Reload to see the pool hand requests to other processes.</p>
<h2>Headers Corral forwarded</h2>
<table>{rows}</table>
<p>Try <a href="{base}/slow?ms=2000">{base}/slow?ms=2000</a> (a slow request) or
<a href="{base}/stream?kb=1024">{base}/stream?kb=1024</a> (a streamed response).</p>
</body></html>
"""


def application(environ, start_response):
    path = environ.get("PATH_INFO") or "/"
    try:
        if path == "/":
            return _page(environ, start_response)
        if path == "/slow":
            ms = _number(environ, "ms", 1000, 60000)
            time.sleep(ms / 1000.0)
            return _text(start_response, "200 OK", "pid %d answered after %d ms\n" % (os.getpid(), ms))
        if path == "/stream":
            kb = _number(environ, "kb", 64, 102400)
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return _lines(kb)
    except ValueError:
        return _text(start_response, "400 Bad Request", "ms and kb must be whole numbers\n")
    return _text(start_response, "404 Not Found", "pid %d: the demo has no page at %s\n" % (os.getpid(), path))


def _page(environ, start_response):
    rows = "".join(
        "<tr><th>%s</th><td>%s</td></tr>" % (name, html.escape(environ.get("HTTP_" + name.upper().replace("-", "_"), "(none)")))
        for name in FORWARDED)
    body = PAGE.format(pid=os.getpid(), app=html.escape(os.environ.get("CORRAL_APP", "?")),
                       uptime=time.time() - STARTED, served=next(SERVED), rows=rows,
                       base=html.escape(environ.get("SCRIPT_NAME", ""))).encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _number(environ, name, default, limit):
    """The query parameter as an int in 0..limit; ValueError if it is not a whole number."""
    values = parse_qs(environ.get("QUERY_STRING", "")).get(name)
    return min(max(int(values[0]), 0), limit) if values else default


def _lines(kb):
    for i in range(kb):
        yield ("%7d " % i + "." * 1015 + "\n").encode("ascii")


def _text(start_response, status, text):
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
