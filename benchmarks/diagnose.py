"""Benchmark of ``emergence diagnose`` on simulated results: time and memory against curves.

The mirage paper counts BIG-bench's curves as "≥ 220 tasks, ∼ 40 metrics per
task, ∼ 10 model families" (Sec. 7), 88,000 task x metric x family curves. This
script simulates tidy tables of that shape -- 10 models per family, every
curve a noisy logistic in log-scale, so that every check runs (emergence
score, share of gain, exact intervals, partners, p^L, backtests) -- and times
:func:`emergence.diagnose.diagnose` with figures off, each size in a fresh
process so that its peak memory is its own.

    python benchmarks/diagnose.py                 # 1,000, 10,000 and 88,000 curves
    python benchmarks/diagnose.py 1000 5000       # other sizes
    python benchmarks/diagnose.py --cli 88000     # also time the command line on a CSV

The data are simulated; the numbers measure the tool, not any model.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_MODELS = 10
N_FAMILIES = 10
N_METRICS = 40

# 40 metrics per task: the catalogue's sharp and smooth ones, then simulated
# bounded scores registered as "continuous" so that every curve is backtested.
KNOWN = ["exact_match", "per_token_accuracy", "token_edit_distance", "multiple_choice_grade",
         "calibration_multiple_choice_brier_score", "bleu", "exact_str_match",
         "per_token_cross_entropy"]
EXTRA = [f"score_{i:02d}" for i in range(N_METRICS - len(KNOWN))]


def simulate(n_curves: int, seed: int = 0) -> pd.DataFrame:
    """A tidy table of ``n_curves`` curves of ``N_MODELS`` models each (simulated)."""
    rng = np.random.default_rng(seed)
    per_task = N_FAMILIES * N_METRICS
    n_tasks = -(-n_curves // per_task)
    metrics = np.array(KNOWN + EXTRA)
    curve = np.arange(n_curves)
    task = curve // per_task
    family = (curve // N_METRICS) % N_FAMILIES
    metric = metrics[curve % N_METRICS]
    scales = np.logspace(7, 11.5, N_MODELS)
    mid = rng.uniform(7.5, 12.0, n_curves)
    slope = rng.uniform(0.3, 4.0, n_curves)
    t = np.log10(scales)[None, :]
    p = 1 / (1 + np.exp(-slope[:, None] * (t - mid[:, None])))
    value = np.clip(p + rng.normal(0, 0.02, p.shape), 0.0, 1.0)
    n_items = 500
    counts = np.isin(metric, ["exact_match", "multiple_choice_grade", "exact_str_match"])
    value = np.where(counts[:, None], np.round(value * n_items) / n_items, value)
    lower = np.isin(metric, ["token_edit_distance", "calibration_multiple_choice_brier_score",
                             "per_token_cross_entropy"])
    value = np.where(lower[:, None], 1.0 - value, value)
    value = np.where((metric == "token_edit_distance")[:, None], 3 * value, value)
    value = np.where((metric == "per_token_cross_entropy")[:, None], 0.01 + 2 * value, value)
    value = np.where((metric == "bleu")[:, None], 100 * value, value)
    def names(labels, codes):
        # the strings a CSV reader would give (one object per distinct name)
        return pd.Categorical.from_codes(codes, labels).astype(object)

    table = pd.DataFrame({
        "task": names([f"task_{i:03d}" for i in range(n_tasks)], task.repeat(N_MODELS)),
        "family": names([f"family_{f}" for f in range(N_FAMILIES)], family.repeat(N_MODELS)),
        "model": names([f"m{i}" for i in range(N_MODELS)], np.tile(np.arange(N_MODELS),
                                                                   n_curves)),
        "scale": np.tile(scales, n_curves),
        "metric": names(list(metrics), np.tile(np.arange(N_METRICS), n_tasks * N_FAMILIES)
                        [:n_curves].repeat(N_MODELS)),
        "value": value.reshape(-1),
        "n_items": np.where(np.repeat(counts, N_MODELS), n_items, np.nan),
    })
    table["length"] = 3
    return table


def extra_metrics():
    from emergence.diagnose import MetricInfo

    return {m: MetricInfo("continuous", 0.0, 1.0, True, False, "simulated") for m in EXTRA}


def run_one(n_curves: int) -> dict:
    """Time diagnose() on a simulated table; report seconds and peak memory (this process)."""
    from emergence.diagnose import diagnose

    import gc

    import psutil

    table = simulate(n_curves)
    gc.collect()
    before_mb = psutil.Process().memory_info().rss / 2**20
    start = time.perf_counter()
    result = diagnose(table, metrics=extra_metrics())
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"curves": n_curves, "rows": len(table), "seconds": round(seconds, 2),
            "input_mb": round(before_mb), "peak_mb": round(peak_mb),
            "sharp": int(result["sharp"].sum())}


def run_cli(n_curves: int) -> dict:
    """Time ``python -m emergence diagnose`` on the simulated table written as CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.csv"
        table = simulate(n_curves)
        table.to_csv(path, index=False)
        start = time.perf_counter()
        described = [arg for m in EXTRA for arg in ("--metric", f"{m}=0:1:continuous")]
        proc = subprocess.run([sys.executable, "-m", "emergence", "diagnose", str(path),
                               "--summary", "--no-progress", *described],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
    return {"curves": n_curves, "rows": len(table), "seconds": round(seconds, 2),
            "peak_mb": round(usage), "mode": "python -m emergence diagnose FILE.csv"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 88000])
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-cli", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    if args.one_cli:  # in a process of its own, so that its children's peak is the CLI's
        print(json.dumps(run_cli(args.one_cli)))
        return 0
    rows = []
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True,
                             text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = pd.DataFrame(rows)
    table["us_per_curve"] = (1e6 * table["seconds"] / table["curves"]).round(1)
    print("diagnose(), figures off, simulated tables of 10 models per curve "
          "(input_mb: the process with its input table; peak_mb: its peak during diagnose)")
    print(table.to_string(index=False))
    if args.cli:
        cli = pd.DataFrame([json.loads(subprocess.run(
            [sys.executable, __file__, "--one-cli", str(n)], capture_output=True, text=True,
            check=True).stdout.strip().splitlines()[-1]) for n in args.sizes])
        print()
        print("the command line on the same tables written as CSV (reading and Python's start "
              "included)")
        print(cli.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
