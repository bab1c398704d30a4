#!/bin/sh
# Corral lifeline: runs one app process and makes sure that nothing it started outlives it,
# nor the JVM that started the lifeline.
#
#   setsid sh lifeline.sh <graceSeconds> <cmd> [args...]
#
# stdin must be a pipe whose write end only the JVM holds (the JVM never writes to it).
#
# - The lifeline is a session and process-group leader (setsid; if it is not one, it
#   re-executes itself through setsid, which keeps its pid). The app and everything it forks
#   inherit that process group, so `kill -KILL -<lifeline pid>` kills the whole tree at once.
# - The app gets the lifeline's original stdin, so it can see the EOF itself, and the default
#   actions for SIGINT and SIGQUIT (sh would leave them ignored for a background command) when
#   env supports --default-signal (GNU coreutils >= 8.31).
# - stdin EOF (the JVM is gone), SIGTERM, SIGINT or SIGHUP: SIGTERM to the whole group (the
#   lifeline survives it), wait up to <graceSeconds> for the app, then SIGKILL the app and
#   every other process left in the group. The lifeline exits with the app's status.
# - The app exits by itself: the processes it left behind in the group are SIGKILLed and the
#   lifeline exits with the app's status (128+N if signal N killed it).
# - Exit codes of its own: 2 usage, 126 command not executable, 127 command not found.
#   Nothing is printed unless something is wrong (such lines start with "corral-lifeline: ").
#
# POSIX sh, tested with dash (and bash). Linux: reads /proc to find the group's processes.
# The only long-lived helper is one watcher subshell that uses builtins only.

me=corral-lifeline

die() { # <status> <message>
    printf '%s: %s\n' "$me" "$2" >&2
    exit "$1"
}

# Sets _state and _pgrp of process <pid> (fails if there is no such process).
# Builtins only: no fork, so scanning /proc stays cheap.
read_pgrp() { # <pid>
    _pgrp=
    read -r _line < "/proc/$1/stat" || return 1
    set -f
    # shellcheck disable=SC2086
    set -- ${_line##*) } # after "pid (comm) ": state ppid pgrp ...
    set +f
    _state=$1
    _pgrp=$3
}

[ $# -ge 2 ] || die 2 "usage: lifeline.sh <graceSeconds> <cmd> [args...]"
grace=$1
case $grace in
    '' | *[!0-9.]* | .* | *. | *.*.*) die 2 "graceSeconds must be a number of seconds, but was [$grace]" ;;
esac
shift

# --- be a process-group leader, or the group signals below would hit our parent's group ---
reexec=${CORRAL_LIFELINE_REEXEC-}
unset CORRAL_LIFELINE_REEXEC
if [ -r "/proc/$$/stat" ]; then
    read_pgrp $$
    if [ "$_pgrp" != "$$" ]; then
        [ -z "$reexec" ] || die 2 "not a process group leader even after setsid"
        command -v setsid > /dev/null 2>&1 || die 2 "not a process group leader and no setsid command: start me with setsid"
        # util-linux setsid execs in place (no fork) when the caller is not a group leader.
        CORRAL_LIFELINE_REEXEC=1 exec setsid /bin/sh "$0" "$grace" "$@"
    fi
fi

# --- can the command run at all? (clear message instead of the shell's own) ---
cmd=$1
case $cmd in
    */*)
        if [ -d "$cmd" ]; then
            die 126 "cannot run $cmd: Is a directory"
        elif [ ! -e "$cmd" ]; then
            die 127 "cannot run $cmd: No such file or directory"
        elif [ ! -x "$cmd" ]; then
            die 126 "cannot run $cmd: Permission denied"
        fi
        ;;
    *)
        command -v "$cmd" > /dev/null 2>&1 || die 127 "cannot run $cmd: command not found"
        ;;
esac

# --- state; the traps act at once, so no signal can be lost between two checks ---
phase=start  # start -> run -> term (SIGTERM sent, grace running) -> kill -> done
app=
timer=
intr=0

# SIGKILL every live process of our group except the lifeline itself. Scans again until a
# scan finds none, so that processes forked during a scan are caught too.
kill_group_but_me() {
    if [ ! -d /proc/self ]; then
        [ -z "$app" ] || kill -KILL "$app" 2> /dev/null
        return 0
    fi
    _round=0
    while [ "$_round" -lt 50 ]; do
        _round=$((_round + 1))
        _found=0
        for _f in /proc/[0-9]*/stat; do
            _pid=${_f#/proc/}
            _pid=${_pid%/stat}
            [ "$_pid" != "$$" ] || continue
            read_pgrp "$_pid" 2> /dev/null && [ "$_pgrp" = "$$" ] || continue
            case $_state in Z | X) continue ;; esac # dead, waiting for its reaper
            kill -KILL "$_pid" 2> /dev/null && _found=1
        done
        [ "$_found" = 1 ] || return 0
    done
}

on_stop() {
    intr=1
    case $phase in
        start) phase=term ;; # the app is not started yet: it is stopped right after its start
        run)
            phase=term
            kill -TERM 0 2> /dev/null # the whole group; our own TERM lands in this trap again
            (
                sleep "$grace"
                kill -USR1 $$
            ) < /dev/null > /dev/null 2>&1 &
            timer=$!
            ;;
    esac
}

on_grace_over() {
    intr=1
    if [ "$phase" = term ]; then
        phase=kill
        kill_group_but_me
    fi
}

trap on_stop TERM INT HUP
trap on_grace_over USR1

# --- start the app with the original stdin (an async list would get /dev/null) ---
# sh starts background commands with SIGINT and SIGQUIT ignored, and an exec'd program keeps
# that; give the app the default actions back where env can (GNU coreutils >= 8.31).
if env --default-signal=INT,QUIT true > /dev/null 2>&1; then
    set -- env --default-signal=INT,QUIT "$@"
fi
exec 3<&0
exec "$@" <&3 3<&- &
app=$!

# --- watch stdin: EOF means the JVM is gone ---
{
    while read -r _line; do :; done
    kill -TERM $$
} <&3 3<&- > /dev/null 2>&1 &
watcher=$!
exec 3<&-

if [ "$phase" = term ]; then
    phase=run
    on_stop
else
    phase=run
fi

# --- wait for the app; a trapped signal interrupts wait, the trap has done what is needed ---
# (stderr of wait goes to /dev/null: dash prints "Terminated" when it reaps a killed job)
while :; do
    intr=0
    wait "$app" 2> /dev/null
    status=$?
    [ "$intr" = 1 ] || break                    # not interrupted: the app has finished
    kill -0 "$app" 2> /dev/null && continue       # still running, or a zombie the next wait reaps
    wait "$app" 2> /dev/null                     # gone: its status, unless already collected
    st2=$?
    [ "$st2" = 127 ] || status=$st2
    break
done
phase=done

# --- nothing of the app's may outlive it; then reap every child of ours ---
# (stderr to /dev/null from here on: some shells report jobs that died of a signal)
exec 2> /dev/null
kill_group_but_me
kill -KILL "$watcher" ${timer:+"$timer"}
until wait; do :; done
exit "$status"
