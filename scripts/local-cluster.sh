#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and K workers on 127.0.0.1.
#
#   scripts/local-cluster.sh start [K]   master at spark://127.0.0.1:7077 plus K workers (default 2)
#   scripts/local-cluster.sh stop        stops workers (and the executors they launched), then the master
#   scripts/local-cluster.sh status      what runs, with the master's view of its workers
#
# Logs, pid files and worker directories live in .cluster/ at the repository root; executor logs
# (work/worker-i/<app>/<executor>/stderr) are kept until the next start. Without SPARK_HOME a Spark home is
# assembled in .cluster/spark-home-<line> from the Maven-resolved jars of the Spark line in use (SPARK_CNN_SPARK:
# 4, the default, or 3.5; versions as pinned in pom.xml; see scripts/lib/spark-env.sh).
#
# Environment:
#   SPARK_MASTER_PORT        master RPC port (7077)
#   SPARK_MASTER_WEBUI_PORT  master web UI port (8080, or the next free one)
#   SPARK_WORKER_CORES       cores per worker (1)
#   SPARK_WORKER_MEMORY      memory each worker offers to executors (2g)
#   SPARK_DAEMON_MEMORY      heap of the master and worker JVMs themselves (512m)
#   SPARK_CNN_SPARK          Spark line of the assembled home: 4 (default) or 3.5
#   SPARK_CNN_AUTH           1 (default): RPC authentication with a secret generated at every start; 0: none
#   SPARK_CNN_WORKER_HOSTS   same (default): every worker on 127.0.0.1; distinct: worker i on 127.0.0.i, so that
#                            Spark sees K hosts (it never runs a speculative copy on the host of the original)
#   SPARK_CNN_ENCRYPT        1: also AES encryption of RPC and block traffic and of the executors' local files (0)
#
# Authentication: start writes .cluster/spark-auth.conf (mode 600, readable by this user only) with
# spark.authenticate=true and a fresh 256-bit spark.authenticate.secret; the master and workers read it as their
# --properties-file, a worker hands the secret to the executors it starts in their environment, and
# scripts/submit.sh adds it to the driver's properties. The secret appears on no command line and in no log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/spark-env.sh"

HOST=127.0.0.1
MASTER_PORT="${SPARK_MASTER_PORT:-7077}"
WORKER_CORES="${SPARK_WORKER_CORES:-1}"
WORKER_MEMORY="${SPARK_WORKER_MEMORY:-2g}"
DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"
LOG_DIR="$CLUSTER_DIR/logs"
PID_DIR="$CLUSTER_DIR/pids"
AUTH_CONF="$CLUSTER_DIR/spark-auth.conf"
WORK_DIR="$CLUSTER_DIR/work"

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

