#!/usr/bin/env bash
# Parley vs a naive Node `ws` broadcast server: the same load tool, the same settings, servers run
# alternately (Parley over Netty, Parley over Jetty/JSR-356, peer, and again), a fresh server
# process for every measurement. Prints every figure as a ratio Parley / peer with its spread over
# rounds. See docs/PERFORMANCE.md.
#
#   bench/run.sh                      # the full run (3 rounds, ~15 minutes)
#   QUICK=1 bench/run.sh              # a quick run: 1 round, short windows, fewer connections
#   ROUNDS=5 DURATION=60 bench/run.sh # any setting below can be overridden the same way
#   SCENARIOS=cluster bench/run.sh    # 1, 2 and 3 nodes on Redis against one node in memory
#   SCENARIOS=stores bench/run.sh     # history in SQLite and PostgreSQL against in memory: the
#                                     # fan-out at RATE_LOW, and acks at ACK_RATE over ACK_ROOMS
#   SCENARIOS=many-19000 PARLEY_SERVERS=netty RT=10 bench/run.sh
#                                     # 19 000 connections from MANY_SOURCES addresses in rooms of
#                                     # MANY_ROOM_SIZE: connect+join time, RSS and live heap per
#                                     # connection, then MANY_RATE msg/s in all over the rooms
#
# All traffic stays on 127.0.0.1. Every server this script starts is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${QUICK:-0}" == 1 ]]; then
  : "${ROUNDS:=1}" "${WARMUP:=3}" "${DURATION:=5}" "${RECEIVERS:=200}" "${IDLE:=1000}" "${JOINS:=300}"
fi
ROUNDS=${ROUNDS:-3}            # rounds; each runs every scenario on Parley, then on the peer
WARMUP=${WARMUP:-10}           # seconds of load before the measured window (JIT warm-up)
DURATION=${DURATION:-30}       # seconds in the measured window
RECEIVERS=${RECEIVERS:-1000}   # receivers in the room for the fan-out scenarios
RATE_LOW=${RATE_LOW:-40}       # messages per second, low-rate fan-out
RATE_HIGH=${RATE_HIGH:-150}    # messages per second, high-rate fan-out
BODY=${BODY:-100}              # body bytes
DRAIN=${DRAIN:-10}             # seconds the tool waits for late deliveries after the last send
IDLE=${IDLE:-5000}             # idle connections for the memory scenario
JOINS=${JOINS:-1000}           # clients for the connect(+join) time scenario
SCENARIOS=${SCENARIOS:-"fanout-low fanout-high idle connect"}
# The cluster scenario: a fan-out at RATE_CLUSTER with the RECEIVERS spread over the nodes in turn
# (the sender on the first). Its systems: netty (one node, everything in memory: the reference)
# and redisN (N BenchServer nodes on one fresh Redis: store, backplane and presence there);
# base-redisN runs the same nodes from BASE_CP (a build before a change).
CLUSTER_SYSTEMS=${CLUSTER_SYSTEMS:-"netty redis1 redis2 redis3"}
RATE_CLUSTER=${RATE_CLUSTER:-$RATE_LOW}
REDIS_PORT=${REDIS_PORT:-18379}
CONNECT_WARMUP=${CONNECT_WARMUP:-1}   # N: N unmeasured connect passes on the same server first
PRESENCE=${PRESENCE:-batch}  # how Parley clients ask for presence news in their join: batch (as
                             # ChatClient and parley.js do) or each (a plain v1 client); not the peer
# The acks scenario: ACK_SENDERS senders spread over ACK_ROOMS rooms (alone in them: no fan-out)
# at ACK_RATE messages a second in all; acknowledged messages a second and ack latency. A Parley
# system named <server>-sqlite or <server>-postgres keeps its history in SQLite (a fresh file per
# measurement) or in a PostgreSQL server BenchServer starts for itself; SCENARIOS=stores measures
# netty, netty-sqlite and netty-postgres in both the low-rate fan-out and acks.
ACK_RATE=${ACK_RATE:-1000}
ACK_ROOMS=${ACK_ROOMS:-100}
ACK_SENDERS=${ACK_SENDERS:-$ACK_ROOMS}
# The many-N scenario (issue 15): N connections over MANY_SOURCES local addresses (127.0.0.2 and
# up: one address's ephemeral ports make the tool's connects slow), in rooms of MANY_ROOM_SIZE
# (for the peer, one URL path per room), MANY_RATE messages a second in all, round-robin over the
# rooms, each from its room's first member. The server and the tool are separate processes, each
# under the open-files limit (ulimit -n, checked below).
MANY_ROOM_SIZE=${MANY_ROOM_SIZE:-100}
MANY_RATE=${MANY_RATE:-200}
MANY_SOURCES=${MANY_SOURCES:-8}
if [[ "${SCENARIOS:-}" == stores ]]; then
  SCENARIOS="fanout-low acks"
  PARLEY_SERVERS=${PARLEY_SERVERS:-netty netty-sqlite netty-postgres}
  WITH_PEER=${WITH_PEER:-0}
  REFERENCE=${REFERENCE:-netty}
