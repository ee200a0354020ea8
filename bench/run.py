"""`make bench`: every benchmark of the project, one after the other, figures printed."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

for name in ("bench_import", "bench_classifier", "bench_pages"):
    path = HERE / f"{name}.py"
    if not path.exists():
        continue
    print(f"\n== {name} ==", flush=True)
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exit_:  # a script's own sys.exit(main()) must not end the others
        if exit_.code not in (None, 0):
            raise
