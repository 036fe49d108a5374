#!/usr/bin/env bash
# The warm, in-JVM engine benchmark against Deeplearning4j on Fashion-MNIST (scripts/bench.sh is the cold,
# end-to-end comparison with PyTorch): our Spark engine with 1 worker (using all W cores) and with W workers,
# DL4J single-process and DL4J's Spark trainer, each engine in its own JVM (so peak RSS is per engine), then one
# table.
#
#   scripts/bench-warm.sh [--out DIR] [--data DIR] [--model lenet|tf-mnist] [--workers 2] [--tau 5] [--batch 64]
#                    [--lr 0.01] [--momentum 0.9] [--epochs 1] [--train-limit N] [--eval-every 100] [--target 0.88]
#                    [--warmup-images N]
#
# Each engine's JVM first trains one untimed epoch (on the first --warmup-images images; default all) and discards
# that model: JIT warm-up, alike for every engine. --warmup-images 0 times cold JVMs.
#
# Writes DIR/results.md and DIR/results.csv (DIR defaults to bench/ at the repository root) and DIR/raw/.
# It also runs native-2 on the first OVERHEAD_IMAGES (25600) images at each τ in OVERHEAD_TAUS ("1 5 20"): Spark's
# overhead share and milliseconds per round against τ. A benchmark, not a test: CI does not run it.
# Set BENCH_MVN_FLAGS=-o to build offline. DL4J's Spark trainer exists for Scala 2.12 only, so the benchmark runs
# on the Spark 3.5 build (-Pspark-3.5, module dl4j-spark), built in the Maven reactor (nothing is installed).
set -euo pipefail

export SPARK_CNN_SPARK=3.5
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"
ROOT="$REPO_ROOT"
OUT="$ROOT/bench"
DATA=/usr/share/datasets/fashion-mnist
WORKERS=2
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --data) DATA=$(realpath -m "$2"); shift 2 ;;
    --workers) WORKERS="$2"; PASS+=("$1" "$2"); shift 2 ;;
    --*) PASS+=("$1" "$2"); shift 2 ;;
    *) echo "unexpected argument: $1" >&2; exit 2 ;;
  esac
done

if [ ! -d "$DATA" ]; then
  if [ "$DATA" = /usr/share/datasets/fashion-mnist ]; then
    apt-get update
    apt-get install -y dataset-fashion-mnist
  else
    echo "no data directory $DATA" >&2; exit 2
  fi
fi

cd "$ROOT"
build_launcher_classpath "${BENCH_MVN_FLAGS:-}"
mkdir -p "$OUT/raw"
rm -f "$OUT"/raw/*.properties
CP="$(launcher_classpath)"
ADD_OPENS=$(sed -n 's:.*<add.opens>\(.*\)</add.opens>.*:\1:p' "$ROOT/pom.xml")

{
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "Java: $(java -version 2>&1 | head -1)"
  echo "data: $DATA; arguments: ${PASS[*]:-(defaults)}"
} > "$OUT/raw/machine.txt"

run() {   # run ENGINE THREADS
  echo "== $1 (OMP_NUM_THREADS=$2)" >&2
  # shellcheck disable=SC2086
  OMP_NUM_THREADS="$2" java -Xmx6g $ADD_OPENS -Dlog4j2.configurationFile="$ROOT/scripts/bench-log4j2.properties" \
    -cp "$CP" org.sparkcnn.dl4jspark.bench.Bench --engine "$1" --data "$DATA" --result "$OUT/raw/$1.properties" \
    "${PASS[@]}"
}

run blas 2
run native-1 1                 # local[W]: one task of W cores, each minibatch split over W threads
run native-2 1                 # local[W]: W tasks of one core each
run dl4j "$WORKERS"            # one process with as many cores as the Spark engines use
run dl4j-spark 1               # local[W]: W tasks of one core each
# Spark's per-round overhead against τ: short native runs (the first OVERHEAD_IMAGES training images)
for t in ${OVERHEAD_TAUS:-1 5 20}; do
  echo "== native-2, tau $t (overhead)" >&2
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 java -Xmx6g $ADD_OPENS -Dlog4j2.configurationFile="$ROOT/scripts/bench-log4j2.properties" \
    -cp "$CP" org.sparkcnn.dl4jspark.bench.Bench --engine native-2 --data "$DATA" \
    --result "$OUT/raw/overhead-tau-$t.properties" "${PASS[@]}" --tau "$t" \
    --train-limit "${OVERHEAD_IMAGES:-25600}" --eval-every 1000000
done
# shellcheck disable=SC2086
java $ADD_OPENS -Dlog4j2.configurationFile="$ROOT/scripts/bench-log4j2.properties" -cp "$CP" \
  org.sparkcnn.dl4jspark.bench.Bench --summarize "$OUT"
