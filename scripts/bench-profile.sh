#!/usr/bin/env bash
# A native CPU profile of one cold spark-cnn training run with perf, split by scripts/lib/bench_perf_split.py into
# sgemm (OpenBLAS), ND4J's native ops, Java code (by spark-cnn method), the JIT compiler, GC, Spark's threads, the
# driver, and what the process left unused. Needs perf (linux-perf); cpu-clock sampling, so it works in VMs
# without hardware counters. A measurement run by hand, not a test.
#
#   scripts/bench-profile.sh [--out DIR] [--hz 499] [train flags...]
#       default train flags: --data /usr/share/datasets/fashion-mnist --workers 1 --epochs 1 --lr 0.01
#
# Writes DIR/perf.data, DIR/split.md and the run's own output in DIR/run (DIR defaults to /tmp/spark-cnn-profile).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=/tmp/spark-cnn-profile
HZ=499
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --hz) HZ="$2"; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || set -- --data /usr/share/datasets/fashion-mnist --workers 1 --epochs 1 --lr 0.01
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p "$OUT"
"$ROOT/scripts/spark-cnn" --version >/dev/null          # build first, outside the profile
JAVA_OPTS="${JAVA_OPTS:--Xmx6g} -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit" \
  SPARK_CNN_SKIP_BUILD=1 perf record -q -g -e cpu-clock -F "$HZ" -o "$OUT/perf.data" -- \
  "$ROOT/scripts/spark-cnn" train --progress none --out "$OUT/run" "$@" > "$OUT/train.log" 2>&1
python3 "$ROOT/scripts/lib/bench_perf_split.py" "$OUT/perf.data" "$HZ" "$(nproc)" | tee "$OUT/split.md"
