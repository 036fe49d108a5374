#!/usr/bin/env bash
# Scale check: trains on a training set far larger than the driver's heap, on a real standalone cluster, and
# reports each JVM's peak memory and the round times. It shows that the executors read their own shards of the
# IDX files (byte ranges) and the driver never holds the data: 1.18 GB of images against a 512 MB driver heap.
# A manual check, not a test: CI never runs it (a few minutes; 1.2 GB of disk).
#
#   scripts/big-data.sh [--dir DIR] [--out DIR] [--rounds R] [--workers N] [--driver-memory M]
#                       [--source DIR] [--conf KEY=VALUE]... [--generate-only] [-- extra train flags]
#
#   --dir DIR            the big data set ($BIG_DATA_DIR, default /tmp/spark-cnn-big)
#   --out DIR            the training run's output and this script's report ($BIG_DATA_OUT,
#                        default /tmp/spark-cnn-big-run)
#   --rounds R           train --max-rounds (20)
#   --workers N          cluster workers = executors = train --workers (2)
#   --driver-memory M    driver heap, given to scripts/submit.sh as --conf spark.driver.memory=M (512m)
#   --source DIR         the 28x28 IDX set to grow ($BIG_DATA_SOURCE, default /usr/share/datasets/fashion-mnist,
#                        installed with apt-get install dataset-fashion-mnist when missing)
#   --conf KEY=VALUE     more Spark settings for scripts/submit.sh (e.g. spark.executor.memory=2g)
#   --generate-only      make the data set, then stop (no cluster, no training)
#   -- FLAGS             appended to the train command line
#
# Steps:
#  1. Data: DIR gets train-images-idx3-ubyte (uncompressed IDX: the source's training images, each shifted by
#     dx, dy in -2..2 with zero fill; 25 x 60,000 = 1,500,000 images for Fashion-MNIST, 16 + 1,500,000 * 784 =
#     1,176,000,016 bytes; the first 60,000 are the source images unshifted), train-labels-idx1-ubyte (the labels
#     repeated; 1,500,008 bytes) and the source's test set decompressed (t10k-images-idx3-ubyte,
#     t10k-labels-idx1-ubyte). Written by scripts/lib/make-big-idx.py with /usr/bin/python3 (numpy when it
#     imports, the standard library otherwise: same bytes, a few seconds either way), streamed one shifted copy
#     (47 MB) at a time; files already present with the right size are kept. A sample of images is then checked
#     pixel by pixel against the source.
#  2. Cluster: scripts/local-cluster.sh start N (master and N one-core workers on 127.0.0.1; refuses to run when
#     a cluster is already up). It is stopped when this script ends, also on failure or Ctrl-C.
#  3. Training: scripts/submit.sh --master spark://127.0.0.1:PORT --conf spark.driver.memory=M train --data DIR
#     --workers N --max-rounds R --epochs 1 --out OUT [FLAGS]; its output goes to the terminal and OUT/train.log.
#  4. Memory: every second, VmRSS and VmHWM (/proc/PID/status) of the driver JVM (the submitted process, main
#     class org.apache.spark.deploy.SparkSubmit) and of each executor JVM of this cluster (main class
#     org.apache.spark.executor.CoarseGrainedExecutorBackend, working directory under .cluster/work), to
#     OUT/rss-samples.tsv. VmHWM is the kernel's peak RSS of the process up to the sample, so growth within the
#     last second before a JVM exits is missed.
#  5. Report (stdout and OUT/big-data-report.md, markdown): data set size and generation time, the job's exit
#     code and wall time, the driver's -Xmx, peak RSS per JVM in MiB, round 1's wall_seconds and the median
#     wall_seconds of rounds 2..R from OUT/rounds.csv, and the test accuracy from OUT/metrics.json if written.
#
# Exit status: the training job's (0 when it ran and wrote rounds.csv), 1 when the report is incomplete, 2 on
# bad usage. Environment: SPARK_MASTER_PORT and the other settings of scripts/local-cluster.sh; SPARK_CNN_JAR
# (scripts/submit.sh builds the shaded jar with Maven when there is none: a jar older than the sources is used
# as it is, with a warning); OPENBLAS_CORETYPE (e.g. Haswell on recent AMD CPUs) is inherited by the driver,
# the workers and so the executors.
set -euo pipefail
export LC_ALL=C   # '.' decimal points in EPOCHREALTIME, awk and sort
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"
SCRIPTS="$REPO_ROOT/scripts"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
need_arg() { (($1 >= 2)) || { echo "error: $2 needs a value" >&2; usage; }; }

