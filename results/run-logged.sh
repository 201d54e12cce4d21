#!/bin/bash
# usage: run.sh <logdir> <cmd...>; records machine, command, load average (sampled every 20 s)
dir=$1; shift
mkdir -p "$dir"
{
  echo "command: $*"
  echo "start: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "node: $(node --version)"
  echo "loadavg at start: $(cat /proc/loadavg)"
} > "$dir/RUN.txt"
( while true; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$dir/loadavg.log"; sleep 20; done ) &
sampler=$!
"$@" > "$dir/stdout.log" 2>&1
rc=$?
kill $sampler
{
  echo "loadavg at end: $(cat /proc/loadavg)"
  echo "end: $(date -u +%FT%TZ), exit $rc"
  awk '{s+=$2; n++} END {if (n) printf "mean 1-min loadavg during run: %.2f (%d samples)\n", s/n, n}' "$dir/loadavg.log"
} >> "$dir/RUN.txt"
exit $rc
