"""Tests of the bundled lifeline (dev/corral/loaders/lifeline.sh), with real processes.

Run:  cd module-api/src/test/python && python3 -m unittest -v
Runs the lifeline with dash (the Debian /bin/sh) explicitly, as the engine does:
`setsid dash lifeline.sh <grace> <cmd...>` with stdin a pipe that is never written to.
Every wait polls a condition with a deadline.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LOADERS = os.path.normpath(os.path.join(HERE, "..", "..", "main", "resources", "dev", "corral",
                                        "loaders"))
LIFELINE = os.path.join(LOADERS, "lifeline.sh")
WSGI_LOADER = os.path.join(LOADERS, "corral-wsgi")   # a directory: __main__.py + corral_wsgi/
APPS = os.path.join(HERE, "apps")
DASH = os.environ.get("CORRAL_TEST_SH") or shutil.which("dash")   # the shell under test
SETSID = shutil.which("setsid")
DEADLINE = 15.0


def wait_until(predicate, timeout=DEADLINE, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(0.01)


def proc_stat(pid):
    """(state, ppid, pgrp, starttime) of a process, or None if it does not exist."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = data.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def running(pid):
    """True if pid is a live process (a zombie waiting for its reaper counts as gone)."""
    st = proc_stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def group_members(pgid):
    """Live processes of a process group."""
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[2] == pgid and st[0] not in ("Z", "X"):
                pids.append(int(name))
    return pids


