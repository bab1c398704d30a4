#!/usr/bin/env python3
"""Corral WSGI loader: serves one WSGI callable in one process, one request at a time.

    CORRAL_SOCKET=/path/app.sock python3 -u wsgi_loader.py module:callable
    PORT=8080 python3 -u wsgi_loader.py module.sub:obj.attr

The current directory (the app root) goes first on sys.path. The callable defaults to
``application`` when no ``:callable`` is given.

Environment:
  CORRAL_SOCKET       Unix domain socket to listen on (wins over PORT)
  PORT                else listen on 127.0.0.1:PORT
  CORRAL_APP          the app's name (informational)
  CORRAL_SCRIPT_NAME  SCRIPT_NAME for the app (default ""); stripped from PATH_INFO when
                      the request path starts with it
  CORRAL_ACCESS_LOG   "1": one access log line per request on stderr
  CORRAL_IO_TIMEOUT   seconds a read or write on a client connection may stall once a
                      request has started (default 300; 0 = never time out)
  CORRAL_STDIN_WATCH  "0": do not exit when stdin reaches EOF (for running by hand)
  CORRAL_APP_FAULTS   faults this process simulates, to rehearse a broken app, e.g.
                      "slow-start@3s,hang:0.01,crash:0.05,leak:0.1@20MB,garbage:0.02":
                      slow-start@<duration> (bind that late), hang:<p> (never answer),
                      crash:<p> (exit 13 in the middle of the response), leak:<p>[@<size>]
                      (keep memory, default 10MB), garbage:<p> (answer bytes that are not
                      HTTP, then close). Each request draws once per rule, in the order
                      leak, hang, crash, garbage (see AppFaults). A bad part: exit 2.
  CORRAL_APP_FAULT_SEED  the seed of those draws (default: random, printed at start), plus
                      CORRAL_PROCESS_NUMBER (set by Corral: 1, 2, ... per app) so that the
                      processes of one app do not repeat each other; the same seed, spec,
                      process number and requests replay the same faults

Protocol with the engine:
  - The app is imported before anything is bound. If that fails: traceback and
    "corral-wsgi: cannot load <entry>: <error>" on stderr, exit status 1.
  - Then "corral-wsgi: listening on <path or 127.0.0.1:port>" on stderr; the socket accepts.
  - Exit 0 on stdin EOF (at once), SIGTERM or SIGINT (after the request in progress; the
    listening socket file is removed). A SIGTERM while the app is still being imported
    kills the process (status 143 through a shell).
  - Exit 1 when the socket cannot be bound; 2 on a usage or configuration error (no
    CORRAL_SOCKET nor valid PORT, bad CORRAL_IO_TIMEOUT, CORRAL_APP_FAULTS or
    CORRAL_APP_FAULT_SEED).
  - stderr otherwise carries only app tracebacks and one line per unexpected error.
  - Keep-alive: HTTP/1.1 by default; "Connection: close" is sent when the loader is going to
    close (HTTP/1.0 without keep-alive, app error, truncated body, stopping).

Python 3.8+ standard library only.
"""

import os
import selectors
import signal
import socket
import stat
import sys
import threading
import time
import traceback
from urllib.parse import unquote_to_bytes

LOG_PREFIX = "corral-wsgi: "
BACKLOG = 128
MAX_HEAD = 64 * 1024          # request line + headers
MAX_HEADERS = 100
MAX_CHUNK_LINE = 8 * 1024     # chunk-size line incl. extensions, and each trailer line
MAX_TRAILER = 64 * 1024
RECV_SIZE = 64 * 1024
MAX_RECV = 256 * 1024         # cap of a single recv() for body reads
DRAIN_LIMIT = 1024 * 1024     # unread request body drained after the response, at most
SMALL_SEND = 64 * 1024        # below this, parts are joined into one sendall()

TOKEN_CHARS = (b"!#$%&'*+-.^_`|~0123456789"
               b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
HEX_CHARS = b"0123456789abcdefABCDEF"
HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"))
REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large",
           431: "Request Header Fields Too Large", 500: "Internal Server Error",
           501: "Not Implemented", 505: "HTTP Version Not Supported"}
