#!/usr/bin/python3
"""Makes a large uncompressed IDX training set from a 28x28 MNIST-format one (used by scripts/big-data.sh).

    make-big-idx.py SRC_DIR OUT_DIR [--radius R] [--impl auto|numpy|stdlib] [--force]
    make-big-idx.py --verify SRC_DIR OUT_DIR [--radius R] [--samples K]

SRC_DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
each gzipped (.gz) or not. OUT_DIR gets the four files uncompressed:

- train-images-idx3-ubyte: every training image shifted by (dx, dy) for dx, dy in -R..R, pixels shifted in from
  outside set to 0. Variant-major order: all N images unshifted first (so the first N images are the source
  set), then (dx, dy) = (-R, -R), (-R+1, -R), ..., (R, R) without (0, 0). (2R+1)^2 * N images in all; R = 2 and
  Fashion-MNIST's 60,000 give 1,500,000 images, 16 + 1,500,000 * 784 = 1,176,000,016 bytes.
- train-labels-idx1-ubyte: the labels, repeated in the same order.
- t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte: the test set, decompressed unchanged.

Output is streamed, one shifted copy of the training set (N * 784 bytes, 47 MB for 60,000) at a time, to a
temporary name and renamed when complete, so an interrupted run never leaves a file of the final name. Files that
already exist with the expected size are kept (--force rewrites them). Each shift is one vectorised operation:
numpy slicing when numpy imports, otherwise bytearray slice assignments (same bytes; --impl picks one).

--verify reads K images at random positions of OUT_DIR's training files (and their labels) and compares each with
a pixel-by-pixel shift of the source image; it also compares the headers and the test files' bytes.
"""
import argparse
import gzip
import os
import random
import shutil
import struct
import sys
import time

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"


def fail(msg):
    print("make-big-idx: error: " + msg, file=sys.stderr)
    sys.exit(2)


def source_path(src, name):
    for p in (os.path.join(src, name), os.path.join(src, name + ".gz")):
        if os.path.isfile(p):
            return p
    fail("no %s or %s.gz in %s" % (name, name, src))


def open_source(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def read_all(src, name):
    with open_source(source_path(src, name)) as f:
        return f.read()


def parse_images(data, name):
    if len(data) < 16:
        fail("%s: shorter than its header" % name)
    magic, n, rows, cols = struct.unpack(">iiii", data[:16])
    if magic != IMAGES_MAGIC or n <= 0 or (rows, cols) != (28, 28):
        fail("%s: expected magic %d and 28x28 images, got magic %d, %d images of %dx%d"
             % (name, IMAGES_MAGIC, magic, n, rows, cols))
    if len(data) != 16 + n * 784:
        fail("%s: %d bytes, expected %d" % (name, len(data), 16 + n * 784))
    return n


def parse_labels(data, name):
    if len(data) < 8:
        fail("%s: shorter than its header" % name)
    magic, n = struct.unpack(">ii", data[:8])
    if magic != LABELS_MAGIC or len(data) != 8 + n:
        fail("%s: expected magic %d and %d bytes, got magic %d, %d bytes" % (name, LABELS_MAGIC, 8 + n, magic, len(data)))
    return n


def shifts(radius):
    """(dx, dy) pairs in output order: (0, 0) first, then row-major over dy, dx in -R..R."""
    rest = [(dx, dy) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1) if (dx, dy) != (0, 0)]
    return [(0, 0)] + rest


class NumpyShifter:
    """Shifts all images at once with numpy slicing into one reused buffer."""

    def __init__(self, pixels, n):
        import numpy as np
        self.src = np.frombuffer(pixels, dtype=np.uint8).reshape(n, 28, 28)
        self.out = np.empty_like(self.src)

    def shift(self, dx, dy):
        out, src = self.out, self.src
        out.fill(0)
        out[:, max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)] = \
            src[:, max(-dy, 0):28 + min(-dy, 0), max(-dx, 0):28 + min(-dx, 0)]
        return memoryview(out).cast("B")