data="${BIG_DATA_DIR:-/tmp/spark-cnn-big}"
out="${BIG_DATA_OUT:-/tmp/spark-cnn-big-run}"
source_dir="${BIG_DATA_SOURCE:-/usr/share/datasets/fashion-mnist}"
rounds=20 workers=2 driver_mem=512m generate_only=0
confs=() extra=()
while (($#)); do
  case "$1" in
    --dir) need_arg $# "$1"; data="$2"; shift 2 ;;
    --out) need_arg $# "$1"; out="$2"; shift 2 ;;
    --source) need_arg $# "$1"; source_dir="$2"; shift 2 ;;
    --rounds) need_arg $# "$1"; rounds="$2"; shift 2 ;;
    --workers) need_arg $# "$1"; workers="$2"; shift 2 ;;
    --driver-memory) need_arg $# "$1"; driver_mem="$2"; shift 2 ;;
    --conf) need_arg $# "$1"; confs+=(--conf "$2"); shift 2 ;;
    --generate-only) generate_only=1; shift ;;
    -h|--help) usage ;;
    --) shift; extra=("$@"); break ;;
    *) echo "error: unknown option $1" >&2; usage ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds must be a positive integer, got '$rounds'" >&2; exit 2; }
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "error: --workers must be a positive integer, got '$workers'" >&2; exit 2; }
[[ "$driver_mem" =~ ^[0-9]+[kKmMgG]$ ]] || { echo "error: --driver-memory must look like 512m, got '$driver_mem'" >&2; exit 2; }

PY=/usr/bin/python3
MAKE_IDX="$SCRIPTS/lib/make-big-idx.py"
port="${SPARK_MASTER_PORT:-7077}"
master="spark://127.0.0.1:$port"
work_dir="$CLUSTER_DIR/work"

