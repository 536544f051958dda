#!/usr/bin/env bash
# profile.sh LABEL STOREARG [JFR]  -- one fan-out run with per-thread CPU snapshots
set -u
cd /work/wt-storecpu
label=$1; store=$2; jfr=${3:-}
O=/tmp/storecpu/$label; mkdir -p $O
CP="bench/target/classes:bench/target/lib/*"
extra=""
[[ -n "$jfr" ]] && extra="-XX:StartFlightRecording=filename=$O/rec.jfr,settings=profile,delay=${JFRDELAY:-14s},duration=16s"
sa=()
[[ -n "$store" ]] && sa=(--store=$store)
java -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 ${JEXTRA:-} $extra -cp "$CP" dev.parley.bench.BenchServer --port=18180 --transport=netty "${sa[@]}" > $O/server.log 2>&1 &
SP=$!
T0=$(date +%s%N)
for i in $(seq 300); do grep -q ^LISTENING $O/server.log && break; sleep 0.1; done
java -Xmx2g -cp "$CP" dev.parley.bench.LoadTool --url=ws://127.0.0.1:18180/chat --mode=parley --label=$label --jvm=true --body=100 --connect-timeout=180 --scenario=fanout --receivers=1000 --rate=40 --warmup=${WARMUP:-10} --duration=20 --drain=5 --server-pid=$SP > $O/tool.txt 2>&1 &
TP=$!
for i in $(seq 1200); do grep -q "receivers ready" $O/tool.txt && break; sleep 0.1; done
echo "ready_ms $(( ($(date +%s%N) - T0) / 1000000 ))" > $O/ready.txt
sleep $(( ${WARMUP:-10} + 2 ))
python3 /tmp/storecpu/threads.py $SP > $O/t0.json
if [[ -n "${PERF:-}" ]]; then perf record -e cpu-clock -F 499 -g -p $SP -o $O/perf.data -- sleep 16 > $O/perf.log 2>&1; else sleep 16; fi
python3 /tmp/storecpu/threads.py $SP > $O/t1.json
wait $TP
kill $SP; wait $SP
python3 /tmp/storecpu/diff.py $O/t0.json $O/t1.json 16 $((16*40*1000)) | tee $O/threads.txt
grep RESULT $O/tool.txt | tr ' ' '\n' | grep -E '^(cpu_us_per_delivery|server_sys_share|p50_ms|p99_ms|lost|others_cpu_cores)='
