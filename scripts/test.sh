#!/usr/bin/env bash
# The test command: unit tests (gradient checks, DL4J equality, Spark local mode, CLI) and the integration
# tests (a real standalone cluster on this machine, driven through the shaded jar) — mvn verify.
set -euo pipefail
cd "$(dirname "$0")/.."
# A cluster left running by an interrupted run would hold the ports the integration test needs.
bash scripts/local-cluster.sh stop >/dev/null 2>&1 || true
exec mvn -B verify "$@"
