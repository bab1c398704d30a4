#!/usr/bin/env python3
"""Turns one bench/run results directory into docs/BENCHMARKS.md (on stdout).

    python3 bench/report.py bench/results/<stamp> [docs/BENCHMARKS.md] > new.md

Reads meta.txt, results.jsonl, commands.txt, memory.json, jmh.json and the generated
nginx/HAProxy configurations. Every figure is the median of the runs; error counts are the
sum over all runs. Given the report it replaces, it keeps that report's Soak section (written by
`bench/run --soak`, between the soak markers) as it is, before "## Notes". Stdlib only.
"""

import json
import os
import statistics
import sys

SYSTEMS = ["direct", "nginx", "nginx-mc1", "haproxy", "corral-jetty", "corral-tomcat", "corral-jetty+prefetch",
           "corral-tomcat+prefetch", "corral-jetty+status", "corral-tomcat+status", "passenger"]
WRK_SCENARIOS = ["hello-16", "hello-64", "sleep20-64", "big1024-16", "big256-16", "static16k-16", "static1m-16",
                 "upload-16"]
SCENARIO_TEXT = {
    "hello-16": "`GET /hello` (14-byte body), 16 connections: proxy overhead",
    "hello-64": "`GET /hello`, 64 connections: proxy overhead under more concurrency",
    "sleep20-64": "`GET /sleep?ms=20`, 64 connections: queueing; the limit is processes / 20.x ms",
    "big1024-16": "`GET /big?kb=1024` (1 MiB streamed body), 16 connections",
    "big256-16": "`GET /big?kb=256`, 16 connections",
    "upload-16": "`POST /upload` with a 64 KiB body, 16 connections",
    "static16k-16": "static-file: `GET /static16k.bin`, a 16 KiB file of the app's `public/` directory served by "
                    "the front end itself (nginx: `root` with `sendfile on`; Corral: the container's own file "
                    "serving, no app process), 16 connections",
    "static1m-16": "static-file: `GET /static1m.bin`, a 1 MiB file of `public/`, served as static16k-16, "
                   "16 connections",
    "overflow": "queue overflow: `GET /sleep?ms=200`, 64 connections, every queue bounded at {qo}",
    "crash": "`GET /hello` on 16 connections, plus `GET /crash` (the process exits mid-request) "
             "every {ce} ms on its own connection",
}
SYSTEM_TEXT = {
    "direct": "one app process reached directly over TCP (the physical reference)",
    "nginx": "nginx, upstream round robin over the processes, keep-alive, default retries",
    "nginx-mc1": "nginx with `max_conns=1` per process and no queue (open-source nginx has none)",
    "haproxy": "HAProxy, `maxconn 1` per process, backend queue bounded by `queue(app)`, leastconn",
    "corral-jetty": "Corral on embedded Jetty (`CorralHandler`)",
    "corral-tomcat": "Corral on embedded Tomcat (`CorralValve`, async)",
    "corral-jetty+status": "`corral-jetty` with `statusPath` set and its `/metrics` scraped every second (hello-16 only)",
    "corral-tomcat+status": "`corral-tomcat` with `statusPath` set and its `/metrics` scraped every second (hello-16 only)",
    "corral-jetty+prefetch": "`corral-jetty` with `prefetch=50ms` (a busy process may take one request more; "
                             "hello-16, hello-64 and sleep20-64 only)",
    "corral-tomcat+prefetch": "`corral-tomcat` with `prefetch=50ms` (hello-16, hello-64 and sleep20-64 only)",
    "passenger": "Phusion Passenger Standalone, builtin engine (its core serves HTTP itself), the same app in "
                 "processes of Passenger's own WSGI loader (slow-readers only)",
}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "–"
    if digits == 0:
        return "{:,.0f}".format(value)
    return "{:,.{}f}".format(value, digits)


def ratio(a, b):
    if a is None or not b:
        return "–"
    return "{:.2f}×".format(a / b)


def load(res):
    meta = {}
    with open(os.path.join(res, "meta.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    rows = []
    with open(os.path.join(res, "results.jsonl")) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))

    def read_json(name):
        path = os.path.join(res, name)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return None
        with open(path) as f:
            try:
                return json.loads(f.read())
            except ValueError:
                return None

    commands = []
    if os.path.exists(os.path.join(res, "commands.txt")):
        with open(os.path.join(res, "commands.txt")) as f:
            commands = [line.rstrip("\n") for line in f]
    return meta, rows, read_json("memory.json"), read_json("jmh.json"), commands


def cpu_per_request(runs, cpus):
    """The median over the runs of the system's own CPU microseconds per request, or None.

    bench/run writes a run's cpuprobe record right after its wrk record, so the two lists pair
    up run by run; without one for every run there is no figure."""
    if not cpus or len(cpus) != len(runs):
        return None
    per = [c["cpu_ms"]["system"] * 1000 / d["requests"] for d, c in zip(runs, cpus)
           if d.get("requests") and "system" in c.get("cpu_ms", {})]
    return median(per) if per else None


