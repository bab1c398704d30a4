# bench/soak.sh: the soak of issue 15, sourced by `bench/run --soak` (it uses bench/run's
# helpers: start_bg, stop_bg, wait_http, log, meta, die, and its RES, JMH_JAR, PYTHON ...).
#
# One Corral (corral-jetty or corral-tomcat, the bench launchers) serves two apps at once:
#   soak-py    bench/app.py through the WSGI loader, concurrency 1, 2 processes, under /py
#   soak-node  bench/app.js through the Node loader, concurrency 0 (unlimited), 2 processes, under /node
# with maxRequests=200 (every process is recycled after ~200 requests), low-rate faults at every
# seam of the engine (SOAK_FAULTS) and inside the apps (SOAK_APP_FAULTS), while the driver
# (dev.corral.bench.Soak) sends a paced load of SOAK_RATE req/s per app, restarts every app every
# 2 minutes (tmp/restart.txt and JMX restart(true), in turns) and samples the JVM every 10 s.
# Then the load stops, the faults go off, every app must come back to minProcesses, the JVM is
# stopped, and no process of the run may be left. bench/soak.py judges the samples, writes the
# Soak section of the report and the plot, and sets SOAK_STATUS (0 pass, 1 fail).
#
# Fault rates. CorralChaosTest's ENGINE_FAULTS are made for a burst of 1,500 requests; at a
# soak's 100 req/s they end a process about every second (a refused connect, a reset, a cut
# response or a kill each retire their process) and keep both apps in crash-loop damping most of
# the time: a first try spent 2 of 3 minutes with no process at all, so the soak measured an
# idle JVM. Here the faults that end a process hit 1 request in 2,000 (the rest of the processes,
# ~9 in 10, end by maxRequests), the others stay frequent enough to hit each seam many times.

SOAK_FAULTS="spawn:0.02,spawn-timeout:0.01,connect:0.0001,emfile:0.001,write-reset:0.0001,read-reset:0.0001,truncate:0.0001,latency:0.01@100ms,kill:0.0001,health:0.01"
SOAK_APP_FAULTS="crash:0.0001,hang:0.0001,garbage:0.0001"
SOAK_PROCESSES=2
SOAK_MAX_REQUESTS=200
SOAK_RESTART_EVERY=120
SOAK_INTERVAL=10
SOAK_CONNECTIONS=4
SOAK_SETTLE=60
SOAK_PORT=$((PORT_BASE + 90))
SOAK_SEED=${BENCH_SOAK_SEED:-$(date +%s)}
SOAK_MARKER="CORRAL_SOAK_RUN=$STAMP"

# (bench/run has checked --soak-system, --soak-minutes and --soak-rate)
case $SOAK_SYSTEM in
  corral-jetty) SOAK_JAR=$JETTY_JAR ;;
  corral-tomcat) SOAK_JAR=$TOMCAT_JAR ;;
esac
! port_in_use "$SOAK_PORT" || die "port $SOAK_PORT on 127.0.0.1 is in use; choose another BENCH_PORT_BASE"

mkdir -p "$RES/soak-py/tmp" "$RES/soak-node/tmp"
cp "$BENCH/app.py" "$RES/soak-py/"
cp "$BENCH/app.js" "$RES/soak-node/"

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta start_epoch "$(date +%s)"
meta args "bench/run${ARGS:+ $ARGS}"
meta soak.system "$SOAK_SYSTEM"
meta soak.minutes "$SOAK_MINUTES"
meta soak.rate "$SOAK_RATE"
meta soak.connections "$SOAK_CONNECTIONS"
meta soak.interval "$SOAK_INTERVAL"
meta soak.restart_every "$SOAK_RESTART_EVERY"
meta soak.settle "$SOAK_SETTLE"
meta soak.faults "$SOAK_FAULTS"
meta soak.app_faults "$SOAK_APP_FAULTS"
meta soak.seed "$SOAK_SEED"
meta soak.port "$SOAK_PORT"
meta java_opts "${JAVA_OPTS:-}"
meta nproc "$(nproc)"
meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
meta ram "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta os "$(. /etc/os-release && echo "$PRETTY_NAME")"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta version.java "$(java -version 2>&1 | head -1 | sed 's/ version "\(.*\)".*/ \1/')"
meta version.python "$("$PYTHON" --version 2>&1)"
meta version.node "node $(node --version 2>&1)"
meta version.corral "$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- . ':!docs/BENCHMARKS.md' ':!docs/soak.svg' 2>/dev/null || echo ' (with uncommitted changes)')"
meta results "${RES#$ROOT/}"

log "soak: results in ${RES#$ROOT/}: $SOAK_SYSTEM, ${SOAK_MINUTES} min, $SOAK_RATE req/s per app, seed $SOAK_SEED"

