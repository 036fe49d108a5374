#!/usr/bin/python3
"""Cold-process timing and the side-by-side table of scripts/bench.sh.

    bench_cold.py run --log FILE -- COMMAND...    runs COMMAND, writes each output line with its time since the
                                                  process was started (stdout and stderr merged) to FILE (JSON)
    bench_cold.py table --dir DIR --engines "E1 E2..." [--epochs 5]
                                                  reads DIR/<engine>.json (and DIR/<engine>/ for spark-cnn runs)
                                                  and DIR/peak-<threads>.json; prints the table, writes
                                                  DIR/results.md, DIR/results.csv and DIR/results.json

Times count from the process start (JVM or Python start-up, data loading included) to the end of training;
evaluation is excluded (every engine evaluates the test set only after training). spark-cnn prints its last
round's line when training ends; its first epoch ends trainSeconds' share of rounds after the first epoch before
that (rounds.csv; the driver's short gaps between rounds of later epochs count as first-epoch time, which favours
no one but PyTorch). PyTorch prints a line at each epoch's end.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time

ENGINES = {   # name: (kind, description); each uses all cores (the descriptions are for 2)
    "spark-2x1": ("spark", "spark-cnn, 2 workers x 1 core, tau 5"),
    "spark-1x2": ("spark", "spark-cnn, 1 worker x 2 cores"),
    "dl4j-spark": ("spark", "dl4j-spark ParameterAveragingTrainingMaster, 2 workers, tau 5"),
    "torch": ("torch", "PyTorch, 1 process x 2 threads"),
    "torch-ddp": ("torch", "PyTorch DDP, 2 processes x 1 thread (gloo)"),
}


def run(args):
    began = time.monotonic()
    proc = subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = [[round(time.monotonic() - began, 3), line.rstrip("\n")] for line in proc.stdout]
    rc = proc.wait()
    with open(args.log, "w") as f:
        json.dump({"command": args.command, "rc": rc, "seconds": time.monotonic() - began, "lines": lines}, f)
    if rc != 0:
        sys.stderr.write("\n".join(text for _, text in lines[-20:]) + "\n")
        sys.exit(f"{args.command[0]} failed with exit code {rc} (log: {args.log})")


def spark_times(log, run_dir):
    """(seconds to the end of the first epoch, to the end of training, training start, images after the first
    epoch, all images, test accuracy) of a spark-cnn run."""
    end = max(t for t, text in log["lines"] if (m := re.match(r"round (\d+)/(\d+) ", text)) and m[1] == m[2])
    with open(os.path.join(run_dir, "metrics.json")) as f:
        metrics = json.load(f)
    with open(os.path.join(run_dir, "rounds.csv")) as f:
        rounds = list(csv.DictReader(f))
    first = min(int(r["epoch"]) for r in rounds)
    wall_after = sum(float(r["wall_seconds"]) for r in rounds if int(r["epoch"]) != first)
    images_first = sum(int(r["examples"]) for r in rounds if int(r["epoch"]) == first)
    return (end - wall_after, end, end - metrics["trainSeconds"], images_first, metrics["trainExamples"],
            metrics["accuracy"])


def torch_times(log):
    events = []
    for t, text in log["lines"]:
        if text.startswith("{"):
            events.append((t, json.loads(text)))
    epochs = [(t, e) for t, e in events if e["event"] == "epoch"]
    start = next(t for t, e in events if e["event"] == "start")
    done = next(e for _, e in events if e["event"] == "done")
    return (epochs[0][0], epochs[-1][0], start, epochs[0][1]["images"], epochs[-1][1]["images"], done["accuracy"],
            done["flops_per_image"])


def table(args):
    def load(name, directory=args.dir):
        with open(os.path.join(directory, name + ".json")) as f:
            return json.load(f)

    def accuracy(name, directory):
        if ENGINES[name][0] == "torch":
            return torch_times(load(name, directory))[5]
        return spark_times(load(name, directory), os.path.join(directory, name))[5]

    seed_dirs = args.seed_dirs.split()

    peak = {}
    for threads in (1, "all"):
        log = load(f"peak-{threads}")
        peak[threads] = next(json.loads(text)["gflops"] for _, text in log["lines"] if text.startswith("{"))
    rows, flops = [], None
    for name in args.engines.split():
        kind, description = ENGINES[name]
        log = load(name)
        if kind == "torch":
            t1, tn, start, n1, nn, acc, flops = torch_times(log)
        else:
            t1, tn, start, n1, nn, acc = spark_times(log, os.path.join(args.dir, name))
        accs = [acc] + [accuracy(name, d) for d in seed_dirs]
        rows.append({"engine": name, "description": description, "startup_s": start,
                     "first_epoch_s": t1, "first_epoch_images_per_s": n1 / t1, "all_s": tn,
                     "all_images_per_s": nn / tn, "images": nn, "test_accuracy": acc,
                     "test_accuracy_seeds": " ".join(f"{a:.4f}" for a in accs),
                     "test_accuracy_mean": sum(accs) / len(accs)})
    torch_rows = [r for r in rows if r["engine"].startswith("torch")]
    best = max(torch_rows, key=lambda r: r["all_images_per_s"]) if torch_rows else None
    for r in rows:
        r["gflops"] = r["all_images_per_s"] * flops / 1e9 if flops else float("nan")
        r["share_of_sgemm_peak"] = r["gflops"] / peak["all"]
        for key in ("first_epoch_images_per_s", "all_images_per_s"):
            r[key.replace("images_per_s", "x_torch_best")] = r[key] / best[key] if best else float("nan")
        r["test_accuracy_pp_vs_torch_best"] = (100 * (r["test_accuracy_mean"] - best["test_accuracy_mean"]) if best
                                               else float("nan"))

    n = args.epochs
    header = ["engine", "start-up s", "1st epoch: images/s (cold)", f"{n} epoch{'s' if n > 1 else ''}: images/s (cold)",
              f"x PyTorch best (1st / {n})", "GFLOP/s", "% of sgemm peak",
              f"test acc after {n}" + (f", mean of {1 + len(seed_dirs)} seeds" if seed_dirs else ""),
              "pp vs PyTorch best"]
    md = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in rows:
        md.append("| " + " | ".join([
            r["description"], f"{r['startup_s']:.1f}", f"{r['first_epoch_images_per_s']:,.0f}",
            f"{r['all_images_per_s']:,.0f}",
            f"{r['first_epoch_x_torch_best']:.2f} / {r['all_x_torch_best']:.2f}",
            f"{r['gflops']:.1f}", f"{100 * r['share_of_sgemm_peak']:.1f}", f"{r['test_accuracy_mean']:.4f}",
            f"{r['test_accuracy_pp_vs_torch_best']:+.2f}"]) + " |")
    notes = (f"\nPyTorch best = {best['engine'] if best else 'n/a'} (by {n}-epoch images/s). sgemm peak (torch.mm, "
             f"Debian OpenBLAS): {peak[1]:.1f} GFLOP/s on 1 thread, {peak['all']:.1f} on all cores; % of peak "
             f"uses the all-cores figure and {(flops or float('nan')) / 1e6:.2f} MFLOP per training image. Start-up s: process start to the first "
             f"training step (spark-cnn: to its first round; the driver's gaps between rounds count here)."
             + (" Times are the first seed's run; the accuracy is the mean over the seeds (each seed's in "
                "results.csv); pp vs PyTorch best compares the means." if seed_dirs else "") + "\n")
    text = "\n".join(md) + "\n" + notes
    print(text)
    with open(os.path.join(args.dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.dir, "results.json"), "w") as f:
        json.dump({"peak_gflops": peak, "flops_per_image": flops, "epochs": n, "rows": rows}, f, indent=1)
    with open(os.path.join(args.dir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("--log", required=True)
    r.add_argument("command", nargs=argparse.REMAINDER)
    t = sub.add_parser("table")
    t.add_argument("--dir", required=True)
    t.add_argument("--engines", required=True)
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--seed-dirs", default="", help="directories of the same engines run with other seeds")
    args = p.parse_args()
    if args.what == "run":
        if args.command[:1] == ["--"]:
            args.command = args.command[1:]
        run(args)
    else:
        table(args)


if __name__ == "__main__":
    main()
