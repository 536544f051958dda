#!/bin/bash
cd "$(dirname "$0")/../../../.."   # the repository root
M=bench/measured/2026-12-06/c1
H="-XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5"
OUT=$M/connect-c1 SERVER_JAVA_OPTS="$H -XX:TieredStopAtLevel=1" SKIP_BUILD=1 PARLEY_SERVERS=netty SCENARIOS=connect ROUNDS=3 RT=10 flock /tmp/parley-bench.lock bench/run.sh
OUT=$M/connect-tiered SERVER_JAVA_OPTS="$H" SKIP_BUILD=1 PARLEY_SERVERS=netty SCENARIOS=connect ROUNDS=3 RT=10 flock /tmp/parley-bench.lock bench/run.sh
for r in 1 2 3; do
  OUT=$M/fanout-tiered-$r SERVER_JAVA_OPTS="$H" SKIP_BUILD=1 WITH_PEER=0 PARLEY_SERVERS=netty SCENARIOS="fanout-low fanout-high" ROUNDS=1 RT=10 flock /tmp/parley-bench.lock bench/run.sh
  OUT=$M/fanout-c1-$r SERVER_JAVA_OPTS="$H -XX:TieredStopAtLevel=1" SKIP_BUILD=1 WITH_PEER=0 PARLEY_SERVERS=netty SCENARIOS="fanout-low fanout-high" ROUNDS=1 RT=10 flock /tmp/parley-bench.lock bench/run.sh
done
echo ALLDONE