as_root() { if ((EUID == 0)); then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---- 1. the data set ----------------------------------------------------------------------------------------
[[ -x "$PY" ]] || die "$PY not found (apt-get install -y python3)"
have_source() {
  local f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$source_dir/$f" || -f "$source_dir/$f.gz" ]] || return 1
  done
}
if ! have_source; then
  [[ "$source_dir" == /usr/share/datasets/fashion-mnist ]] || die "no MNIST-format IDX files in $source_dir"
  echo "installing Fashion-MNIST (apt-get install -y dataset-fashion-mnist) ..."
  as_root apt-get update
  as_root apt-get install -y dataset-fashion-mnist
  have_source || die "dataset-fashion-mnist did not provide $source_dir"
fi

mkdir -p "$data"
data="$(cd "$data" && pwd)"
images_file="$data/train-images-idx3-ubyte"
if [[ ! -f "$images_file" || "$(stat -c %s "$images_file")" != 1176000016 ]]; then
  free_kb="$(df -Pk "$data" | awk 'NR == 2 { print $4 }')"
  ((free_kb > 1300000)) || die "$data: $((free_kb / 1024)) MiB free, the data set needs about 1,200 MiB"
fi
impl="$("$PY" -c 'import numpy' 2>/dev/null && echo numpy || echo "standard library (no numpy)")"
echo "== data set: $data (from $source_dir; shifting with $impl)"
gen_log="$(mktemp)"
gen_start="$(now)"
"$PY" "$MAKE_IDX" "$source_dir" "$data" --radius 2 | tee "$gen_log" || { rm -f "$gen_log"; die "could not make the data set"; }
gen_seconds="$(elapsed "$gen_start" "$(now)")"
if grep -q '^wrote .*/train-images-idx3-ubyte' "$gen_log"; then gen_note="generated in $gen_seconds s"; else gen_note="already there"; fi
rm -f "$gen_log"
"$PY" "$MAKE_IDX" --verify "$source_dir" "$data" --radius 2 --samples 200 || die "the data set does not match its source"
read -r n_images < <("$PY" -c 'import struct,sys; print(struct.unpack(">iiii", open(sys.argv[1], "rb").read(16))[1])' "$images_file")
images_bytes="$(stat -c %s "$images_file")"
data_line="$(printf "%d training images (%d bytes of images, %d of labels) in %s, %s" \
  "$n_images" "$images_bytes" "$(stat -c %s "$data/train-labels-idx1-ubyte")" "$data" "$gen_note")"
echo "$data_line"
((generate_only)) && exit 0

# ---- 2. the cluster -------------------------------------------------------------------------------------------
command -v java >/dev/null || [[ -n "${JAVA_HOME:-}" ]] || die "java not found"
jar="${SPARK_CNN_JAR:-$(ls "$REPO_ROOT"/spark-job/target/spark-cnn-job-*-spark"$SPARK_LINE".jar 2>/dev/null | head -1 || true)}"
if [[ -n "$jar" && -f "$jar" ]]; then
  newer="$(find "$REPO_ROOT/pom.xml" "$REPO_ROOT/core/pom.xml" "$REPO_ROOT/spark-job/pom.xml" \
    "$REPO_ROOT/core/src/main" "$REPO_ROOT/spark-job/src/main" -newer "$jar" -type f -print -quit 2>/dev/null || true)"
  [[ -z "$newer" ]] || echo "warning: $jar is older than $newer; rebuild it (mvn -B package -DskipTests, with -Pspark-3.5 for SPARK_CNN_SPARK=3.5) to test the current code" >&2
fi
master_pid_file="$CLUSTER_DIR/pids/master.pid"
if [[ -f "$master_pid_file" ]] && kill -0 "$(cat "$master_pid_file")" 2>/dev/null; then
  die "a local cluster is already running (scripts/local-cluster.sh status); stop it first"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
# Results of an earlier run in OUT would be read as this run's.
rm -rf "$out/rounds.csv" "$out/metrics.json" "$out/model.scnn" "$out/checkpoints" "$out/train.log" \
  "$out/rss-samples.tsv" "$out/big-data-report.md"
log="$out/train.log"
samples="$out/rss-samples.tsv"
report="$out/big-data-report.md"

cluster_started=0 job_pid="" tail_pid=""
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n "$job_pid" ]] && kill -0 "$job_pid" 2>/dev/null; then
    echo "stopping the training job (pid $job_pid) ..." >&2
    kill -TERM "$job_pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$job_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$job_pid" 2>/dev/null || true
  fi
  [[ -z "$tail_pid" ]] || kill "$tail_pid" 2>/dev/null || true
  if ((cluster_started)); then
    echo "== stopping the cluster"
    "$SCRIPTS/local-cluster.sh" stop || { echo "warning: scripts/local-cluster.sh stop failed" >&2; ((rc)) || rc=1; }
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== cluster: master and $workers worker(s) at $master"
cluster_started=1
SPARK_MASTER_PORT="$port" "$SCRIPTS/local-cluster.sh" start "$workers"

# ---- 3. training, 4. memory samples ----------------------------------------------------------------------------
cmd=("$SCRIPTS/submit.sh" --master "$master" --conf "spark.driver.memory=$driver_mem" ${confs[@]+"${confs[@]}"}
  train --data "$data" --workers "$workers" --max-rounds "$rounds" --epochs 1 --out "$out" ${extra[@]+"${extra[@]}"})
echo "== training: ${cmd[*]}"
job_start="$(now)"
"${cmd[@]}" >"$log" 2>&1 </dev/null &
job_pid=$!
tail -n +1 -f --pid="$job_pid" "$log" &
tail_pid=$!