# the settings every app shares (before the first --app), then each app's own
soak_args=(--port "$SOAK_PORT"
  --set maxRequests="$SOAK_MAX_REQUESTS" --set minProcesses="$SOAK_PROCESSES" --set maxProcesses="$SOAK_PROCESSES"
  --set healthPath=/hello --set spawnTimeout=10s --set maxRequestTime=5s --set queueTimeout=10s
  --set faults="$SOAK_FAULTS"
  --app soak-py --set appRoot="$RES/soak-py" --set type=wsgi --set entryPoint=app:application --set pathPrefix=/py
  --set faultSeed="$SOAK_SEED"
  --set env="$SOAK_MARKER CORRAL_APP_FAULTS=$SOAK_APP_FAULTS CORRAL_APP_FAULT_SEED=$SOAK_SEED"
  --app soak-node --set appRoot="$RES/soak-node" --set type=node --set entryPoint=app.js --set pathPrefix=/node
  --set concurrency=0 --set faultSeed="$((SOAK_SEED + 1))"
  --set env="$SOAK_MARKER CORRAL_APP_FAULTS=$SOAK_APP_FAULTS CORRAL_APP_FAULT_SEED=$((SOAK_SEED + 1))")
shown() { # the words of a command line, quoted where a shell needs it, paths relative to the repository
  local a out=""
  for a in "$@"; do
    case $a in *[[:space:]\'\"\$\`\;\&\|\*\?]*) a="'$a'" ;; esac
    out+=" $a"
  done
  echo "${out# }" | sed "s|$RES|bench/results/$STAMP|g; s|$ROOT/||g"
}
# shellcheck disable=SC2086
echo "$SOAK_SYSTEM: $(shown java ${JAVA_OPTS:-} -jar "$SOAK_JAR" "${soak_args[@]}")" >> "$COMMANDS"

# shellcheck disable=SC2086
start_bg "$SOAK_SYSTEM" java ${JAVA_OPTS:-} -jar "$SOAK_JAR" "${soak_args[@]}"
SOAK_JVM=$BG_PID
for path in /py/hello /node/hello; do
  # (with spawn faults on, the first spawn may fail: the 90 s leave room for the backoff)
  if ! wait_http "http://127.0.0.1:$SOAK_PORT$path" 90 "$SOAK_JVM"; then
    tail -30 "$RES/logs/$SOAK_SYSTEM.log" >&2 || true
    die "$SOAK_SYSTEM did not answer $path (within 90 s, or it exited); see $RES/logs/$SOAK_SYSTEM.log"
  fi
done
meta "version.$SOAK_SYSTEM" "$(sed -n 's/^corral-bench: ready container=[a-z]*-\([^ ]*\) .*/\1/p' "$RES/logs/$SOAK_SYSTEM.log" | head -1)"

driver=(java -cp "$JMH_JAR" dev.corral.bench.Soak --pid "$SOAK_JVM" --port "$SOAK_PORT" --out "$RES"
  --app "soak-py:/py:$RES/soak-py" --app "soak-node:/node:$RES/soak-node"
  --minutes "$SOAK_MINUTES" --interval "$SOAK_INTERVAL" --restart-every "$SOAK_RESTART_EVERY"
  --rate "$SOAK_RATE" --connections "$SOAK_CONNECTIONS" --settle "$SOAK_SETTLE" --seed "$SOAK_SEED"
  --marker "$SOAK_MARKER")
echo "driver: $(shown "${driver[@]}")" >> "$COMMANDS"
set +e
"${driver[@]}" 2>&1 | tee "$RES/logs/soak-driver.log" >&2
driver_status=${PIPESTATUS[0]}
set -e
meta soak.driver_status "$driver_status"

# stop the JVM as an operator would (SIGTERM); nothing of the run may outlive it
log "soak: stopping $SOAK_SYSTEM"
stop_bg "$SOAK_JVM" 60
left=""
for _ in $(seq 1 100); do
  left=$(grep -l -s -a -F "$SOAK_MARKER" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' ' || true)
  [ -n "$left" ] || break
  sleep 0.1
done
meta soak.left_after_stop "${left% }"
for app in soak-py soak-node; do   # rolling restarts started, done, failed (Corral's log lines)
  meta "soak.restarts.$app" "$(for what in started done failed; do
    grep -c "rolling restart of app \[$app\] $what" "$RES/logs/$SOAK_SYSTEM.log" || true; done | tr '\n' ' ')"
done
meta soak.app_faults_seen "$(grep -o 'simulated fault: [a-z]*' "$RES/logs/$SOAK_SYSTEM.log" | sort | uniq -c | awk '{printf "%s%s %s", sep, $4, $1; sep=", "}')"
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta end_epoch "$(date +%s)"

set +e
"$PYTHON" "$BENCH/soak.py" "$RES" --doc "$OUT" --svg "$(dirname "$OUT")/soak.svg"
SOAK_STATUS=$?
set -e
case $SOAK_STATUS in
  0) log "soak: PASS; wrote the Soak section of ${OUT#$ROOT/}" ;;
  1) log "soak: FAIL (see above); wrote the Soak section of ${OUT#$ROOT/}" ;;
  *) log "soak: the report failed (status $SOAK_STATUS); the samples are in ${RES#$ROOT/}" ;;
esac
