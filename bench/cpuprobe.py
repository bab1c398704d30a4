#!/usr/bin/env python3
"""Where the CPU went during one bench/run measurement: two snapshots from /proc, and their difference.

    cpuprobe.py snap [--proc NAME=PID] [--tree NAME=PID] [--desc NAME=PID] [--jvm PID]
                     [--gc-last] [--held PID:PORT] > before.json
    cpuprobe.py diff before.json after.json [--extra NAME=MS ...]

snap: the machine's CPU time by kind (/proc/stat: user, nice, system, idle, iowait, irq, softirq,
steal), and per NAME the user + system time of a process (--proc: the process itself, all its
threads), of a process and all its descendants (--tree), or of its descendants alone (--desc:
e.g. a JVM's app processes). --jvm: also that JVM's threads by group (from /proc/PID/task, by
thread name: forward = corral-forward-N, Corral's forwarding and response-draining threads;
engine = Corral's other threads; container = Jetty's or Tomcat's; gc; jit; other) and its
garbage collections so far (jstat -gc: count and pause time), read before /proc (or after, with
--gc-last: jstat starts a JVM of its own, whose CPU must stay outside the measured window).
--held PID:PORT: what is held for the clients of PORT at that instant: the deleted files the
process tree PID has open (response buffers spilled to disk, nginx's proxy temp files: count and
bytes) and the kernel's send queues of the established connections from PORT (ss: count and
bytes), the part of the answers the kernel took.

diff: per NAME the CPU milliseconds between the snapshots (a process that ended meanwhile counts
what it had at the first; one born since counts from zero), the machine's CPU by kind in percent
of all its CPUs, the JVM's threads by group, GCs and their pause time, what was held at the
second snapshot (held_at_end, with --held); --extra adds figures
measured otherwise (e.g. wrk's own CPU from /usr/bin/time). One JSON line. Stdlib only.
"""

import json
import os
import subprocess
import sys
import time

KINDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]


def stat_fields(pid):
    """(ppid, user + system ticks, name) of a process or thread stat file's content, or None."""
    try:
        with open(pid) as f:
            text = f.read()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split(" ")
    return int(fields[1]), int(fields[11]) + int(fields[12]), name


