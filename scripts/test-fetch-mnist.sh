#!/usr/bin/env bash
# Tests scripts/fetch-mnist.sh without internet: the MNIST sample (data/mnist-sample) is served over
# loopback by python3 -m http.server, once intact and once corrupted, and checked against the
# sample's SHA256SUMS through MNIST_SHA256_FILE. Exits non-zero when any case fails.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FETCH="$REPO_ROOT/scripts/fetch-mnist.sh"
SAMPLE="$REPO_ROOT/data/mnist-sample"
FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/srv/good" "$work/srv/bad"
cp "${FILES[@]/#/$SAMPLE/}" "$work/srv/good/"
cp "${FILES[@]/#/$SAMPLE/}" "$work/srv/bad/"
# Corrupt one byte in the middle of every file of the bad mirror; same sizes, wrong contents.
for f in "${FILES[@]}"; do
  size=$(wc -c < "$work/srv/bad/$f")
  printf '\xff' | dd of="$work/srv/bad/$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
  printf '\x00' | dd of="$work/srv/bad/$f" bs=1 seek=$((size / 2 + 1)) conv=notrunc 2>/dev/null
done
export MNIST_SHA256_FILE="$SAMPLE/SHA256SUMS"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/srv" >"$work/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

GOOD="http://127.0.0.1:$port/good"
BAD="http://127.0.0.1:$port/bad"
DEAD="http://127.0.0.1:$dead/none"
passed=0 failed=0
check() { # description, then a command that must succeed
  local what="$1"; shift
  if "$@"; then echo "PASS $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi
}
all_match_sample() {
  local d="$1" f
  for f in "${FILES[@]}"; do cmp -s "$SAMPLE/$f" "$d/$f" || return 1; done
}
no_files() { [[ -z "$(ls -A "$1" 2>/dev/null)" ]]; }

# 1. A dead mirror and a corrupting mirror come first; the intact one is reached and used.
out="$work/out1"
check "falls through a dead and a corrupt mirror to the intact one" \
  env MNIST_MIRRORS="$DEAD $BAD $GOOD" "$FETCH" "$out"
check "the four fetched files equal the sample byte for byte" all_match_sample "$out"
check "no temporary files are left" bash -c "! ls -A '$out' | grep -q part"

# 2. Files already present and intact are not fetched again (only a dead mirror is offered).
check "intact files already present are kept without fetching" \
  env MNIST_MIRRORS="$DEAD" "$FETCH" "$out"

# 3. Only a corrupting mirror: every file is refused, nothing is written, the exit code is non-zero.
out="$work/out3"
check "a corrupted download is refused with a non-zero exit" \
  bash -c "! MNIST_MIRRORS='$BAD' '$FETCH' '$out' 2>'$work/err3'"
check "the refusal names the SHA-256 mismatch" grep -q "refused .*SHA-256" "$work/err3"
check "nothing is written for refused files" no_files "$out"

# 4. A corrupted file already in place is replaced by an intact download.
out="$work/out4"
mkdir -p "$out" && cp "$work/srv/bad/train-labels-idx1-ubyte.gz" "$out/"
check "a corrupted file in place is fetched again" env MNIST_MIRRORS="$GOOD" "$FETCH" "$out"
check "and then equals the sample" all_match_sample "$out"

# 5. A checksums file without the needed entry stops the script.
printf '%s\n' "0000  other.gz" > "$work/empty.sha256"
check "a checksums file without the file's entry is an error" \
  bash -c "! MNIST_SHA256_FILE='$work/empty.sha256' MNIST_MIRRORS='$GOOD' '$FETCH' '$work/out5' 2>/dev/null"

# 6. Without GNU coreutils: only POSIX tools and shasum (macOS), then only openssl, on the PATH.
for hasher in shasum openssl; do
  bin="$work/bin-$hasher"
  mkdir -p "$bin"
  for tool in awk cat curl dirname mkdir mv rm perl "$hasher"; do
    [[ -n "$(command -v "$tool")" ]] && ln -sf "$(command -v "$tool")" "$bin/$tool"
  done
  out="$work/out6-$hasher"
  check "fetches and checks with $hasher and no sha256sum" \
    env PATH="$bin" MNIST_MIRRORS="$BAD $GOOD" "$BASH" "$FETCH" "$out"
  check "and the files equal the sample ($hasher)" all_match_sample "$out"
done

echo "$passed passed, $failed failed"
((failed == 0))
