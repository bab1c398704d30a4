"""CORRAL_APP_FAULTS: the faults this process simulates (AppFaults)."""

import os
import sys
import time

from .common import RawReply, is_digits, log


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