fi
# The Parley servers' JVM options. By default two standard heap-sizing flags that make G1 give
# memory back after a collection (docs/PERFORMANCE.md: idle RSS 12.6 -> 4.9 KB a connection);
# SERVER_JAVA_OPTS=" " for the JDK's defaults.
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5}
TOOL_JAVA_OPTS=${TOOL_JAVA_OPTS:--Xmx2g}
PARLEY_PORT=${PARLEY_PORT:-18080}
# The Parley servers to measure, each against the peer in every round: netty (NettyChatServer),
# embedded (JettyChatServer: Jetty + the JSR-356 adapter), netty-flushN (NettyChatServer with a
# flush interval of N ms); inline|dispatch|batch are the ExperimentalTransport variants. PARLEY_TRANSPORT=x (one server) is kept as a shorthand.
PARLEY_SERVERS=${PARLEY_SERVERS:-${PARLEY_TRANSPORT:-netty embedded}}
# A second build to compare with (before/after a change): systems named base-<transport> run
# BenchServer from BASE_CP (e.g. "/tmp/before/bench/target/classes:/tmp/before/bench/target/lib/*"),
# and REFERENCE=base-netty makes the summary's ratios against it. WITH_PEER=0 leaves the peer out.
BASE_CP=${BASE_CP:-}
if [[ "$SCENARIOS" == cluster ]]; then REFERENCE=${REFERENCE:-netty}; else REFERENCE=${REFERENCE:-peer}; fi
WITH_PEER=${WITH_PEER:-1}
PEER_PORT=${PEER_PORT:-18090}
OUT=${OUT:-bench/results/$(date +%Y%m%d-%H%M%S)}
# Scheduling priority for the servers and the load tool (nice value). 0 by default; on a machine
# shared with other work, NICE=-10 (as root) keeps the other work from deciding the figures.
NICE=${NICE:-0}
RUN=(nice -n "$NICE")
# RT=N (as root): run the servers and the load tool in the real-time round-robin class at priority
# N instead (chrt -r N): other work on the machine can no longer delay their wake-ups, which is what
# decides tail latency on a shared machine. The kernel's real-time throttling (95 % of each second,
# /proc/sys/kernel/sched_rt_runtime_us) still leaves the rest of the machine its share.
RT=${RT:-0}
if [[ "$RT" != 0 ]]; then RUN=(chrt -r "$RT"); fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # package, not install: the reactor builds what bench needs, the local repository is left alone
  echo "building (./mvnw -q -DskipTests -pl bench -am package) ..."
  ./mvnw -q -DskipTests -pl bench -am package
  echo "installing ws for the peer (npm ci) ..."
  (cd bench/peer && npm ci --no-audit --no-fund --loglevel=error)
fi

CP="bench/target/classes:bench/target/lib/*"
mkdir -p "$OUT"
SERVER_PID=""      # the server (the first node of a cluster)
SERVER_PIDS=()     # every node
REDIS_PID=""
DATA_DIR=""        # the SQLite history of the current measurement

