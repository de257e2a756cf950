#!/usr/bin/env bash
# The standard benchmark set behind bench/RESULTS.md. Each command's full output goes to
# $OUT/<name>.txt (the last line is the JSON). Usage: bash bench/suite.sh [out-dir] [quick]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
QUICK=${2:-}
mkdir -p "$OUT"
npm run build --silent || exit 1
run() {
  local name=$1; shift
  echo "== $name: node dist/bench/run.js $*" | tee "$OUT/$name.txt"
  node dist/bench/run.js "$@" >>"$OUT/$name.txt" 2>&1
  echo "   exit $? ($(tail -n 1 "$OUT/$name.txt" | cut -c1-120)...)"
}
if [ -n "$QUICK" ]; then
  run throughput throughput -k 1,4,16 -n 1000 -r 3 -w 300
  run pglite throughput --db pglite -k 4 -n 1000 -r 3 -w 300
  run wakeup wakeup -k 4 --rate 100 -n 500 -r 3 -w 200
  run reads reads -c 32 --seconds 5 -r 3 -w 200
  run scale scale --levels 0,10000,100000 -n 500
  run soak soak --seconds 60 --interval 10
  run profile throughput -k 16 -n 3000 -r 1 -w 300 --cpu-prof "$OUT/profile"
else
  run throughput throughput -k 1,4,16 -n 3000 -r 3
  run pglite throughput --db pglite -k 4 -n 3000 -r 3
  run wakeup wakeup -k 4 --rate 100 -n 1000 -r 3
  run reads reads -c 32 --seconds 10 -r 3
  run scale scale --levels 0,10000,100000,1000000 -n 1000
  run soak soak --seconds 600 --interval 30
  run profile throughput -k 16 -n 5000 -r 1 --cpu-prof "$OUT/profile"
fi