CONTINUE_100 = b"HTTP/1.1 100 Continue\r\n\r\n"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_digits(text):
    """True for a non-empty string of ASCII digits only (str.isdigit() also takes "\u00b2")."""
    return bool(text) and not text.strip("0123456789")


def log(message):
    try:
        sys.stderr.write(LOG_PREFIX + message + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def log_traceback(message):
    try:
        sys.stderr.write(LOG_PREFIX + message + "\n" + traceback.format_exc())
        sys.stderr.flush()
    except Exception:
        pass


_date_cache = [-1, ""]


def http_date():
    now = int(time.time())
    if now != _date_cache[0]:
        t = time.gmtime(now)
        _date_cache[1] = "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
            _DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year,
            t.tm_hour, t.tm_min, t.tm_sec)
        _date_cache[0] = now
    return _date_cache[1]


class HTTPError(Exception):
    """A request we answer ourselves (4xx/5xx) and then close the connection."""

    def __init__(self, status, reason=""):
        Exception.__init__(self, reason or REASONS.get(status, ""))
        self.status = status


class ClientDisconnected(OSError):
    """The client went away (or stalled past the I/O timeout) in the middle of a request."""


class BodyError(ValueError):
    """The request body is malformed (bad chunked encoding)."""


class RawReply(Exception):
    """Raised by the app before start_response() (AppFaults' garbage): these bytes go to the
    client as they are, with no HTTP framing around them, and the connection closes."""

    def __init__(self, data):
        Exception.__init__(self, "raw reply of %d bytes" % len(data))
        self.data = data


CLOSE, SERVED, WAIT = "close", "served", "wait"   # outcomes of Server.handle()


