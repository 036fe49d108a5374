#!/usr/bin/env bash
# spark-cnn against PyTorch on Fashion-MNIST, end to end: each engine in a cold process (process start, data
# loading and JIT warm-up count; evaluation does not), the same IDX files, network, batch, learning rate and
# Nesterov momentum, then one table side by side (issue #17). A benchmark, not a test: CI never runs it.
#
#   scripts/bench.sh [--quick] [--out DIR] [--data DIR] [--model lenet|tf-mnist] [--epochs 5] [--train-limit N]
#                    [--seed 1 | --seeds "1 2 3"] [--engines "spark-2x1 spark-1x2 torch torch-ddp"]
#                    [--java-home DIR]
#
# Engines (this machine has C cores; every engine gets all of them):
#   spark-2x1   scripts/spark-cnn train --workers 2 (2 workers of C/2 cores, tau 5)
#   spark-1x2   scripts/spark-cnn train --workers 1 (1 worker of C cores, each minibatch split over C threads)
#   torch       PyTorch, one process of C threads, OpenBLAS single-threaded
#   torch-ddp   PyTorch DistributedDataParallel, 2 processes of C/2 threads (gloo on loopback)
#   dl4j-spark  (on request: slow) train --engine dl4j-spark, 2 workers, tau 5; needs the Spark 3.5 build
# --quick: 1 epoch on the first 6,400 training images (to check the script, not to quote).
# --seeds: every engine runs once per seed (the later seeds into DIR/seed-S/); the times in the table are the first
# seed's, the test accuracy is the mean over the seeds (issue #17 compares accuracy as a mean of 3 seeds).
# --java-home: the JDK the spark-cnn engines run on (default: $JAVA_HOME, else java on the PATH). With Java 25+ the
# launcher starts from its AOT cache, with 17-24 from its class-data archive; either is written before the timed
# runs by one short training run of the same model and data (20 rounds), as a user's first run writes it.
#
# PyTorch is Debian's python3-torch with libopenblas0-pthread (installed with apt-get when missing), run with
# /usr/bin/python3, that OpenBLAS, OPENBLAS_NUM_THREADS=1, torch threads = cores and OMP_WAIT_POLICY=PASSIVE
# (BENCH_OMP_WAIT_POLICY overrides it): its fastest settings here.
# The sgemm peak (torch.mm 2048^3 on that OpenBLAS, 1 and C threads) gives each engine's share of the machine's
# limit. Writes DIR/results.md, DIR/results.csv, DIR/results.json and the raw logs (DIR defaults to bench/).
# scripts/bench-warm.sh is the older in-JVM benchmark against Deeplearning4j (warm JVMs).
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bench"
DATA=/usr/share/datasets/fashion-mnist
MODEL=lenet
EPOCHS=5
LIMIT=0
SEED=1
SEEDS=""
ENGINES="spark-2x1 spark-1x2 torch torch-ddp"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) EPOCHS=1; LIMIT=6400; shift ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --data) DATA=$(realpath -m "$2"); shift 2 ;;
    --model) MODEL="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --train-limit) LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --engines) ENGINES="$2"; shift 2 ;;
    --java-home) export JAVA_HOME; JAVA_HOME=$(realpath -m "$2"); shift 2 ;;
    *) echo "unexpected argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -n "$SEEDS" ]] && SEED="${SEEDS%% *}"
# Deeplearning4j's Spark trainer exists for Scala 2.12 only
[[ " $ENGINES " == *" dl4j-spark "* ]] && export SPARK_CNN_SPARK=3.5
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"
LIB="$REPO_ROOT/scripts/lib"
CORES=$(nproc)
PY=/usr/bin/python3
OPENBLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread

if [ ! -d "$DATA" ]; then
  [ "$DATA" = /usr/share/datasets/fashion-mnist ] || die "no data directory $DATA"
  apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist
fi
if ! "$PY" -c 'import torch' 2>/dev/null || [ ! -e "$OPENBLAS_DIR/libblas.so.3" ]; then
  echo "installing PyTorch (Debian python3-torch) and OpenBLAS (pthread) ..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-pthread
fi

