"""The command line: ``emergence diagnose PATH [options]`` (also ``python -m emergence``).

A thin layer over :func:`emergence.diagnose.diagnose` and
:mod:`emergence.diagnose.report`: everything it prints can also be had as a DataFrame.
Exit status 0 on success, 2 on bad input (the message names the file, column
and row), as argparse does for a bad option.

Examples
--------
>>> import contextlib, sys
>>> with contextlib.redirect_stderr(sys.stdout):
...     status = main(["diagnose", "/no/such/file.csv"])
emergence diagnose: error: /no/such/file.csv does not exist: pass a CSV table, per-item outputs or a BIG-bench results folder.
>>> status
2
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "parser", "metric_option"]

EXAMPLES = r"""
inputs (the format is recognised from the columns):
  tidy table      task, family, model, scale, metric, value
                  [, n_items, stderr, higher_is_better, chance, length]
                  (scale as a number or a size such as 70M, 6.9B)
  wide table      one row per model: model, scale (or params, size; 7B-style sizes),
                  then one column per benchmark (percentages detected)
  per-item        task, family, model, scale, item, prediction, target
  BIG-bench       a results folder (or scores_*.json file), read by emergence.io.bigbench
  lm-eval         lm-evaluation-harness results*.json files (a folder of them, one per
                  model), read by emergence.io.harness; scales from --scale/--scales or
                  from a size at the end of each model's name

examples:
  emergence diagnose results.csv
  emergence diagnose results.csv --scale-unit flops --out report/
  emergence diagnose outputs.csv --stop-string "\n" --align right --out report/
  emergence diagnose BIG-bench/bigbench/benchmark_tasks --out bigbench-report/ --no-figures
  python -m emergence diagnose results.csv --all
  emergence diagnose results.csv --json | jq '.curves[] | select(.sharp) | .task'

exit status: 0 on success, 2 on bad input (the message names the file, column and row).
"""


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``emergence``."""
    top = argparse.ArgumentParser(
        prog="emergence",
        description="Tools of the book 'Emergent abilities, or a mirage?'.")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser(
        "diagnose", help="check scaling curves for a mirage",
        description="Check every task x family x metric curve for a mirage: whether it rises "
                    "beyond noise and where (early, gradually, late or in a jump; the emergence "
                    "score reported beside it), exact intervals and the resolution floor, the metric's "
                    "kind, the same outputs under a smooth metric and p^L, and a backtest; "
                    "one verdict line per curve.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", metavar="PATH", help="CSV table, per-item outputs, or BIG-bench "
                   "results folder / scores_*.json file")
    p.add_argument("--input", choices=["auto", "tidy", "wide", "outputs", "bigbench", "harness"],
                   default="auto",
                   help="what PATH holds (default: recognised from its form and columns)")
    p.add_argument("--scale-unit", choices=["parameters", "flops"], default="parameters",
                   help="what the scale column measures: parameters or training FLOPs "
                        "(default: parameters)")
    p.add_argument("--out", metavar="DIR", help="write report.md, curves.csv, points.csv and "
                   "figures/ into DIR (a new or empty folder)")
    p.add_argument("--force", action="store_true", help="write into an existing --out folder, "
                   "replacing the report's files there")
    p.add_argument("--no-figures", action="store_true", help="with --out: no figures (faster)")
    p.add_argument("--cutoff", type=float, default=None, metavar="S",
                   help="the emergence score above which the score_above_cutoff column is true "
                        "(the paper-style classification; default: the book's 10). The verdict "
                        "does not use it")
    p.add_argument("--holdout", type=int, default=1, metavar="K",
                   help="the backtest holds back each family's K largest models (default 1)")
    p.add_argument("--target-length", type=int, default=None, metavar="L",
                   help="target length in tokens for p^L, where the table has no length column")
    p.add_argument("--lower-is-better", action="append", default=[], metavar="METRIC",
                   help="a metric not in the catalogue for which lower is better (repeatable)")
    p.add_argument("--metric", action="append", default=[], metavar="NAME=LOW:HIGH[:KIND]",
                   help="describe a metric not in the catalogue: its range, and optionally its "
                        "kind (discontinuous, nonlinear, linear, continuous; add ':items' if it "
                        "is the share of items right, for exact intervals); repeatable, e.g. "
                        "--metric my_accuracy=0:1:nonlinear:items")
    p.add_argument("--bigbench-scale", default=None, metavar="FIELD",
                   help="BIG-bench's model-size field (default: flop-matched non-embedding "
                        "parameters, BIG-bench's own)")
    p.add_argument("--scale", action="append", default=[], metavar="MODEL=SIZE",
                   help="lm-evaluation-harness results: a model's scale, e.g. "
                        "--scale pythia-6.9b=6.9e9 or --scale my-model=7B (repeatable); "
                        "without it, a size at the end of the model's name is used")
    p.add_argument("--scales", metavar="FILE", default=None,
                   help="lm-evaluation-harness results: a CSV of model, scale[, family]")
    p.add_argument("--wide-metric", default=None, metavar="METRIC",
                   help="wide table (one row per model, a column per benchmark): the metric "
                        "its columns hold, e.g. accuracy (default: score, not classified)")
    p.add_argument("--model-column", default=None, metavar="NAME",
                   help="wide table: the column of model names, if not model or name")
    p.add_argument("--scale-column", default=None, metavar="NAME",
                   help="wide table: the column of sizes, if not scale, params or size")
    p.add_argument("--skip-bad-files", action="store_true",
                   help="BIG-bench folder: read the files that can be read when some are "
                        "broken (each broken one is named in a warning)")
    g = p.add_argument_group("post-processing of per-item predictions (emergence.measure.postprocess)")
    g.add_argument("--stop-string", default=None, help="cut each prediction after this string")
    g.add_argument("--output-regex", default=None, help="keep the first match of this regex")
    g.add_argument("--max-length", type=int, default=None, help="keep the first N characters")
    g.add_argument("--like-bigbench", action="store_true",
                   help="without --stop-string or --output-regex, apply BIG-bench's default "
                        "regex")
    g.add_argument("--no-normalize-whitespace", action="store_true",
                   help="keep white space as it is (default: strip and collapse it)")
    g.add_argument("--numbers", action="store_true",
                   help="numeric answers: drop thousands separators and a leading +")
    g.add_argument("--align", choices=["left", "right"], default="left",
                   help="per-token accuracy from the first token (left) or from the units "
                        "digit (right)")
    o = p.add_argument_group("output")
    o.add_argument("--all", action="store_true", help="print every curve (default: at most 60)")
    o.add_argument("--summary", action="store_true", help="print only the summary lines")
    o.add_argument("--json", action="store_true",
                   help="print the report as JSON instead of the table: settings, summary, "
                        "notes, one object per curve (every column, the judgements as "
                        "true/false/null) and one per model point")
    o.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show progress bars (default: when the terminal is interactive)")
    o.add_argument("--no-progress", dest="progress", action="store_false")
    return top