def wrk_figures(runs):
    """Median figures of the wrk runs of one system and scenario, error counts summed."""
    per = []
    for d in runs:
        secs = d["duration_us"] / 1e6
        e = d["errors"]
        per.append({
            "rps": d["requests"] / secs,
            "mibs": d["bytes"] / secs / 1048576,
            "p50": d["latency_us"]["p50"] / 1000,
            "p99": d["latency_us"]["p99"] / 1000,
            "p999": d["latency_us"]["p999"] / 1000,
            "max": d["latency_us"]["max"] / 1000,
            "non2xx": e["status"],
            "sock": e["connect"] + e["read"] + e["write"] + e["timeout"],
            "sock_kinds": {k: e[k] for k in ("connect", "read", "write", "timeout") if e[k]},
        })
    out = {k: median([p[k] for p in per]) for k in ("rps", "mibs", "p50", "p99", "p999", "max")}
    out["max_each"] = [p["max"] for p in per]
    out["rps_each"] = [p["rps"] for p in per]
    out["p50_each"] = [p["p50"] for p in per]
    out["p99_each"] = [p["p99"] for p in per]
    out["requests_each"] = [d["requests"] for d in runs]
    out["non2xx"] = sum(p["non2xx"] for p in per)
    out["sock"] = sum(p["sock"] for p in per)
    kinds = {}
    for p in per:
        for k, v in p["sock_kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
    out["sock_kinds"] = kinds
    out["runs"] = len(per)
    return out


def status_sum(runs, stream):
    """Per status: count summed over runs, latency percentiles as the median over runs."""
    statuses = {}
    for d in runs:
        for status, s in d[stream]["status"].items():
            statuses.setdefault(status, []).append(s)
    out = {}
    for status, items in statuses.items():
        out[status] = {
            "count": sum(i["count"] for i in items),
            "p50": median([i["p50_ms"] for i in items]),
            "p99": median([i["p99_ms"] for i in items]),
            "p999": median([i["p999_ms"] for i in items]),
            "max": max(i["max_ms"] for i in items),
        }
    errors = {}
    for d in runs:
        for kind, n in d[stream]["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
    return out, errors


SOAK_START = "<!-- soak:start -->"
SOAK_END = "<!-- soak:end -->"


def soak_section(previous):
    """The Soak section of the report this one replaces (bench/soak.py writes it), or None."""
    if not previous or not os.path.exists(previous):
        return None
    with open(previous) as f:
        text = f.read()
    if SOAK_START not in text or SOAK_END not in text.split(SOAK_START, 1)[1]:
        return None
    return SOAK_START + text.split(SOAK_START, 1)[1].split(SOAK_END, 1)[0] + SOAK_END


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: report.py RESULTS_DIR [PREVIOUS_REPORT]")
    res = sys.argv[1]
    soak = soak_section(sys.argv[2] if len(sys.argv) == 3 else None)
    meta, rows, memory, jmh, commands = load(res)
    quick = meta.get("quick") == "1"
    by = {}
    for row in rows:
        by.setdefault((row["system"], row["scenario"]), []).append(row["data"])
    systems = [s for s in SYSTEMS if any(k[0] == s for k in by)]
    # measured in pairs, reported in sections of their own
    paired = ["hello-16-beside-status", "restart-baseline", "restart-under-load", "slow-readers-baseline",
              "slow-readers"]
    wrk = {k: wrk_figures(v) for k, v in by.items() if k[1] in WRK_SCENARIOS + paired}
    out = []
    w = out.append
    targets = []

    w("# Corral benchmarks")
    w("")
    w("Generated by `bench/run` (issue 7's harness) from `{}`; do not edit by hand: rerun "
      "`bench/run` instead.".format(meta.get("results", "?")))
    w("")
    if quick:
        w("> **QUICK RUN, NOT A MEASUREMENT.** `--quick`: {} run of {} s per figure, {} s warm-ups, "
          "short JMH runs, on a machine shared with other work (load average {} at the start). It "
          "shows that the harness works end to end; do not compare these figures. The full run is "
          "`bench/run` on a quiet machine.".format(meta.get("runs"), meta.get("duration"),
                                                   meta.get("warmup"), meta.get("load_start")))
        w("")
    w("- Date: {}".format(meta.get("date")))
    w("- Command: `{}`".format(meta.get("args")))
    w("- Machine: {} CPUs ({}), {} RAM, {}, {}; autogroup scheduling {}; load average {} at the "
      "start, {} at the end".format(meta.get("nproc"), meta.get("cpu"), meta.get("ram"), meta.get("os"),
                                    meta.get("kernel"),
                                    "on" if meta.get("autogroup") == "1" else "off",
                                    meta.get("load_start"), meta.get("load_end")))
    w("- Versions: Corral {}, {}, Jetty {}, Tomcat {}, {}, {}, {}, {}".format(
        meta.get("version.corral"), meta.get("version.java"),
        meta.get("version.corral-jetty", meta.get("version.jetty-pom")),
        meta.get("version.corral-tomcat", meta.get("version.tomcat-pom")),
        meta.get("version.python"), meta.get("version.nginx"), meta.get("version.haproxy"),
        meta.get("version.wrk")))
    minutes = None
    if meta.get("start_epoch") and meta.get("end_epoch"):
        minutes = (int(meta["end_epoch"]) - int(meta["start_epoch"])) / 60
    w("- Method: every figure is the median of {} runs of {} s (after {} s of `/hello` load when "
      "each system has started, for the JVMs' JIT, and a {} s warm-up per scenario); error counts "
      "are summed over all runs. Each system runs alone, with its "
      "own {} app processes of `bench/app.py` (concurrency 1 each), started fresh for it. The "
      "whole run took {} minutes.".format(
          meta.get("runs"), meta.get("duration"), meta.get("system_warmup", meta.get("warmup")),
          meta.get("warmup"), meta.get("processes"),
          fmt(minutes, 1) if minutes is not None else "?"))
    w("")
    w("Systems:")
    w("")
    for s in systems:
        w("- `{}`: {}".format(s, SYSTEM_TEXT[s]))
    w("")

    # ---------------------------------------------------------------- side by side
    wrk_scenarios = [sc for sc in WRK_SCENARIOS if any(k[1] == sc for k in wrk)]
    if wrk_scenarios:
        main_systems = [s for s in systems if s not in ("nginx-mc1", "passenger") and not s.endswith("+status")]
        w("## All systems side by side")
        w("")
        w("Requests/s (MiB/s for `big`), p99 latency in ms below it, and below that the CPU the system "
          "itself spent per request (µs: user + system time from /proc over the run, of nginx's or "
          "HAProxy's process tree or of Corral's JVM, without the app processes; ÷ requests), where it "
          "was measured.")
        w("")
        w("| scenario | " + " | ".join(main_systems) + " |")
        w("|---|" + "---:|" * len(main_systems))
        for sc in wrk_scenarios:
            big = sc.startswith("big")
            cells, p99s, cpus = [], [], []
            for s in main_systems:
                f = wrk.get((s, sc))
                if not f:
                    cells.append("–")
                    p99s.append("–")
                    cpus.append("–")
                    continue
                value = f["mibs"] if big else f["rps"]
                cells.append(fmt(value, 1 if big else 0) + (" MiB/s" if big else ""))
                p99s.append(fmt(f["p99"], 2) + " ms")
                per = cpu_per_request(by.get((s, sc), []), by.get((s, sc + "-cpu"), []))
                cpus.append(fmt(per, 0) + " µs" if per is not None else "–")
            w("| {} | {} |".format(sc, " | ".join(cells)))
            w("| {} p99 | {} |".format(sc, " | ".join(p99s)))
            if any(c != "–" for c in cpus):
                w("| {} CPU/request | {} |".format(sc, " | ".join(cpus)))
        w("")

    # ---------------------------------------------------------------- the status endpoints' cost
    pairs = [(s, s + "+status") for s in ("corral-jetty", "corral-tomcat")
             if wrk.get((s, "hello-16-beside-status")) and wrk.get((s + "+status", "hello-16"))]
    if pairs:
        w("## The status endpoints' cost")
        w("")
        w("hello-16 with `statusPath` set and `/metrics` scraped every second (15 times as often as "
          "a usual Prometheus scrape interval), beside the same system without: both JVMs run at "
          "once, each on its own port with its own app processes, and their runs alternate "
          "(without then with, with then without, ...), so neither a drift of the machine during "
          "the run nor going first passes for a cost. "
          "A status request is answered before any app matching; on the request path the only cost "
          "is one prefix test of the path.")
        w("")
        w("| system | req/s without | req/s with | with ÷ without (medians) | each pair's with ÷ without "
          "| p99 without | p99 with |")
        w("|---|---:|---:|---:|---|---:|---:|")
        for base, with_status in pairs:
            a, b = wrk[(base, "hello-16-beside-status")], wrk[(with_status, "hello-16")]
            rps_ratio = b["rps"] / a["rps"] if a["rps"] else None
            each = [y / x for x, y in zip(a["rps_each"], b["rps_each"]) if x]
            w("| {} | {} | {} | {} | {} | {} ms | {} ms |".format(
                base, fmt(a["rps"], 0), fmt(b["rps"], 0), fmt(rps_ratio, 3),
                ", ".join(fmt(x, 2) for x in each), fmt(a["p99"], 2), fmt(b["p99"], 2)))
        w("")
        scrapes = [(s, what, [float(x) for x in meta[key].split()])
                   for s in ("corral-jetty+status", "corral-tomcat+status")
                   for what in ("metrics", "page", "json")
                   for key in ["scrape.{}.{}".format(s, what)] if key in meta]
        if scrapes:
            w("What one status request costs, measured directly (the pairs cannot resolve a cost "
              "below the machine's run-to-run noise): {} requests in a row on one connection after "
              "a warm-up, the JVM's user + system CPU time over them, less what the same JVM spends "
              "in the same time idle (health checks, the per-second samples, upkeep). The share of "
              "one core is what a scrape every second, and every 15 s, would take.".format(
                  int(scrapes[0][2][0])))
            w("")
            w("| system | request | time each | CPU each | one a second | one every 15 s |")
            w("|---|---|---:|---:|---:|---:|")
            names = {"metrics": "`/metrics`", "page": "the page", "json": "`?format=json`"}
            for s, what, (n, wall_us, ticks, idle_ticks, hz) in scrapes:
                cpu_ms = max(0.0, (ticks - idle_ticks) * 1000 / hz / n)
                w("| {} | {} | {} ms | {} ms | {} % | {} % |".format(
                    s[:-len("+status")], names[what], fmt(wall_us / 1000 / n, 2), fmt(cpu_ms, 2),
                    fmt(cpu_ms / 10, 3), fmt(cpu_ms / 150, 4)))
            w("")

    # ---------------------------------------------------------------- a rolling restart under load
    restarts = [s for s in ("corral-jetty", "corral-tomcat")
                if wrk.get((s, "restart-baseline")) and wrk.get((s, "restart-under-load"))]
    if restarts:
        w("## A rolling restart under load")
        w("")
        w("`GET /hello`, 16 connections, {} processes, runs of {} s in pairs: without a restart, then "
          "with `tmp/restart.txt` touched 3 s in (each of the {} processes is replaced in turn: a new "
          "one starts, becomes ready, then an old one is retired gracefully). The slowest request "
          "of a run is what a user notices; the target (issue 15) is that a restart keeps it within "
          "2× of the slowest without one.".format(meta.get("processes"), meta.get("restart_seconds", "?"),
                                                   meta.get("processes")))
        w("")
        w("| system | slowest without (each run) | slowest with (each run) | with ÷ without (medians) "
          "| p99.9 without | p99.9 with | failed with | target |")
        w("|---|---|---|---:|---:|---:|---:|---|")
        for s in restarts:
            a, b = wrk[(s, "restart-baseline")], wrk[(s, "restart-under-load")]
            r = b["max"] / a["max"] if a["max"] else None
            w("| {} | {} ms | {} ms | {} | {} ms | {} ms | {} | {} |".format(
                s, ", ".join(fmt(x, 0) for x in a["max_each"]), ", ".join(fmt(x, 0) for x in b["max_each"]),
                fmt(r, 2), fmt(a["p999"], 1), fmt(b["p999"], 1), b["non2xx"] + b["sock"],
                "met" if r is not None and r <= 2 and b["non2xx"] + b["sock"] == 0 else "**missed**"))
        w("")

    # ---------------------------------------------------------------- AppClient vs HTTP
    appclient = {s: by[(s, "appclient-16")] for s in ("corral-jetty", "corral-tomcat") if (s, "appclient-16") in by}
    if appclient:
        out.extend(appclient_section(meta, appclient))

    # ---------------------------------------------------------------- slow readers
    slow = [s for s in SYSTEMS if wrk.get((s, "slow-readers-baseline")) or wrk.get((s, "slow-readers"))]
    if slow:
        out.extend(slow_readers_section(meta, by, wrk, slow))

    # ---------------------------------------------------------------- WebSocket echo
    wsecho = {s: by[(s, "websocket-echo")] for s in ("direct", "corral-jetty", "corral-tomcat")
              if (s, "websocket-echo") in by}
    if wsecho:
        out.extend(websocket_section(meta, wsecho))

    # ---------------------------------------------------------------- server-sent events
    sse = {s: by[(s, "sse")] for s in SYSTEMS if (s, "sse") in by}
    if sse:
        out.extend(sse_section(meta, sse))

    # ---------------------------------------------------------------- cold start
    cold = [s for s in SYSTEMS if (s, "cold-start-cold") in by and (s, "cold-start-warm") in by]
    if cold:
        out.extend(cold_start_section(meta, by, cold))

    # ---------------------------------------------------------------- per wrk scenario
    for sc in wrk_scenarios:
        big = sc.startswith("big")
        w("## {}".format(sc))
        w("")
        w(SCENARIO_TEXT[sc] + ".")
        w("")
        direct = wrk.get(("direct", sc))
        nginx = wrk.get(("nginx", sc))
        key = "mibs" if big else "rps"
        w("| system | req/s | MiB/s | p50 ms | p99 ms | p99.9 ms | non-2xx | socket errors | "
          "{0} ×direct | {0} ×nginx | p99 ×nginx |".format("MiB/s" if big else "req/s"))
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in systems:
            f = wrk.get((s, sc))
            if not f:
                continue
            sock = fmt(f["sock"])
            if f["sock_kinds"]:
                sock += " (" + ", ".join("{} {}".format(k, v) for k, v in sorted(f["sock_kinds"].items())) + ")"
            w("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                s, fmt(f["rps"]), fmt(f["mibs"], 1), fmt(f["p50"], 2), fmt(f["p99"], 2), fmt(f["p999"], 2),
                fmt(f["non2xx"]), sock,
                ratio(f[key], direct[key]) if direct else "–",
                ratio(f[key], nginx[key]) if nginx else "–",
                ratio(f["p99"], nginx["p99"]) if nginx else "–"))
        if sc == "sleep20-64":
            procs = int(meta.get("processes", "4"))
            w("")
            w("Physical limit: {} processes × 1000/20 ms = {} req/s; with the app's real service "
              "time (the direct process's own rate, it is always busy here) {} × {} = {} req/s."
              .format(procs, procs * 50, procs, fmt(direct["rps"], 1) if direct else "–",
                      fmt(procs * direct["rps"]) if direct else "–"))
        w("")

    # ---------------------------------------------------------------- overflow
    over = {s: by[(s, "overflow")] for s in systems if (s, "overflow") in by}
    if over:
        w("## overflow")
        w("")
        w(SCENARIO_TEXT["overflow"].format(qo=meta.get("queue_overflow")) + ". Measured with "
          "`LoadClient` (bench), which times each status separately: how fast rejections come, "
          "and whether each 503 carries `Retry-After`. Latencies: median over runs of each run's "
          "percentile; counts: all runs.")
        w("")
        w("| system | responses/s | 200 | 200 p50 / p99 ms | 503 | 503 p50 / p99 / p99.9 ms | "
          "503 without Retry-After | 502 | other | socket errors |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s, runs in over.items():
            st, errors = status_sum(runs, "main")
            ok = st.get("200", {})
            rej = st.get("503", {})
            bad = st.get("502", {})
            other = sum(v["count"] for k, v in st.items() if k not in ("200", "502", "503"))
            w("| {} | {} | {} | {} / {} | {} | {} / {} / {} | {} | {} | {} | {} |".format(
                s, fmt(median([d["main"]["rps"] for d in runs])), fmt(ok.get("count", 0)),
                fmt(ok.get("p50"), 1), fmt(ok.get("p99"), 1), fmt(rej.get("count", 0)),
                fmt(rej.get("p50"), 2), fmt(rej.get("p99"), 2), fmt(rej.get("p999"), 2),
                fmt(sum(d["main"]["503_without_retry_after"] for d in runs)), fmt(bad.get("count", 0)),
                fmt(other), ", ".join("{} {}".format(k, v) for k, v in sorted(errors.items())) or "0"))
        w("")

    # ---------------------------------------------------------------- crash
    crash = {s: by[(s, "crash")] for s in systems if (s, "crash") in by}
    if crash:
        w("## crash")
        w("")
        w(SCENARIO_TEXT["crash"].format(ce=meta.get("crash_every_ms")) + ". Measured with "
          "`LoadClient`; counts over all runs. The proxies' app processes are restarted when they "
          "exit (bench/pool.py, as a process manager would); Corral replaces its own. The last column "
          "counts the app processes that exited during the scenario (from the pool's or Corral's log): "
          "nginx's default `proxy_next_upstream error timeout` sends a crashing GET to every "
          "process in turn, then marks them all failed for `fail_timeout` (10 s), answering 502 "
          "meanwhile.")
        w("")
        w("| system | /hello requests | /hello failed | /hello failures | /crash requests | /crash outcomes | app processes that died |")
        w("|---|---:|---:|---|---:|---|---:|")
        for s, runs in crash.items():
            hs, he = status_sum(runs, "main")
            cs, ce = status_sum(runs, "crash")
            hello_total = sum(d["main"]["requests"] for d in runs)
            hello_bad = {k: v["count"] for k, v in hs.items() if k != "200"}
            hello_bad.update({"socket " + k: v for k, v in he.items()})
            crash_total = sum(d["crash"]["requests"] for d in runs)
            crash_out = {k: v["count"] for k, v in cs.items()}
            crash_out.update({"socket " + k: v for k, v in ce.items()})
            w("| {} | {} | {} | {} | {} | {} | {} |".format(
                s, fmt(hello_total), fmt(sum(hello_bad.values())),
                ", ".join("{}: {}".format(k, v) for k, v in sorted(hello_bad.items())) or "none",
                fmt(crash_total), ", ".join("{}: {}".format(k, v) for k, v in sorted(crash_out.items())) or "none",
                meta.get("deaths." + s, "–")))
        w("")

    # ---------------------------------------------------------------- engine
    if memory or jmh:
        w("## Engine")
        w("")
    if memory:
        w("### 10,000 queued requests")
        w("")
        w("`QueueMemoryCheck` (bench): one process held busy by an in-process target, then {} "
          "requests dispatched through `App.dispatch`; used heap after full GCs and live threads, "
          "before and after. The exchanges are made before the baseline, so the delta is what "
          "Corral allocates per queued request.".format(fmt(memory.get("requests"))))
        w("")
        w("| queued | heap delta | per request | threads before → after | dispatch µs/request | served after release |")
        w("|---:|---:|---:|---:|---:|---:|")
        w("| {} | {:.1f} MB | {} bytes | {} → {} | {} | {} |".format(
            fmt(memory.get("queued")), memory.get("heap_delta_bytes", 0) / 1e6, fmt(memory.get("bytes_per_request")),
            memory.get("threads_before"), memory.get("threads_after"), memory.get("dispatch_us_per_request"),
            fmt(memory.get("served_after_release"))))
        w("")
    if jmh:
        w("### JMH")
        w("")
        w("`DispatchBenchmark`: `App.dispatch` of an in-memory `GET /hello` to processes served by "
          "an in-process target over Unix sockets (acquire → forward → release; with 4 clients on 1 "
          "process every release hands the slot to a queued request). `WaitQueueBenchmark`: the "
          "queue's data structure alone. See the classes' Javadoc.")
        w("")
        w("| benchmark | params | threads | score | error (99.9%) | unit |")
        w("|---|---|---:|---:|---:|---|")
        for b in jmh:
            m = b["primaryMetric"]
            err = m.get("scoreError")
            w("| {} | {} | {} | {} | {} | {} |".format(
                b["benchmark"].replace("dev.corral.", ""),
                ", ".join("{}={}".format(k, v) for k, v in sorted(b.get("params", {}).items())) or "–",
                b.get("threads"), fmt(m["score"], 1),
                fmt(err, 1) if isinstance(err, (int, float)) and err == err else "–", m["scoreUnit"]))
        w("")

    # ---------------------------------------------------------------- targets
    w("## Issue 7's targets")
    w("")
    targets = evaluate(meta, wrk, over, crash, memory)
    w("| target | result | figures |")
    w("|---|---|---|")
    for name, verdict, figures in targets:
        w("| {} | {} | {} |".format(name, verdict, figures))
    w("")
    if quick:
        w("(Quick run: the verdicts above say nothing about Corral; they only show the checks work.)")
        w("")

    targets20 = evaluate20(wrk, by)
    if targets20:
        w("## Issue 20's targets")
        w("")
        w("Each against the figures of this run (a target whose systems or scenarios did not run is left out); "
          "what limits each missed one: `docs/PERFORMANCE.md`.")
        w("")
        w("| target | result | figures |")
        w("|---|---|---|")
        for name, verdict, figures in targets20:
            w("| {} | {} | {} |".format(name, verdict, figures))
        w("")

    # ---------------------------------------------------------------- the soak, kept
    if soak:
        w(soak)
        w("")

    # ---------------------------------------------------------------- notes and commands
    w("## Notes")
    w("")
    w("- One app, one server code: every system serves `bench/app.py` through Corral's own "
      "`corral-wsgi` loader (stdlib HTTP/1.1, keep-alive, one request at a time per process). Corral "
      "spawns its processes itself, with `listen={}` (127.0.0.1:$PORT like the proxies' "
      "upstreams{}). For the other systems `bench/pool.py` starts them (`PORT=… python3 "
      "corral-wsgi app:application`) and restarts any that exits{}.".format(
          meta.get("listen"), "" if meta.get("listen") == "tcp" else "; here a Unix socket",
          "; in their own sessions (`--app-setsid`)" if meta.get("app_setsid") == "1"
          else ", in the harness's session (Corral's run in their own sessions, under its lifeline: "
               "with autogroup on, this changes how the kernel shares the 2 CPUs)"))
    w("- Open-source nginx {} has no upstream `queue` (nginx Plus only), so `nginx` runs without "
      "`max_conns` (the usual setup: requests wait in the app processes' own connection "
      "backlog, unbounded); `nginx-mc1` shows `max_conns=1` without a queue in the overflow "
      "scenario. HAProxy's backend queue has no size limit of its own; "
      "`http-request return status 503 … if {{ queue(app) ge N }}` bounds it like `maxQueue`."
      .format(meta.get("version.nginx", "").replace("nginx version: ", "").replace("nginx/", "")))
    w("- Bounds: every queue holds at most {} requests (Corral's default `maxQueue`), {} in the "
      "overflow scenario; `queueTimeout` / `timeout queue` 60 s. Corral logs one WARNING line per "
      "rejected request (`dev.corral.request`), to a file here; that cost is part of its figures."
      .format(meta.get("queue_default"), meta.get("queue_overflow")))
    w("- wrk is closed-loop ({} threads; latency is measured from each request's send, so it "
      "understates queueing under overload). `non-2xx` is wrk's count of responses with status >= 400."
      .format(meta.get("wrk_threads")))
    w("- Tomcat runs its default NIO connector with `maxKeepAliveRequests=-1` (its default, 100, "
      "closes every connection after 100 requests; no other system here does) and "
      "`socket.appWriteBufSize=65536`, as the README advises for apps with large responses (its "
      "default, 8 KiB, cuts every write to a client into 8 KiB system calls); nginx's client and "
      "upstream `keepalive_requests` are raised for the same reason. Jetty and Tomcat keep their "
      "default thread pools (200 threads); JVMs run with default options{}.".format(
          "" if not meta.get("java_opts") else " plus `{}`".format(meta.get("java_opts"))))
    w("- What the profiles showed, what was changed, and what limits each missed target: "
      "`docs/PERFORMANCE.md`.")
    w("- Ports (all 127.0.0.1): {}.".format(meta.get("ports")))
    w("")
    w("### Commands")
    w("")
    w("Everything: `{}` (options: `bench/run --help`). The measurements it ran (paths relative to "
      "the repository; the results directory is not kept in git):".format(meta.get("args")))
    w("")
    w("```")
    seen = set()
    for line in commands:
        system_scenario = line.split(" run ")[0]
        if system_scenario in seen and " run " in line:
            continue
        seen.add(system_scenario)
        w(line.replace(" run 1:", ":"))
    w("```")
    w("")
    shown = set()
    stamp_dir = "bench/results/" + os.path.basename(os.path.normpath(res))
    for system, name, ext in (("nginx", "main", "conf"), ("nginx", "overflow", "conf"),
                              ("nginx-mc1", "overflow", "conf"), ("haproxy", "main", "cfg"),
                              ("haproxy", "overflow", "cfg")):
        path = os.path.join(res, "{}-{}.{}".format(system, name, ext))
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read().rstrip().replace(os.path.abspath(res), stamp_dir)
        if text in shown:
            continue
        shown.add(text)
        w("<details><summary>{} configuration ({})</summary>".format(
            system, "overflow scenario" if name == "overflow" else "all other scenarios"))
        w("")
        w("```")
        w(text)
        w("```")
        w("")
        w("</details>")
        w("")
    print("\n".join(out))


APPCLIENT_MODES = ["appclient", "http", "jdk-http", "dispatch", "appclient-timeout"]
APPCLIENT_TEXT = {
    "appclient": "`AppClient.named(\"bench\").send(AppRequest.get(\"/hello\"))`, the body read with "
                 "`bodyAsBytes()`",
    "http": "`GET /hello` over HTTP/1.1 keep-alive to the container's loopback port, one connection per "
            "thread, with the bench's minimal blocking client (`HttpConnection`): the cheapest HTTP a "
            "caller could do",
    "jdk-http": "the same through `java.net.http.HttpClient` (HTTP/1.1, one client and its connection "
                "pool per run): what Java code would usually use",
    "dispatch": "`App.dispatch` of an in-memory exchange on the calling thread (bench's `BenchExchange`, "
                "the body counted and dropped): no client API and no container, the engine alone; "
                "the floor under the other modes",
    "appclient-timeout": "`appclient` with `AppRequest.timeout` set",
}


THREAD_GROUPS = ["callers", "appclient-pool", "container", "engine", "jdk-http-client", "gc", "jit", "other"]
THREAD_GROUP_TEXT = {
    "callers": "the calling threads (for `http`, the client's side of HTTP; for `dispatch`, they also "
               "forward the requests that find a free process)",
    "appclient-pool": "AppClient's `corral-client-N` threads, which dispatch the calls and forward "
                      "those that find a free process",
    "container": "Jetty's or Tomcat's threads, which parse the request and forward it when a process "
                 "is free",
    "engine": "Corral's own threads: mostly `corral-forward-N`, which forward the queued requests "
              "as slots free up and relay their responses (for `http`, into the container's response)",
    "jdk-http-client": "`java.net.http`'s selector and worker threads",
    "gc": "the garbage collector",
    "jit": "the JIT compilers",
    "other": "the rest",
}


def appclient_section(meta, systems):
    """The AppClient (in-JVM) vs HTTP section: one table per system, medians over the runs."""
    out = []
    w = out.append
    w("## AppClient (in-JVM) vs HTTP")
    w("")
    w("The same `GET /hello` from {} threads of the JVM that runs the container, closed-loop, one way "
      "of calling at a time: `AppClientBench` (bench) starts Corral on embedded Jetty or Tomcat as "
      "the launchers do ({} processes, concurrency 1), warms each mode up for {} s, then measures "
      "each for {} s, {} times, in alternating order (a b c d, then d c b a, ...) so that neither a "
      "drift of the machine nor going first passes for a difference. A latency runs from the call "
      "to the end of the body; every one is recorded. The CPU columns are the JVM's own CPU time "
      "(driver, container and engine together) and the app processes' (from `/proc`) over the "
      "run, per response. Modes:".format(
          meta.get("appclient_threads", "16"), meta.get("processes"), meta.get("appclient_warmup", "?"),
          meta.get("duration"), meta.get("runs")))
    w("")
    modes_seen = [m for m in APPCLIENT_MODES if any(d["mode"] == m for runs in systems.values() for d in runs)]
    for m in modes_seen:
        w("- `{}`: {}".format(m, APPCLIENT_TEXT[m]))
    w("")
    w("Figures are medians over the runs (each run's own percentiles), errors summed; "
      "× http: the median's ratio to the `http` mode's, and in brackets each run's own ratio "
      "(req/s, then p99).")
    w("")
    groups_seen = [g for g in THREAD_GROUPS if any(g in d.get("thread_cpu_ms", {})
                                                   for runs in systems.values() for d in runs)]
    if groups_seen:
        w("The second table of each system splits the JVM's CPU time by thread group (medians over "
          "the runs; from `/proc/self/task`, by thread name; a thread group is who ran, not which "
          "code): " + "; ".join("`{}`: {}".format(g, THREAD_GROUP_TEXT[g]) for g in groups_seen) + ".")
        w("")
    for s, runs in systems.items():
        by_mode = {}
        for d in runs:
            by_mode.setdefault(d["mode"], []).append(d)
        for mode_runs in by_mode.values():
            mode_runs.sort(key=lambda d: d["run"])
        w("### {}".format(s))
        w("")
        w("| mode | req/s | each run | p50 ms | p99 ms | p99.9 ms | errors | JVM CPU µs/req | "
          "app CPU µs/req | req/s × http | p99 × http |")
        w("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        figures = {}
        for m in modes_seen:
            mr = by_mode.get(m)
            if not mr:
                continue

            def per_req(key, d):
                return d[key] * 1000 / d["responses"] if d.get(key, -1) >= 0 and d["responses"] else None
            figures[m] = {
                "rps": median([d["rps"] for d in mr]),
                "p50": median([d["p50_ms"] for d in mr]),
                "p99": median([d["p99_ms"] for d in mr]),
                "p999": median([d["p999_ms"] for d in mr]),
                "jvm": median([per_req("jvm_cpu_ms", d) for d in mr]),
                "app": median([per_req("app_cpu_ms", d) for d in mr]),
                "errors": sum(d["requests"] - d["ok"] for d in mr) + sum(d.get("stuck_threads", 0) for d in mr),
                "rps_each": {d["run"]: d["rps"] for d in mr},
                "p99_each": {d["run"]: d["p99_ms"] for d in mr},
            }
        base = figures.get("http")
        for m, f in figures.items():
            each_rps = each_p99 = ""
            if base and m != "http":
                rr = [f["rps_each"][r] / base["rps_each"][r] for r in sorted(f["rps_each"])
                      if base["rps_each"].get(r)]
                pr = [f["p99_each"][r] / base["p99_each"][r] for r in sorted(f["p99_each"])
                      if base["p99_each"].get(r)]
                each_rps = " ({})".format(", ".join(fmt(x, 2) for x in rr)) if rr else ""
                each_p99 = " ({})".format(", ".join(fmt(x, 2) for x in pr)) if pr else ""
            w("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {}{} | {}{} |".format(
                m, fmt(f["rps"]), ", ".join(fmt(f["rps_each"][r]) for r in sorted(f["rps_each"])),
                fmt(f["p50"], 2), fmt(f["p99"], 2), fmt(f["p999"], 2), fmt(f["errors"]),
                fmt(f["jvm"], 1), fmt(f["app"], 1),
                ratio(f["rps"], base["rps"]) if base else "–", each_rps,
                ratio(f["p99"], base["p99"]) if base else "–", each_p99))
        w("")
        groups = [g for g in THREAD_GROUPS if any(g in d.get("thread_cpu_ms", {}) for d in runs)]
        if groups:
            w("{}: where the JVM's CPU went, µs per request by thread group.".format(s))
            w("")
            w("| mode | " + " | ".join(groups) + " | all |")
            w("|---|" + "---:|" * (len(groups) + 1))
            for m in figures:
                mr = by_mode[m]
                cells = [fmt(median([d["thread_cpu_ms"].get(g, 0) * 1000 / d["responses"]
                                     for d in mr if d["responses"] and "thread_cpu_ms" in d]), 1) for g in groups]
                total = median([sum(d["thread_cpu_ms"].values()) * 1000 / d["responses"]
                                for d in mr if d["responses"] and "thread_cpu_ms" in d])
                w("| {} | {} | {} |".format(m, " | ".join(cells), fmt(total, 1)))
            w("")
        a = figures.get("appclient")
        if a and base:
            pairs = [r for r in a["rps_each"] if r in base["rps_each"]]
            faster = sum(1 for r in pairs if a["rps_each"][r] > base["rps_each"][r])
            lower = sum(1 for r in pairs if a["p99_each"][r] < base["p99_each"][r])
            cheaper = faster == len(pairs) and lower == len(pairs) and a["jvm"] is not None and \
                base["jvm"] is not None and a["jvm"] < base["jvm"]
            w("{}: `appclient` ÷ `http`: {} the req/s, {} the p99, {} the JVM CPU per request; more req/s "
              "in {} of {} runs, a lower p99 in {} of {}: the in-JVM path is {}.".format(
                  s, ratio(a["rps"], base["rps"]), ratio(a["p99"], base["p99"]),
                  ratio(a["jvm"], base["jvm"]) if a["jvm"] and base["jvm"] else "–",
                  faster, len(pairs), lower, len(pairs),
                  "**cheaper in every run**" if cheaper else "**not clearly cheaper**"))
            w("")
            d = figures.get("dispatch")
            if d and a["jvm"] is not None and base["jvm"] is not None and d["jvm"] is not None:
                w("Over the engine alone (`dispatch`), per request: `http` costs {} µs more JVM CPU (the "
                  "client's and the container's sides of HTTP over loopback), `appclient` {} µs more (its "
                  "hand-offs between threads: the call goes to a `corral-client` thread, the caller waits "
                  "for the head, then for the body through the pipe).".format(
                      fmt(base["jvm"] - d["jvm"], 1), fmt(a["jvm"] - d["jvm"], 1)))
                w("")
    return out


SLOW_SYSTEM_TEXT = {
    "nginx": "buffers answers by default (`proxy_buffering on`: 8 buffers of 4 or 8 KiB in memory, then a "
             "temporary file up to 1 GiB)",
    "haproxy": "does not buffer answers beyond its own per-stream buffer (`tune.bufsize`, 16 KiB): a point "
               "of comparison",
    "corral-jetty": "response buffering with its defaults (`responseBufferSize` 128 KiB in memory, then "
                    "an unlinked temporary file up to `responseBufferMax` 128 MiB)",
    "corral-tomcat": "the same on Tomcat",
    "passenger": "Passenger's core, which reads an app's answer as fast as the app sends it and keeps what "
                 "the client has not taken (in memory, then in a file), with its defaults; its app processes run "
                 "Passenger's own WSGI loader (`wsgi-loader.py`), not `corral-wsgi`, and are spawned by Passenger "
                 "({}, one request at a time each)",
}


def mib(value):
    return "–" if value is None else "{:.1f}".format(value / 1048576)


def slow_readers_section(meta, by, wrk, systems):
    """The Slow readers section: /hello without and with slow readers, the readers' own figures, the CPU."""
    out = []
    w = out.append
    readers = int(meta.get("slow_readers", "32"))
    kb = int(meta.get("slow_kb", "2048"))
    rate = int(meta.get("slow_rate", str(200 * 1024)))
    rcvbuf = int(meta.get("slow_rcvbuf", "16384"))
    w("## Slow readers")
    w("")
    w("`GET /hello` at 16 connections (wrk, as in `hello-16`) on {procs} one-request processes, in pairs "
      "of runs of {dur} s: without slow readers, and with {n} of them reading all through the run; the "
      "order alternates (without then with, then with then without, ...), so that neither a drift of "
      "the machine nor going first passes for their effect, after a warm-up pair ({w} s). A slow reader "
      "(`bench/slowreaders.py`) sends `GET /big?kb={kb}` ({size} MiB with a `Content-Length`) and "
      "reads the answer at {rate} KiB/s ({chunk} KiB at a time), through a socket whose `SO_RCVBUF` is "
      "{rcv} KiB (Linux doubles it) and which announces an MSS of {mss} bytes, as a client on "
      "Ethernet would: on loopback (MSS 64 KiB) the server's send buffer autotunes to some 2.6 MiB and "
      "would take a whole answer from the proxy, so that nothing would have to be buffered. When it has "
      "read an answer it sends its next request at once; the {n} start evenly over {ramp} s (one "
      "answer's time), before the measured run. So every system has {n} answers of {size} MiB in "
      "flight at all times, {total:.1f} MiB/s to deliver, a new one every {every:.0f} ms; without "
      "response buffering each would hold its process for some {secs:.0f} s, and {n} readers would "
      "hold all {procs} processes all the time. The target (issue 18): the p99 of `/hello` with the "
      "slow readers within 2× of its p99 without.".format(
          procs=meta.get("processes"), dur=meta.get("duration"), n=readers, w=meta.get("warmup"),
          kb=kb, size=fmt(kb / 1024.0, 0) if kb % 1024 == 0 else fmt(kb / 1024.0, 2),
          rate=fmt(rate / 1024.0, 0), chunk=fmt(8192 / 1024.0, 0), rcv=fmt(rcvbuf / 1024.0, 0),
          mss=meta.get("slow_mss", "1460"), ramp=meta.get("slow_ramp"),
          total=readers * rate / 1048576.0, every=1000.0 * kb * 1024 / rate / readers,
          secs=kb * 1024.0 / rate))
    w("")
    for s in systems:
        if s in SLOW_SYSTEM_TEXT:
            w("- `{}`: {}.".format(s, SLOW_SYSTEM_TEXT[s].format(
                "version {}, {} processes".format(meta.get("version.passenger", "?"), meta.get("processes")))))
    if "passenger_command" in meta:
        w("")
        w("Passenger's command: `{}`.".format(meta["passenger_command"]))
    w("")
    w("| system | p99 without (each run) | p99 with (each run) | with ÷ without (medians) | each pair's "
      "with ÷ without | p50 without / with | req/s without / with | errors without / with | target |")
    w("|---|---|---|---:|---|---:|---:|---:|---|")
    verdicts = {}
    for s in systems:
        a, b = wrk.get((s, "slow-readers-baseline")), wrk.get((s, "slow-readers"))
        if not (a and b):
            continue
        r = b["p99"] / a["p99"] if a["p99"] and b["p99"] else None   # none answered: no p99
        each = [y / x if y else None for x, y in zip(a["p99_each"], b["p99_each"]) if x]

        def p99s(f):
            return ", ".join(fmt(x, 2) + " ms" if n else "none answered" for x, n in zip(f["p99_each"], f["requests_each"]))
        errors_with = b["non2xx"] + b["sock"]
        errors_without = a["non2xx"] + a["sock"]
        met = r is not None and r <= 2 and errors_with == 0 and b["rps"] > 0 and b["p99"] > 0
        verdicts[s] = (met, r, each)
        w("| {} | {} | {} | {} | {} | {} / {} ms | {} / {} | {} / {} | {} |".format(
            s, p99s(a), p99s(b),
            fmt(r, 2), ", ".join(fmt(x, 2) for x in each), fmt(a["p50"], 2), fmt(b["p50"], 2),
            fmt(a["rps"]), fmt(b["rps"]), errors_without,
            str(errors_with) + (" ({})".format(", ".join("{} {}".format(k, v) for k, v in sorted(b["sock_kinds"].items())))
                                if b["sock_kinds"] else ""),
            "met" if met else "**missed**"))
    w("")
    w("Latencies are wrk's (from each request's send to its answer; a request still unanswered after "
      "10 s is a timeout, counted under errors and not in the percentiles). Each row's figures are "
      "medians over its runs; the target is judged on the ratio of the medians, with no error with "
      "the slow readers.")
    w("")

    # the slow readers' own figures
    clients = {s: by[(s, "slow-readers-clients")] for s in systems if (s, "slow-readers-clients") in by}
    cpu_with = {s: by.get((s, "slow-readers-cpu"), []) for s in systems}
    if clients:
        w("What the slow readers got, over all the runs with them: answers read whole (status 200, all "
          "{} bytes), cut by the end of a run, failed; each reader's body bytes per second over the "
          "measured run (from the end of the ramp to the stop; median over the runs of each run's "
          "lowest, median and highest reader); per whole answer, its bytes per second from its first "
          "byte to its last, its time from the request's send to its last byte, and to its first byte "
          "(medians over the runs of each run's median, and the highest). Held at the end of a run (median "
          "over the runs): the deleted temporary files the system had open (response buffers on disk) "
          "and the kernel's send queues of its connections to the clients (the part of the answers the "
          "kernel took).".format(kb * 1024))
        w("")
        w("| system | answers whole / cut / failed | reader KiB/s: lowest / median / highest | answer KiB/s "
          "| answer time: median / highest | first byte: median / highest | held: files (their size) | held: kernel send queues |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for s, runs in clients.items():
            whole = sum(d["responses"]["complete"] for d in runs)
            cut = sum(d["responses"]["cut"] for d in runs)
            failed = sum(d["responses"]["failed"] for d in runs)

            def pick(path, agg=median):
                values = []
                for d in runs:
                    v = d
                    for k in path:
                        v = v.get(k) if isinstance(v, dict) else None
                    values.append(v)
                values = [v for v in values if v is not None]
                return agg(values) if values else None
            held = [c["held_at_end"] for c in cpu_with.get(s, []) if c.get("held_at_end")]
            files = median([h["files"] for h in held])
            file_bytes = median([h["file_bytes"] for h in held])
            conns = median([h["conns"] for h in held if h["conns"] is not None])
            sendq = median([h["sendq_bytes"] for h in held if h["sendq_bytes"] is not None])
            errors = {}
            for d in runs:
                for k, v in d.get("errors", {}).items():
                    errors[k] = errors.get(k, 0) + v
            w("| {} | {} / {} / {}{} | {} / {} / {} | {} | {} / {} s | {} / {} ms | {} ({} MiB) | {} MiB over {} connections |".format(
                s, whole, cut, failed,
                " ({})".format(", ".join("{}: {}".format(k, v) for k, v in sorted(errors.items()))) if errors else "",
                fmt(pick(["reader_bps", "min"]) / 1024 if pick(["reader_bps", "min"]) else None, 0),
                fmt(pick(["reader_bps", "p50"]) / 1024 if pick(["reader_bps", "p50"]) else None, 0),
                fmt(pick(["reader_bps", "max"]) / 1024 if pick(["reader_bps", "max"]) else None, 0),
                fmt(pick(["complete", "bps", "p50"]) / 1024 if pick(["complete", "bps", "p50"]) else None, 0),
                fmt(pick(["complete", "total_s", "p50"]), 2), fmt(pick(["complete", "total_s", "max"], max), 2),
                fmt(pick(["complete", "ttfb_ms", "p50"]), 1), fmt(pick(["complete", "ttfb_ms", "max"], max), 1),
                fmt(files, 0), mib(file_bytes), mib(sendq), fmt(conns, 0)))
        w("")

    # where the CPU went
    cpu = {(s, mode): by.get((s, sc), []) for s in systems
           for mode, sc in (("without", "slow-readers-baseline-cpu"), ("with", "slow-readers-cpu"))}
    if any(cpu.values()):
        groups = ["forward", "container", "engine", "gc", "jit", "other"]
        w("Where the CPU went during the measured runs (medians over the runs), in cores (CPU seconds per "
          "second: the machine has {}): the machine busy (all but idle and iowait; in brackets, the part "
          "at a positive nice value: other work on the machine), the system (the JVM; nginx's or HAProxy's "
          "processes), its app processes, the slow readers' client, wrk, and the rest (busy, less all "
          "those: other work on the machine, the kernel's softirqs not charged to a process); for the "
          "JVMs, their threads by group (`forward`: `corral-forward-N`, which forward the requests and "
          "run the buffers' drain tasks; `container`: Jetty's or Tomcat's threads; `engine`: Corral's "
          "other threads), and the GC pauses in a run (jstat).".format(meta.get("nproc", "?")))
        w("")
        w("| system | slow readers | machine busy | system | apps | slow readers' client | wrk | rest | "
          + " | ".join("JVM: " + g for g in groups) + " | GC pauses |")
        w("|---|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(groups) + "---:|")
        for s in systems:
            for mode in ("without", "with"):
                runs = cpu.get((s, mode))
                if not runs:
                    continue
                ncpu = runs[0].get("ncpu", 2)

                def cores(d, name):
                    v = d["cpu_ms"].get(name)
                    return v / 1000.0 / d["wall_s"] if v is not None and d["wall_s"] else None

                def busy(d):
                    m = d["machine_pct"]
                    return (100 - m["idle"] - m["iowait"]) * ncpu / 100.0

                def rest(d):
                    named = sum(v for v in d["cpu_ms"].values()) / 1000.0 / d["wall_s"]
                    return busy(d) - named
                jvm = [d for d in runs if "jvm_threads_ms" in d]
                cells = [fmt(median([d["jvm_threads_ms"].get(g, 0) / 1000.0 / d["wall_s"] for d in jvm]), 2)
                         if jvm else "–" for g in groups]
                gcs = [d["gc"] for d in runs if d.get("gc")]
                w("| {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} |".format(
                    s, mode, fmt(median([busy(d) for d in runs]), 2),
                    fmt(median([d["machine_pct"]["nice"] * ncpu / 100.0 for d in runs]), 2),
                    fmt(median([cores(d, "system") for d in runs]), 2),
                    fmt(median([cores(d, "apps") for d in runs]), 2),
                    fmt(median([cores(d, "slowreaders") for d in runs]), 2) if mode == "with" else "–",
                    fmt(median([cores(d, "wrk") for d in runs]), 2),
                    fmt(median([rest(d) for d in runs]), 2),
                    " | ".join(cells),
                    "{} in {} ms".format(fmt(median([g["count"] for g in gcs]), 0), fmt(median([g["pause_ms"] for g in gcs]), 0))
                    if gcs else "–"))
        w("")
        loads = ["{} {}".format(s, meta["load.slow-readers." + s]) for s in systems if "load.slow-readers." + s in meta]
        if loads:
            w("Load average after each system's runs: " + "; ".join(loads) + ".")
            w("")

    # the verdicts, in words
    for s in systems:
        if s not in verdicts:
            continue
        met, r, each = verdicts[s]
        b = wrk[(s, "slow-readers")]
        none = sum(1 for n in b["requests_each"] if n == 0)
        w("- `{}`: p99 with ÷ without = {} (each pair: {}){}: {}.".format(
            s, fmt(r, 2), ", ".join(fmt(x, 2) for x in each),
            "; no `/hello` answered at all in {} of {} runs with the slow readers".format(none, len(b["requests_each"]))
            if none else "", "within 2×" if met else "**not within 2×**"))
    w("")
    return out


def websocket_section(meta, systems):
    """The WebSocket echo section: messages/s and round trips, through Corral and straight to the process."""
    out = []
    w = out.append
    w("## WebSocket echo")
    w("")
    w("WebSockets to one Node process of `bench/app.js` (Node {}, its hand-rolled echo on the server's "
      "`upgrade` event): `direct` straight to it over TCP, `corral-*` through Corral (`type=node`, "
      "`concurrency=0`, one process). `WsEchoClient` (bench) keeps {} sockets, each sending a {}-byte "
      "text message and waiting for its echo before the next (closed loop); a round trip runs from "
      "writing the message to having read the echo, and every one is recorded. Each system is warmed "
      "up with the same load for {} s (the JVMs' JIT), then runs {} times {} s, each after {} s of "
      "its own warm-up. Figures are medians over the runs (each run's own percentiles), errors "
      "summed; ÷ direct is the median's ratio to `direct`'s.".format(
          meta.get("version.node", "?"), meta.get("ws_connections", "16"), meta.get("ws_size", "64"),
          meta.get("system_warmup"), meta.get("runs"), meta.get("duration"), meta.get("warmup")))
    w("")
    w("| system | messages/s | each run | p50 ms | p99 ms | p99.9 ms | errors | messages/s ÷ direct | p99 ÷ direct |")
    w("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    figures = {}
    for s, runs in systems.items():
        runs = sorted(runs, key=lambda d: d.get("run", 0))
        figures[s] = {
            "mps": median([d["mps"] for d in runs]),
            "p50": median([d.get("p50_ms") for d in runs]),
            "p99": median([d.get("p99_ms") for d in runs]),
            "p999": median([d.get("p999_ms") for d in runs]),
            "errors": sum(sum(d.get("errors", {}).values()) for d in runs),
            "each": [d["mps"] for d in runs],
        }
    base = figures.get("direct")
    for s, f in figures.items():
        w("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            s, fmt(f["mps"]), ", ".join(fmt(x) for x in f["each"]), fmt(f["p50"], 3), fmt(f["p99"], 3),
            fmt(f["p999"], 3), fmt(f["errors"]), ratio(f["mps"], base["mps"]) if base and s != "direct" else "–",
            ratio(f["p99"], base["p99"]) if base and s != "direct" else "–"))
    w("")
    return out


def sse_section(meta, systems):
    """The server-sent events section: how late each event reaches its client."""
    out = []
    w = out.append
    bound = float(meta.get("sse_bound_ms", "100"))
    w("## Server-sent events")
    w("")
    w("`GET /events` of `bench/app.py`: {} events {} ms apart as `text/event-stream`, without a "
      "`Content-Length` (chunked) and with `X-Accel-Buffering: no`, as SSE apps send it behind nginx "
      "(which buffers answers otherwise). One stream per app process at once ({}; `direct`: 1, its "
      "one process), through a fresh start of each system. `bench/sse.py` notes for every event the "
      "time it was read less the time the app wrote into it (`time.time_ns()`, one machine, one "
      "clock): the stream's whole path from the app's write to the client's read. {} runs, after a "
      "warm-up stream of 20 events; percentiles over all the events of a run, then the median over "
      "the runs; the highest is the highest of all runs. Target (issue 18): each event within {} ms "
      "(streams are not buffered).".format(meta.get("sse_events", "?"), meta.get("sse_interval_ms", "?"),
                                          meta.get("processes", "4"), meta.get("runs"), fmt(bound)))
    w("")
    w("| system | events received / expected | p50 ms | p99 ms | highest ms | later than {} ms | errors | target |".format(fmt(bound)))
    w("|---|---:|---:|---:|---:|---:|---:|---|")
    for s, runs in systems.items():
        received = sum(d.get("received", 0) for d in runs)
        expected = sum(d.get("expected", 0) for d in runs)
        late = sum(d.get("late", 0) for d in runs)
        errors = sum(len(d.get("errors", [])) for d in runs)
        highest = max([d["max_ms"] for d in runs if d.get("max_ms") is not None], default=None)
        met = received == expected and late == 0 and errors == 0
        w("| {} | {} / {} | {} | {} | {} | {} | {} | {} |".format(
            s, fmt(received), fmt(expected), fmt(median([d.get("p50_ms") for d in runs]), 2),
            fmt(median([d.get("p99_ms") for d in runs]), 2), fmt(highest, 2), fmt(late), fmt(errors),
            "met" if met else "**missed**"))
    w("")
    return out


def cold_start_section(meta, by, systems):
    """The cold-start section: CPU per request in the first seconds after a start, against warm."""
    out = []
    w = out.append
    w("## Cold start")
    w("")
    w("{} fresh starts of each system; after each, as soon as its {} app processes are ready, `GET /hello` "
      "at 16 connections for {} s (cold), then {} s of the same load, then {} s again (warm). CPU per "
      "request is the system's own (user + system time from /proc over the run, of nginx's process tree "
      "or of Corral's JVM, without the app processes, ÷ requests); figures are medians over the starts. "
      "Target (issue 20): cold within 1.5× of warm.".format(
          meta.get("runs"), meta.get("processes"), meta.get("duration"), meta.get("system_warmup"),
          meta.get("duration")))
    w("")
    w("| system | CPU/request cold | CPU/request warm | cold ÷ warm | each start's cold ÷ warm | req/s cold / warm "
      "| p99 cold / warm | target |")
    w("|---|---:|---:|---:|---|---:|---:|---|")
    for s in systems:
        cold_runs, warm_runs = by[(s, "cold-start-cold")], by[(s, "cold-start-warm")]
        cold_cpu = by.get((s, "cold-start-cold-cpu"), [])
        warm_cpu = by.get((s, "cold-start-warm-cpu"), [])
        c, h = cpu_per_request(cold_runs, cold_cpu), cpu_per_request(warm_runs, warm_cpu)
        each = []
        if len(cold_cpu) == len(cold_runs) == len(warm_cpu) == len(warm_runs):
            for a, ac, b, bc in zip(cold_runs, cold_cpu, warm_runs, warm_cpu):
                x, y = cpu_per_request([a], [ac]), cpu_per_request([b], [bc])
                each.append(fmt(x / y, 2) if x is not None and y else "–")
        cf, hf = wrk_figures(cold_runs), wrk_figures(warm_runs)
        r = c / h if c is not None and h else None
        w("| {} | {} µs | {} µs | {} | {} | {} / {} | {} / {} ms | {} |".format(
            s, fmt(c), fmt(h), fmt(r, 2), ", ".join(each) or "–", fmt(cf["rps"]), fmt(hf["rps"]),
            fmt(cf["p99"], 2), fmt(hf["p99"], 2), "met" if r is not None and r <= 1.5 else "**missed**"))
    w("")
    return out


def evaluate20(wrk, by):
    """Issue 20's goals, for the systems and scenarios this run measured."""
    t = []

    def verdict(ok):
        return "PASS" if ok else "FAIL"

    corrals = ("corral-jetty", "corral-tomcat")
    for sc in ("hello-16", "hello-64"):
        n = wrk.get(("nginx", sc))
        for s in corrals + tuple(c + "+prefetch" for c in corrals):
            f = wrk.get((s, sc))
            if not (f and n):
                continue
            t.append(("`{}`: {} p99 ≤ nginx's, p99.9 ≤ 2× nginx's".format(sc, s),
                      verdict(f["p99"] <= n["p99"] and f["p999"] <= 2 * n["p999"]),
                      "p99 {} vs {} ms; p99.9 {} vs {} ms".format(fmt(f["p99"], 2), fmt(n["p99"], 2),
                                                                 fmt(f["p999"], 2), fmt(n["p999"], 2))))
    n = wrk.get(("nginx", "hello-16"))
    for c in corrals:
        f, off = wrk.get((c + "+prefetch", "hello-16")), wrk.get((c, "hello-16"))
        if f and n and off:
            t.append(("`hello-16` with prefetch: {} ≥ nginx's req/s, p99 no worse than without".format(c),
                      verdict(f["rps"] >= n["rps"] and f["p99"] <= off["p99"]),
                      "{} req/s (without: {}), nginx {}; p99 {} ms (without: {})".format(
                          fmt(f["rps"]), fmt(off["rps"]), fmt(n["rps"]), fmt(f["p99"], 2), fmt(off["p99"], 2))))
    d = wrk.get(("direct", "big256-16"))
    for c, bound in (("corral-jetty", 0.8), ("corral-tomcat", 0.6)):
        f = wrk.get((c, "big256-16"))
        if f and d:
            t.append(("`big256-16`: {} ≥ {}× direct".format(c, bound), verdict(f["mibs"] >= bound * d["mibs"]),
                      "{} vs {} MiB/s ({}×)".format(fmt(f["mibs"], 1), fmt(d["mibs"], 1), fmt(f["mibs"] / d["mibs"], 2))))
    for c in corrals:
        cold = cpu_per_request(by.get((c, "cold-start-cold"), []), by.get((c, "cold-start-cold-cpu"), []))
        warm = cpu_per_request(by.get((c, "cold-start-warm"), []), by.get((c, "cold-start-warm-cpu"), []))
        if cold is not None and warm:
            t.append(("cold start: {} CPU/request in the first 10 s ≤ 1.5× warm".format(c), verdict(cold <= 1.5 * warm),
                      "{} vs {} µs ({}×)".format(fmt(cold), fmt(warm), fmt(cold / warm, 2))))
    for sc in ("hello-16", "hello-64", "sleep20-64", "big1024-16", "big256-16"):
        nc = cpu_per_request(by.get(("nginx", sc), []), by.get(("nginx", sc + "-cpu"), []))
        for c in corrals + ("corral-jetty+prefetch", "corral-tomcat+prefetch"):
            cc = cpu_per_request(by.get((c, sc), []), by.get((c, sc + "-cpu"), []))
            if cc is not None and nc is not None:
                t.append(("`{}`: {} CPU/request ≤ nginx's".format(sc, c), verdict(cc <= nc),
                          "{} vs {} µs".format(fmt(cc), fmt(nc))))
    for sc in ("hello-16", "hello-64", "sleep20-64", "big1024-16", "big256-16", "static16k-16", "static1m-16"):
        j, tc = wrk.get(("corral-jetty", sc)), wrk.get(("corral-tomcat", sc))
        if j and tc:
            key = "mibs" if sc.startswith(("big", "static1m")) else "rps"
            t.append(("`{}`: Tomcat within 10% of Jetty".format(sc), verdict(tc[key] >= 0.9 * j[key]),
                      "{} vs {} {} ({}×)".format(fmt(tc[key], 1 if key == "mibs" else 0),
                                                 fmt(j[key], 1 if key == "mibs" else 0),
                                                 "MiB/s" if key == "mibs" else "req/s", fmt(tc[key] / j[key], 2))))
    return t


def evaluate(meta, wrk, over, crash, memory):
    t = []

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    for sc in ("hello-16", "hello-64"):
        j, n, tc = wrk.get(("corral-jetty", sc)), wrk.get(("nginx", sc)), wrk.get(("corral-tomcat", sc))
        ok = None if not (j and n) else (j["rps"] >= n["rps"] and j["p99"] <= n["p99"])
        t.append(("`{}`: Corral on Jetty ≥ nginx req/s, p99 ≤ nginx".format(sc), verdict(ok),
                  "jetty {} req/s p99 {} ms; nginx {} req/s p99 {} ms".format(
                      fmt(j["rps"]) if j else "–", fmt(j["p99"], 2) if j else "–",
                      fmt(n["rps"]) if n else "–", fmt(n["p99"], 2) if n else "–")))
        ok = None if not (j and tc) else tc["rps"] >= 0.9 * j["rps"]
        t.append(("`{}`: Corral on Tomcat within 10% of Jetty".format(sc), verdict(ok),
                  "tomcat/jetty = {}".format(ratio(tc["rps"], j["rps"]) if (j and tc) else "–")))
    procs = int(meta.get("processes", "4"))
    d = wrk.get(("direct", "sleep20-64"))
    for s in ("corral-jetty", "corral-tomcat"):
        f = wrk.get((s, "sleep20-64"))
        limit = procs * d["rps"] if d else None
        ok = None if not (f and limit) else f["rps"] >= 0.98 * limit
        t.append(("`sleep20-64`: {} ≥ 98% of the physical limit".format(s), verdict(ok),
                  "{} req/s of {} ({} × direct); {} of {}×50".format(
                      fmt(f["rps"], 1) if f else "–", fmt(limit, 1) if limit else "–", procs,
                      "{:.1%}".format(f["rps"] / (procs * 50)) if f else "–", procs)))
    for s in ("corral-jetty", "corral-tomcat"):
        runs = over.get(s)
        if not runs:
            t.append(("overflow: {}: 503 + Retry-After, p99 < 5 ms, no 502".format(s), "n/a", "–"))
            continue
        st, errors = status_sum(runs, "main")
        rej = st.get("503", {})
        missing = sum(r["main"]["503_without_retry_after"] for r in runs)
        bad = st.get("502", {}).get("count", 0)
        ok = bool(rej) and missing == 0 and bad == 0 and rej["p99"] is not None and max(
            r["main"]["status"]["503"]["p99_ms"] for r in runs if "503" in r["main"]["status"]) < 5
        t.append(("overflow: {}: every rejection 503 + Retry-After, p99 < 5 ms, no 502".format(s), verdict(ok),
                  "{} × 503 (p99 {} ms, worst run), {} without Retry-After, {} × 502".format(
                      fmt(rej.get("count", 0)),
                      fmt(max([r["main"]["status"]["503"]["p99_ms"] for r in runs if "503" in r["main"]["status"]] or [None]) , 2)
                      if rej else "–", missing, bad)))
    for s in ("corral-jetty", "corral-tomcat"):
        f, dd = wrk.get((s, "big256-16")), wrk.get(("direct", "big256-16"))
        ok = None if not (f and dd) else f["mibs"] >= 0.8 * dd["mibs"]
        t.append(("`big256-16`: {} ≥ 0.8 × direct MiB/s".format(s), verdict(ok),
                  "{} / {} MiB/s = {}".format(fmt(f["mibs"], 1) if f else "–", fmt(dd["mibs"], 1) if dd else "–",
                                              ratio(f["mibs"], dd["mibs"]) if (f and dd) else "–")))
    for s in ("corral-jetty", "corral-tomcat"):
        runs = crash.get(s)
        if not runs:
            t.append(("crash: {}: only the crashing request fails (502)".format(s), "n/a", "–"))
            continue
        hs, he = status_sum(runs, "main")
        cs, ce = status_sum(runs, "crash")
        hello_bad = sum(v["count"] for k, v in hs.items() if k != "200") + sum(he.values())
        crash_total = sum(r["crash"]["requests"] for r in runs)
        crash_502 = cs.get("502", {}).get("count", 0)
        ok = hello_bad == 0 and crash_502 == crash_total and crash_total > 0
        t.append(("crash: {}: only the crashing request fails, with 502".format(s), verdict(ok),
                  "{} /hello failed; {} of {} /crash got 502".format(hello_bad, crash_502, crash_total)))
    if memory:
        ok = memory.get("heap_delta_bytes", 1 << 40) < 50 * 1024 * 1024 and \
            memory.get("threads_after", 1) <= memory.get("threads_before", 0)
        t.append(("10,000 queued requests: < 50 MB heap, no extra threads", verdict(ok),
                  "{:.1f} MB, threads {} → {}".format(memory.get("heap_delta_bytes", 0) / 1e6,
                                                      memory.get("threads_before"), memory.get("threads_after"))))
    else:
        t.append(("10,000 queued requests: < 50 MB heap, no extra threads", "n/a", "–"))
    return t


if __name__ == "__main__":
    main()
