#!/bin/bash
# usage: run.sh <logdir> <cmd...>; records machine, command, load average (sampled every 20 s).
# Appends: a rerun (a resume, or a no-op over finished work) must not erase the record of the
# invocations before it.
dir=$1; shift
mkdir -p "$dir"
[ -s "$dir/RUN.txt" ] && echo "--- rerun ---" >> "$dir/RUN.txt"
{
  echo "command: $*"
  echo "start: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "node: $(node --version)"
  echo "loadavg at start: $(cat /proc/loadavg)"
} >> "$dir/RUN.txt"
n0=$(cat "$dir/loadavg.log" 2>/dev/null | wc -l)
( while true; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$dir/loadavg.log"; sleep 20; done ) &
sampler=$!
echo "=== $(date -u +%FT%TZ) $*" >> "$dir/stdout.log"
"$@" >> "$dir/stdout.log" 2>&1
rc=$?
kill $sampler
{
  echo "loadavg at end: $(cat /proc/loadavg)"
  echo "end: $(date -u +%FT%TZ), exit $rc"
  # This invocation's samples only (the log keeps every invocation's).
  tail -n +$((n0 + 1)) "$dir/loadavg.log" 2>/dev/null | awk '{t+=$2; n++} END {if (n) printf "mean 1-min loadavg during run: %.2f (%d samples)\n", t/n, n}'
} >> "$dir/RUN.txt"
exit $rc
