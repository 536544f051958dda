#!/usr/bin/env bash
set -u
cd /work/wt-perf
CP="bench/target/classes:bench/target/lib/*"
OUTD=${OUTD:-/tmp/hj/peer}
mkdir -p $OUTD
PORT=18191
PORT=$PORT node bench/peer/server.js > $OUTD/server.log 2>&1 &
SP=$!
for i in $(seq 1 300); do grep -q LISTENING $OUTD/server.log && break; sleep 0.1; done
ARGS="--url=ws://127.0.0.1:$PORT/ --mode=raw --label=peer --jvm=false --body=100 --connect-timeout=180 --scenario=connect --receivers=1000 --server-pid=$SP"
for pass in ${PASSES:-1 2 3}; do
  java -Xmx2g -cp "$CP" dev.parley.bench.LoadTool $ARGS > $OUTD/pass$pass.txt 2>&1
  grep -E "connect_s|server_cpu_ms|tool_cpu|others_cpu" $OUTD/pass$pass.txt | tr '\n' ' '; echo
done
kill $SP; wait $SP 2>/dev/null