declare -A role=()   # pid -> driver | executor-<id> (worker-<i>) | - (not ours)
driver_xmx=""
printf 'seconds\trole\tpid\tvmrss_kb\tvmhwm_kb\n' >"$samples"

# VmRSS and VmHWM of pid $1 appended to the samples as role $2 (nothing when the process is gone).
sample_one() {
  local pid="$1" who="$2" k v _ rss="" hwm=""
  while read -r k v _; do
    case "$k" in VmRSS:) rss="$v" ;; VmHWM:) hwm="$v" ;; esac
  done 2>/dev/null <"/proc/$pid/status" || return 0
  [[ -n "$rss" && -n "$hwm" ]] || return 0
  printf '%s\t%s\t%s\t%s\t%s\n' "$(elapsed "$job_start" "$(now)")" "$who" "$pid" "$rss" "$hwm" >>"$samples"
}

is_java() { [[ "$1" == java || "$1" == */java ]]; }

# The submitted pid becomes the driver JVM once submit.sh (and Spark's launcher, with a distribution) has exec'd.
find_driver() {
  local a=() x y
  mapfile -d '' -t a 2>/dev/null <"/proc/$job_pid/cmdline" || return 0
  is_java "${a[0]:-}" || return 0
  for x in "${a[@]}"; do [[ "$x" == org.apache.spark.launcher.Main ]] && return 0; done
  for x in "${a[@]}"; do
    if [[ "$x" == org.apache.spark.deploy.SparkSubmit ]]; then
      role[$job_pid]=driver
      for y in "${a[@]}"; do [[ "$y" == -Xmx* ]] && driver_xmx="$y"; done
      return 0
    fi
  done
}