class BytesShifter:
    """Shifts all images at once with the standard library: the flat pixel buffer is moved by dy*28 + dx bytes in
    one slice copy, then the columns and rows that received pixels from the neighbouring row or image are zeroed
    with strided slice assignments (all C loops, no per-pixel Python)."""

    def __init__(self, pixels, n):
        self.src = memoryview(pixels)
        self.n = n
        self.size = n * 784
        self.out = bytearray(self.size)
        self.zero_col = bytes(n * 28)
        self.zero_row = bytes(n)

    def shift(self, dx, dy):
        out, src, size = self.out, self.src, self.size
        s = dy * 28 + dx
        # out[p] = src[p - s]
        if s > 0:
            out[:s] = bytes(s)
            out[s:] = src[:size - s]
        elif s < 0:
            out[:size + s] = src[-s:]
            out[size + s:] = bytes(-s)
        else:
            out[:] = src
        # column x is valid only if 0 <= x - dx < 28; row y only if 0 <= y - dy < 28
        for x in list(range(0, dx)) + list(range(28 + dx, 28)):
            out[x::28] = self.zero_col
        for y in list(range(0, dy)) + list(range(28 + dy, 28)):
            for x in range(28):
                out[y * 28 + x::784] = self.zero_row
        return memoryview(out)


def numpy_available():
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False


