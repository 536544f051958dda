#!/usr/bin/env bash
# EXPERIMENT (as run for notes.md; paths are the scratch ones used then): the bench's chat
# server behind the adapter in Jetty, Tomcat or Tyrus (ContainerServer.java, compiled with javac
# into /tmp/harness/classes against the adapter's test class path), driven by bench's LoadTool.
# A mode picks the adapter build: /tmp/a0fd = this branch (45d0ed5), /tmp/aoff = the same with
# batchFlusher = null (frame by frame), /tmp/a000 = 000ec51, /tmp/a-<mode> = other variants,
# each compiled with javac from `git archive <commit> chat-server-adapter/src/main/java`.
set -uo pipefail
cd /work/wt-adapter
OUT=${OUT:-/tmp/harness/results-$(date +%H%M%S)}
mkdir -p "$OUT"
SCP="/tmp/a0fd/classes:/tmp/core-classes:/tmp/harness/classes:$(cat /tmp/harness/base-cp.txt)"
LCP="/tmp/parley-before/bench/target/classes:/tmp/parley-before/bench/target/lib/*"
PORT=18380
ROUNDS=${ROUNDS:-2}; RECEIVERS=${RECEIVERS:-250}; WARMUP=${WARMUP:-5}; DURATION=${DURATION:-10}
CONTAINERS=${CONTAINERS:-"jetty tomcat tyrus"}; RATES=${RATES:-"150 40"}
for round in $(seq 1 $ROUNDS); do
  for c in $CONTAINERS; do
    for mode in ${MODES:-on off}; do
      for rate in $RATES; do
        log="$OUT/$c.$mode.$rate.$round.server.log"
        cp_server="$SCP"; [ "$mode" = off ] && cp_server="/tmp/aoff/classes:$SCP"; [ "$mode" = base ] && cp_server="/tmp/a000/classes:$SCP"
        [ -d "/tmp/a-$mode/classes" ] && cp_server="/tmp/a-$mode/classes:$SCP"
        nice -n -10 java -cp "$cp_server" dev.parley.server.ContainerServer $c $PORT on >"$log" 2>&1 &
        pid=$!
        for _ in $(seq 1 200); do grep -q '^LISTENING' "$log" && break; sleep 0.1; done
        w0=$(awk '/^syscw/ {print $2}' /proc/$pid/io)
        timeout 120 nice -n -10 java -Xmx1g -cp "$LCP" dev.parley.bench.LoadTool --url=ws://127.0.0.1:$PORT/chat \
          --mode=parley --label=$c-$mode --jvm=false --body=100 --scenario=fanout --receivers=$RECEIVERS \
          --rate=$rate --warmup=$WARMUP --duration=$DURATION --drain=10 --connect-timeout=60 \
          --server-pid=$pid > "$OUT/$c.$mode.$rate.$round.txt" 2>&1
        w1=$(awk '/^syscw/ {print $2}' /proc/$pid/io)
        cs=$(cat /proc/$pid/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s+=$2} END {print s}')
        kill $pid; wait $pid 2>/dev/null
        d=$(grep -E '^RESULT' "$OUT/$c.$mode.$rate.$round.txt" | tr ' ' '\n' | awk -F= '$1=="deliveries" {print $2}')
        echo "$c $mode $rate r$round ctx_switches=$cs write_syscalls=$((w1 - w0)) deliveries=$d $(grep -E '^RESULT' "$OUT/$c.$mode.$rate.$round.txt" | tr ' ' '\n' | grep -E '^(cpu_us_per_delivery|p50_ms|p99_ms|deliveries_per_s|lost|out_of_order|others_cpu_cores)=' | tr '\n' ' ')" | tee -a "$OUT/summary.txt"
      done
    done
  done
done
echo "done $OUT"
