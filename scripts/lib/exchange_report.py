"""The table of scripts/exchange-bench.sh: one row per run directory (MODEL-nN-PATH) under RUNS."""
import csv
import json
import statistics
import sys
from pathlib import Path


def row(run: Path):
    model, n, path = run.name.rsplit("-", 2)
    n = int(n[1:])
    metrics = json.loads((run / "metrics.json").read_text())
    with open(run / "rounds.csv", newline="") as f:
        rounds = list(csv.DictReader(f))
    driver = metrics.get("driverResultBytes", {})
    per_round = (driver.get("local steps", 0) + driver.get("averaging", 0)
                 + driver.get("local steps and averaging", 0)) / max(1, len(rounds))
    warm = rounds[1:] or rounds
    exchange = statistics.median(int(r["exchange_bytes"]) for r in warm)
    wall = statistics.median(float(r["wall_seconds"]) for r in warm)
    overhead = statistics.median(float(r["overhead_seconds"]) for r in warm)
    averaging = statistics.median(float(r["aggregate_seconds"]) for r in warm)
    return (model, n, path, metrics["parameters"], per_round, exchange, exchange / n, wall, overhead, averaging)


def main():
    runs, master = Path(sys.argv[1]), sys.argv[2]
    rows = sorted((row(r) for r in runs.iterdir() if (r / "metrics.json").exists()),
                  key=lambda r: (r[0], r[1], r[2]))
    print(f"Master `{master}`; medians over rounds 2..R of each run (round 1 is JIT warm-up).\n")
    print("| model | N | averaging | P | driver bytes / round | exchange bytes / round | per worker | "
          "round wall ms | overhead ms | averaging ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for m, n, path, p, drv, ex, exw, wall, over, avg in rows:
        print(f"| {m} | {n} | {path} | {p:,} | {drv:,.0f} | {ex:,.0f} | {exw:,.0f} | {wall * 1000:.0f} | "
              f"{over * 1000:.0f} | {avg * 1000:.1f} |")
    for log in sorted(runs.glob("*.log")):
        if not (runs / log.stem / "metrics.json").exists():
            lines = [l for l in log.read_text(errors="replace").splitlines() if l.strip()]
            print(f"\n`{log.stem}` did not finish: {lines[-1] if lines else '(empty log)'}")


def repeated(master, rep_dirs):
    """Median and range over repetitions of each model, N and path (the runs of scripts/exchange-bench.sh --repeats)."""
    cells = {}
    for d in rep_dirs:
        for r in Path(d).iterdir():
            if (r / "metrics.json").exists():
                m, n, path, _, drv, _, exw, _, over, avg = row(r)
                with open(r / "rounds.csv", newline="") as f:
                    warm = [float(x["overhead_seconds"]) for x in list(csv.DictReader(f))[1:]]
                cells.setdefault((m, n, path), []).append((over, drv, exw, avg, warm))
    print(f"Master `{master}`; {len(rep_dirs)} repetitions, interleaved; per run the median over rounds 2..R; "
          "then the median [min, max] over the runs; and the median and interquartile range of all those rounds "
          "pooled.\n")
    print("| model | N | averaging | runs | overhead ms | all rounds' overhead ms | driver bytes / round | "
          "exchange bytes / worker | averaging ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (m, n, path), v in sorted(cells.items()):
        over = [x[0] * 1000 for x in v]
        pooled = sorted(o * 1000 for x in v for o in x[4])
        quart = statistics.quantiles(pooled, n=4) if len(pooled) > 1 else pooled * 3
        print(f"| {m} | {n} | {path} | {len(v)} | {statistics.median(over):.0f} [{min(over):.0f}, {max(over):.0f}] | "
              f"{statistics.median(pooled):.0f} (IQR {quart[0]:.0f}–{quart[2]:.0f}, {len(pooled)} rounds) | "
              f"{statistics.median(x[1] for x in v):,.0f} | {statistics.median(x[2] for x in v):,.0f} | "
              f"{statistics.median(x[3] * 1000 for x in v):.1f} |")
    for d in rep_dirs:
        for log in sorted(Path(d).glob("*.log")):
            if not (Path(d) / log.stem / "metrics.json").exists():
                lines = [l for l in log.read_text(errors="replace").splitlines() if l.strip()]
                print(f"\n`{log}` did not finish: {lines[-1] if lines else '(empty log)'}")


if __name__ == "__main__":
    if sys.argv[1] == "--repeats":
        repeated(sys.argv[2], sys.argv[3:])
    else:
        main()
