#!/usr/bin/env bash
# The test command, for both Spark lines: the download script's loopback test; then on the default build (Spark 4,
# Scala 2.13) unit tests (gradient checks, DL4J equality, Spark local mode, CLI) and the integration tests (a real
# standalone cluster on this machine, driven through the shaded jar) — mvn verify; then the same on the Spark 3.5
# build (-Pspark-3.5), which adds the dl4j-spark module's tests. Extra arguments go to both mvn runs.
# SPARK_CNN_TEST_LINES="4" (or "3.5") tests one line only.
set -euo pipefail
cd "$(dirname "$0")/.."
# fetch-mnist.sh against mirrors served on loopback (good, dead and corrupted ones).
bash scripts/test-fetch-mnist.sh
# The launchers' OpenBLAS kernel probe (an old kernel on a newer CPU is corrected).
bash scripts/test-openblas-probe.sh
for line in ${SPARK_CNN_TEST_LINES:-4 3.5}; do
  profile=()
  [[ "$line" == 3.5 ]] && profile=(-Pspark-3.5)
  echo "== Spark $line: mvn ${profile[*]} clean verify" >&2
  # A cluster left running by an interrupted run would hold the ports the integration test needs.
  SPARK_CNN_SPARK="$line" bash scripts/local-cluster.sh stop >/dev/null 2>&1 || true
  # clean: the two lines compile the same sources against different Scala versions
  mvn -B ${profile[@]+"${profile[@]}"} clean verify "$@"
done
