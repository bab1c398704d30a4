"""The response: start_response/write per PEP 3333, with the framing decided by the loader."""

import os
import stat

from .common import ClientDisconnected, http_date, is_digits, warn

HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"))


class FileWrapper(object):
    """wsgi.file_wrapper: iterates a file in blocks; regular files with a Content-Length are
    sent with sendfile()."""

    def __init__(self, filelike, blksize=64 * 1024):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration


class Response(object):
    """One response: start_response/write per PEP 3333, framing decided by the loader."""

    __slots__ = ("conn", "server", "body", "head_only", "http11", "keep_alive", "status", "code", "headers",
                 "app_length", "app_close", "has_date", "headers_sent", "mode", "remaining",
                 "body_bytes", "failed", "stop")

    def __init__(self, conn, server, body, head_only, http11, keep_alive):
        self.conn = conn
        self.server = server
        self.body = body
        self.head_only = head_only
        self.http11 = http11
        self.keep_alive = keep_alive
        self.status = None
        self.code = 0
        self.headers = None
        self.app_length = None
        self.app_close = False
        self.has_date = False
        self.headers_sent = False
        self.mode = None        # "length", "chunked", "close" or "none"
        self.remaining = 0
        self.body_bytes = 0
        self.failed = False     # the response is broken: close the connection after it
        self.stop = False       # no more body wanted (HEAD, truncation)

    def start_response(self, status, headers, exc_info=None):
        if exc_info:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response() called again without exc_info")
        if type(status) is not str:
            raise TypeError("status must be a str, not %r" % (status,))
        if len(status) < 3 or not status[:3].isdigit() or (len(status) > 3 and status[3] != " ") \
                or "\n" in status or "\r" in status:
            raise ValueError("bad status line %r" % (status,))
        kept = []
        app_length = None
        app_close = False
        has_date = False
        for item in headers:
            name, value = item
            if type(name) is not str or type(value) is not str:
                raise TypeError("header names and values must be str: %r" % (item,))
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name or ":" in name:
                raise ValueError("invalid header %r" % (item,))
            lname = name.lower()
            if lname == "content-length":
                value = value.strip()
                if not is_digits(value) or (app_length is not None and int(value) != app_length):
                    raise ValueError("invalid Content-Length %r" % (value,))
                app_length = int(value)
                continue
            if lname in HOP_BY_HOP:
                if lname == "connection" and "close" in value.lower():
                    app_close = True
                continue
            if lname == "date":
                has_date = True
            kept.append((name, value))
        self.status = status
        self.code = int(status[:3])
        self.headers = kept
        self.app_length = app_length
        self.app_close = app_close
        self.has_date = has_date
        return self.write

    def _head(self, known_length):
        """The response head as bytes; decides the framing. known_length: body size if the
        whole body is known now, else None."""
        if self.status is None:
            raise AssertionError("the app did not call start_response()")
        code = self.code
        no_body = self.head_only or code in (204, 304) or code < 200
        length = self.app_length
        if code == 204 or code < 200:
            length = None
        elif length is None and known_length is not None and (not no_body or known_length):
            length = known_length
        if length is not None:
            mode = "length"
        elif no_body:
            mode = "none"
        elif self.http11:
            mode = "chunked"
        else:
            mode = "close"
        if self.app_close or mode == "close" or self.server.stopping:
            self.keep_alive = False
        if self.body._continue:
            # the final response comes before "100 Continue": the client may or may not send
            # the body now, so this connection cannot be reused
            self.body._continue = False
            self.keep_alive = False
        if no_body:
            self.stop = self.head_only
            self.remaining = 0
            mode = "none"
        else:
            self.remaining = length if length is not None else 0
        self.mode = mode
        out = ["HTTP/1.1 ", self.status, "\r\n"]
        for name, value in self.headers:
            out.append(name)
            out.append(": ")
            out.append(value)
            out.append("\r\n")
        if length is not None:
            out.append("Content-Length: %d\r\n" % length)
        elif mode == "chunked":
            out.append("Transfer-Encoding: chunked\r\n")
        if not self.keep_alive:
            out.append("Connection: close\r\n")
        elif not self.http11:
            out.append("Connection: keep-alive\r\n")
        if not self.has_date:
            out.append("Date: ")
            out.append(http_date())
            out.append("\r\n")
        out.append("\r\n")
        self.headers_sent = True
        return "".join(out).encode("latin-1")

    def write(self, data):
        """The write() callable and the per-item step of the response iterable."""
        if type(data) is not bytes:
            if isinstance(data, (bytes, bytearray)):
                data = bytes(data)
            else:
                raise TypeError("the app must produce bytes, not %s" % type(data).__name__)
        if not data or self.stop:
            return
        parts = [] if self.headers_sent else [self._head(None)]
        mode = self.mode
        if mode == "chunked":
            parts.append(b"%x\r\n" % len(data))
            parts.append(data)
            parts.append(b"\r\n")
        elif mode == "length":
            if len(data) > self.remaining:
                data = data[:self.remaining]
                self.stop = True
                self.failed = True
                warn("the app sent more than its Content-Length; response truncated")
            self.remaining -= len(data)
            if data:
                parts.append(data)
        elif mode == "close":
            parts.append(data)
        if parts:
            self.conn.sendv(parts)
        self.body_bytes += len(data) if mode != "none" else 0

    def finish(self):
        """Ends the body (headers too if none were sent yet)."""
        if not self.headers_sent:
            self.conn.sendall(self._head(0))
        if self.mode == "chunked":
            self.conn.sendall(b"0\r\n\r\n")
        elif self.mode == "length" and self.remaining and not self.failed:
            self.failed = True
            warn("the app sent %d bytes less than its Content-Length" % self.remaining)

    def send_sequence(self, items):
        """Fast path for a list/tuple body with no Content-Length: one send, exact length."""
        total = 0
        for item in items:
            if type(item) is not bytes:
                return False
            total += len(item)
        head = self._head(total)
        if self.mode == "length":
            self.remaining = 0
            self.body_bytes = total
            parts = [head]
            parts.extend(items)
            self.conn.sendv(parts)
        else:
            self.conn.sendall(head)
        return True

    def send_file(self, wrapper):
        """sendfile() for a wrapped regular file with a Content-Length; False if not possible."""
        f = wrapper.filelike
        try:
            fd = f.fileno()
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            offset = f.tell()
        except Exception:
            return False
        self.conn.sendall(self._head(None))
        count = self.remaining
        if self.mode != "length" or not count:
            return True
        try:
            sent = self.conn.sock.sendfile(f, offset, count)
        except (ValueError, AttributeError):   # no sendfile for this socket: plain copy
            for data in wrapper:
                self.write(data)
                if self.stop:
                    break
            return True
        except OSError as e:
            raise ClientDisconnected(str(e) or e.__class__.__name__)
        self.remaining -= sent
        self.body_bytes += sent
        return True
