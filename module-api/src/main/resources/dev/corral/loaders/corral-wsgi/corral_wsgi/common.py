"""What the loader's modules share: the log, the Date header, the exceptions, HTTP reasons.

The loader's own lines: log() for what it reports in the normal course (listening, simulated
faults, the access log) on stdout, warn() and log_traceback() for errors and warnings on stderr.
Corral logs the app's stdout at INFO and its stderr at WARNING."""

import sys
import time
import traceback

LOG_PREFIX = "corral-wsgi: "
REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large",
           431: "Request Header Fields Too Large", 500: "Internal Server Error",
           501: "Not Implemented", 505: "HTTP Version Not Supported"}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CLOSE, SERVED, WAIT = "close", "served", "wait"   # outcomes of Server.handle()


def is_digits(text):
    """True for a non-empty string of ASCII digits only (str.isdigit() also takes "\u00b2")."""
    return bool(text) and not text.strip("0123456789")


def _write(stream, text):
    try:
        stream.write(text)
        stream.flush()
    except Exception:
        pass


def log(message):
    """An informational line, on stdout."""
    _write(sys.stdout, LOG_PREFIX + message + "\n")


def warn(message):
    """An error or a warning, on stderr."""
    _write(sys.stderr, LOG_PREFIX + message + "\n")


def log_traceback(message):
    """An error with the traceback of the exception being handled, on stderr."""
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