def write_atomically(path, produce):
    tmp = path + ".tmp-%d" % os.getpid()
    try:
        with open(tmp, "wb") as f:
            produce(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def up_to_date(path, size):
    return os.path.isfile(path) and os.path.getsize(path) == size


def generate(args):
    src, out = args.src, args.out
    os.makedirs(out, exist_ok=True)
    images = read_all(src, TRAIN_IMAGES)
    labels = read_all(src, TRAIN_LABELS)
    n = parse_images(images, TRAIN_IMAGES)
    if parse_labels(labels, TRAIN_LABELS) != n:
        fail("%s and %s disagree on the count" % (TRAIN_IMAGES, TRAIN_LABELS))
    variants = shifts(args.radius)
    total = n * len(variants)
    if total > 2**31 - 1:
        fail("%d images do not fit the IDX int32 count" % total)
    images_size = 16 + total * 784
    labels_size = 8 + total

    # The test set: decompressed unchanged.
    for name in (TEST_IMAGES, TEST_LABELS):
        data = read_all(src, name)
        (parse_images if name == TEST_IMAGES else parse_labels)(data, name)
        path = os.path.join(out, name)
        if args.force or not up_to_date(path, len(data)):
            write_atomically(path, lambda f: f.write(data))
            print("wrote %s (%d bytes)" % (path, len(data)))
        else:
            print("kept %s (%d bytes)" % (path, len(data)))

    label_bytes = labels[8:]
    path = os.path.join(out, TRAIN_LABELS)
    if args.force or not up_to_date(path, labels_size):
        def write_labels(f):
            f.write(struct.pack(">ii", LABELS_MAGIC, total))
            for _ in variants:
                f.write(label_bytes)
        write_atomically(path, write_labels)
        print("wrote %s (%d labels, %d bytes)" % (path, total, labels_size))
    else:
        print("kept %s (%d bytes)" % (path, labels_size))

    path = os.path.join(out, TRAIN_IMAGES)
    if not args.force and up_to_date(path, images_size):
        print("kept %s (%d bytes)" % (path, images_size))
        return
    impl = args.impl
    if impl == "auto":
        impl = "numpy" if numpy_available() else "stdlib"
    shifter = (NumpyShifter if impl == "numpy" else BytesShifter)(images[16:], n)
    started = time.time()

    def write_images(f):
        f.write(struct.pack(">iiii", IMAGES_MAGIC, total, 28, 28))
        for i, (dx, dy) in enumerate(variants):
            f.write(shifter.shift(dx, dy))
            done = (i + 1) * n
            print("  %s: %d/%d images (shift dx=%+d dy=%+d), %.1f s"
                  % (TRAIN_IMAGES, done, total, dx, dy, time.time() - started), flush=True)
    write_atomically(path, write_images)
    print("wrote %s (%d images, %d bytes, %s, %.1f s)" % (path, total, images_size, impl, time.time() - started))


def shift_one(img, dx, dy):
    """Reference: one 784-byte image shifted pixel by pixel."""
    out = bytearray(784)
    for y in range(28):
        for x in range(28):
            sy, sx = y - dy, x - dx
            if 0 <= sy < 28 and 0 <= sx < 28:
                out[y * 28 + x] = img[sy * 28 + sx]
    return bytes(out)


def verify(args):
    src, out = args.src, args.out
    images = read_all(src, TRAIN_IMAGES)
    labels = read_all(src, TRAIN_LABELS)
    n = parse_images(images, TRAIN_IMAGES)
    variants = shifts(args.radius)
    total = n * len(variants)
    problems = []
    img_path, lbl_path = os.path.join(out, TRAIN_IMAGES), os.path.join(out, TRAIN_LABELS)
    if os.path.getsize(img_path) != 16 + total * 784:
        problems.append("%s: %d bytes, expected %d" % (img_path, os.path.getsize(img_path), 16 + total * 784))
    if os.path.getsize(lbl_path) != 8 + total:
        problems.append("%s: %d bytes, expected %d" % (lbl_path, os.path.getsize(lbl_path), 8 + total))
    rng = random.Random(args.seed)
    # Always the first and last image of every variant, plus random ones.
    picks = sorted({k * n for k in range(len(variants))} | {k * n + n - 1 for k in range(len(variants))}
                   | {rng.randrange(total) for _ in range(args.samples)})
    with open(img_path, "rb") as fi, open(lbl_path, "rb") as fl:
        if struct.unpack(">iiii", fi.read(16)) != (IMAGES_MAGIC, total, 28, 28):
            problems.append("%s: bad header" % img_path)
        if struct.unpack(">ii", fl.read(8)) != (LABELS_MAGIC, total):
            problems.append("%s: bad header" % lbl_path)
        for p in picks:
            k, i = divmod(p, n)
            dx, dy = variants[k]
            fi.seek(16 + p * 784)
            got = fi.read(784)
            want = shift_one(images[16 + i * 784:16 + (i + 1) * 784], dx, dy)
            if got != want:
                problems.append("image %d (source %d, dx=%+d dy=%+d) differs" % (p, i, dx, dy))
            fl.seek(8 + p)
            if fl.read(1) != labels[8 + i:9 + i]:
                problems.append("label %d (source %d) differs" % (p, i))
    for name in (TEST_IMAGES, TEST_LABELS):
        with open(os.path.join(out, name), "rb") as f:
            if f.read() != read_all(src, name):
                problems.append("%s differs from the source" % name)
    for msg in problems[:20]:
        print("verify: " + msg, file=sys.stderr)
    if problems:
        print("verify: %d problem(s)" % len(problems), file=sys.stderr)
        sys.exit(1)
    print("verified %d training images and labels (all %d shifts) and the test files against %s"
          % (len(picks), len(variants), src))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--radius", type=int, default=2, help="shifts dx, dy in -R..R (default 2: 25 variants)")
    ap.add_argument("--impl", choices=("auto", "numpy", "stdlib"), default="auto")
    ap.add_argument("--force", action="store_true", help="rewrite files even when their size is right")
    ap.add_argument("--verify", action="store_true", help="spot-check OUT against SRC instead of writing")
    ap.add_argument("--samples", type=int, default=200, help="random images checked by --verify")
    ap.add_argument("--seed", type=int, default=None, help="seed of --verify's picks (default: random)")
    args = ap.parse_args()
    if not 0 <= args.radius <= 13:
        fail("--radius must be in 0..13")
    (verify if args.verify else generate)(args)


if __name__ == "__main__":
    main()
