#!/bin/bash
# StoreBench, paired: the build before the checkpoint change (BASE_CP) and this one (CP), alternating.
# usage: BASE_CP=... CP=... OUT=dir run.sh ROUNDS
set -e
for r in $(seq 1 "${1:-2}"); do
  for which in base new; do
    cp=$CP; [[ $which == base ]] && cp=$BASE_CP
    echo "--- round $r, $which ($(cat /proc/loadavg))"
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.parley.bench.StoreBench \
      stores=memory,sqlite rounds=1 warmup=5 duration=20 2>&1 | grep '^RESULT' | sed "s/^RESULT/RESULT build=$which/"
  done
done
