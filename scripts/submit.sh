#!/usr/bin/env bash
# Submits the spark-cnn job (org.sparkcnn.spark.cli.Main in the shaded spark-job jar of the Spark line in use).
#
#   scripts/submit.sh [--master URL] [--conf KEY=VALUE]... SUBCOMMAND [flags]
#   e.g. scripts/submit.sh --master spark://127.0.0.1:7077 train --help
#
# SUBCOMMAND (train, evaluate, predict, convert) and everything after it go to Main (export is not in the job
# jar: use scripts/spark-cnn export). Without --master the job goes to the local cluster of
# scripts/local-cluster.sh when it runs, else to local[2].
# Spark settings come from conf/spark-defaults.conf, then from --conf; logging from conf/log4j2.properties.
# The jar is built when missing. With SPARK_HOME pointing at a Spark distribution its bin/spark-submit
# is used, otherwise SparkSubmit runs from the jars that scripts/lib/spark-env.sh assembles.
#
# Environment (mainly for tests):
#   SPARK_CNN_SPARK        Spark line: 4 (default) or 3.5 (jar, assembled Spark home and Maven profile follow it)
#   SPARK_CNN_JAR          application jar (spark-job/target/spark-cnn-job-<version>-spark<line>.jar)
#   SPARK_CNN_MAIN_CLASS   main class (org.sparkcnn.spark.cli.Main)
#   SPARK_CNN_PROPERTIES   properties file (conf/spark-defaults.conf)
#   SPARK_CNN_AUTH_CONF    security settings added to the properties (spark.authenticate, its secret, encryption);
#                          by default .cluster/spark-auth.conf, written by scripts/local-cluster.sh, when the master
#                          is that cluster's (spark://127.0.0.1:PORT). The settings reach the driver in a properties
#                          file readable by this user only, removed when the driver ends: never on a command line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

master=""
confs=()
while (($#)); do
  case "$1" in
    --master) (($# >= 2)) || usage; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --conf) (($# >= 2)) || usage; confs+=("$2"); shift 2 ;;
    --conf=*) confs+=("${1#--conf=}"); shift ;;
    -h|--help) usage ;;
    --*) die "unknown option $1 before the subcommand (see --help)" ;;
    *) break ;;
  esac
done
(($#)) || usage

main_class="${SPARK_CNN_MAIN_CLASS:-org.sparkcnn.spark.cli.Main}"
props="${SPARK_CNN_PROPERTIES:-$REPO_ROOT/conf/spark-defaults.conf}"
log4j="$REPO_ROOT/conf/log4j2.properties"
[[ -f "$props" ]] || die "no properties file $props"

jar="${SPARK_CNN_JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls "$REPO_ROOT"/spark-job/target/spark-cnn-job-*-spark"$SPARK_LINE".jar 2>/dev/null | head -1 || true)"
  if [[ -z "$jar" ]]; then
    echo "building the shaded job jar for Spark $SPARK_LINE ..." >&2
    (cd "$REPO_ROOT" && mvn -q -B ${MVN_PROFILE[@]+"${MVN_PROFILE[@]}"} -DskipTests package -pl spark-job -am) \
      || die "build failed"
    jar="$(ls "$REPO_ROOT"/spark-job/target/spark-cnn-job-*-spark"$SPARK_LINE".jar | head -1)"
  fi
fi
[[ -f "$jar" ]] || die "no application jar $jar"

if [[ -z "$master" ]]; then
  pidfile="$CLUSTER_DIR/pids/master.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    master="spark://127.0.0.1:${SPARK_MASTER_PORT:-7077}"
  else
    master="local[2]"
  fi
fi

# On this machine's loopback cluster the driver listens on loopback too, not on the first interface.
if [[ -z "${SPARK_LOCAL_IP:-}" && ( "$master" == spark://127.0.0.1:* || "$master" == local* ) ]]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi

# Value of KEY: the last --conf KEY=... if any, else the properties file's line.
prop() {
  local key="$1" c v=""
  v="$(awk -v k="$key" '$1 == k { sub(/^[ \t]*[^ \t=:]+[ \t=:]+/, ""); v = $0 } END { print v }' "$props")"
  for c in ${confs[@]+"${confs[@]}"}; do [[ "${c%%=*}" == "$key" ]] && v="${c#*=}"; done
  echo "$v"
}

# A --conf for extraJavaOptions replaces the file's value, so the add-opens, serialization filter and log4j
# settings are put in front of whatever the file or the command line gives (no globbing: the filter has '*').
driver_opts="$SPARK_ADD_OPENS $SPARK_SERIAL_FILTER -Dlog4j.configurationFile=file:$log4j $(prop spark.driver.extraJavaOptions)"
executor_opts="$SPARK_ADD_OPENS $SPARK_SERIAL_FILTER -Dlog4j.configurationFile=file:$log4j $(prop spark.executor.extraJavaOptions)"
set -f
driver_opts="$(echo $driver_opts)"; executor_opts="$(echo $executor_opts)"
set +f

# Security settings: merged with the properties into a private file that lives as long as the job.
auth_conf="${SPARK_CNN_AUTH_CONF:-}"
if [[ -z "$auth_conf" && "$master" == spark://127.0.0.1:* && -s "$CLUSTER_DIR/spark-auth.conf" ]]; then
  auth_conf="$CLUSTER_DIR/spark-auth.conf"
fi
submit_props="$props"
if [[ -n "$auth_conf" ]]; then
  [[ -r "$auth_conf" ]] || die "cannot read the security settings $auth_conf (SPARK_CNN_AUTH_CONF)"
  submit_props="$(umask 077 && mktemp "${TMPDIR:-/tmp}/spark-cnn-submit.XXXXXX")"
  trap 'rm -f "$submit_props"' EXIT
  { cat "$props"; echo; cat "$auth_conf"; } > "$submit_props"
fi

args=(--master "$master" --class "$main_class" --properties-file "$submit_props")
for c in ${confs[@]+"${confs[@]}"}; do
  case "${c%%=*}" in spark.driver.extraJavaOptions|spark.executor.extraJavaOptions) ;; *) args+=(--conf "$c") ;; esac
done
args+=(--conf "spark.driver.extraJavaOptions=$driver_opts" --conf "spark.executor.extraJavaOptions=$executor_opts")
# The driver's OPENBLAS_CORETYPE (the user's, or the probe's: lib/spark-env.sh) goes to the executors too, unless set.
openblas_coretype "$jar"
if [[ -n "${OPENBLAS_CORETYPE:-}" && -z "$(prop spark.executorEnv.OPENBLAS_CORETYPE)" ]]; then
  args+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE")
fi
args+=("$jar" "$@")

# Execs the command, so that this pid becomes the driver JVM (scripts/big-data.sh measures it by pid). With a
# private properties file, a watcher removes it once that pid has ended, however it ended.
run_job() {
  if [[ "$submit_props" != "$props" ]]; then
    trap - EXIT
    local me=$$
    (while kill -0 "$me" 2>/dev/null; do sleep 1; done; rm -f "$submit_props") </dev/null >/dev/null 2>&1 &
  fi
  exec "$@"
}

if spark_is_distribution; then
  run_job "$SPARK_HOME/bin/spark-submit" "${args[@]}"
fi

ensure_spark_home
# In client mode this JVM is the driver, so its heap and options are set here, not by Spark.
driver_mem="$(prop spark.driver.memory)"
set -f
# shellcheck disable=SC2086
run_job "$(java_bin)" -Xmx"${driver_mem:-1g}" $driver_opts -cp "$SPARK_HOME/jars/*" \
  org.apache.spark.deploy.SparkSubmit "${args[@]}"
