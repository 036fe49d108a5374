#!/usr/bin/env bash
# Downloads the full MNIST (the four official .gz IDX files) into DIR (default data/mnist).
#
#   scripts/fetch-mnist.sh [DIR]
#
# Each file is tried from each mirror in turn, written under a temporary name, checked against its
# SHA-256 and only then renamed into place; a file already present and intact is not fetched again.
# Exits non-zero when any file could not be fetched intact. Needs bash 3.2+, awk, curl or wget, and sha256sum,
# shasum or openssl: no GNU-only tool, so it runs on Linux, macOS and the BSDs alike.
#
# Environment:
#   MNIST_MIRRORS       base URLs, space-separated, tried in order (default: the two below)
#   MNIST_SHA256_FILE   checksums in `sha256sum` format instead of the official ones below
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$REPO_ROOT/data/mnist}"
MIRRORS="${MNIST_MIRRORS:-https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist}"

# SHA-256 of the official files (LeCun, Cortes & Burges), as served by both mirrors.
OFFICIAL_SHA256="\
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609  train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c  train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6  t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6  t10k-labels-idx1-ubyte.gz"

if [[ -n "${MNIST_SHA256_FILE:-}" ]]; then
  [[ -f "$MNIST_SHA256_FILE" ]] || { echo "error: no checksums file $MNIST_SHA256_FILE" >&2; exit 2; }
  SUMS="$(cat "$MNIST_SHA256_FILE")"
else
  SUMS="$OFFICIAL_SHA256"
fi

expected_sha() { awk -v f="$1" '{ n = $2; sub(/^\*/, "", n) } n == f { print $1 }' <<<"$SUMS"; }
# SHA-256 with what the system has: sha256sum (GNU coreutils, BusyBox), shasum (Perl; macOS), else openssl.
sha_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"
  elif command -v shasum >/dev/null; then shasum -a 256 "$1"
  else openssl dgst -sha256 -r "$1"
  fi | awk '{ print $1 }'
}

download() { # url dest
  if command -v curl >/dev/null; then
    curl -fsSL --connect-timeout 10 --max-time 600 --retry 2 -o "$2" "$1"
  else
    wget -q --timeout=10 --tries=3 -O "$2" "$1"
  fi
}

mkdir -p "$DIR"
failed=()
for name in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  want="$(expected_sha "$name")"
  [[ "$want" =~ ^[0-9a-f]{64}$ ]] || { echo "error: no SHA-256 for $name" >&2; exit 2; }
  dest="$DIR/$name"
  if [[ -f "$dest" ]]; then
    if [[ "$(sha_of "$dest")" == "$want" ]]; then echo "ok       $name (already present)"; continue; fi
    echo "mismatch $name present but its SHA-256 is wrong; fetching it again" >&2
  fi
  tmp="$DIR/.$name.part.$$"
  ok=0
  for base in $MIRRORS; do
    url="${base%/}/$name"
    if ! download "$url" "$tmp" 2>/dev/null; then
      echo "failed   $url" >&2; rm -f "$tmp"; continue
    fi
    got="$(sha_of "$tmp")"
    if [[ "$got" != "$want" ]]; then
      echo "refused  $url: SHA-256 $got, expected $want" >&2; rm -f "$tmp"; continue
    fi
    mv -f "$tmp" "$dest"
    echo "ok       $name from $url"
    ok=1
    break
  done
  ((ok)) || failed+=("$name")
done

if ((${#failed[@]})); then
  echo "error: could not fetch intact: ${failed[*]}" >&2
  exit 1
fi
echo "MNIST in $DIR"