def metric_option(text: str, lower=()):
    """``NAME=LOW:HIGH[:KIND[:items]]`` as ``(name, MetricInfo)``.

    Examples
    --------
    >>> metric_option("my_accuracy=0:1:nonlinear:items")
    ('my_accuracy', MetricInfo(kind='nonlinear', low=0.0, high=1.0, higher_is_better=True, counts_items=True, source='given on the command line'))
    """
    from emergence.measure.catalogue import MetricInfo

    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    kinds = ("discontinuous", "nonlinear", "linear", "continuous", "unknown")
    try:
        if not sep or not name or len(parts) < 2 or len(parts) > 4:
            raise ValueError
        low, high = float(parts[0]), float(parts[1])
        kind = parts[2] if len(parts) > 2 else "unknown"
        items = len(parts) > 3 and parts[3] == "items"
        if kind not in kinds or (len(parts) > 3 and not items) or not low < high:
            raise ValueError
    except ValueError:
        raise ValueError(f"--metric {text!r}: write NAME=LOW:HIGH[:KIND[:items]], e.g. "
                         f"my_accuracy=0:1:nonlinear:items, with LOW < HIGH and KIND one of "
                         f"{', '.join(kinds)}.") from None
    return name, MetricInfo(kind, low, high, name not in lower, items, "given on the command line")


def _fail(message: str) -> int:
    print(f"emergence diagnose: error: {message}", file=sys.stderr)
    return 2


def _diagnose(args) -> int:
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not args.force:
        if not out.is_dir() or any(out.iterdir()):
            return _fail(f"{out} already exists and is not empty: nothing was written. Choose "
                         "a new folder, or pass --force to replace the report's files in it.")
    from emergence.diagnose import EMERGENCE_CUTOFF, diagnose
    from emergence.diagnose.report import format_terminal, to_json, write_report

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    scoring = {"align": args.align, "stop_string": args.stop_string,
               "output_regex": args.output_regex, "max_length": args.max_length,
               "like_bigbench": args.like_bigbench,
               "normalize_whitespace": not args.no_normalize_whitespace,
               "numbers": args.numbers}
    if args.bigbench_scale:
        scoring["bigbench_scale"] = args.bigbench_scale
    if args.skip_bad_files:
        scoring["bigbench_on_error"] = "warn"
    for option in ("wide_metric", "model_column", "scale_column"):
        if getattr(args, option):
            scoring[option] = getattr(args, option)
    if args.scale and args.scales:
        return _fail("give model scales either with --scale or with --scales, not both.")
    if args.scale:
        pairs = [item.partition("=") for item in args.scale]
        bad = [item for item, (model, sep, size) in zip(args.scale, pairs)
               if not sep or not model or not size]
        if bad:
            return _fail(f"--scale {bad[0]!r}: write MODEL=SIZE, e.g. --scale pythia-6.9b=6.9e9.")
        scoring["harness_scales"] = {model: size for model, _, size in pairs}
    elif args.scales:
        scoring["harness_scales"] = args.scales
    try:
        metrics = dict(metric_option(m, set(args.lower_is_better)) for m in args.metric)
        curves = diagnose(args.path, kind=args.input, scale_unit=args.scale_unit, metrics=metrics,
                          cutoff=EMERGENCE_CUTOFF if args.cutoff is None else args.cutoff,
                          holdout=args.holdout, target_length=args.target_length,
                          lower_is_better=args.lower_is_better, progress=progress, **scoring)
    except (ValueError, FileNotFoundError) as err:
        return _fail(str(err))
    if args.json:
        print(to_json(curves))
    else:
        text = format_terminal(curves, limit=None if args.all else 60)
        if args.summary:       # the two lines of the head and the notes
            text = "\n".join(text.splitlines()[:2 + len(curves.attrs.get("notes", []))])
        print(text)
    if out is not None:
        try:
            written = write_report(curves, out, force=args.force, figures=not args.no_figures,
                                   progress=progress)
        except FileExistsError as err:
            return _fail(str(err))
        n_fig = sum(1 for p in written if p.suffix == ".png")
        print(f"wrote {out}/report.md, report.json, curves.csv, points.csv and {n_fig} "
              "figure(s)", file=sys.stderr if args.json else sys.stdout)
    return 0


def main(argv=None) -> int:
    """Run ``emergence`` with ``argv`` (default: the command line); return the exit status."""
    args = parser().parse_args(argv)
    try:
        return _diagnose(args)
    except BrokenPipeError:  # the reader closed the pipe (emergence diagnose ... | head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