mkdir -p "$OUT"
build_launcher_classpath "${BENCH_MVN_FLAGS:-}"      # before the timed runs: no build inside them
launcher_cds                                         # and the launcher's class-data archive, as a user has it
if [[ -n "$CDS_ARCHIVE" && ! -f "$CDS_ARCHIVE" ]]; then
  echo "writing the launcher's start-up archive ($CDS_KIND; one short training run) ..." >&2
  SPARK_CNN_SKIP_BUILD=1 "$REPO_ROOT/scripts/spark-cnn" train --data "$DATA" --model "$MODEL" --max-rounds 20 \
    --workers 1 --out "$OUT/cds-run" --progress none > "$OUT/cds-run.log" 2>&1 \
    || echo "warning: that run failed ($OUT/cds-run.log); the engines run without it" >&2
fi
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $CORES cores"
  echo "Java (spark-cnn): $("$(java_bin)" -version 2>&1 | head -1), launcher archive: ${CDS_ARCHIVE:+$CDS_KIND}; Spark line $SPARK_LINE"
  echo "PyTorch: $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  echo "data: $DATA; model $MODEL; epochs $EPOCHS; train limit $LIMIT; seed ${SEEDS:-$SEED}; engines $ENGINES"
} | tee "$OUT/machine.txt" >&2

timed() {   # timed NAME COMMAND...: a cold process, its output lines timestamped into $RUN_DIR/NAME.json
  local name="$1"; shift
  echo "== $name" >&2
  "$PY" "$LIB/bench_cold.py" run --log "$RUN_DIR/$name.json" -- "$@"
}

# OMP_WAIT_POLICY=PASSIVE: on a loaded machine PyTorch's OpenMP threads otherwise spin-wait for each other; 3,200
# images on 2 threads under load average ~24 ran at 63 images/s with the default and 1,155-1,593 with PASSIVE.
torch_env=(env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$CORES"
  OMP_WAIT_POLICY="${BENCH_OMP_WAIT_POLICY:-PASSIVE}")
RUN_DIR="$OUT"
timed peak-1 env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_NUM_THREADS=1 "$PY" "$LIB/torch_bench.py" peak
timed peak-all env LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_NUM_THREADS="$CORES" "$PY" "$LIB/torch_bench.py" peak

run_engines() {   # run_engines DIR SEED: every engine once, cold, into DIR
  RUN_DIR="$1"
  local seed="$2"
  mkdir -p "$RUN_DIR"
  local spark_args=(train --data "$DATA" --model "$MODEL" --epochs "$EPOCHS" --train-limit "$LIMIT" --batch 64
    --lr 0.01 --updater nesterov --momentum 0.9 --local-steps 5 --seed "$seed" --progress lines)
  local torch_args=(train --data "$DATA" --model "$MODEL" --epochs "$EPOCHS" --train-limit "$LIMIT" --batch 64
    --lr 0.01 --momentum 0.9 --seed "$seed")
  for e in $ENGINES; do
    rm -rf "${RUN_DIR:?}/$e"
    case "$e" in
      spark-2x1) timed "$e" env SPARK_CNN_SKIP_BUILD=1 "$REPO_ROOT/scripts/spark-cnn" "${spark_args[@]}" --workers 2 \
        --out "$RUN_DIR/$e" ;;
      spark-1x2) timed "$e" env SPARK_CNN_SKIP_BUILD=1 "$REPO_ROOT/scripts/spark-cnn" "${spark_args[@]}" --workers 1 \
        --out "$RUN_DIR/$e" ;;
      dl4j-spark) timed "$e" env SPARK_CNN_SKIP_BUILD=1 "$REPO_ROOT/scripts/spark-cnn" "${spark_args[@]}" --workers 2 \
        --engine dl4j-spark --out "$RUN_DIR/$e" ;;
      torch) timed "$e" "${torch_env[@]}" "$PY" "$LIB/torch_bench.py" "${torch_args[@]}" --threads "$CORES" ;;
      torch-ddp) timed "$e" "${torch_env[@]}" "$PY" "$LIB/torch_bench.py" "${torch_args[@]}" --ddp 2 \
        --threads $(( CORES / 2 > 0 ? CORES / 2 : 1 )) ;;
      *) die "unknown engine $e (spark-2x1, spark-1x2, torch, torch-ddp, dl4j-spark)" ;;
    esac
  done
}
run_engines "$OUT" "$SEED"
seed_dirs=()
for s in ${SEEDS#"$SEED"}; do
  echo "== seed $s" >&2
  run_engines "$OUT/seed-$s" "$s"
  seed_dirs+=("$OUT/seed-$s")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt" >&2
"$PY" "$LIB/bench_cold.py" table --dir "$OUT" --engines "$ENGINES" --epochs "$EPOCHS" \
  --seed-dirs "${seed_dirs[*]:-}"
