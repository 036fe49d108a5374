#!/usr/bin/env bash
# Scaling experiments: trains every combination of workers × local steps × batch × engine, then writes
# DIR/scaling.csv, PNG plots and DIR/report.md (org.sparkcnn.tools.report.ScalingReport).
#
#   scripts/scaling.sh --workers 1,2,4,8 --local-steps 1,5,20,50 --out DIR [options] [-- extra train flags]
#
#   --workers LIST          worker counts N (required)
#   --local-steps LIST      local SGD steps τ between averagings (required)
#   --batch LIST            batch sizes B (64)
#   --engine LIST           training engines: native, dl4j-spark (dl4j-spark needs SPARK_CNN_SPARK=3.5, the Spark 3.5
#                           build)
#   --epochs E              epochs per run (2)
#   --seeds LIST            seeds; every configuration runs once per seed and the report gives the mean final
#                           accuracy per N (default: train's own seed, one run per configuration)
#   --data DIR              MNIST-format data (data/mnist-sample); /usr/share/datasets/fashion-mnist is
#                           installed with apt-get when missing
#   --master URL            local mode by default (local[N] per run); spark://... goes through scripts/submit.sh,
#                           e.g. spark://127.0.0.1:7077 for scripts/local-cluster.sh
#   --train-limit N, --test-limit N   passed to train
#   --evals-per-epoch K     test evaluations per epoch, for the accuracy curves (4)
#   --target-accuracy A     accuracy for the time-to-target column (0.9)
#   --report-only           only regenerate the report from DIR/runs
#   --out DIR               output directory (required); finished runs in DIR/runs are kept, not rerun
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

workers="" steps="" batches=64 engines=native epochs=2 seeds="" data="$REPO_ROOT/data/mnist-sample" master=""
train_limit=0 test_limit=0 evals=4 target=0.9 report_only=0 out=""
extra=()
while (($#)); do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --local-steps) steps="$2"; shift 2 ;;
    --batch) batches="$2"; shift 2 ;;
    --engine) engines="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --master) master="$2"; shift 2 ;;
    --train-limit) train_limit="$2"; shift 2 ;;
    --test-limit) test_limit="$2"; shift 2 ;;
    --evals-per-epoch) evals="$2"; shift 2 ;;
    --target-accuracy) target="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n "$out" ]] || die "--out DIR is required"
if [[ ",$engines," == *,dl4j-spark,* && "$SPARK_LINE" != 3.5 ]]; then
  die "--engine dl4j-spark needs the Spark 3.5 build: SPARK_CNN_SPARK=3.5 scripts/scaling.sh ..."