# Executor JVMs of this cluster, by main class and working directory (work/worker-i/<app>/<executor-id>).
find_executors() {
  local f pid a=() i cwd id
  for f in $(grep -l -a -E 'org\.apache\.spark\.executor\.[C]oarseGrainedExecutorBackend' /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid="${f#/proc/}"; pid="${pid%/cmdline}"
    [[ -z "${role[$pid]:-}" ]] || continue
    mapfile -d '' -t a 2>/dev/null <"$f" || continue
    role[$pid]=-
    is_java "${a[0]:-}" || continue
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    [[ "$cwd" == "$work_dir"/* ]] || continue
    id="?"
    for ((i = 0; i < ${#a[@]}; i++)); do
      [[ "${a[i]}" == --executor-id ]] && id="${a[i + 1]:-?}"
    done
    for ((i = 0; i < ${#a[@]}; i++)); do
      if [[ "${a[i]}" == org.apache.spark.executor.CoarseGrainedExecutorBackend ]]; then
        role[$pid]="executor-$id ($(cut -d/ -f1 <<<"${cwd#"$work_dir"/}"))"
        break
      fi
    done
  done
}

while kill -0 "$job_pid" 2>/dev/null; do
  [[ -n "${role[$job_pid]:-}" ]] || find_driver
  find_executors
  for pid in "${!role[@]}"; do
    [[ "${role[$pid]}" == - ]] || sample_one "$pid" "${role[$pid]}"
  done
  sleep 1
done
job_rc=0
wait "$job_pid" || job_rc=$?
job_seconds="$(elapsed "$job_start" "$(now)")"
sleep 0.2   # let tail print the last lines
kill "$tail_pid" 2>/dev/null || true
tail_pid=""

# ---- 5. report -------------------------------------------------------------------------------------------------
complete=1
{
  echo "# Big-data scale check ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "- data: $data_line"
  echo "- command: \`${cmd[*]/#$REPO_ROOT\//}\`"
  echo "- job: exit code $job_rc after $job_seconds s (submit to exit); driver heap ${driver_xmx:-unknown (driver JVM not seen)}"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo) GiB RAM"
  echo
  echo "## Peak resident memory per JVM"
  echo
  if (($(wc -l <"$samples") > 1)); then
    echo "| process | pid | peak RSS MiB (VmHWM) | largest sampled VmRSS MiB | samples |"
    echo "| --- | --- | ---: | ---: | ---: |"
    awk -F'\t' 'NR > 1 {
        k = $2 "\t" $3
        if (!(k in n)) order[++m] = k
        n[k]++; if ($5 > hwm[k]) hwm[k] = $5; if ($4 > rss[k]) rss[k] = $4
      }
      END {
        for (i = 1; i <= m; i++) {
          k = order[i]; split(k, p, "\t")
          printf "| %s | %s | %.0f | %.0f | %d |\n", p[1], p[2], hwm[k] / 1024, rss[k] / 1024, n[k]
        }
      }' "$samples" | sort -t'|' -k2,2
    grep -q $'\tdriver\t' "$samples" || { echo; echo "The driver JVM was never sampled."; complete=0; }
    grep -q $'\texecutor-' "$samples" || { echo; echo "No executor JVM was sampled."; complete=0; }
  else
    echo "No JVM was sampled (the job ended before its first second, or its JVMs were not found)."
    complete=0
  fi
  echo
  echo "## Round times (rounds.csv, wall_seconds)"
  echo
  if [[ -f "$out/rounds.csv" ]]; then
    # round, examples, wall_seconds, compute_seconds of every row, found by the header's column names.
    rows="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
                               if (!c["round"] || !c["wall_seconds"] || !c["compute_seconds"] || !c["examples"]) exit 3
                               next }
                     NF > 1 { print $c["round"], $c["examples"], $c["wall_seconds"], $c["compute_seconds"] }' \
      "$out/rounds.csv")" || { echo "rounds.csv lacks round, examples, wall_seconds or compute_seconds columns."; rows=""; complete=0; }
    n_rounds="$(grep -c . <<<"$rows" || true)"
    first="$(awk '$1 == 1' <<<"$rows")"
    later="$(awk -v r="$rounds" '$1 >= 2 && $1 <= r' <<<"$rows")"
    median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    echo "- rounds completed: $n_rounds of $rounds"
    if [[ -n "$first" ]]; then
      read -r _ ex1 wall1 comp1 <<<"$first"
      echo "- round 1: wall $(printf '%.3f' "$wall1") s (compute $(printf '%.3f' "$comp1") s; $ex1 examples)"
    else
      echo "- round 1: missing"; complete=0
    fi
    if [[ -n "$later" ]]; then
      n_later="$(grep -c . <<<"$later")"
      echo "- rounds 2..$rounds: median wall $(awk '{ print $3 }' <<<"$later" | median) s (median compute" \
        "$(awk '{ print $4 }' <<<"$later" | median) s; min $(awk '{ print $3 }' <<<"$later" | sort -g | awk 'NR == 1 { printf "%.3f", $1 }')," \
        "max $(awk '{ print $3 }' <<<"$later" | sort -g | awk 'END { printf "%.3f", $1 }') s over $n_later rounds)"
    elif ((rounds > 1)); then
      echo "- rounds 2..$rounds: none"
      complete=0
    fi
  else
    echo "No rounds.csv in $out."
    complete=0
  fi
  if [[ -f "$out/metrics.json" ]]; then
    echo
    echo "## metrics.json"
    echo
    "$PY" - "$out/metrics.json" <<'PY' || echo "(unreadable)"
import json, sys
m = json.load(open(sys.argv[1]))
def g(k, f="%s"):
    return f % m[k] if k in m else "n/a"
print("- test accuracy %s, loss %s on %s examples" % (g("accuracy", "%.4f"), g("loss", "%.4f"), g("examples")))
print("- trained on %s examples in %s rounds, %s s (%s images/s)" % (g("trainExamples"), g("rounds"),
      g("trainSeconds", "%.1f"), g("imagesPerSecond", "%.0f")))
PY
  fi
  if ((job_rc != 0)); then
    echo
    echo "## Last lines of the training log"
    echo
    echo '```'
    tail -n 15 "$log"
    echo '```'
  fi
  echo
  echo "Samples: $samples; training log: $log."
} >"$report"
echo
cat "$report"
echo "(report written to $report)"

((job_rc == 0)) || exit "$job_rc"
((complete)) || exit 1
exit 0
