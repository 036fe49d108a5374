#!/usr/bin/env python3
"""Splits a native CPU profile of one spark-cnn training run (scripts/bench-profile.sh) into where the time went.

    bench_perf_split.py PERF_DATA HZ CORES

PERF_DATA was recorded with `perf record -g -e cpu-clock -F HZ` around the launcher, the JVM run with
-XX:+PreserveFramePointer -XX:+DumpPerfMapAtExit (so JIT-compiled Java methods have names). The window is the
training: from the first to the last sample of a thread that runs a training step (a `spark-cnn-split` thread, or a
stack through LocalTrainer). Within it, every sample is put in one group by its thread (training threads: Spark's
executor task threads and the step's split threads; the JIT compiler threads; GC; the driver's main thread; all
other Spark and JVM threads), and the training threads' samples by their innermost frame's library (OpenBLAS, ND4J's
libnd4jcpu, libgomp, libc, libjvm, the kernel, JIT-compiled or interpreted Java), then by the innermost spark-cnn
method on their stack. The window's possible samples are its length x HZ x CORES: what this process did not use
was idle, or taken by other processes. OpenBLAS and libnd4jcpu keep no frame pointers, so their samples carry no
Java caller.
"""
import collections
import re
import subprocess
import sys


def samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,tid,time,ip,sym,dso"], capture_output=True,
                         text=True, check=True).stdout
    for block in out.split("\n\n"):
        lines = [line for line in block.strip().split("\n") if line.strip()]
        if len(lines) < 2:
            continue
        head = re.match(r"(.*?)\s+(\d+)\s+([0-9.]+):\s*$", lines[0])
        if not head:
            continue
        frames = []
        for line in lines[1:]:
            m = re.match(r"\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$", line)
            if m:
                frames.append((m.group(1).strip(), m.group(2)))
        if frames:
            yield head.group(1).strip(), float(head.group(3)), frames


def group(comm):
    if "CompilerThre" in comm:
        return "JIT compiler threads"
    if comm.startswith("GC Thread") or comm.startswith("G1"):
        return "GC threads"
    if comm.startswith("Executor task") or comm.startswith("spark-cnn-split"):
        return "training threads"
    if comm in ("java", "main"):
        return "driver main thread"
    return "other threads (Spark, JVM)"


def library(sym, dso):
    if "openblas" in dso:
        return "OpenBLAS sgemm" if sym.startswith("sgemm") else "OpenBLAS " + sym.split("_")[0]
    if "nd4j" in dso.lower():
        return "ND4J native ops (libnd4jcpu)"
    if "libgomp" in dso:
        return "OpenMP runtime (libgomp)"
    if "kernel" in dso:
        return "kernel"
    if "libjvm" in dso:
        return "libjvm"
    if "libc.so" in dso:
        return "libc (memcpy, memset)"
    if "perf-" in dso or dso == "[unknown]":
        return "interpreter" if sym.startswith("Interpreter") else "JIT-compiled Java"
    return "other: " + dso.split("/")[-1]


def owner(frames):
    for sym, _ in frames:
        m = re.search(r"org\.sparkcnn\.[\w.]+?\.(\w+\.\w+)\(", sym)
        if m:
            return m.group(1)
    return "(no spark-cnn frame)"


def main():
    path, hz, cores = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    all_samples = list(samples(path))
    steps = [t for comm, t, frames in all_samples
             if comm.startswith("spark-cnn-split") or any("LocalTrainer" in s for s, _ in frames)]
    if not steps:
        sys.exit("no training samples in " + path)
    t0, t1 = min(steps), max(steps)
    groups, libs, owners, owner_libs = (collections.Counter() for _ in range(4))
    for comm, t, frames in all_samples:
        if not t0 <= t <= t1:
            continue
        g = group(comm)
        groups[g] += 1
        if g == "training threads":
            lib = library(*frames[0])
            o = owner(frames)
            libs[lib] += 1
            owners[o] += 1
            owner_libs[(o, lib)] += 1
    possible = (t1 - t0) * hz * cores
    used = sum(groups.values())

    def row(n, what):
        print(f"| {what} | {n:,} | {n / hz:.2f} | {100 * n / possible:.1f} |")

    print(f"training window {t1 - t0:.2f} s x {cores} cores x {hz:.0f} Hz = {possible:,.0f} possible samples\n")
    print("| where | samples | core-seconds | % of the window's cores |\n| --- | --- | --- | --- |")
    for g, n in groups.most_common():
        row(n, g)
    row(round(possible - used), "not used by this process (idle, or other processes)")
    print("\ntraining threads, by the library of the innermost frame:\n")
    print("| where | samples | core-seconds | % of the window's cores |\n| --- | --- | --- | --- |")
    for lib, n in libs.most_common():
        if n >= 0.001 * possible:
            row(n, lib)
    print("\ntraining threads, by the innermost spark-cnn method on the stack (JIT inlines callees into it):\n")
    print("| where | samples | core-seconds | % of the window's cores | innermost library |")
    print("| --- | --- | --- | --- | --- |")
    for o, n in owners.most_common(25):
        detail = ", ".join(f"{lib} {x}" for (oo, lib), x in owner_libs.most_common() if oo == o and x >= max(5, n // 20))
        print(f"| {o} | {n:,} | {n / hz:.2f} | {100 * n / possible:.1f} | {detail} |")


if __name__ == "__main__":
    main()
