#!/usr/bin/env bash
# Tests openblas_coretype (scripts/lib/spark-env.sh) without another CPU: the kernel OpenBLAS picks is faked through
# the probe's cache file. An old kernel on an AVX2/AVX-512 CPU is corrected; a modern one, a user's value and
# SPARK_CNN_OPENBLAS_PROBE=0 are left alone.
set -euo pipefail
source "$(dirname "$0")/lib/spark-env.sh"
CLUSTER_DIR="$(mktemp -d)"
trap 'rm -rf "$CLUSTER_DIR"' EXIT
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
if [[ "$flags" != *" avx2 "* ]]; then
  echo "test-openblas-probe: this CPU has no AVX2; nothing to correct, skipped"
  exit 0
fi
key="$(grep -m4 -E '^(vendor_id|cpu family|model|model name)[[:space:]]*:' /proc/cpuinfo | cksum | cut -d' ' -f1)"
fails=0
check() {  # check NAME CACHED-KERNEL EXPECTED [ENV...]
  local name="$1" cached="$2" expected="$3" got
  shift 3
  echo "$cached" > "$CLUSTER_DIR/openblas-core-$key"
  got="$(env -u OPENBLAS_CORETYPE "$@" bash -c 'source scripts/lib/spark-env.sh; CLUSTER_DIR="$0";
    openblas_coretype /nonexistent 2>/dev/null; echo "${OPENBLAS_CORETYPE:-}"' "$CLUSTER_DIR")"
  if [[ "$got" == "$expected" ]]; then echo "ok   $name"; else echo "FAIL $name: got '$got', expected '$expected'"; fails=1; fi
}
cd "$REPO_ROOT"
want=Haswell
[[ "$flags" == *" avx512f "* && "$flags" == *" avx512bw "* && "$flags" == *" avx512dq "* && "$flags" == *" avx512vl "* ]] \
  && want=SkylakeX
check "old kernel corrected" Prescott "$want"
check "modern kernel kept" Haswell ""
check "probe off" Prescott "" SPARK_CNN_OPENBLAS_PROBE=0
check "user's value kept" Prescott Zen OPENBLAS_CORETYPE=Zen
exit "$fails"
