"""`make bench`: every benchmark of the project, one after the other, then the issue-13 figures
side by side: concurrent sessions over the websocket, the import ratio and the cold start.

The machine may be shared: every figure is printed with the 1-minute load average beside it.
"""
from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

results: dict[str, dict] = {}
for name in ("bench_import", "bench_classifier", "bench_pages", "bench_load", "bench_coldstart"):
    path = HERE / f"{name}.py"
    if not path.exists():
        continue
    print(f"\n== {name} ==  (load average {os.getloadavg()[0]:.2f})", flush=True)
    try:
        if name in ("bench_import", "bench_load", "bench_coldstart"):
            module = runpy.run_path(str(path), run_name="bench")
            # bench_load: also each page's CPU per warm view, one session at a time
            results[name] = module["main"](*((["--per-page", "10"],) if name == "bench_load"
                                             else ())) or {}
        else:
            runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exit_:  # a script's own sys.exit(main()) must not end the others
        if exit_.code not in (None, 0):
            raise
    if name == "bench_load":  # and as a hiring organisation uses it: 25 people signed in
        print(f"\n== bench_load --team 25 ==  (load average {os.getloadavg()[0]:.2f})",
              flush=True)
        results["bench_load_team"] = module["main"](["--team", "25"]) or {}

print("\n== issue 13: side by side ==")
load = [("local mode", r) for r in results.get("bench_load", {}).get("rounds", [])] + [
    ("team mode, 25 people", r) for r in results.get("bench_load_team", {}).get("rounds", [])]
for mode, r in load:
    print(f"  {mode}, {r['sessions']} sessions, round {r['round']}: p50 {r['p50']:.2f} s, p95 "
          f"{r['p95']:.2f} s, errors {r['errors']}, CPU {r['cpu_per_view']:.3f} s/page view, "
          f"RSS {r['rss_mb']:.0f} MB  (load {r['load']})")
for page, row in results.get("bench_load", {}).get("pages", {}).items():
    print(f"  {page}, one session: CPU {row['cpu_per_view']:.3f} s per warm view  "
          f"(load {row['load']})")
imp = results.get("bench_import", {})
if imp:
    print(f"  import with labelling / bare read: {imp['ratio']:.2f}x (goal <= 1.5x), in CPU "
          f"time {imp['cpu_ratio']:.2f}x  (load {imp['load']:.2f})")
cold = results.get("bench_coldstart", {})
if cold:
    print(f"  cold start to the first page in Chromium: {cold['total']:.2f} s, the first ever "
          f"{cold['first']:.2f} s (median of {', '.join(f'{x:.2f}' for x in cold['firsts'])}) "
          f"(goal <= 5 s)  (load {cold['load']:.2f})")
