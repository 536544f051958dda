#!/usr/bin/env bash
# NODE_ARGS=--redis-loops=own: Lettuce on loops of its own (the default since the third pass: the server's)
# prof.sh N OUTDIR : redis + N nodes, fan-out 1000 receivers 40 msg/s, per-thread CPU per node over the window
set -euo pipefail
cd ${ROOT:-/work/wt-redis}
N=$1; OUT=$2; mkdir -p "$OUT"
CP="bench/target/classes:bench/target/lib/*"
RP=18379; PP=18080
nice -n -10 redis-server --port $RP --bind 127.0.0.1 --save '' --appendonly no --logfile "" >"$OUT/redis.log" 2>&1 &
REDIS=$!
for _ in $(seq 1 100); do redis-cli -p $RP ping >/dev/null 2>&1 && break; sleep 0.1; done
PIDS=()
if [ "$N" = 0 ]; then
  nice -n -10 java -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -cp "$CP" dev.parley.bench.BenchServer --port=$PP --transport=netty >"$OUT/node0.log" 2>&1 &
  PIDS+=($!); N=1; LBL=netty
else LBL=redis$N
for i in $(seq 0 $((N-1))); do
  nice -n -10 java -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 ${EXTRA_OPTS:-} -cp "$CP" dev.parley.bench.BenchServer --port=$((PP+i)) --redis="redis://127.0.0.1:$RP" ${NODE_ARGS:-} >"$OUT/node$i.log" 2>&1 &
  PIDS+=($!)
done
fi
cleanup() { for p in "${PIDS[@]}" $REDIS; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 0 $((N-1))); do for _ in $(seq 1 300); do grep -q '^LISTENING' "$OUT/node$i.log" && break; sleep 0.1; done; done
url=""; for i in $(seq 0 $((N-1))); do url="$url${url:+,}ws://127.0.0.1:$((PP+i))/chat"; done
nice -n -10 java -Xmx2g -cp "$CP" dev.parley.bench.LoadTool --url="$url" --mode=parley --label=$LBL --jvm=true --body=100 --connect-timeout=180 \
  --scenario=fanout --receivers=1000 --rate=40 --warmup=${WARMUP:-10} --duration=${DURATION:-20} --drain=5 \
  --server-pid="$(IFS=,; echo "${PIDS[*]}")" --redis-pid=$REDIS >"$OUT/tool.txt" 2>&1 &
TOOL=$!
# wait for connect + warmup: poll for the tool's "measuring" line, else sleep
sleep ${START:-25}
snap() { for i in $(seq 0 $((N-1))); do p=${PIDS[$i]}; for t in /proc/$p/task/*; do
  tid=${t##*/}; name=$(cat $t/comm 2>/dev/null); st=$(cat $t/stat 2>/dev/null | sed 's/.*) //'); cs=$(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END{print v":"n}' $t/status 2>/dev/null); echo "$i $tid $name|$(echo $st | awk '{print $12+$13}')|$cs"; done; done; }
snap > "$OUT/s0"; date +%s.%N > "$OUT/t0"
sleep ${WIN:-15}
snap > "$OUT/s1"; date +%s.%N > "$OUT/t1"
wait $TOOL || true
