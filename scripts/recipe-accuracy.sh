#!/usr/bin/env bash
# Trains a recipe (conf/recipes/NAME.properties) once per seed and prints each run's test accuracy and times, then
# the mean accuracy: the measurement behind docs/accuracy.md. A benchmark, not a test.
#
#   scripts/recipe-accuracy.sh [RECIPE] [SEEDS...]      e.g. scripts/recipe-accuracy.sh mnist-sample 1 2 3
#
# Extra train options go in SPARK_CNN_RECIPE_ARGS (e.g. "--workers 4 --lr-scaling linear").
# Outputs go to runs/recipe-RECIPE-seed-S/.
set -euo pipefail
cd "$(dirname "$0")/.."
recipe="${1:-mnist-sample}"
shift || true
seeds=("$@")
((${#seeds[@]})) || seeds=(1 2 3)
conf="conf/recipes/$recipe.properties"
[[ -f "$conf" ]] || { echo "recipe-accuracy.sh: no recipe $conf" >&2; exit 2; }
extra=()
read -r -a extra <<< "${SPARK_CNN_RECIPE_ARGS:-}"
for s in "${seeds[@]}"; do
  out="runs/recipe-$recipe-seed-$s"
  began=$(date +%s.%N)
  scripts/spark-cnn train --config "$conf" --seed "$s" --progress none --out "$out" ${extra[@]+"${extra[@]}"} \
    > "$out.log" 2>&1 || { echo "seed $s failed: see $out.log" >&2; exit 1; }
  ended=$(date +%s.%N)
  python3 - "$out/metrics.json" "$s" "$began" "$ended" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
wall = float(sys.argv[4]) - float(sys.argv[3])
print(f"seed {sys.argv[2]}: accuracy {m['accuracy']:.4f}  training {m['trainSeconds']:.1f} s  "
      f"whole command {wall:.1f} s  workers {m['configuration']['workers']}")
PY
done
python3 - "$recipe" "${seeds[@]}" <<'PY'
import json, sys
recipe, seeds = sys.argv[1], sys.argv[2:]
acc = [json.load(open(f"runs/recipe-{recipe}-seed-{s}/metrics.json"))["accuracy"] for s in seeds]
print(f"{recipe}: mean accuracy {sum(acc) / len(acc):.4f} over seeds {' '.join(seeds)}")
PY
