"""Data commands of the command line: ``synth`` (a synthetic workbook for scale tests)."""
from __future__ import annotations

import argparse
import time


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def cmd_synth(args) -> int:
    """Write a synthetic workbook and print what it holds."""
    from analysis.synth import write_synthetic

    began = time.perf_counter()
    counts = write_synthetic(args.out, args.sessions, args.seed)
    took = time.perf_counter() - began
    print(f"Wrote {args.out} in {took:.1f} s:")
    for key, value in counts.items():
        print(f"  {key}: {value}")
    return 0


def register(add) -> None:
    """Add this module's commands to the parser (see `analysis.cli.build_parser`)."""
    p = add("synth", cmd_synth, "write a synthetic session-log workbook for scale tests",
            db=False)
    p.add_argument("--sessions", type=_positive, required=True, help="number of sessions")
    p.add_argument("-o", "--out", required=True, help="the .xlsx file to write")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same workbook)")
