"""Start-up: the configuration, loading the app, binding the socket, signals and the exit."""

import os
import signal
import socket
import stat
import sys
import threading
import time
import traceback

from .common import is_digits, log, warn
from .faults import WHITESPACE, AppFaults, parse_seed
from .server import Server

BACKLOG = 128
# The directory Python was asked to run (it holds __main__.py and this package): Python put
# it first on sys.path, where it must not stay ahead of the app root.
LAUNCHER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def take_launcher_off_sys_path():
    """Takes the launcher directory (where Python found __main__.py) off the front of sys.path:
    from there on the package is found through sys.modules and its own __path__."""
    if sys.path and sys.path[0] and os.path.realpath(sys.path[0]) == os.path.realpath(LAUNCHER_DIR):
        del sys.path[0]


def main(argv):
    if len(argv) != 2 or not argv[1] or argv[1].startswith("-"):
        warn("usage: corral-wsgi module[:callable]")
        return 2
    entry = argv[1]
    env = os.environ
    sock_path = env.get("CORRAL_SOCKET") or None
    port = None
    if not sock_path:
        port_text = env.get("PORT", "")
        if not is_digits(port_text) or not 0 < int(port_text) < 65536:
            warn("cannot start %s: set CORRAL_SOCKET or PORT (1-65535), PORT was %r"
                % (entry, port_text))
            return 2
        port = int(port_text)
    try:
        io_timeout = float(env.get("CORRAL_IO_TIMEOUT", "300"))
    except ValueError:
        warn("CORRAL_IO_TIMEOUT must be a number of seconds, was %r" % env["CORRAL_IO_TIMEOUT"])
        return 2
    script_name = os.fsencode(env.get("CORRAL_SCRIPT_NAME", "")).decode("latin-1").rstrip("/")
    faults = None
    spec = env.get("CORRAL_APP_FAULTS", "").strip(WHITESPACE)
    if spec:
        try:
            seed = parse_seed(env.get("CORRAL_APP_FAULT_SEED", ""),
                              env.get("CORRAL_PROCESS_NUMBER", ""))
            faults = AppFaults(None, spec, seed)   # the app comes once it is loaded
        except ValueError as e:
            warn(str(e))
            return 2
        log("simulating faults %s (seed %d)" % (spec, seed))

    if env.get("CORRAL_STDIN_WATCH", "1") != "0":
        threading.Thread(target=watch_stdin, name="corral-stdin-watch", daemon=True).start()

    # The app root first on sys.path; not the loader's own directory.
    take_launcher_off_sys_path()
    sys.path.insert(0, os.getcwd())
    try:
        app = load_app(entry)
    except BaseException as e:
        traceback.print_exc()
        summary = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()
        warn("cannot load %s: %s" % (entry, summary[-1] if summary else type(e).__name__))
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
        warn("cannot listen on %s: %s" % (sock_path or "127.0.0.1:%s" % port, e))
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
