"""Corral WSGI loader: serves one WSGI callable in one process, one request at a time.

    CORRAL_SOCKET=/path/app.sock python3 -u <lib>/corral-wsgi module:callable
    PORT=8080 python3 -u <lib>/corral-wsgi module.sub:obj.attr

<lib>/corral-wsgi is a directory that holds __main__.py and this package, corral_wsgi (the
layout of a zipapp, unpacked). Python puts that directory first on sys.path; the loader takes
it off again and puts the current directory (the app root) first, so that the app imports its
own modules whatever their names (server.py, faults.py, ...): nothing of the loader is
importable but the package, whose name no app uses. The callable defaults to
``application`` when no ``:callable`` is given.

Environment:
  CORRAL_SOCKET       Unix domain socket to listen on (wins over PORT)
  PORT                else listen on 127.0.0.1:PORT
  CORRAL_APP          the app's name (informational)
  CORRAL_SCRIPT_NAME  SCRIPT_NAME for the app (default ""); stripped from PATH_INFO when
                      the request path starts with it
  CORRAL_ACCESS_LOG   "1": one access log line per request on stdout
  CORRAL_IO_TIMEOUT   seconds a read or write on a client connection may stall once a
                      request has started (default 300; 0 = never time out)
  CORRAL_STDIN_WATCH  "0": do not exit when stdin reaches EOF (for running by hand)
  CORRAL_APP_FAULTS   faults this process simulates, to rehearse a broken app, e.g.
                      "slow-start@3s,hang:0.01,crash:0.05,leak:0.1@20MB,garbage:0.02":
                      slow-start@<duration> (bind that late), hang:<p> (never answer),
                      crash:<p> (exit 13 in the middle of the response), leak:<p>[@<size>]
                      (keep memory, default 10MB), garbage:<p> (answer bytes that are not
                      HTTP, then close). Each request draws once per rule, in the order
                      leak, hang, crash, garbage (see faults.AppFaults). A bad part: exit 2.
  CORRAL_APP_FAULT_SEED  the seed of those draws (default: random, printed at start), plus
                      CORRAL_PROCESS_NUMBER (set by Corral: 1, 2, ... per app) so that the
                      processes of one app do not repeat each other; the same seed, spec,
                      process number and requests replay the same faults

Protocol with the engine (the engine logs stdout at INFO and stderr at WARNING):
  - The app is imported before anything is bound. If that fails: traceback and
    "corral-wsgi: cannot load <entry>: <error>" on stderr, exit status 1.
  - Then "corral-wsgi: listening on <path or 127.0.0.1:port>" on stdout; the socket accepts.
  - Exit 0 on stdin EOF (at once), SIGTERM or SIGINT (after the request in progress; the
    listening socket file is removed). A SIGTERM while the app is still being imported
    kills the process (status 143 through a shell).
  - Exit 1 when the socket cannot be bound; 2 on a usage or configuration error (no
    CORRAL_SOCKET nor valid PORT, bad CORRAL_IO_TIMEOUT, CORRAL_APP_FAULTS or
    CORRAL_APP_FAULT_SEED).
  - The loader's lines start with "corral-wsgi: ". On stdout: "listening on", "simulating
    faults", "simulated fault: ..." and the access log. On stderr: usage and configuration
    errors, "cannot load" (after the traceback), "cannot listen", app tracebacks and one line
    per unexpected error (a bad request body, a Content-Length the app did not keep, a failed
    accept). A clean run writes nothing to stderr.
  - Keep-alive: HTTP/1.1 by default; "Connection: close" is sent when the loader is going to
    close (HTTP/1.0 without keep-alive, app error, truncated body, stopping).

Modules, by concern:
  common      constants shared by the others, the log, the Date header, the exceptions
  connection  a client connection's buffered reads and writes; wsgi.input (Input)
  request     the request head: reading, parsing, the environ and the body's framing
  response    start_response/write and the response framing (Response); wsgi.file_wrapper
  server      the event loop: accepts connections and serves one request at a time
  faults      CORRAL_APP_FAULTS and CORRAL_APP_FAULT_SEED (AppFaults)
  main        start-up: configuration, loading the app, binding, signals, exit

Python 3.8+ standard library only.
"""
