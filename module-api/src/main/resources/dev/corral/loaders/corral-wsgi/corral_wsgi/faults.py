"""CORRAL_APP_FAULTS and CORRAL_APP_FAULT_SEED: the faults this process simulates.

The grammar is the Node loader's too (corral-node/faults.js parseFaults and parseFaultSeed); both
loaders' tests check their parser against one fixture, module-api/src/test/shared/
fault-grammar.json, so that the two cannot drift apart. A change here needs the same change
there, and a case in the fixture.
"""

import os
import random
import sys
import time

from .common import RawReply, is_digits, log

# The only whitespace stripped around the spec, its parts, numbers and the seed: what both
# str.strip() and JavaScript's trim() take (not U+001C..U+001F and U+0085, which only strip()
# takes, nor U+FEFF, which only trim() takes).
WHITESPACE = (" \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
              "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
ORDER = ("leak", "hang", "crash", "garbage")   # the order of the draws: never change
DURATION_UNITS = {"": 1000.0, "ms": 1.0, "s": 1000.0, "m": 60000.0}   # to milliseconds
SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}
DEFAULT_LEAK = 10 * 1024 * 1024
MAX_LEAK = 4 * 1024 ** 3                # bytes: 4GB, what one Node Buffer can hold
MAX_SLOW_START_MS = 2 ** 31 - 1         # what Node's setTimeout() takes (24.8 days)
# Not HTTP from the first byte: a NUL, then text and bytes that no status line has.
GARBAGE = b"\x00\xff\xfe corral simulated garbage: this is not HTTP \x80\x81\x82\r\n"


def parse_spec(spec):
    """(slow start in seconds, {name: (probability, size)}) of a CORRAL_APP_FAULTS spec;
    ValueError("bad CORRAL_APP_FAULTS part '<part>'") on the first malformed part."""
    slow_start = 0.0
    rules = {}
    for part in spec.split(","):
        part = part.strip(WHITESPACE)
        if not part:
            continue
        bad = ValueError("bad CORRAL_APP_FAULTS part '%s'" % part)
        if part.startswith("slow-start@"):
            ms = _number(part[len("slow-start@"):], DURATION_UNITS)
            if ms is None or ms > MAX_SLOW_START_MS:
                raise bad
            slow_start = ms / 1000.0
            continue
        name, colon, rest = part.partition(":")
        probability, at, amount = rest.partition("@")
        if name not in ORDER or not colon or (at and name != "leak"):
            raise bad
        p = _number(probability, {"": 1})
        if p is None or p > 1:
            raise bad
        size = DEFAULT_LEAK
        if at:
            size = _number(amount, SIZE_UNITS)
            if size is None or size > MAX_LEAK:
                raise bad
            size = int(size)
        rules[name] = (p, size)
    return slow_start, rules


def _number(text, units):
    """A non-negative decimal number with an optional unit (case-insensitive), scaled; None
    if text is not one."""
    text = text.strip(WHITESPACE).lower()
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(digits):]
    whole, _, fraction = digits.partition(".")
    if unit not in units or not (whole or fraction) or not is_digits(whole or "0") \
            or not is_digits(fraction or "0"):
        return None
    return float(digits) * units[unit]


def parse_seed(seed_text, process_number):
    """The seed of the draws: the integer seed_text (CORRAL_APP_FAULT_SEED; random when
    empty) plus process_number (CORRAL_PROCESS_NUMBER) when that is a number. ValueError with
    the message to log if seed_text is not an integer."""
    seed_text = seed_text.strip(WHITESPACE)
    if seed_text:
        digits = seed_text[1:] if seed_text[:1] in ("+", "-") else seed_text
        if not is_digits(digits):   # int() would also take "1_000" and non-ASCII digits
            raise ValueError("CORRAL_APP_FAULT_SEED must be an integer, was '%s'" % seed_text)
        seed = int(seed_text)
    else:
        seed = random.randrange(1 << 31)
    number = process_number.strip(WHITESPACE)
    if is_digits(number):
        seed += int(number)   # each process of the app draws its own sequence
    return seed


class AppFaults(object):
    """WSGI middleware that makes this process misbehave on purpose (CORRAL_APP_FAULTS).

    The spec is a comma-separated list of instructions:
      slow-start@<duration>  wait that long after the import, before binding (readiness late)
      hang:<p>               never answer the request (this single-threaded process is stuck)
      crash:<p>              send a head with Content-Length 1000 and part of the body, then
                             exit with status 13 (the client sees a truncated response)
      leak:<p>[@<size>]      keep <size> bytes (default 10MB) for good, then answer normally
      garbage:<p>            answer bytes that are not HTTP, then close the connection
    <p> is a probability from 0 to 1; <duration> is a number with ms, s (the default) or m, at
    most 2147483647ms; <size> a number with B (the default), KB, MB or GB, at most 4GB.
    Whitespace (WHITESPACE) around parts and numbers does not count, nor do empty parts. Any
    other part is an error; of two parts for the same instruction, the last one counts.

    Replay: each request draws random() once for every rule in the spec, always in the order
    leak, hang, crash, garbage (a rule not in the spec draws nothing), before any of them
    acts. So the n-th request of a process uses the same draws whatever happened before it,
    and the same spec, seed and sequence of requests give the same faults. Leak acts first,
    then the first of hang, crash and garbage whose draw fired.
    """

    def __init__(self, app, spec, seed):
        self.app = app
        self.random = random.Random(seed)
        self.seed = seed
        self.slow_start, self.rules = parse_spec(spec)   # rules: name -> (probability, size)
        self.leaked = []

    def __call__(self, environ, start_response):
        fired = [name for name in ORDER
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
            raise RawReply(GARBAGE)
        return self.app(environ, start_response)

    def _crash_midway(self):
        yield b"the beginning of a response that never ends"
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(13)
