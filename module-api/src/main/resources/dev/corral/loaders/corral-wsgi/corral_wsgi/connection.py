"""A client connection's buffered reads and writes, and wsgi.input on top of them."""

import socket

from .common import BodyError, ClientDisconnected

MAX_CHUNK_LINE = 8 * 1024     # chunk-size line incl. extensions, and each trailer line
MAX_TRAILER = 64 * 1024
RECV_SIZE = 64 * 1024
MAX_RECV = 256 * 1024         # cap of a single recv() for body reads
SMALL_SEND = 64 * 1024        # below this, parts are joined into one sendall()
HEX_CHARS = b"0123456789abcdefABCDEF"
CONTINUE_100 = b"HTTP/1.1 100 Continue\r\n\r\n"


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
