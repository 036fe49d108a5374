#!/usr/bin/env bash
# The test command: the download script's loopback test, then unit tests (gradient checks, DL4J equality, Spark
# local mode, CLI) and the integration tests (a real standalone cluster on this machine, driven through the shaded
# jar) — mvn verify.
set -euo pipefail
cd "$(dirname "$0")/.."
# fetch-mnist.sh against mirrors served on loopback (good, dead and corrupted ones).
bash scripts/test-fetch-mnist.sh
# A cluster left running by an interrupted run would hold the ports the integration test needs.
bash scripts/local-cluster.sh stop >/dev/null 2>&1 || true
exec mvn -B verify "$@"
