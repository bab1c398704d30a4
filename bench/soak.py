#!/usr/bin/env python3
"""Judges one soak (bench/run --soak) and writes its section of docs/BENCHMARKS.md and its plot.

    python3 bench/soak.py bench/results/<stamp>-soak [--doc docs/BENCHMARKS.md] [--svg docs/soak.svg]

Reads what bench/soak.sh and dev.corral.bench.Soak wrote in the results directory (meta.txt,
samples.csv, apps.csv, events.csv, load.json, faults.json, settle.json, settings.json), prints the
checks, replaces the Soak section of --doc in place (between the soak markers; before "## Notes"
if it has none; a new file if there is none) and draws --svg. Exit status: 0 every check passed,
1 one failed, 2 the results could not be read. Stdlib only.

The bounds, and why (also in the section it writes):
- warm-up: the first max(30 s, 10%) of the load is not judged: Jetty's and Corral's pools,
  buffers and the JIT settle there;
- heap after a full GC, open descriptors, live threads: the median of the last quarter of the
  judged samples against the median of the first; medians, because a sample taken during a
  restart or a recycle (a process more or less, the requests in flight) is an outlier, not a
  trend, and each quarter of a 20-minute run holds two restarts or more;
- zombies, strays: none ever; app processes: bounded per sample, healthy per quarter, exact
  after the load; the soak must also have done what it claims (restarts, recycles, faults, load).
"""

import csv
import json
import math
import os
import statistics
import sys

START = "<!-- soak:start -->"
END = "<!-- soak:end -->"
FULL_MINUTES = 20

HEAP_MIB = 2.0          # heap after GC: growth allowed in MiB ...
HEAP_SHARE = 0.10       # ... or as a share of the first quarter's median, whichever is larger
FD_BAND = 8             # CorralChaosTest.FD_MARGIN: idle keep-alive connections, lingering closes
THREAD_BAND = 6         # 3 threads per app process (two output pumps, the JDK's process reaper)
#                         times the one process an app may run above or below its size
OK_SHARE = 0.95         # the load must mostly be served, or the soak exercised error paths only
PER_PROCESS = 4         # lifeline + its stdin watcher + the app; a grace timer while it stops


