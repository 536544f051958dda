#!/usr/bin/env bash
# profile one server through warmup + measured connect pass; JFR on the server; load tool CPU via /proc
set -u
cd /work/wt-perf
CP="bench/target/classes:bench/target/lib/*"
OUTD=${OUTD:-/tmp/hj/prof}
mkdir -p $OUTD
PORT=18181
java -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 ${JFR:-} -cp "$CP" dev.parley.bench.BenchServer --port=$PORT > $OUTD/server.log 2>&1 &
SP=$!
for i in $(seq 1 300); do grep -q LISTENING $OUTD/server.log && break; sleep 0.1; done
ARGS="--url=ws://127.0.0.1:$PORT/chat --mode=parley --label=netty --jvm=true --body=100 --connect-timeout=180 --scenario=connect --receivers=1000 --server-pid=$SP"
for pass in ${PASSES:-1 2 3}; do
  python3 /tmp/hj/tcpu.py $SP $OUTD/t0.json
  /usr/bin/time -f "tool_cpu_user=%U tool_cpu_sys=%S tool_wall=%e" java -Xmx2g -cp "$CP" dev.parley.bench.LoadTool $ARGS > $OUTD/pass$pass.txt 2>&1
  python3 /tmp/hj/tcpu.py $SP $OUTD/t1.json; cp $OUTD/server.log $OUTD/server.after$pass.log; python3 /tmp/hj/tdiff.py $OUTD/t0.json $OUTD/t1.json
  grep -E "connect_s|server_cpu_ms|tool_cpu|others_cpu|sys_share" $OUTD/pass$pass.txt | tr '\n' ' '; echo
  if [[ $pass == 1 && -n "${PROFILE:-}" ]]; then jcmd $SP JFR.start name=c settings=/tmp/hj/fast.jfc filename=$OUTD/connect.jfr >/dev/null; fi
done
if [[ -n "${PROFILE:-}" ]]; then jcmd $SP JFR.dump name=c filename=$OUTD/connect.jfr >/dev/null; fi
ps -L -o tid,comm,time -p $SP > $OUTD/threads.txt
kill $SP; wait $SP 2>/dev/null
