"""The request head: reading it off a connection, parsing it, and completing the environ
(with wsgi.input framed by Content-Length or chunked encoding)."""

from urllib.parse import unquote_to_bytes

from .common import CLOSE, WAIT, ClientDisconnected, HTTPError, is_digits
from .connection import Input

MAX_HEAD = 64 * 1024          # request line + headers
MAX_HEADERS = 100
TOKEN_CHARS = (b"!#$%&'*+-.^_`|~0123456789"
               b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def read_head(conn, may_recv):
    """The request head (without its empty line); WAIT while it is incomplete (the rest
    comes back through the selector, so an idle or slow client never blocks the loop);
    CLOSE on EOF or a connection error. may_recv: the selector saw the socket readable."""
    buf = conn.buf
    if may_recv:
        try:
            if not conn.fill():
                return CLOSE
        except ClientDisconnected:
            return CLOSE
    while buf[:2] == b"\r\n" or buf[:1] == b"\n":   # stray line ends between requests
        del buf[:2 if buf[:1] == b"\r" else 1]
    i = buf.find(b"\n\r\n")
    j = buf.find(b"\n\n", 0, i + 2 if i >= 0 else len(buf))
    if j >= 0:
        end, size = j, j + 2
    elif i >= 0:
        end, size = i, i + 3
    else:
        if len(buf) > MAX_HEAD:
            raise HTTPError(431)
        return WAIT
    if end > MAX_HEAD:
        raise HTTPError(431)
    head = bytes(buf[:end])
    del buf[:size]
    return head


def parse_head(head, base_environ, header_keys):
    """(method, target, version, http11, environ) of a request head; environ starts as a
    copy of base_environ. header_keys caches the environ key of each header name."""
    lines = head.split(b"\n")
    request_line = lines[0]
    if request_line.endswith(b"\r"):
        request_line = request_line[:-1]
    parts = request_line.split(b" ")
    if len(parts) != 3:
        raise HTTPError(400, "bad request line")
    method, target, version = parts
    if not method or method.translate(None, TOKEN_CHARS) or not target:
        raise HTTPError(400, "bad request line")
    if version == b"HTTP/1.1":
        http11 = True
    elif version == b"HTTP/1.0":
        http11 = False
    elif version[:7] == b"HTTP/1." and version[7:].isdigit():
        http11 = True
    elif version[:5] == b"HTTP/" and len(version) == 8 and version[5:6].isdigit():
        raise HTTPError(505)
    else:
        raise HTTPError(400, "bad request line")
    if len(lines) > MAX_HEADERS + 1:
        raise HTTPError(431)
    environ = base_environ.copy()
    for line in lines[1:]:
        if line.endswith(b"\r"):
            line = line[:-1]
        colon = line.find(b":")
        if colon <= 0:
            raise HTTPError(400, "bad header line")
        name = line[:colon]
        key = header_keys.get(name)
        if key is None:
            if name.translate(None, TOKEN_CHARS):
                raise HTTPError(400, "bad header name")   # also obs-fold and "name :"
            key = name.decode("latin-1").upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            if len(header_keys) < 1000:
                header_keys[name] = key
        value = line[colon + 1:].strip(b" \t")
        if b"\r" in value or b"\0" in value:
            raise HTTPError(400, "bad header value")
        value = value.decode("latin-1")
        old = environ.get(key)
        if old is None:
            environ[key] = value
        elif key == "HTTP_COOKIE":
            environ[key] = old + "; " + value
        else:
            environ[key] = old + ", " + value
    return method.decode("latin-1"), target, version.decode("latin-1"), http11, environ


def prepare(environ, method, target, version, http11, conn, script_name):
    """Completes environ; returns (wsgi.input, keep-alive wanted by the request)."""
    if target[:1] == b"/":
        path, _, query = target.partition(b"?")
    elif target == b"*":
        path, query = b"*", b""
    else:
        lower = target[:8].lower()
        if lower.startswith(b"http://") or lower.startswith(b"https://"):
            rest = target.split(b"://", 1)[1]
            rest, _, query = rest.partition(b"?")
            slash = rest.find(b"/")
            authority, path = (rest, b"/") if slash < 0 else (rest[:slash], rest[slash:])
            if "HTTP_HOST" not in environ and authority:
                environ["HTTP_HOST"] = authority.decode("latin-1")
        else:
            raise HTTPError(400, "bad request target")
    if b"%" in path:
        path = unquote_to_bytes(path)
    path_info = path.decode("latin-1")
    if script_name and (path_info == script_name or path_info.startswith(script_name + "/")):
        path_info = path_info[len(script_name):]
    environ["REQUEST_METHOD"] = method
    environ["PATH_INFO"] = path_info
    environ["QUERY_STRING"] = query.decode("latin-1")
    environ["SERVER_PROTOCOL"] = version

    proto = environ.get("HTTP_X_FORWARDED_PROTO")
    scheme = "http"
    if proto:
        proto = proto.split(",", 1)[0].strip().lower()
        if proto in ("http", "https"):
            scheme = proto
    environ["wsgi.url_scheme"] = scheme
    host = environ.get("HTTP_HOST")
    port = "443" if scheme == "https" else "80"
    name = "localhost"
    if host:
        if host[:1] == "[":
            end = host.find("]")
            if end > 0:
                name = host[:end + 1]
                if host[end + 1:end + 2] == ":" and is_digits(host[end + 2:]):
                    port = host[end + 2:]
        else:
            h, sep, p = host.partition(":")
            if h:
                name = h
            if sep and is_digits(p):
                port = p
    environ["SERVER_NAME"] = name
    environ["SERVER_PORT"] = port
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        # Corral appends the address it saw last; anything before it was sent by the
        # client and could be forged, so only the last entry is trusted.
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            environ["REMOTE_ADDR"] = last

    connection = environ.get("HTTP_CONNECTION")
    if connection:
        tokens = connection.lower()
        if http11:
            keep_alive = "close" not in [t.strip() for t in tokens.split(",")]
        else:
            keep_alive = "keep-alive" in [t.strip() for t in tokens.split(",")]
    else:
        keep_alive = http11

    te = environ.get("HTTP_TRANSFER_ENCODING")
    cl = environ.get("CONTENT_LENGTH")
    chunked = False
    length = 0
    if te is not None:
        if cl is not None:
            raise HTTPError(400, "both Transfer-Encoding and Content-Length")
        codings = [c.strip().lower() for c in te.split(",")]
        if codings[-1] != "chunked" or [c for c in codings[:-1] if c != "identity"]:
            raise HTTPError(501, "unsupported Transfer-Encoding")
        chunked = True
    elif cl is not None:
        values = set(v.strip() for v in cl.split(","))
        if len(values) != 1:
            raise HTTPError(400, "bad Content-Length")
        cl = values.pop()
        if not is_digits(cl):
            raise HTTPError(400, "bad Content-Length")
        length = int(cl)
        environ["CONTENT_LENGTH"] = cl
    expect = environ.get("HTTP_EXPECT")
    expect_continue = bool(http11 and expect and expect.strip().lower() == "100-continue")
    body = Input(conn, length, chunked, expect_continue)
    environ["wsgi.input"] = body
    return body, keep_alive