fi
list_ok() { [[ "$1" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; }
if ((!report_only)); then
  list_ok "$workers" || die "--workers needs a list like 1,2,4, got '$workers'"
  list_ok "$steps" || die "--local-steps needs a list like 1,5,20, got '$steps'"
  list_ok "$batches" || die "--batch needs a list like 32,64, got '$batches'"
  [[ -z "$seeds" ]] || list_ok "$seeds" || die "--seeds needs a list like 1,2,3, got '$seeds'"
  [[ "$epochs" =~ ^[1-9][0-9]*$ && "$evals" =~ ^[0-9]+$ ]] || die "--epochs and --evals-per-epoch must be integers"
fi
mkdir -p "$out/runs"
out="$(cd "$out" && pwd)"
cd "$REPO_ROOT"

# Build once (scripts/spark-cnn rebuilds when sources changed), then every run uses that build.
"$REPO_ROOT/scripts/spark-cnn" train --help >/dev/null
export SPARK_CNN_SKIP_BUILD=1

if [[ "$data" == /usr/share/datasets/fashion-mnist* && ! -d "$data" ]]; then
  echo "installing Fashion-MNIST (apt-get install dataset-fashion-mnist) ..." >&2
  sudo=""; (( $(id -u) == 0 )) || sudo=sudo
  $sudo apt-get install -y dataset-fashion-mnist >&2 || die "cannot install dataset-fashion-mnist"
fi

# Training examples per epoch, from the IDX header of the local train-images file (for the evaluation spacing).
train_examples() {
  local f n
  f="$(ls "$data"/train-images-idx3-ubyte* 2>/dev/null | head -1)" || true
  [[ -n "$f" ]] || { echo 0; return; }
  n="$(gzip -cdf "$f" | head -c 8 | od -An -tu1 | awk '{ print $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')"
  ((train_limit > 0 && train_limit < n)) && n=$train_limit
  echo "$n"
}

if ((!report_only)); then
  {
    echo "host: $(hostname)"
    echo "os: $(uname -srm)"
    echo "cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo) ($(nproc) cores available)"
    echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "java: $("$(java_bin)" -version 2>&1 | head -1)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "master: ${master:-local[N] (Spark local mode, one JVM)}"
    echo "data: $data"
  } > "$out/machine.txt"
  echo "scripts/scaling.sh --workers $workers --local-steps $steps --batch $batches --engine $engines" \
    "--epochs $epochs${seeds:+ --seeds $seeds} --data $data${master:+ --master $master} --out $out ${extra[*]+"-- ${extra[*]}"}" > "$out/command.txt"

  if [[ "$engines" != native ]] && ! "$REPO_ROOT/scripts/spark-cnn" train --help | grep -q -- '--engine'; then
    die "spark-cnn train has no --engine option; only --engine native is available"
  fi
  n="$(train_examples)"
  IFS=, read -ra W <<< "$workers"; IFS=, read -ra T <<< "$steps"
  IFS=, read -ra B <<< "$batches"; IFS=, read -ra E <<< "$engines"
  S=(""); [[ -z "$seeds" ]] || IFS=, read -ra S <<< "$seeds"
  total=$((${#W[@]} * ${#T[@]} * ${#B[@]} * ${#E[@]} * ${#S[@]})) i=0 failed=0
  for s in "${S[@]}"; do
  for e in "${E[@]}"; do for b in "${B[@]}"; do for t in "${T[@]}"; do for w in "${W[@]}"; do
    i=$((i + 1))
    name="w$w-t$t-b$b"; [[ "${#E[@]}" == 1 ]] || name="$name-$e"; [[ -z "$s" ]] || name="$name-s$s"
    run="$out/runs/$name"
    if [[ -f "$run/metrics.json" ]]; then echo "[$i/$total] $name: done earlier, kept"; continue; fi
    args=(train --workers "$w" --local-steps "$t" --batch "$b" --epochs "$epochs" --data "$data" --out "$run"
          --eval-every-epoch --progress none)
    [[ "$e" == native ]] || args+=(--engine "$e")
    [[ -z "$s" ]] || args+=(--seed "$s")
    ((train_limit > 0)) && args+=(--train-limit "$train_limit")
    ((test_limit > 0)) && args+=(--test-limit "$test_limit")
    if ((evals > 0 && n > 0)); then
      # Every K rounds, K chosen so that about n / evals examples pass between two evaluations.
      k=$(( (n / evals + w * t * b / 2) / (w * t * b) )); ((k >= 1)) || k=1
      args+=(--eval-every-rounds "$k")
    fi
    args+=(${extra[@]+"${extra[@]}"})
    echo "[$i/$total] $name ..."
    start=$SECONDS
    if [[ "$master" == spark://* ]]; then
      cmd=("$REPO_ROOT/scripts/submit.sh" --master "$master" "${args[@]}")
    else
      # local[N]: one core per worker, as on a cluster of single-core executors (the launcher's own default would
      # give fewer workers more cores each, which is not what a sweep over workers compares)
      cmd=("$REPO_ROOT/scripts/spark-cnn" "${args[@]}" --master "${master:-local[$w]}")
    fi
    mkdir -p "$run"
    if "${cmd[@]}" > "$run/train.log" 2>&1; then
      echo "[$i/$total] $name: $(grep -m1 -o '"imagesPerSecond" : [0-9.]*' "$run/metrics.json" | awk '{ printf "%.0f images/s", $3 }'), $((SECONDS - start)) s"
    else
      failed=$((failed + 1))
      echo "[$i/$total] $name: FAILED, see $run/train.log" >&2
    fi
  done; done; done; done; done
  ((failed == 0)) || echo "$failed run(s) failed; the report covers the others" >&2
fi

# shellcheck disable=SC2086
"$(java_bin)" ${JAVA_OPTS:--Xmx2g} -Djava.awt.headless=true \
  -cp "$(launcher_classpath)" \
  org.sparkcnn.tools.report.ScalingReport "$out" --target-accuracy "$target" --cores "$(nproc)"