class Connection(object):
    __slots__ = ("sock", "buf", "peer")

    def __init__(self, sock, peer):
        self.sock = sock
        self.buf = bytearray()
        self.peer = peer

    def fill(self):
        """Reads more bytes into buf; False on EOF."""
        try:
            data = self.sock.recv(RECV_SIZE)
        except (socket.timeout, ConnectionError) as e:
            raise ClientDisconnected(str(e) or e.__class__.__name__)
        if not data:
            return False
        self.buf += data
        return True

    def recv_some(self, n):
        """Up to n (> 0) bytes of the stream, at least one; ClientDisconnected on EOF."""
        buf = self.buf
        if buf:
            if len(buf) <= n:
                data = bytes(buf)
                buf.clear()
            else:
                data = bytes(buf[:n])
                del buf[:n]
            return data
        try:
            data = self.sock.recv(n if n < MAX_RECV else MAX_RECV)
        except (socket.timeout, ConnectionError) as e:
            raise ClientDisconnected(str(e) or e.__class__.__name__)
        if not data:
            raise ClientDisconnected("connection closed in the middle of the request body")
        return data

    def read_line(self, limit):
        """One line without its line end; BodyError if longer than limit."""
        buf = self.buf
        start = 0
        while True:
            i = buf.find(b"\n", start)
            if i >= 0:
                line = bytes(buf[:i])
                del buf[:i + 1]
                if line.endswith(b"\r"):
                    line = line[:-1]
                return line
            if len(buf) > limit:
                raise BodyError("line too long in chunked body")
            start = len(buf)
            if not self.fill():
                raise ClientDisconnected("connection closed in the middle of the request body")

    def sendall(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise ClientDisconnected(str(e) or e.__class__.__name__)

    def sendv(self, parts):
        """Sends a list of byte strings, without joining big ones."""
        total = 0
        for p in parts:
            total += len(p)
        if total <= SMALL_SEND or not hasattr(self.sock, "sendmsg"):
            if total <= SMALL_SEND or len(parts) == 1:
                self.sendall(b"".join(parts) if len(parts) > 1 else parts[0])
            else:
                for p in parts:
                    self.sendall(p)
            return
        views = [memoryview(p) for p in parts if p]
        try:
            while views:
                sent = self.sock.sendmsg(views)
                while sent:
                    first = views[0]
                    if sent >= first.nbytes:
                        sent -= first.nbytes
                        del views[0]
                    else:
                        views[0] = first[sent:]
                        sent = 0
        except OSError as e:
            raise ClientDisconnected(str(e) or e.__class__.__name__)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Input(object):
    """wsgi.input: streams the request body from the connection, never past its end."""

    __slots__ = ("_conn", "_remaining", "_chunked", "_state", "_pending", "_continue",
                 "_trailer_bytes")

    # chunked states
    _SIZE, _DATA, _DATA_END, _TRAILER, _DONE = range(5)

    def __init__(self, conn, length, chunked, expect_continue):
        self._conn = conn
        self._chunked = chunked
        self._remaining = 0 if chunked else length
        self._state = self._SIZE if chunked else (self._DONE if length == 0 else self._DATA)
        self._pending = bytearray()
        self._continue = expect_continue and self._state != self._DONE
        self._trailer_bytes = 0

    # -- the decoding layer --------------------------------------------------------------
    def _next(self, n):
        """Up to n (> 0) decoded body bytes; b"" at the end of the body."""
        if self._state == self._DONE:
            return b""
        if self._continue:
            self._continue = False
            self._conn.sendall(CONTINUE_100)
        if not self._chunked:
            data = self._conn.recv_some(n if n < self._remaining else self._remaining)
            self._remaining -= len(data)
            if not self._remaining:
                self._state = self._DONE
            return data
        conn = self._conn
        while True:
            state = self._state
            if state == self._DATA:
                data = conn.recv_some(n if n < self._remaining else self._remaining)
                self._remaining -= len(data)
                if not self._remaining:
                    self._state = self._DATA_END
                return data
            if state == self._SIZE:
                line = conn.read_line(MAX_CHUNK_LINE)
                size = line.split(b";", 1)[0].strip(b" \t")
                if not size or len(size) > 15 or size.translate(None, HEX_CHARS):
                    raise BodyError("bad chunk size line %r" % line[:40])
                size = int(size, 16)
                if size:
                    self._remaining = size
                    self._state = self._DATA
                else:
                    self._state = self._TRAILER
            elif state == self._DATA_END:
                if conn.read_line(MAX_CHUNK_LINE):
                    raise BodyError("missing CRLF after chunk data")
                self._state = self._SIZE
            elif state == self._TRAILER:
                line = conn.read_line(MAX_CHUNK_LINE)
                self._trailer_bytes += len(line) + 2
                if self._trailer_bytes > MAX_TRAILER:
                    raise BodyError("chunked trailer too large")
                if not line:
                    self._state = self._DONE
                    return b""
            else:
                return b""

    @property
    def done(self):
        """True once the whole body has been taken off the connection."""
        return self._state == self._DONE

    def drain(self, limit):
        """Consumes the unread rest of the body; False if that is not possible within limit."""
        if self._continue:
            return False
        del self._pending[:]
        if not self._chunked and self._remaining > limit:
            return False
        total = 0
        try:
            while True:
                data = self._next(RECV_SIZE)
                if not data:
                    return True
                total += len(data)
                if total > limit:
                    return False
        except (OSError, BodyError):
            return False

    # -- the file-like API ------------------------------------------------------------
    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            parts = [bytes(self._pending)]
            del self._pending[:]
            while True:
                data = self._next(MAX_RECV)
                if not data:
                    break
                parts.append(data)
            return b"".join(parts)
        if size == 0:
            return b""
        pending = self._pending
        if pending:
            if len(pending) >= size:
                data = bytes(pending[:size])
                del pending[:size]
                return data
            parts = [bytes(pending)]
            got = len(pending)
            del pending[:]
        else:
            data = self._next(size)
            if len(data) == size or not data:
                return data
            parts = [data]
            got = len(data)
        while got < size:
            data = self._next(size - got)
            if not data:
                break
            parts.append(data)
            got += len(data)
        return b"".join(parts)

    def readline(self, limit=-1):
        if limit is None:
            limit = -1
        if limit == 0:
            return b""
        pending = self._pending
        start = 0
        while True:
            i = pending.find(b"\n", start)
            if i >= 0:
                end = i + 1
                if 0 < limit < end:
                    end = limit
                break
            if 0 < limit <= len(pending):
                end = limit
                break
            start = len(pending)
            data = self._next(RECV_SIZE)
            if not data:
                end = len(pending)
                break
            pending += data
        line = bytes(pending[:end])
        del pending[:end]
        return line

    def readlines(self, hint=-1):
        lines = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def close(self):
        pass


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
                log("the app sent more than its Content-Length; response truncated")
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
            log("the app sent %d bytes less than its Content-Length" % self.remaining)

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


class Server(object):

    def __init__(self, app, lsock, access_log, io_timeout, script_name, tcp):
        self.app = app
        self.lsock = lsock
        self.access_log = access_log
        self.io_timeout = io_timeout
        self.script_name = script_name
        self.tcp = tcp
        self.stopping = False
        self.base_environ = {
            "SCRIPT_NAME": script_name,
            "SERVER_SOFTWARE": "corral-wsgi",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
            "wsgi.file_wrapper": FileWrapper,
        }
        self.header_keys = {}

    # -- the event loop ------------------------------------------------------------------
    def serve_forever(self, wakeup_fd):
        sel = selectors.DefaultSelector()
        self.lsock.setblocking(False)
        sel.register(self.lsock, selectors.EVENT_READ, None)
        if wakeup_fd is not None:
            sel.register(wakeup_fd, selectors.EVENT_READ, "wakeup")
        ready = []       # (connection, may_recv): connections with a request to look at
        conns = set()
        try:
            while not self.stopping:
                for key, _ in sel.select():
                    data = key.data
                    if data is None:
                        self._accept(sel, conns)
                    elif data == "wakeup":
                        try:
                            while os.read(wakeup_fd, 512):
                                pass
                        except OSError:
                            pass
                    else:
                        ready.append((data, True))
                while ready and not self.stopping:
                    conn, may_recv = ready.pop(0)
                    outcome = CLOSE
                    try:
                        outcome = self.handle(conn, may_recv)
                    except Exception:
                        log_traceback("internal error")
                    if outcome is CLOSE or self.stopping:
                        sel.unregister(conn.sock)
                        conns.discard(conn)
                        conn.close()
                    elif outcome is SERVED and conn.buf:
                        # the next request is (partly) buffered already: no recv before it
                        ready.append((conn, False))
        finally:
            for conn in conns:
                conn.close()
            sel.close()

    def _accept(self, sel, conns):
        while True:
            try:
                sock, addr = self.lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            except OSError as e:
                log("accept failed: %s" % e)   # e.g. EMFILE: back off a little
                time.sleep(0.05)
                return
            sock.settimeout(self.io_timeout)
            if self.tcp:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass
            conn = Connection(sock, addr)
            conns.add(conn)
            sel.register(sock, selectors.EVENT_READ, conn)

    # -- one request ---------------------------------------------------------------------
    def _read_head(self, conn, may_recv):
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

    def _parse(self, head):
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
        environ = self.base_environ.copy()
        keys = self.header_keys
        for line in lines[1:]:
            if line.endswith(b"\r"):
                line = line[:-1]
            colon = line.find(b":")
            if colon <= 0:
                raise HTTPError(400, "bad header line")
            name = line[:colon]
            key = keys.get(name)
            if key is None:
                if name.translate(None, TOKEN_CHARS):
                    raise HTTPError(400, "bad header name")   # also obs-fold and "name :"
                key = name.decode("latin-1").upper().replace("-", "_")
                if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    key = "HTTP_" + key
                if len(keys) < 1000:
                    keys[name] = key
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

    def handle(self, conn, may_recv):
        """Serves one request on conn if its head is complete; returns SERVED, WAIT or CLOSE."""
        try:
            head = self._read_head(conn, may_recv)
            if head is WAIT or head is CLOSE:
                return head
            started = time.time() if self.access_log else 0
            method, target, version, http11, environ = self._parse(head)
            body, keep_alive = self._prepare(environ, method, target, version, http11, conn)
        except HTTPError as e:
            self._send_error(conn, e.status, str(e))
            return CLOSE
        response = Response(conn, self, body, method == "HEAD", http11, keep_alive)
        ok = self._run_app(environ, body, response)
        if self.access_log:
            log('%s "%s %s %s" %d %d %.1fms' % (
                environ["REMOTE_ADDR"], method, target.decode("latin-1"), version,
                response.code, response.body_bytes,
                (time.time() - started) * 1000.0))
        if not ok or response.failed or not response.keep_alive or self.stopping:
            return CLOSE
        if not body.done and not body.drain(DRAIN_LIMIT):
            return CLOSE
        return SERVED

    def _prepare(self, environ, method, target, version, http11, conn):
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
        script_name = self.script_name
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

    def _run_app(self, environ, body, response):
        """Calls the app and sends its response; False if the connection must be closed."""
        result = None
        try:
            try:
                result = self.app(environ, response.start_response)
                if type(result) in (list, tuple) and not response.headers_sent \
                        and response.status is not None and response.app_length is None \
                        and response.send_sequence(result):
                    pass
                elif type(result) is FileWrapper and not response.headers_sent \
                        and response.app_length is not None and not response.head_only \
                        and response.status is not None and response.send_file(result):
                    response.finish()
                else:
                    write = response.write
                    for data in result:
                        write(data)
                        if response.stop:
                            break
                    response.finish()
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ClientDisconnected:
            return False
        except RawReply as e:
            if not response.headers_sent:
                self._send_raw(response.conn, body, e.data)
            return False
        except Exception as e:
            if response.headers_sent:
                log_traceback("error in the app after the response started (connection closed)")
                return False
            if isinstance(e, BodyError):   # the client's fault, seen by the app while reading
                log("bad request body: %s" % e)
                response.code = 400
            else:
                log_traceback("error in the app")
                response.code = 500
            self._send_error(body._conn, response.code, "", response.head_only)
            return False
        return True

    def _send_raw(self, conn, body, data):
        """Sends data bypassing the response writer, then ends the connection's sending side."""
        # The unread request body first (bounded): bytes left unread when the socket closes
        # make TCP reset the connection, and the client could lose the reply.
        body.drain(DRAIN_LIMIT)
        try:
            conn.sock.sendall(data)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _send_error(self, conn, code, detail, head_only=False):
        reason = REASONS.get(code, "Error")
        text = ("%d %s\n" % (code, reason)).encode("latin-1")
        head = ("HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Length: %d\r\nConnection: close\r\nDate: %s\r\n\r\n"
                % (code, reason, len(text), http_date())).encode("latin-1")
        try:
            conn.sock.sendall(head if head_only else head + text)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass


# -- start-up --------------------------------------------------------------------------------

def load_app(entry):
    module_name, _, attrs = entry.partition(":")
    attrs = attrs or "application"
    if not module_name:
        raise ValueError("no module name in %r" % entry)
    import importlib
    obj = importlib.import_module(module_name)
    for attr in attrs.split("."):
        obj = getattr(obj, attr)
    if not callable(obj):
        raise TypeError("%s is not callable" % entry)
    return obj


class AppFaults(object):
    """WSGI middleware that makes this process misbehave on purpose (CORRAL_APP_FAULTS).

    The spec is a comma-separated list of instructions:
      slow-start@<duration>  wait that long after the import, before binding (readiness late)
      hang:<p>               never answer the request (this single-threaded process is stuck)
      crash:<p>              send a head with Content-Length 1000 and part of the body, then
                             exit with status 13 (the client sees a truncated response)
      leak:<p>[@<size>]      keep <size> bytes (default 10MB) for good, then answer normally
      garbage:<p>            answer bytes that are not HTTP, then close the connection
    <p> is a probability from 0 to 1; <duration> is a number with ms, s (the default) or m;
    <size> a number with B (the default), KB, MB or GB. Any other part is an error.

    Replay: each request draws random() once for every rule in the spec, always in the order
    leak, hang, crash, garbage (a rule not in the spec draws nothing), before any of them
    acts. So the n-th request of a process uses the same draws whatever happened before it,
    and the same spec, seed and sequence of requests give the same faults. Leak acts first,
    then the first of hang, crash and garbage whose draw fired.
    """

    ORDER = ("leak", "hang", "crash", "garbage")
    DURATION_UNITS = {"": 1.0, "ms": 0.001, "s": 1.0, "m": 60.0}
    SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}
    DEFAULT_LEAK = 10 * 1024 * 1024
    MAX_SLOW_START = (2 ** 31 - 1) / 1000.0   # seconds; the Node loader's limit too
    # Not HTTP from the first byte: a NUL, then text and bytes that no status line has.
    GARBAGE = b"\x00\xff\xfe corral simulated garbage: this is not HTTP \x80\x81\x82\r\n"

    def __init__(self, app, spec, seed):
        import random
        self.app = app
        self.random = random.Random(seed)
        self.seed = seed
        self.slow_start = 0.0
        self.rules = {}      # name -> (probability, amount)
        self.leaked = []
        for part in spec.split(","):
            part = part.strip()
            if part:
                try:
                    self._parse(part)
                except ValueError:
                    raise ValueError("bad CORRAL_APP_FAULTS part %r" % part)

    def _parse(self, part):
        if part.startswith("slow-start@"):
            self.slow_start = self._number(part[len("slow-start@"):], self.DURATION_UNITS)
            if self.slow_start > self.MAX_SLOW_START:
                raise ValueError(part)
            return
        name, colon, rest = part.partition(":")
        probability, at, amount = rest.partition("@")
        if name not in self.ORDER or not colon or (at and name != "leak"):
            raise ValueError(part)
        p = self._number(probability, {"": 1})
        if p > 1:
            raise ValueError(part)
        size = int(self._number(amount, self.SIZE_UNITS)) if at else self.DEFAULT_LEAK
        self.rules[name] = (p, size)

    @staticmethod
    def _number(text, units):
        """A non-negative decimal number with an optional unit (case-insensitive), scaled."""
        text = text.strip().lower()
        digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(digits):]
        whole, _, fraction = digits.partition(".")
        if unit not in units or not (whole or fraction) or not is_digits(whole or "0") \
                or not is_digits(fraction or "0"):
            raise ValueError(text)
        return float(digits) * units[unit]

    def __call__(self, environ, start_response):
        fired = [name for name in self.ORDER
                 if name in self.rules and self.random.random() < self.rules[name][0]]
        path = environ.get("PATH_INFO")
        if "leak" in fired:
            self.leaked.append(b"x" * self.rules["leak"][1])
            log("simulated fault: leaked memory (seed %d)" % self.seed)
        if "hang" in fired:
            log("simulated fault: hanging on %s (seed %d)" % (path, self.seed))
            while True:
                time.sleep(3600)
        if "crash" in fired:
            log("simulated fault: crashing in the middle of %s (seed %d)" % (path, self.seed))
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "1000")])
            return self._crash_midway()
        if "garbage" in fired:
            log("simulated fault: garbage for %s (seed %d)" % (path, self.seed))
            raise RawReply(self.GARBAGE)
        return self.app(environ, start_response)

    def _crash_midway(self):
        yield b"the beginning of a response that never ends"
        sys.stderr.flush()
        os._exit(13)