free_port_from() {
  local p="$1"
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

pid_of() { [[ -f "$PID_DIR/$1.pid" ]] && cat "$PID_DIR/$1.pid" || true; }

# Waits up to $3 seconds for the pattern $2 in log $1; fails early when pid $4 dies.
wait_for_log() {
  local log="$1" pattern="$2" secs="$3" pid="$4" i
  for ((i = 0; i < secs * 2; i++)); do
    grep -q "$pattern" "$log" 2>/dev/null && return 0
    alive "$pid" || return 1
    sleep 0.5
  done
  return 1
}

# Runs a Spark daemon class in the background; its pid goes to $PID_DIR/$name.pid. The daemons read their
# security settings from $AUTH_CONF (empty when authentication is off), and deserialize only the classes the
# driver and executors may ($SPARK_SERIAL_FILTER, scripts/lib/spark-env.sh): their RPC messages are Java-serialized.
launch() {
  local name="$1" class="$2"; shift 2
  local log="$LOG_DIR/$name.out"
  : > "$log"
  # shellcheck disable=SC2086
  nohup "$(java_bin)" -Xmx"$DAEMON_MEMORY" $(local_jvm_flags) "$SPARK_SERIAL_FILTER" -cp "$SPARK_HOME/jars/*" "$class" \
    --properties-file "$AUTH_CONF" "$@" >>"$log" 2>&1 </dev/null &
  echo $! > "$PID_DIR/$name.pid"
}

# Writes $AUTH_CONF, readable by this user only: a new secret at every start (SPARK_CNN_AUTH=1), encryption on
# request (SPARK_CNN_ENCRYPT=1). The secret is drawn from /dev/urandom and never passed as an argument.
write_auth_conf() {
  local auth="${SPARK_CNN_AUTH:-1}" encrypt="${SPARK_CNN_ENCRYPT:-0}"
  [[ "$auth" == 0 || "$auth" == 1 ]] || die "SPARK_CNN_AUTH must be 0 or 1, got '$auth'"
  [[ "$encrypt" == 0 || "$encrypt" == 1 ]] || die "SPARK_CNN_ENCRYPT must be 0 or 1, got '$encrypt'"
  [[ "$auth" == 1 || "$encrypt" == 0 ]] || die "SPARK_CNN_ENCRYPT=1 needs SPARK_CNN_AUTH=1 (Spark derives the keys from the secret)"
  rm -f "$AUTH_CONF"
  (
    umask 077
    {
      echo "# Written by scripts/local-cluster.sh start; read by the master, the workers and scripts/submit.sh."
      if [[ "$auth" == 1 ]]; then
        echo "spark.authenticate true"
        echo "spark.authenticate.secret $(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
      fi
      if [[ "$encrypt" == 1 ]]; then
        echo "spark.network.crypto.enabled true"
        echo "spark.io.encryption.enabled true"
      fi
    } > "$AUTH_CONF"
  )
  chmod 600 "$AUTH_CONF"
}

# How the cluster is secured, for the start and status lines.
security() {
  if grep -q '^spark.network.crypto.enabled true' "$AUTH_CONF" 2>/dev/null; then
    echo "authenticated, encrypted"
  elif grep -q '^spark.authenticate true' "$AUTH_CONF" 2>/dev/null; then
    echo "authenticated (secret in $AUTH_CONF)"
  else
    echo "NOT authenticated: anyone who reaches port $MASTER_PORT can run code as $(id -un)"
  fi
}

start() {
  local k="${1:-2}"
  [[ "$k" =~ ^[1-9][0-9]*$ ]] || die "start needs a worker count >= 1, got '$k'"
  if alive "$(pid_of master)"; then die "a cluster is already running (scripts/local-cluster.sh status)"; fi
  port_in_use "$MASTER_PORT" && die "port $MASTER_PORT is taken by another process"
  ensure_spark_home
  mkdir -p "$LOG_DIR" "$PID_DIR" "$WORK_DIR" "$CLUSTER_DIR/tmp"
  rm -f "$PID_DIR"/*.pid
  # Each worker copies the application jar (~120 MB) into its app folder; keep only the last run's.
  rm -rf "$WORK_DIR"/worker-*/app-*
  export SPARK_LOCAL_IP="$HOST" SPARK_LOCAL_DIRS="$CLUSTER_DIR/tmp"
  write_auth_conf

  local ui; ui="$(free_port_from "${SPARK_MASTER_WEBUI_PORT:-8080}")"
  launch master org.apache.spark.deploy.master.Master --host "$HOST" --port "$MASTER_PORT" --webui-port "$ui"
  echo "$ui" > "$PID_DIR/master.webui"
  wait_for_log "$LOG_DIR/master.out" "I have been elected leader" 60 "$(pid_of master)" \
    || { tail -20 "$LOG_DIR/master.out" >&2; stop; die "master did not start (log: $LOG_DIR/master.out)"; }
  echo "master  spark://$HOST:$MASTER_PORT  ($(sed -n 's/.*\(Spark line [0-9.]*\).*/\1/p' "$SPARK_HOME/RELEASE" 2>/dev/null || true))  web UI http://$HOST:$ui  pid $(pid_of master)"
  echo "security: $(security)"

  local hosts="${SPARK_CNN_WORKER_HOSTS:-same}"
  [[ "$hosts" == same || "$hosts" == distinct ]] || die "SPARK_CNN_WORKER_HOSTS must be same or distinct, got '$hosts'"
  ((k < 255)) || [[ "$hosts" == same ]] || die "distinct worker hosts: at most 254 workers"
  local i wui=$((ui + 1)) whost
  for ((i = 1; i <= k; i++)); do
    wui="$(free_port_from "$wui")"
    whost="$HOST"
    [[ "$hosts" == distinct ]] && whost="127.0.0.$i"
    mkdir -p "$WORK_DIR/worker-$i"
    # the worker's executors inherit SPARK_LOCAL_IP, so they bind and advertise the worker's address
    SPARK_LOCAL_IP="$whost" launch "worker-$i" org.apache.spark.deploy.worker.Worker --host "$whost" --cores "$WORKER_CORES" \
      --memory "$WORKER_MEMORY" --webui-port "$wui" --work-dir "$WORK_DIR/worker-$i" "spark://$HOST:$MASTER_PORT"
    wait_for_log "$LOG_DIR/worker-$i.out" "Successfully registered with master" 60 "$(pid_of "worker-$i")" \
      || { tail -20 "$LOG_DIR/worker-$i.out" >&2; stop; die "worker-$i did not register (log: $LOG_DIR/worker-$i.out)"; }
    echo "worker-$i  $whost  $WORKER_CORES core(s), $WORKER_MEMORY  web UI http://$whost:$wui  pid $(pid_of "worker-$i")"
    wui=$((wui + 1))
  done
}

# TERM, then KILL after $2 seconds, for the given pids.
terminate() {
  local secs="$1"; shift
  local pids=() p i
  for p in "$@"; do alive "$p" && pids+=("$p"); done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < secs * 2; i++)); do
    local left=()
    for p in "${pids[@]}"; do alive "$p" && left+=("$p"); done
    ((${#left[@]})) || return 0
    sleep 0.5
  done
  for p in "${pids[@]}"; do alive "$p" && { echo "killing $p (did not stop on TERM)"; kill -KILL "$p" 2>/dev/null || true; }; done
}

# Executor JVMs of this cluster: processes whose working directory lies under .cluster/work (a worker
# starts each executor in work/worker-i/<app>/<executor-id>). Found by pid, so nothing else is touched.
cluster_executors() {
  local d cwd
  for d in /proc/[0-9]*; do
    cwd="$(readlink "$d/cwd" 2>/dev/null)" || continue
    [[ "$cwd" == "$WORK_DIR"/* ]] && echo "${d#/proc/}"
  done
  return 0
}

stop() {
  [[ -d "$PID_DIR" ]] || { echo "no cluster state in $CLUSTER_DIR"; return 0; }
  local f pid
  # Master first: a master that outlives a worker reschedules the lost executors on the workers
  # still shutting down, which then start executors that nobody stops.
  pid="$(pid_of master)"
  if alive "$pid"; then terminate 20 "$pid"; echo "stopped master (pid $pid)"; fi
  rm -f "$PID_DIR/master.pid" "$PID_DIR/master.webui"
  # A worker kills its executors on shutdown; any it leaves behind are killed below by pid.
  for f in "$PID_DIR"/worker-*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if alive "$pid"; then terminate 20 "$pid"; echo "stopped $(basename "$f" .pid) (pid $pid)"; fi
    rm -f "$f"
  done
  local left=()
  # shellcheck disable=SC2207
  left=($(cluster_executors))
  if ((${#left[@]})); then
    echo "stopping executor JVMs left behind: ${left[*]}"
    terminate 10 "${left[@]}"
  fi
  # shellcheck disable=SC2207
  left=($(cluster_executors))
  ((${#left[@]} == 0)) || die "still running: ${left[*]}"
  echo "cluster stopped; no master, worker or executor JVM left"
}

status() {
  local f name pid any=0
  for f in "$PID_DIR"/master.pid "$PID_DIR"/worker-*.pid; do
    [[ -f "$f" ]] || continue
    name="$(basename "$f" .pid)"; pid="$(cat "$f")"
    if alive "$pid"; then
      any=1
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running (stale pid file, pid $pid)"
    fi
  done
  for pid in $(cluster_executors); do any=1; echo "executor JVM: running (pid $pid, in $(readlink "/proc/$pid/cwd"))"; done
  ((any)) || { echo "no cluster running"; return 0; }
  local ui; ui="$(cat "$PID_DIR/master.webui" 2>/dev/null || echo 8080)"
  echo "master: spark://$HOST:$MASTER_PORT, web UI http://$HOST:$ui"
  echo "security: $(security)"
  if command -v curl >/dev/null && command -v python3 >/dev/null; then
    curl -fsS "http://$HOST:$ui/json/" 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
print("master says: %s, %d worker(s) alive, %d/%d cores used, %d running app(s)" % (
    m["status"], m["aliveworkers"], m["coresused"], m["cores"], len(m["activeapps"])))
for w in m["workers"]:
    print("  %s %s cores %d/%d memory %dM/%dM" % (w["id"], w["state"], w["coresused"], w["cores"], w["memoryused"], w["memory"]))
for a in m["activeapps"]:
    print("  app %s %s (%s)" % (a["id"], a["name"], a["state"]))
' || true
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [K] | stop | status" >&2; exit 2 ;;
esac