def children(pid):
    """(pid, state) of the children of pid."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[1] == pid:
                out.append((int(name), st[0]))
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


@unittest.skipUnless(DASH and SETSID and os.path.isdir("/proc"), "needs dash, setsid and /proc")
class LifelineTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cl-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start(self, grace, *cmd, **kwargs):
        """Starts the lifeline like the engine does (stdout and stderr apart); returns the Popen."""
        n = len(os.listdir(self.tmp))
        self.out_path = os.path.join(self.tmp, "stdout.%d" % n)
        self.err_path = os.path.join(self.tmp, "stderr.%d" % n)
        out = open(self.out_path, "wb")
        err = open(self.err_path, "wb")
        prefix = kwargs.get("prefix", [SETSID, DASH])
        proc = subprocess.Popen(prefix + [LIFELINE, str(grace)] + list(cmd),
                                stdin=subprocess.PIPE, stdout=out, stderr=err,
                                cwd=kwargs.get("cwd"), env=kwargs.get("env"))
        out.close()
        err.close()
        self.addCleanup(self._cleanup, proc)
        return proc

    def _cleanup(self, proc):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_exit(self, proc, timeout=DEADLINE):
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("lifeline did not exit within %.0fs" % timeout)

    def pids_file(self):
        return os.path.join(self.tmp, "pids")

    def read_pids(self):
        """Waits for the app to write "<app pid> <grandchild pid>" and returns both."""
        path = self.pids_file()

        def ready():
            try:
                with open(path) as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            return text.endswith("\n") and [int(x) for x in text.split()]
        return wait_until(ready, what="the app's pid file")

    def app_with_grandchild(self, prelude=""):
        """An app (sh) that forks a long-lived grandchild and waits."""
        return ["sh", "-c", prelude + 'sleep 1000 & echo "$$ $!" > %s.tmp; mv %s.tmp %s; wait'
                % ((self.pids_file(),) * 3)]

    def assert_gone(self, *pids):
        for pid in pids:
            wait_until(lambda: not running(pid), what="pid %d to be gone" % pid)

    # -- the lifeline's own process group ----------------------------------------------
    def test_app_runs_in_the_lifelines_process_group(self):
        proc = self.start(5, *self.app_with_grandchild())
        app, grandchild = self.read_pids()
        self.assertEqual(proc.pid, proc_stat(proc.pid)[2])     # group leader (setsid)
        self.assertEqual(proc.pid, proc_stat(app)[2])
        self.assertEqual(proc.pid, proc_stat(grandchild)[2])
        self.assertEqual(proc.pid, proc_stat(app)[1])          # the app is its direct child
        proc.stdin.close()
        self.wait_exit(proc)

    def test_without_setsid_it_reexecs_itself_as_group_leader(self):
        proc = self.start(5, *self.app_with_grandchild(), prefix=[DASH])
        app, grandchild = self.read_pids()
        self.assertEqual(proc.pid, proc_stat(proc.pid)[2])     # same pid, now group leader
        self.assertEqual(proc.pid, proc_stat(grandchild)[2])
        self.assertNotEqual(os.getpgrp(), proc.pid)
        proc.stdin.close()
        self.assertEqual(143, self.wait_exit(proc))
        self.assert_gone(app, grandchild)
        self.assertEqual("", self.stderr())
        self.assertEqual("", self.stdout())

    # -- stopping ------------------------------------------------------------------------
    def test_stdin_eof_kills_app_and_grandchild(self):
        proc = self.start(5, *self.app_with_grandchild())
        app, grandchild = self.read_pids()
        self.assertTrue(running(app) and running(grandchild))
        proc.stdin.close()   # what happens when the JVM dies
        self.assertEqual(143, self.wait_exit(proc))   # sh died of SIGTERM
        self.assert_gone(app, grandchild)
        self.assertEqual([], group_members(proc.pid))
        self.assertEqual("", self.stderr())
        self.assertEqual("", self.stdout())

    def test_sigterm_stops_the_group_and_exits_with_the_app_status(self):
        proc = self.start(5, *self.app_with_grandchild())
        app, grandchild = self.read_pids()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(143, self.wait_exit(proc))
        self.assert_gone(app, grandchild)
        self.assertEqual([], group_members(proc.pid))

    def test_sigterm_app_exiting_cleanly_gives_0(self):
        marker = os.path.join(self.tmp, "ready")
        code = ("import signal, sys, time\n"
                "signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n"
                "open(%r, 'w').close()\n"
                "time.sleep(1000)\n" % marker)
        proc = self.start(5, sys.executable, "-c", code)
        wait_until(lambda: os.path.exists(marker), what="the app to start")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, self.wait_exit(proc))

    def test_app_ignoring_sigterm_is_killed_after_the_grace(self):
        proc = self.start(1, *self.app_with_grandchild("trap '' TERM; "))
        app, grandchild = self.read_pids()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        # still there during the grace period
        time.sleep(0.3)
        self.assertTrue(running(app) and running(grandchild))
        self.assertEqual(137, self.wait_exit(proc))
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 10.0)
        self.assert_gone(app, grandchild)
        self.assertEqual([], group_members(proc.pid))

    def test_stdin_eof_with_app_ignoring_sigterm(self):
        proc = self.start("0.5", *self.app_with_grandchild("trap '' TERM; "))
        app, grandchild = self.read_pids()
        proc.stdin.close()
        self.assertEqual(137, self.wait_exit(proc))
        self.assert_gone(app, grandchild)

    def test_repeated_sigterm_is_harmless(self):
        proc = self.start(2, *self.app_with_grandchild("trap '' TERM; "))
        app, grandchild = self.read_pids()
        for _ in range(5):
            proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGINT)
        self.assertEqual(137, self.wait_exit(proc))
        self.assert_gone(app, grandchild)

    # -- exit status -------------------------------------------------------------------
    def test_exit_status_is_passed_through(self):
        proc = self.start(2, "sh", "-c", "exit 3")
        self.assertEqual(3, self.wait_exit(proc))
        proc = self.start(2, "true")
        self.assertEqual(0, self.wait_exit(proc))

    def test_killed_app_gives_128_plus_signal(self):
        proc = self.start(2, "sh", "-c", "kill -KILL $$")
        self.assertEqual(137, self.wait_exit(proc))
        proc = self.start(2, "sh", "-c", "kill -USR1 $$")
        self.assertEqual(138, self.wait_exit(proc))

    def test_leftover_children_are_killed_when_the_app_exits(self):
        proc = self.start(5, "sh", "-c", 'sleep 1000 & echo "$$ $!" > %s.tmp; mv %s.tmp %s; '
                                         'sleep 0.2; exit 4' % ((self.pids_file(),) * 3))
        app, grandchild = self.read_pids()
        self.assertEqual(4, self.wait_exit(proc))
        self.assert_gone(app, grandchild)
        self.assertEqual([], group_members(proc.pid))

    def test_missing_command_gives_127(self):
        proc = self.start(2, "corral-no-such-command", "arg")
        self.assertEqual(127, self.wait_exit(proc))
        self.assertEqual("corral-lifeline: cannot run corral-no-such-command: command not found\n",
                         self.stderr())
        proc = self.start(2, "/nonexistent/app")
        self.assertEqual(127, self.wait_exit(proc))
        self.assertIn("corral-lifeline: cannot run /nonexistent/app: No such file or directory",
                      self.stderr())

    def test_not_executable_gives_126(self):
        script = os.path.join(self.tmp, "not-executable")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o644)
        proc = self.start(2, script)
        self.assertEqual(126, self.wait_exit(proc))
        self.assertEqual("corral-lifeline: cannot run %s: Permission denied\n" % script,
                         self.stderr())

    def test_bad_usage_gives_2(self):
        proc = self.start("soon", "true")
        self.assertEqual(2, self.wait_exit(proc))
        self.assertIn("corral-lifeline: graceSeconds must be a number", self.stderr())
        err = open(os.path.join(self.tmp, "usage.err"), "wb")
        rc = subprocess.call([SETSID, DASH, LIFELINE, "2"], stdin=subprocess.PIPE, stderr=err)
        err.close()
        self.assertEqual(2, rc)

    def test_arguments_are_passed_verbatim(self):
        out = os.path.join(self.tmp, "args")
        proc = self.start(2, sys.executable, "-c",
                          "import sys; open(sys.argv[1], 'w').write(repr(sys.argv[2:]))",
                          out, "a b", "", "*", "$HOME", "-x")
        self.assertEqual(0, self.wait_exit(proc))
        with open(out) as f:
            self.assertEqual(repr(["a b", "", "*", "$HOME", "-x"]), f.read())

    # -- stdin and reaping ---------------------------------------------------------------
    def test_app_sees_stdin_eof(self):
        marker = os.path.join(self.tmp, "saw-eof")
        ready = os.path.join(self.tmp, "ready")
        code = ("import signal, sys\n"
                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"   # only EOF can end it
                "open(%r, 'w').close()\n"
                "data = sys.stdin.buffer.read()\n"
                "open(%r, 'w').write('eof %%d' %% len(data))\n"
                "sys.exit(5)\n" % (ready, marker))
        proc = self.start(10, sys.executable, "-c", code)
        wait_until(lambda: os.path.exists(ready), what="the app to start")
        started = time.monotonic()
        proc.stdin.close()
        self.assertEqual(5, self.wait_exit(proc))
        self.assertLess(time.monotonic() - started, 8.0)   # by itself, well before the grace
        with open(marker) as f:
            self.assertEqual("eof 0", f.read())

    def test_app_gets_default_sigint_and_sigquit(self):
        # sh starts background commands with SIGINT/SIGQUIT ignored; the app must not inherit that
        out = os.path.join(self.tmp, "sigign")
        proc = self.start(2, sys.executable, "-c",
                          "import sys\n"
                          "for line in open('/proc/self/status'):\n"
                          "    if line.startswith('SigIgn:'):\n"
                          "        open(sys.argv[1], 'w').write(line.split()[1])\n", out)
        self.assertEqual(0, self.wait_exit(proc))
        with open(out) as f:
            ignored = int(f.read(), 16)
        self.assertEqual(0, ignored & ((1 << (signal.SIGINT - 1)) | (1 << (signal.SIGQUIT - 1))))

    def test_no_zombies_and_no_helpers_left(self):
        # the app survives SIGTERM for a while: during the grace the watcher is already gone
        # and must have been reaped, and after the exit nothing of the group may remain
        ready = os.path.join(self.tmp, "ready")
        go = os.path.join(self.tmp, "go")
        code = ("import os, signal, sys, time\n"
                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "open(%r, 'w').close()\n"
                "while not os.path.exists(%r): time.sleep(0.01)\n"
                "sys.exit(6)\n" % (ready, go))
        proc = self.start(30, sys.executable, "-c", code)
        wait_until(lambda: os.path.exists(ready), what="the app to start")
        # the app and the stdin watcher, both alive
        kids = wait_until(lambda: len(children(proc.pid)) == 2 and children(proc.pid),
                          what="the app and the watcher")
        self.assertEqual([], [k for k in kids if k[1] == "Z"])
        proc.send_signal(signal.SIGTERM)

        def watcher_reaped():
            kids = children(proc.pid)
            # the app and the grace timer; the watcher died of the SIGTERM and was reaped
            return [k for k in kids if k[1] == "Z"] == [] and len(kids) == 2 and kids
        wait_until(watcher_reaped, what="the watcher to be reaped")
        open(go, "w").close()
        self.assertEqual(6, self.wait_exit(proc))   # long before the 30 s grace
        self.assertEqual([], group_members(proc.pid))   # incl. the grace timer's sleep

    def test_wsgi_loader_under_the_lifeline(self):
        sock = os.path.join(self.tmp, "app.sock")
        env = dict(os.environ, CORRAL_SOCKET=sock, CORRAL_APP="test", PYTHONDONTWRITEBYTECODE="1")
        env.pop("PORT", None)
        proc = self.start(5, sys.executable, "-u", WSGI_LOADER, "testapp:application",
                          cwd=APPS, env=env)
        wait_until(lambda: "listening on" in self.stdout(), what="the loader to listen")
        loader_pid = [p for p, _ in children(proc.pid) if "corral-wsgi" in cmdline(p)][0]
        proc.stdin.close()
        self.assertEqual(0, self.wait_exit(proc))
        self.assert_gone(loader_pid)
        self.assertFalse(os.path.exists(sock))
        self.assertEqual("corral-wsgi: listening on %s\n" % sock, self.stdout())
        self.assertEqual("", self.stderr())

        proc = self.start(5, sys.executable, "-u", WSGI_LOADER, "testapp:application",
                          cwd=APPS, env=env)
        wait_until(lambda: "listening on" in self.stdout(), what="the loader to listen")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, self.wait_exit(proc))


if __name__ == "__main__":
    unittest.main()
