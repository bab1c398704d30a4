"""The event loop: accepts connections and serves one request at a time."""

import os
import selectors
import socket
import sys
import time

from .common import (CLOSE, REASONS, SERVED, WAIT, BodyError, ClientDisconnected, HTTPError,
                     RawReply, http_date, log, log_traceback, warn)
from .connection import Connection
from .request import parse_head, prepare, read_head
from .response import FileWrapper, Response

DRAIN_LIMIT = 1024 * 1024     # unread request body drained after the response, at most


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
                warn("accept failed: %s" % e)   # e.g. EMFILE: back off a little
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
    def handle(self, conn, may_recv):
        """Serves one request on conn if its head is complete; returns SERVED, WAIT or CLOSE."""
        try:
            head = read_head(conn, may_recv)
            if head is WAIT or head is CLOSE:
                return head
            started = time.time() if self.access_log else 0
            method, target, version, http11, environ = parse_head(head, self.base_environ,
                                                                  self.header_keys)
            body, keep_alive = prepare(environ, method, target, version, http11, conn,
                                       self.script_name)
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
                warn("bad request body: %s" % e)
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