def processes():
    """pid -> (ppid, ticks) of every process now."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = stat_fields("/proc/%s/stat" % entry)
            if f:
                out[int(entry)] = (f[0], f[1])
    return out


def descendants(procs, root):
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def thread_group(name):
    if name.startswith("corral-forward"):
        return "forward"
    if name.startswith("corral-"):
        return "engine"
    if name.startswith("jetty") or name.startswith("http-nio-") or name.startswith("qtp"):
        return "container"
    if name.startswith("GC ") or name.startswith("G1 "):
        return "gc"
    if name.startswith("C1 ") or name.startswith("C2 "):
        return "jit"
    return "other"


def jvm_threads(pid):
    out = {}
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tasks:
        f = stat_fields("/proc/%d/task/%s/stat" % (pid, tid))
        if f:
            out[tid] = [thread_group(f[2]), f[1]]
    return out


def gc_so_far(pid):
    """{"count": young + full + concurrent-phase collections, "pause_s": GCT} from jstat, or None."""
    try:
        text = subprocess.run(["jstat", "-gc", str(pid)], capture_output=True, text=True, timeout=20).stdout
        names, values = text.split("\n")[0].split(), text.split("\n")[1].split()
        row = dict(zip(names, values))
        count = int(row.get("YGC", 0)) + int(row.get("FGC", 0))
        return {"count": count, "young": int(row.get("YGC", 0)), "full": int(row.get("FGC", 0)),
                "pause_s": float(row.get("GCT", "nan"))}
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None


def held(procs, pid, port):
    files, file_bytes = 0, 0
    for p in [pid] + descendants(procs, pid):
        try:
            fds = os.listdir("/proc/%d/fd" % p)
        except OSError:
            continue
        for fd in fds:
            path = "/proc/%d/fd/%s" % (p, fd)
            try:
                if os.readlink(path).endswith(" (deleted)"):
                    st = os.stat(path)
                    if st.st_mode & 0o170000 == 0o100000:   # a regular file
                        files += 1
                        file_bytes += st.st_size
            except OSError:
                pass
    conns, sendq = 0, 0
    try:
        text = subprocess.run(["ss", "-Htn", "state", "established", "( sport = :%d )" % port],
                              capture_output=True, text=True, timeout=10).stdout
        for line in text.splitlines():
            fields = line.split()
            if len(fields) >= 2:
                conns += 1
                sendq += int(fields[1])
    except (OSError, ValueError, subprocess.SubprocessError):
        conns = sendq = None
    return {"files": files, "file_bytes": file_bytes, "conns": conns, "sendq_bytes": sendq}


def snap(args):
    named = {"proc": [], "tree": [], "desc": []}
    jvm = None
    gc_last = False
    held_at = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--proc", "--tree", "--desc"):
            name, _, pid = args[i + 1].partition("=")
            named[a[2:]].append((name, int(pid)))
            i += 2
        elif a == "--jvm":
            jvm = int(args[i + 1])
            i += 2
        elif a == "--gc-last":
            gc_last = True
            i += 1
        elif a == "--held":
            pid, _, port = args[i + 1].partition(":")
            held_at = (int(pid), int(port))
            i += 2
        else:
            sys.exit("cpuprobe: unknown argument [%s]" % a)
    out = {"clk_tck": os.sysconf("SC_CLK_TCK"), "ncpu": os.cpu_count()}
    if jvm is not None and not gc_last:
        out["gc"] = gc_so_far(jvm)
    out["t"] = time.monotonic()
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    out["machine"] = {k: int(v) for k, v in zip(KINDS, cpu)}
    procs = processes()
    # per name: pid -> ticks, so that the difference can follow processes that come and go
    out["groups"] = {}
    for kind, items in named.items():
        for name, pid in items:
            pids = {"proc": [pid], "tree": [pid] + descendants(procs, pid), "desc": descendants(procs, pid)}[kind]
            out["groups"][name] = {str(p): procs[p][1] for p in pids if p in procs}
    if held_at is not None:
        out["held"] = held(procs, *held_at)
    if jvm is not None:
        out["threads"] = jvm_threads(jvm)
        if gc_last:
            out["gc"] = gc_so_far(jvm)
    print(json.dumps(out, separators=(",", ":")))


def diff(args):
    with open(args[0]) as f:
        a = json.load(f)
    with open(args[1]) as f:
        b = json.load(f)
    extra = {}
    i = 2
    while i < len(args):
        if args[i] == "--extra":
            name, _, ms = args[i + 1].partition("=")
            try:
                extra[name] = float(ms)
            except ValueError:
                pass
            i += 2
        else:
            sys.exit("cpuprobe: unknown argument [%s]" % args[i])
    hz = float(a["clk_tck"])
    wall = b["t"] - a["t"]
    out = {"wall_s": round(wall, 3), "ncpu": a["ncpu"]}
    total = sum(b["machine"][k] - a["machine"][k] for k in KINDS)
    out["machine_pct"] = {k: round(100.0 * (b["machine"][k] - a["machine"][k]) / total, 1) if total else None
                          for k in KINDS}
    cpu = {}
    for name, after in b["groups"].items():
        before = a["groups"].get(name, {})
        ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
        cpu[name] = round(max(0, ticks) * 1000 / hz, 1)
    cpu.update(extra)
    out["cpu_ms"] = cpu
    if "threads" in b:
        groups = {}
        before = a.get("threads", {})
        for tid, (group, ticks) in b["threads"].items():
            was = before.get(tid)
            delta = ticks - (was[1] if was and was[0] == group else 0)
            if delta > 0:
                groups[group] = groups.get(group, 0) + delta
        out["jvm_threads_ms"] = {g: round(t * 1000 / hz, 1) for g, t in sorted(groups.items())}
    if a.get("gc") and b.get("gc"):
        out["gc"] = {"count": b["gc"]["count"] - a["gc"]["count"],
                     "pause_ms": round((b["gc"]["pause_s"] - a["gc"]["pause_s"]) * 1000, 1)}
    if b.get("held"):
        out["held_at_end"] = b["held"]
    print(json.dumps(out, separators=(",", ":")))


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("snap", "diff"):
        sys.exit(__doc__)
    if sys.argv[1] == "snap":
        snap(sys.argv[2:])
    else:
        if len(sys.argv) < 4:
            sys.exit(__doc__)
        diff(sys.argv[2:])


if __name__ == "__main__":
    main()
