#!/usr/bin/env bash
# Parameter-plane benchmark: for --aggregation driver and executors over N workers, what the driver receives per
# round (Spark's task metrics: result sizes), what the executors fetch from each other per round (exchange blocks),
# and the round time and overhead. Rounds are short on purpose (batch 16, tau 1): the exchange does not depend on
# them. With more workers than task slots, tasks run in waves. Writes DIR/report.md (a markdown table; a run that
# failed or was refused shows its last log line) and keeps every run in DIR/runs (finished runs are not rerun).
#
#   scripts/exchange-bench.sh --out DIR [--models lenet,tf-mnist] [--workers 2,4,8,16,32,64] [--rounds R]
#                             [--paths driver,executors] [--repeats K] [--master URL] [--data DIR]
#                             [-- extra train flags]
#
#   --paths    driver, executors (one barrier job per round when the N workers fit in the task slots, else two
#              jobs), twojobs (executors with --conf spark.cnn.aggregation.barrier=false: always two jobs)
#   --repeats  K > 1 runs every path K times, interleaved (repetition k of every model, N and path before k + 1),
#              in DIR/rep<k>, and DIR/report.md gives the median and range over the repetitions
#   --master   local[2] by default; spark://... goes through scripts/submit.sh (e.g. spark://127.0.0.1:7077 from
#              scripts/local-cluster.sh, where blocks really travel between executor JVMs)
#   --rounds   rounds per run (8); the first is left out of the medians (JIT warm-up)
#   --data     MNIST-format data (Fashion-MNIST from /usr/share/datasets, installed with apt-get when missing)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

extra=()
models=lenet,tf-mnist workers=2,4,8,16,32,64 rounds=8 master="local[2]" out="" data=/usr/share/datasets/fashion-mnist
paths=driver,executors repeats=1
while (($#)); do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --master) master="$2"; shift 2 ;;
    --paths) paths="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage ;;
    --) shift; extra=("$@"); break ;;
    *) echo "exchange-bench.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$out" ]] || usage
if [[ "$data" == /usr/share/datasets/fashion-mnist && ! -d "$data" ]]; then
  apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist
fi
# Runs of repetition $1 into directory $2.
run_all() {
  local rep="$1" dir="$2" model n path run how
  mkdir -p "$dir/runs"
  for model in ${models//,/ }; do
    for n in ${workers//,/ }; do
      for path in ${paths//,/ }; do
        run="$dir/runs/$model-n$n-$path"
        [[ -f "$run/metrics.json" ]] && continue
        echo "== $model, $n workers, averaging on the $path${rep:+ (repetition $rep)}" >&2
        case "$path" in
          driver|executors) how=(--aggregation "$path") ;;
          twojobs) how=(--aggregation executors --conf spark.cnn.aggregation.barrier=false) ;;
          *) echo "exchange-bench.sh: unknown path $path" >&2; exit 2 ;;
        esac
        args=(train --data "$data" --model "$model" --workers "$n" "${how[@]}" --batch 16
              --local-steps 1 --epochs 1 --max-rounds "$rounds" --train-limit $((n * 16 * rounds)) --test-limit 200
              --reshuffle-every 0 --progress none --out "$run" "${extra[@]}")
        if [[ "$master" == spark://* ]]; then
          "$REPO_ROOT/scripts/submit.sh" --master "$master" "${args[@]}" >"$run.log" 2>&1 || true
        else
          "$REPO_ROOT/scripts/spark-cnn" "${args[@]}" --master "$master" >"$run.log" 2>&1 || true
        fi
      done
    done
  done
}

if ((repeats > 1)); then
  reps=()
  for ((k = 1; k <= repeats; k++)); do
    run_all "$k" "$out/rep$k"
    reps+=("$out/rep$k/runs")
  done
  python3 "$REPO_ROOT/scripts/lib/exchange_report.py" --repeats "$master" "${reps[@]}" >"$out/report.md"
else
  run_all "" "$out"
  python3 "$REPO_ROOT/scripts/lib/exchange_report.py" "$out/runs" "$master" >"$out/report.md"
fi
cat "$out/report.md"