def read_meta(res):
    meta = {}
    with open(os.path.join(res, "meta.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    return meta


def read_csv(res, name):
    path = os.path.join(res, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def read_json(res, name):
    path = os.path.join(res, name)
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def median(values):
    return statistics.median(values) if values else None


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx * 3600


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return "{:,.{}f}".format(value, digits)


class Soak:
    def __init__(self, res):
        self.res = res
        self.meta = read_meta(res)
        rows = read_csv(res, "samples.csv")
        self.samples = [r for r in rows if r["phase"] == "load"]
        self.settled_sample = next((r for r in rows if r["phase"] == "settled"), None)
        self.apps_rows = read_csv(res, "apps.csv")
        self.events = read_csv(res, "events.csv")
        self.load = read_json(res, "load.json") or {}
        self.faults = read_json(res, "faults.json") or {}
        self.settle = read_json(res, "settle.json")
        self.settings = read_json(res, "settings.json") or {}
        self.apps = list(self.settings) or sorted({r["app"] for r in self.apps_rows})
        self.minutes = float(self.meta.get("soak.minutes", "0") or 0)
        self.duration = self.minutes * 60
        self.warmup = max(30.0, 0.1 * self.duration)
        judged = [s for s in self.samples if float(s["t_s"]) >= self.warmup]
        q = max(1, len(judged) // 4)
        self.judged = judged
        self.q1, self.q4 = judged[:q], judged[-q:]

    # ------------------------------------------------------------------ series
    def series(self, key, scale=1.0):
        return [(float(s["t_s"]), float(s[key]) * scale) for s in self.samples if s[key] not in ("", "-1")]

    def stats(self, key, scale=1.0):
        values = [v for _, v in self.series(key, scale)]
        q1 = median([float(s[key]) * scale for s in self.q1 if s[key] not in ("", "-1")])
        q4 = median([float(s[key]) * scale for s in self.q4 if s[key] not in ("", "-1")])
        judged = [(float(s["t_s"]), float(s[key]) * scale) for s in self.judged if s[key] not in ("", "-1")]
        return {
            "start": values[0] if values else None,
            "end": values[-1] if values else None,
            "peak": max(values) if values else None,
            "low": min(values) if values else None,
            "q1": q1, "q4": q4,
            "change": None if q1 is None or q4 is None else q4 - q1,
            "slope": slope_per_hour(judged),
        }

    def app_series(self, app, key):
        return [(float(r["t_s"]), float(r[key])) for r in self.apps_rows if r["app"] == app and r["phase"] == "load"]

    def app_last(self, app, key, phase="load"):
        rows = [r for r in self.apps_rows if r["app"] == app and r["phase"] == phase]
        return rows[-1][key] if rows else None

    def restarts(self, app):
        """(started, done, failed) rolling restarts from Corral's log, or None."""
        words = self.meta.get("soak.restarts." + app, "").split()
        return tuple(int(w) for w in words) if len(words) == 3 else None

    def setting(self, app, name, default=None):
        return self.settings.get(app, {}).get(name, default)

    # ------------------------------------------------------------------ checks
    def checks(self):
        """(name, bound, result, ok) for every check; ok None: could not be judged."""
        out = []
        complete = self.settle is not None and self.meta.get("soak.driver_status") == "0"
        errors = [e["detail"] for e in self.events if e["event"] == "error"]
        out.append(("the soak ran to its end", "the driver sampled until the end and settled",
                    "yes" if complete else "no: " + ("; ".join(errors) or "driver status "
                                                     + self.meta.get("soak.driver_status", "?")), complete))
        enough = len(self.q1) >= 2 and len(self.judged) >= 8
        heap = self.stats("heap_after_gc_bytes", 1 / 1048576)
        if any(s["heap_after_gc_bytes"] == "-1" for s in self.samples):
            out.append(("heap after a full GC, flat", "a full GC per sample", "System.gc() ran no collection "
                        "(-XX:+DisableExplicitGC?): no figure", False))
        elif heap["change"] is not None and enough:
            bound = max(HEAP_MIB, HEAP_SHARE * heap["q1"])
            out.append(("heap after a full GC, flat",
                        "last-quarter median ≤ first-quarter median + max({} MiB, {:.0%})".format(fmt(HEAP_MIB, 0), HEAP_SHARE),
                        "{} → {} MiB ({:+.2f}, bound +{:.2f})".format(fmt(heap["q1"], 2), fmt(heap["q4"], 2),
                                                                       heap["change"], bound),
                        heap["change"] <= bound))
        else:
            out.append(("heap after a full GC, flat", "", "too few samples", None))
        for key, name, band in (("fds", "open file descriptors, flat", FD_BAND), ("threads", "live threads, constant", THREAD_BAND)):
            st = self.stats(key)
            if st["change"] is None or not enough:
                out.append((name, "", "too few samples", None))
                continue
            bound = "last-quarter median within ±{} of the first-quarter median".format(band) if key == "threads" \
                else "last-quarter median ≤ first-quarter median + {}".format(band)
            ok = abs(st["change"]) <= band if key == "threads" else st["change"] <= band
            out.append((name, bound, "{} → {} ({:+.0f})".format(fmt(st["q1"], 1), fmt(st["q4"], 1), st["change"]), ok))
        zombies = sum(int(s["zombies"]) for s in self.samples) + (int(self.settled_sample["zombies"]) if self.settled_sample else 0)
        transient = sum(int(s["zombies_transient"]) for s in self.samples)
        out.append(("no zombie, ever", "0 in every sample (a zombie counts if it still is one 1 s later)",
                    "{} ({} reaped within the second)".format(zombies, transient), zombies == 0))
        strays = sum(int(s["strays"]) for s in self.samples)
        left = self.meta.get("soak.left_after_stop", "")
        out.append(("no stray process", "0 processes of the run outside the JVM's tree, in every sample and after "
                    "the JVM stopped", "{} in samples; after the stop: {}".format(strays, left or "none"),
                    strays == 0 and not left))
        # app processes
        for app in self.apps:
            lo, hi = int(self.setting(app, "minProcesses", 0)), int(self.setting(app, "maxProcesses", 0))
            counts = [v for _, v in self.app_series(app, "os_processes")]
            if not counts:
                continue
            judged = [float(r["os_processes"]) for r in self.apps_rows
                      if r["app"] == app and r["phase"] == "load" and float(r["t_s"]) >= self.warmup]
            quarter = max(1, len(judged) // 4)
            meds = [median(judged[i * quarter:(i + 1) * quarter]) for i in range(4) if judged[i * quarter:(i + 1) * quarter]]
            ok = max(counts) <= hi + 2 and all(lo <= m <= hi + 1 for m in meds)
            out.append(("{}: app processes within bounds".format(app),
                        "≤ maxProcesses + 2 = {} in every sample; each quarter's median in [minProcesses, "
                        "maxProcesses + 1] = [{}, {}]".format(hi + 2, lo, hi + 1),
                        "{}..{}; quarter medians {}".format(int(min(counts)), int(max(counts)),
                                                          ", ".join(fmt(m, 1) for m in meds)), ok))
        ratios = [int(s["descendants"]) / int(s["app_processes"]) if int(s["app_processes"]) else
                  (0 if int(s["descendants"]) == 0 else math.inf) for s in self.samples]
        worst = max(ratios, default=0)
        out.append(("nothing below the JVM but the apps' processes",
                    "descendants ≤ {} × app processes in every sample".format(PER_PROCESS),
                    "at most {} per app process".format(fmt(worst, 2)), worst <= PER_PROCESS))
        if self.settle is not None:
            out.append(("back to minProcesses after the load", "faults off: every app at exactly minProcesses, all "
                        "ready, the OS count the engine's, no zombie, within {} s".format(self.settle["limit_seconds"]),
                        "in {} s".format(fmt(self.settle["seconds"], 1)) if self.settle["settled"]
                        else "not within the limit: " + self.settle["missing"], self.settle["settled"]))
        # the soak did what it claims
        for app in self.apps:
            asked = sum(1 for e in self.events if e["event"] == "restart" and e["app"] == app)
            generation = int(self.app_last(app, "generation") or 0)
            recycles = int(self.app_last(app, "recycles") or 0)
            faults = self.faults.get(app, {})
            injected = sum(faults.values())
            restarts = self.restarts(app)
            spawn_faults = faults.get("spawn", 0) + faults.get("spawn-timeout", 0)
            ok = generation == asked and recycles > 0 and injected > 0
            result = "restarts {} of {} asked".format(generation, asked)
            if restarts:
                # a rolling restart stops when a new process cannot start: only an injected spawn fault may do that here
                ok = ok and restarts[2] <= spawn_faults
                result += " ({} done, {} stopped by a failed spawn, {} spawn faults)".format(restarts[1], restarts[2], spawn_faults)
            out.append(("{}: restarted, recycled, faulted".format(app),
                        "a rolling restart per one asked, none stopped but by an injected spawn fault; processes "
                        "recycled; faults injected",
                        result + "; {} recycled; {} faults".format(recycles, injected), ok))
        for app, seen in self.load.items():
            served = sum(n for s, n in seen["statuses"].items() if 200 <= int(s) < 300)
            share = served / seen["requests"] if seen["requests"] else 0
            out.append(("{}: the load was served".format(app), "≥ {:.0%} of the requests answered 2xx".format(OK_SHARE),
                        "{:.2%} of {:,}".format(share, seen["requests"]), share >= OK_SHARE))
        return out

    # ------------------------------------------------------------------ the section
    def section(self, svg_name, checks):
        m = self.meta
        verdict = "PASS" if all(c[3] is not False for c in checks) else "FAIL"
        unjudged = sum(1 for c in checks if c[3] is None)
        if verdict == "PASS" and unjudged:
            verdict += ", but {} checks could not be judged (too few samples)".format(unjudged)
        harness = self.minutes < FULL_MINUTES
        w = []
        w.append(START)
        w.append("## Soak")
        w.append("")
        w.append("Written by `bench/run --soak` (issue 15's harness, `bench/soak.sh`, `bench/soak.py`) from `{}`; a "
                 "full `bench/run` keeps this section as it is. Rerun `bench/run --soak` to replace it.".format(m.get("results")))
        w.append("")
        if harness:
            w.append("> **HARNESS CHECK, NOT A SOAK.** {} minutes instead of {}, on a machine shared with other work "
                     "(load average {} at the start). It shows that the harness works end to end; the figures below "
                     "say little about growth. The soak is `bench/run --soak` on a quiet machine.".format(
                         fmt(self.minutes, 0 if self.minutes == int(self.minutes) else 1), FULL_MINUTES, m.get("load_start")))
            w.append("")
        w.append("**Verdict: {}**{}".format(verdict, " (of the harness check)" if harness else ""))
        w.append("")
        w.append("- Date: {}; command: `{}`; fault seed {}".format(m.get("date"), m.get("args"), m.get("soak.seed")))
        w.append("- Machine: {} CPUs ({}), {} RAM, {}, {}; load average {} at the start, {} at the end".format(
            m.get("nproc"), m.get("cpu"), m.get("ram"), m.get("os"), m.get("kernel"), m.get("load_start"), m.get("load_end")))
        w.append("- Versions: Corral {}, {}, {} {}, {}, {}".format(
            m.get("version.corral"), m.get("version.java"),
            {"corral-jetty": "Jetty", "corral-tomcat": "Tomcat"}.get(m.get("soak.system"), m.get("soak.system")),
            m.get("version." + m.get("soak.system", ""), "?"), m.get("version.python"), m.get("version.node")))
        w.append("- What ran: one Corral ({}) serving two apps at once: `soak-py` (`bench/app.py`, WSGI, "
                 "concurrency 1) under `/py` and `soak-node` (`bench/app.js`, Node, concurrency 0) under `/node`, "
                 "{} processes each, `maxRequests={}`. A paced load of {} req/s per app on {} keep-alive connections "
                 "each (80% `/hello`, 10% `/sleep?ms=20`, 7% `/big?kb=64`, 3% `POST /upload` of 16 KiB; a small "
                 "fraction of what `hello-16` measures above), a rolling restart of every app every {} s (touching "
                 "`tmp/restart.txt` and JMX `restart(true)`, in turns), faults `{}` at the engine's seams and `{}` "
                 "inside the apps. A sample every {} s for {} minutes; then the load stops, the faults go off, and "
                 "every app must come back to `minProcesses`; then the JVM gets SIGTERM.".format(
                     m.get("soak.system"), self.setting(self.apps[0], "minProcesses", "?") if self.apps else "?",
                     self.setting(self.apps[0], "maxRequests", "?") if self.apps else "?", m.get("soak.rate"),
                     m.get("soak.connections"), m.get("soak.restart_every"), m.get("soak.faults"),
                     m.get("soak.app_faults"), m.get("soak.interval"), fmt(self.minutes, 0 if self.minutes == int(self.minutes) else 1)))
        w.append("- How each figure is taken: over JMX (the driver attaches to the JVM by its pid and keeps one "
                 "connection): the heap in use right after a full collection (`MemoryMXBean.gc()`, then the "
                 "collector's `LastGcInfo.memoryUsageAfterGc` summed over the heap pools: the live set; the heap at "
                 "a random instant is mostly garbage, and after young collections it still holds the old "
                 "generation's dead objects), the live threads (`ThreadMXBean`); from `/proc`: the JVM's open "
                 "descriptors (`/proc/PID/fd`), its descendants, the zombies among them, the app processes (process "
                 "groups, one per lifeline, by `CORRAL_APP`), and strays (processes carrying the run's marker "
                 "variable outside the JVM's tree).")
        w.append("")
        w.append("| check | bound | result | verdict |")
        w.append("|---|---|---|---|")
        for name, bound, result, ok in checks:
            result = " ".join(str(result).replace("|", "/").split())   # one table cell
            w.append("| {} | {} | {} | {} |".format(name, bound, result, "n/a" if ok is None else ("PASS" if ok else "FAIL")))
        w.append("")
        w.append("Series (judged: from {} s on, after the warm-up; quarters of the judged samples; slope: least "
                 "squares over them):".format(fmt(self.warmup, 0)))
        w.append("")
        w.append("| series | start | end | low | peak | first-quarter median | last-quarter median | change | slope per hour |")
        w.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key, name, scale, digits in (("heap_after_gc_bytes", "heap after full GC, MiB", 1 / 1048576, 2),
                                         ("threads", "live threads", 1, 0), ("fds", "open descriptors", 1, 0),
                                         ("app_processes", "app processes (both apps)", 1, 0),
                                         ("descendants", "descendant processes", 1, 0),
                                         ("zombies", "zombies (lasting 1 s)", 1, 0), ("gc_ms", "full GC pause, ms", 1, 0)):
            st = self.stats(key, scale)
            w.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                name, fmt(st["start"], digits), fmt(st["end"], digits), fmt(st["low"], digits), fmt(st["peak"], digits),
                fmt(st["q1"], digits), fmt(st["q4"], digits),
                "–" if st["change"] is None else "{:+,.{}f}".format(st["change"], digits),
                "–" if st["slope"] is None else "{:+,.{}f}".format(st["slope"], max(digits, 1))))
        w.append("")
        w.append("Per app, at the end of the load:")
        w.append("")
        w.append("| app | requests | answers | socket errors | recycled | crashed | spawns failed | restarts (done, stopped) | faults injected |")
        w.append("|---|---:|---|---|---:|---:|---:|---:|---|")
        for app in self.apps:
            seen = self.load.get(app, {"requests": 0, "statuses": {}, "errors": {}})
            faults = {k: v for k, v in self.faults.get(app, {}).items() if v}
            w.append("| {} | {:,} | {} | {} | {} | {} | {} | {} | {} |".format(
                app, seen["requests"],
                ", ".join("{}: {:,}".format(s, n) for s, n in sorted(seen["statuses"].items())) or "none",
                ", ".join("{}: {}".format(k, n) for k, n in sorted(seen["errors"].items())) or "none",
                self.app_last(app, "recycles"), self.app_last(app, "crashes"), self.app_last(app, "spawn_failures"),
                "{} ({}, {})".format(self.app_last(app, "generation"), *self.restarts(app)[1:]) if self.restarts(app)
                else self.app_last(app, "generation"),
                ", ".join("{} {}".format(k, v) for k, v in sorted(faults.items())) or "none"))
        w.append("")
        if m.get("soak.app_faults_seen"):
            w.append("Faults the apps simulated (both together, from their log lines): {}.".format(m.get("soak.app_faults_seen")))
            w.append("")
        w.append("![The soak: heap after GC, threads, descriptors and app processes over time]({})".format(svg_name))
        w.append("")
        w.append("The bounds, and why:")
        w.append("")
        w.append("- Warm-up: the first max(30 s, 10%) of the load is not judged: Jetty's and Corral's thread pools "
                 "and buffers, the JIT and the JMX connection settle there.")
        w.append("- Heap after a full GC: the last quarter's median may exceed the first quarter's by at most "
                 "max({} MiB, {:.0%}). Medians, because a sample during a restart or a recycle (a process more, "
                 "requests in flight, a 64 KiB response in a buffer) is an outlier, not a trend; each quarter of a "
                 "20-minute run holds two restarts or more, so the quarters are alike. What it sees: a leak of 100 "
                 "bytes per request (some 120,000 requests in 20 minutes: 11 MiB); what it cannot see: a leak of a "
                 "kilobyte per process lifecycle (some 600: under a MiB). The slope column shows the trend for "
                 "the eye.".format(fmt(HEAP_MIB, 0), HEAP_SHARE))
        w.append("- Open descriptors: the last quarter's median at most {} above the first's (the chaos suite's "
                 "margin: idle keep-alive connections, closes in progress). Each app process holds three pipes and "
                 "its pooled connections, so a sample during a recycle reads a few more; a leak per request or per "
                 "process passes {} within minutes.".format(FD_BAND, FD_BAND))
        w.append("- Live threads: the last quarter's median within ±{} of the first's. Each app process costs "
                 "three threads (its stdout and stderr pumps, the JDK's process reaper) and an app runs one "
                 "process above or below its size during a recycle or a restart; Corral's cached pools let idle "
                 "threads go after 60 s.".format(THREAD_BAND))
        w.append("- Zombies: none, ever; a process is a zombie from its exit until its parent reaps it, which the "
                 "JDK and the lifeline do at once, so one counts only if it still is one a second later.")
        w.append("- App processes: per sample at most `maxProcesses` + 2 per app (the replacement is spawned before "
                 "its predecessor retires, and the predecessor takes up to `shutdownTimeout` to exit); each "
                 "quarter's median in [`minProcesses`, `maxProcesses` + 1] (the pool neither dies out under the "
                 "faults nor grows); below the JVM nothing but the apps' process groups ({} processes each at "
                 "most: lifeline, its stdin watcher, the app, a grace timer while it stops); after the load, with "
                 "the faults off, exactly `minProcesses` ready processes per app within {} s, as the OS counts them "
                 "and as the engine does; no process of the run left once the JVM has stopped.".format(
                     PER_PROCESS, self.settle["limit_seconds"] if self.settle else "?"))
        w.append("- The soak must have done what it claims: every app restarted once per restart asked, processes "
                 "recycled, faults injected, and at least {:.0%} of the load answered 2xx (otherwise it exercised "
                 "error paths only). A rolling restart stops, and the old processes keep serving, when a new "
                 "process cannot start (README, \"Restarting an app\"); with spawn faults on that may happen, but "
                 "never more often than a `spawn` or `spawn-timeout` fault was injected into that app.".format(OK_SHARE))
        w.append("- Fault rates: CorralChaosTest's `ENGINE_FAULTS` are made for a burst of 1,500 requests; at the "
                 "soak's rate they end a process about every second and kept both apps in crash-loop damping most "
                 "of a trial run, so the soak measured an idle JVM. Here the faults that end a process (`connect`, "
                 "`write-reset`, `read-reset`, `truncate`, `kill`, the apps' `crash`) hit about 1 request in 2,000 "
                 "each app; ~9 processes in 10 end by `maxRequests`.")
        w.append("")
        w.append("Run it: `bench/run --soak` (20 minutes; `--soak-minutes N`, `--soak-system corral-tomcat`, "
                 "`--soak-rate R` req/s per app). The samples stay in `bench/results/<stamp>-soak/` (`samples.csv`, "
                 "`apps.csv`, `events.csv`); `python3 bench/soak.py bench/results/<stamp>-soak` judges them again. "
                 "Commands:")
        w.append("")
        w.append("```")
        try:
            with open(os.path.join(self.res, "commands.txt")) as f:
                for line in f:
                    w.append(line.rstrip("\n"))
        except OSError:
            pass
        w.append("```")
        w.append(END)
        return "\n".join(w) + "\n"

    # ------------------------------------------------------------------ the plot
    def svg(self):
        width, left, right, panel, gap, top = 760, 64, 28, 110, 34, 46
        panels = [("heap after full GC (MiB)", self.series("heap_after_gc_bytes", 1 / 1048576), 2),
                  ("live threads", self.series("threads"), 0),
                  ("open file descriptors", self.series("fds"), 0),
                  ("app processes (both apps); zombies in red", self.series("app_processes"), 0)]
        zombies = [(t, v) for t, v in self.series("zombies") if v > 0]
        height = top + len(panels) * (panel + gap) + 10
        t_max = max([self.duration] + [t for t, _ in panels[0][1]]) or 1
        plot_w = width - left - right

        def x(t):
            return left + plot_w * t / t_max

        out = ['<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
               'font-family="sans-serif" font-size="11">'.format(width, height, width, height),
               '<rect width="100%" height="100%" fill="white"/>',
               '<text x="{}" y="16" font-size="13">Soak: {} min, {}, {}</text>'.format(
                   left, fmt(self.minutes, 0 if self.minutes == int(self.minutes) else 1),
                   self.meta.get("soak.system", ""), self.meta.get("date", "")),
               '<text x="{}" y="32" fill="#555">grey: warm-up (not judged); red dashes: first- and last-quarter '
               'medians; dots: the bound of the last; orange: restarts</text>'.format(left)]
        restarts = sorted({float(e["t_s"]) for e in self.events if e["event"] == "restart"})
        q1_span = (float(self.q1[0]["t_s"]), float(self.q1[-1]["t_s"])) if self.q1 else None
        q4_span = (float(self.q4[0]["t_s"]), float(self.q4[-1]["t_s"])) if self.q4 else None
        keys = ["heap_after_gc_bytes", "threads", "fds", "app_processes"]
        for i, (title, points, digits) in enumerate(panels):
            y0 = top + i * (panel + gap) + 14
            st = self.stats(keys[i], 1 / 1048576 if i == 0 else 1)
            bounds = []   # the band the last quarter's median must stay in
            if st["q1"] is not None:
                if i == 0:
                    bounds = [st["q1"] + max(HEAP_MIB, HEAP_SHARE * st["q1"])]
                elif i == 1:
                    bounds = [st["q1"] - THREAD_BAND, st["q1"] + THREAD_BAND]
                elif i == 2:
                    bounds = [st["q1"] + FD_BAND]
            values = [v for _, v in points] + bounds or [0]
            lo, hi = min(values), max(values)
            if i == 3:
                lo = 0
            pad = (hi - lo) * 0.1 or 1
            lo, hi = max(0, lo - pad) if i != 3 else 0, hi + pad

            def y(v, y0=y0, lo=lo, hi=hi):
                return y0 + panel - panel * (v - lo) / (hi - lo)

            out.append('<text x="{}" y="{}" font-weight="bold">{}</text>'.format(left, y0 - 4, title))
            out.append('<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="#eee"/>'.format(
                left, y0, x(min(self.warmup, t_max)) - left, panel))
            out.append('<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>'.format(left, y0, plot_w, panel))
            for t in restarts:
                out.append('<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#e9a23b" stroke-width="1"/>'.format(
                    x(t), y0, y0 + panel))
            for v in (lo, (lo + hi) / 2, hi):
                out.append('<text x="{}" y="{:.1f}" text-anchor="end">{}</text>'.format(left - 4, y(v) + 4, fmt(v, digits)))
            if points:
                out.append('<polyline fill="none" stroke="#2a6fdb" stroke-width="1.5" points="{}"/>'.format(
                    " ".join("{:.1f},{:.1f}".format(x(t), y(v)) for t, v in points)))
            for bound in bounds:
                if q4_span:
                    out.append('<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#555" stroke-dasharray="1 3" '
                               'stroke-width="1.5"/>'.format(x(q4_span[0]), x(q4_span[1]), y(bound), y(bound)))
            for span, med in ((q1_span, st["q1"]), (q4_span, st["q4"])):
                if span and med is not None:
                    out.append('<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#d33" stroke-dasharray="4 3" '
                               'stroke-width="1.5"/>'.format(x(span[0]), x(span[1]), y(med), y(med)))
            if i == 3:
                for t, v in zombies:
                    out.append('<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="red"/>'.format(x(t), y(0)))
        axis_y = top + len(panels) * (panel + gap) - gap + 14 + 14
        step = 60 if t_max <= 900 else 120 if t_max <= 2400 else 600
        t = 0
        while t <= t_max + 0.1:
            out.append('<text x="{:.1f}" y="{}" text-anchor="middle">{}</text>'.format(x(t), axis_y, "{:g} min".format(t / 60)))
            t += step
        out.append("</svg>")
        return "\n".join(out) + "\n"


def update_doc(path, section):
    """Replaces the Soak section of the report in place; before "## Notes" when there is none."""
    text = open(path).read() if os.path.exists(path) else "# Corral benchmarks\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    elif "\n## Notes\n" in text:
        head, tail = text.split("\n## Notes\n", 1)
        text = head + "\n" + section + "\n## Notes\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    args, doc, svg = [], None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--doc" and i + 1 < len(argv):
            doc = argv[i + 1]
            i += 2
        elif argv[i] == "--svg" and i + 1 < len(argv):
            svg = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 1:
        print("usage: soak.py RESULTS_DIR [--doc docs/BENCHMARKS.md] [--svg docs/soak.svg]", file=sys.stderr)
        return 2
    try:
        soak = Soak(args[0])
    except (OSError, ValueError, KeyError) as e:
        print("soak.py: cannot read {}: {}".format(args[0], e), file=sys.stderr)
        return 2
    checks = soak.checks()
    width = max(len(c[0]) for c in checks)
    for name, bound, result, ok in checks:
        print("soak: {:<{}}  {:4}  {}".format(name, width, "n/a" if ok is None else ("PASS" if ok else "FAIL"), result))
    failed = [c[0] for c in checks if c[3] is False]
    if svg:
        with open(svg, "w") as f:
            f.write(soak.svg())
    if doc:
        update_doc(doc, soak.section(os.path.relpath(svg, os.path.dirname(os.path.abspath(doc))) if svg else "soak.svg", checks))
    if failed:
        print("soak: FAIL: " + "; ".join(failed), file=sys.stderr)
        return 1
    print("soak: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