stop_pid() {
  local pid=$1
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

stop_server() {
  for pid in "${SERVER_PIDS[@]}" "$SERVER_PID"; do stop_pid "$pid"; done
  stop_pid "$REDIS_PID"   # after the nodes: they leave presence on their way out
  if [[ -n "$DATA_DIR" ]]; then rm -rf "$DATA_DIR"; fi
  SERVER_PID=""; SERVER_PIDS=(); REDIS_PID=""; DATA_DIR=""
}
trap stop_server EXIT INT TERM

# wait_listening PID LOG NAME: waits for LISTENING in LOG, or reports the log and exits
wait_listening() {
  local pid=$1 log=$2 name=$3
  for _ in $(seq 1 300); do
    if grep -q '^LISTENING' "$log" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "the $name server did not start; its log:" >&2
  cat "$log" >&2
  exit 1
}

# start_cluster N LOG CP: a fresh Redis (no persistence) and N BenchServer nodes (from the class
# path CP) on it, on ports PARLEY_PORT, PARLEY_PORT+1, ...
start_cluster() {
  local n=$1 log=$2 cp=$3
  "${RUN[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --logfile "" >"$log.redis" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  for i in $(seq 0 $((n - 1))); do
    # shellcheck disable=SC2086
    "${RUN[@]}" java $SERVER_JAVA_OPTS -cp "$cp" dev.parley.bench.BenchServer \
      --port=$((PARLEY_PORT + i)) --redis="redis://127.0.0.1:$REDIS_PORT" >"$log.$i" 2>&1 &
    SERVER_PIDS+=($!)
  done
  for i in $(seq 0 $((n - 1))); do
    wait_listening "${SERVER_PIDS[$i]}" "$log.$i" "node $i"
  done
  SERVER_PID=${SERVER_PIDS[0]}
}

# start_server SYSTEM LOG: starts Parley's BenchServer (SYSTEM: its transport) or the Node peer,
# waits for LISTENING.
start_server() {
  local system=$1 log=$2
  if [[ "$system" =~ ^(base-)?redis([0-9])$ ]]; then
    local cp=$CP
    if [[ -n "${BASH_REMATCH[1]}" ]]; then
      [[ -n "$BASE_CP" ]] || { echo "base-* systems need BASE_CP" >&2; exit 2; }
      cp=$BASE_CP
    fi
    start_cluster "${BASH_REMATCH[2]}" "$log" "$cp"
    return 0
  elif [[ "$system" != peer ]]; then
    local cp=$CP transport=$system store=()
    if [[ "$system" == base-* ]]; then
      [[ -n "$BASE_CP" ]] || { echo "base-* systems need BASE_CP" >&2; exit 2; }
      cp=$BASE_CP
      transport=${system#base-}
    fi
    if [[ "$transport" =~ ^(.+)-(sqlite|postgres)$ ]]; then
      transport=${BASH_REMATCH[1]}
      if [[ "${BASH_REMATCH[2]}" == sqlite ]]; then
        DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-sqlite.XXXXXX")
        store=(--store="sqlite:$DATA_DIR")
      else
        store=(--store=postgres)   # BenchServer runs its own, in a temporary folder
      fi
    fi
    # shellcheck disable=SC2086
    "${RUN[@]}" java $SERVER_JAVA_OPTS -cp "$cp" dev.parley.bench.BenchServer --port="$PARLEY_PORT" \
      --transport="$transport" "${store[@]}" >"$log" 2>&1 &
  else
    PORT="$PEER_PORT" "${RUN[@]}" node bench/peer/server.js >"$log" 2>&1 &
  fi
  SERVER_PID=$!
  wait_listening "$SERVER_PID" "$log" "$system"
}

# measure SCENARIO SYSTEM ROUND
measure() {
  local scenario=$1 system=$2 round=$3
  local file="$OUT/$scenario.$system.$round.txt"
  local url mode jvm
  if [[ "$system" =~ ^(base-)?redis([0-9])$ ]]; then
    url=""
    for i in $(seq 0 $((BASH_REMATCH[2] - 1))); do
      url="$url${url:+,}ws://127.0.0.1:$((PARLEY_PORT + i))/chat"
    done
    mode=parley; jvm=true
  elif [[ "$system" != peer ]]; then
    url="ws://127.0.0.1:$PARLEY_PORT/chat"; mode=parley; jvm=true
  else
    url="ws://127.0.0.1:$PEER_PORT/"; mode=raw; jvm=false
  fi
  local args=(--url="$url" --mode="$mode" --label="$system" --jvm="$jvm" --body="$BODY"
              --connect-timeout=180 --presence="$PRESENCE")
  case "$scenario" in
    fanout-low)  args+=(--scenario=fanout --receivers="$RECEIVERS" --rate="$RATE_LOW"
                        --warmup="$WARMUP" --duration="$DURATION" --drain="$DRAIN") ;;
    fanout-high) args+=(--scenario=fanout --receivers="$RECEIVERS" --rate="$RATE_HIGH"
                        --warmup="$WARMUP" --duration="$DURATION" --drain="$DRAIN") ;;
    idle)        args+=(--scenario=idle --receivers="$IDLE") ;;
    connect)     args+=(--scenario=connect --receivers="$JOINS") ;;
    cluster)     args+=(--scenario=fanout --receivers="$RECEIVERS" --rate="$RATE_CLUSTER"
                        --warmup="$WARMUP" --duration="$DURATION" --drain="$DRAIN") ;;
    many-*)      local n=${scenario#many-}
                 if (( n + 1000 > $(ulimit -n) )); then
                   echo "many-$n needs ulimit -n above $((n + 1000)); it is $(ulimit -n)" >&2; exit 2
                 fi
                 args+=(--scenario=many --receivers="$n" --rooms=$((n / MANY_ROOM_SIZE))
                        --sources="$MANY_SOURCES" --rate="$MANY_RATE" --warmup="$WARMUP"
                        --duration="$DURATION" --drain="$DRAIN" --connect-timeout=300) ;;
    acks)        args+=(--scenario=acks --receivers="$ACK_SENDERS" --rooms="$ACK_ROOMS"
                        --rate="$ACK_RATE" --warmup="$WARMUP" --duration="$DURATION"
                        --drain="$DRAIN") ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  start_server "$system" "$OUT/$scenario.$system.$round.server.log"
  if [[ ${#SERVER_PIDS[@]} -gt 0 ]]; then
    args+=(--server-pid="$(IFS=,; echo "${SERVER_PIDS[*]}")" --redis-pid="$REDIS_PID")
  else
    args+=(--server-pid="$SERVER_PID")
  fi
  echo "--- round $round, $scenario, $system"
  if [[ "$scenario" == connect ]]; then
    # unmeasured passes first, so the figure is not only the JIT compiling the handshake path
    # (docs/PERFORMANCE.md: the JIT keeps compiling it for several passes of 1000)
    for _ in $(seq 1 "$CONNECT_WARMUP"); do
      # shellcheck disable=SC2086
      timeout 300 "${RUN[@]}" java $TOOL_JAVA_OPTS -cp "$CP" dev.parley.bench.LoadTool "${args[@]}" \
        >>"$OUT/$scenario.$system.$round.warmup" 2>&1 || true
    done
  fi
  # shellcheck disable=SC2086
  if ! timeout $((WARMUP + DURATION + DRAIN + 600)) \
      "${RUN[@]}" java $TOOL_JAVA_OPTS -cp "$CP" dev.parley.bench.LoadTool "${args[@]}" >"$file" 2>&1; then
    echo "    the load tool failed; see $file" >&2
  fi
  grep -E '^RESULT' "$file" | tr ' ' '\n' | grep -E \
    '^(cpu_us_per_delivery|server_sys_share|p50_ms|p99_ms|deliveries_per_s|lost|duplicated|out_of_order|rss_per_conn_kb|heap_per_conn_kb|connect_s|loadtool_cpu_s|others_cpu_cores|errors|redis_cpu_us_per_message|acked_per_s|lost_acks|server_cpu_us_per_ack|loadtool_cpu_cores|server_cpu_ms_per_connect)=' \
    | tr '\n' ' ' | sed 's/^/    /'; echo
  stop_server
}

{
  echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine:   $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "cpu:       $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')"
  echo "java:      $(java -version 2>&1 | head -1)"
  echo "node:      $(node --version), ws $(node -p "require('./bench/peer/node_modules/ws/package.json').version" 2>/dev/null || echo '?')"
  echo "settings:  ROUNDS=$ROUNDS WARMUP=$WARMUP DURATION=$DURATION RECEIVERS=$RECEIVERS RATE_LOW=$RATE_LOW RATE_HIGH=$RATE_HIGH BODY=$BODY DRAIN=$DRAIN IDLE=$IDLE JOINS=$JOINS CONNECT_WARMUP=$CONNECT_WARMUP PRESENCE=$PRESENCE"
  if [[ " $SCENARIOS " == *" acks "* ]]; then
    echo "acks:      ACK_RATE=$ACK_RATE ACK_ROOMS=$ACK_ROOMS ACK_SENDERS=$ACK_SENDERS"
  fi
  if [[ " $SCENARIOS " == *" cluster "* ]]; then
    echo "cluster:   systems $CLUSTER_SYSTEMS, RATE_CLUSTER=$RATE_CLUSTER, $(redis-server --version | cut -d' ' -f1-3)"
  fi
  if [[ " $SCENARIOS " == *" many-"* ]]; then
    echo "many:      MANY_ROOM_SIZE=$MANY_ROOM_SIZE MANY_RATE=$MANY_RATE MANY_SOURCES=$MANY_SOURCES; ulimit -n $(ulimit -n) (hard $(ulimit -Hn))"
  fi
  echo "server JVM options: ${SERVER_JAVA_OPTS:-(JDK defaults)}; Parley servers: $PARLEY_SERVERS; nice: $NICE; real-time priority: $RT"
} | tee "$OUT/environment.txt"

for round in $(seq 1 "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    systems="$PARLEY_SERVERS"
    if [[ "$WITH_PEER" == 1 ]]; then systems="$systems peer"; fi
    if [[ "$scenario" == cluster ]]; then systems="$CLUSTER_SYSTEMS"; fi
    for system in $systems; do
      measure "$scenario" "$system" "$round"
    done
  done
done

java -cp "$CP" dev.parley.bench.Summary "$OUT" "$REFERENCE" | tee "$OUT/summary.txt"
echo "results in $OUT"