_bound_socket = [None, None]   # path, inode: removed on exit if still ours


def remove_socket_file():
    path, ino = _bound_socket
    if path and ino is not None:
        try:
            if os.stat(path).st_ino == ino:
                os.unlink(path)
        except OSError:
            pass


def watch_stdin():
    """Exits the process when stdin reaches EOF (the parent JVM went away)."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        return   # no usable stdin: nothing to watch
    remove_socket_file()
    os._exit(0)


def bind(sock_path, port):
    if sock_path:
        try:
            if stat.S_ISSOCK(os.stat(sock_path).st_mode):
                os.unlink(sock_path)
        except FileNotFoundError:
            pass
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock_path)
        addr = sock_path
    else:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", port))
        addr = "127.0.0.1:%d" % port
    lsock.listen(BACKLOG)
    return lsock, addr


def exit_now(status):
    try:
        import atexit
        run = getattr(atexit, "_run_exitfuncs", None)
        if run is not None:
            run()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)


def main(argv):
    if len(argv) != 2 or not argv[1] or argv[1].startswith("-"):
        log("usage: wsgi_loader.py module[:callable]")
        return 2
    entry = argv[1]
    env = os.environ
    sock_path = env.get("CORRAL_SOCKET") or None
    port = None
    if not sock_path:
        port_text = env.get("PORT", "")
        if not is_digits(port_text) or not 0 < int(port_text) < 65536:
            log("cannot start %s: set CORRAL_SOCKET or PORT (1-65535), PORT was %r"
                % (entry, port_text))
            return 2
        port = int(port_text)
    try:
        io_timeout = float(env.get("CORRAL_IO_TIMEOUT", "300"))
    except ValueError:
        log("CORRAL_IO_TIMEOUT must be a number of seconds, was %r" % env["CORRAL_IO_TIMEOUT"])
        return 2
    script_name = os.fsencode(env.get("CORRAL_SCRIPT_NAME", "")).decode("latin-1").rstrip("/")
    faults = None
    spec = env.get("CORRAL_APP_FAULTS", "").strip()
    if spec:
        import random
        seed_text = env.get("CORRAL_APP_FAULT_SEED", "").strip()
        try:
            seed = int(seed_text) if seed_text else random.randrange(1 << 31)
        except ValueError:
            log("CORRAL_APP_FAULT_SEED must be an integer, was %r" % seed_text)
            return 2
        number = env.get("CORRAL_PROCESS_NUMBER", "")
        if is_digits(number):
            seed += int(number)   # each process of the app draws its own sequence
        try:
            faults = AppFaults(None, spec, seed)   # the app comes once it is loaded
        except ValueError as e:
            log(str(e))
            return 2
        log("simulating faults %s (seed %d)" % (spec, seed))

    if env.get("CORRAL_STDIN_WATCH", "1") != "0":
        threading.Thread(target=watch_stdin, name="corral-stdin-watch", daemon=True).start()

    # The app root first on sys.path; not the loader's own directory.
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]
    sys.path.insert(0, os.getcwd())
    try:
        app = load_app(entry)
    except BaseException as e:
        traceback.print_exc()
        summary = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()
        log("cannot load %s: %s" % (entry, summary[-1] if summary else type(e).__name__))
        return 1

    if faults is not None:
        faults.app = app
        app = faults
        if faults.slow_start:
            time.sleep(faults.slow_start)

    server = Server(app, None, env.get("CORRAL_ACCESS_LOG") == "1",
                    io_timeout if io_timeout > 0 else None, script_name, not sock_path)

    # Signal handlers before binding: once the socket accepts, the engine may stop us.
    def on_signal(signum, frame):
        server.stopping = True

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        lsock, addr = bind(sock_path, port)
    except OSError as e:
        log("cannot listen on %s: %s" % (sock_path or "127.0.0.1:%s" % port, e))
        return 1
    if sock_path:
        try:
            _bound_socket[1] = os.stat(sock_path).st_ino
            _bound_socket[0] = sock_path
        except OSError:
            pass
    server.lsock = lsock

    log("listening on %s" % addr)
    try:
        server.serve_forever(wake_r)
    finally:
        try:
            lsock.close()
        except OSError:
            pass
        remove_socket_file()
    return 0


if __name__ == "__main__":
    exit_now(main(sys.argv))
