#!/usr/bin/env bash
# The history stores alone (StoreBench), each store and round in a JVM of its own: stores run in
# one JVM measure each other's garbage (docs/PERFORMANCE.md, "The history store alone").
#
#   bench/store.sh                          # ROUNDS=3 STORES="memory sqlite postgres"
#   ROUNDS=4 STORES=sqlite OUT=dir bench/store.sh
#
# StoreBench's own defaults otherwise (5 s of warm-up, 20 s measured); other settings go in ARGS
# (e.g. ARGS="keep=1000 rate=500 duration=30"). Builds the bench module
# first unless SKIP_BUILD=1; PostgreSQL as test-support starts it (docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
STORES=${STORES:-memory sqlite postgres}
OUT=${OUT:-bench/results/store-$(date -u +%Y%m%d-%H%M%S)}
ARGS=${ARGS:-}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -ntp -q -DskipTests -pl bench -am package
fi
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for store in $STORES; do
    echo "--- round $round, $store ($(date -u +%T) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "bench/target/classes:bench/target/lib/*" \
      dev.parley.bench.StoreBench stores="$store" rounds=1 $ARGS \
      | grep '^RESULT' | sed "s/ round=1 / round=$round /"
  done
done | tee "$OUT/results.txt"
