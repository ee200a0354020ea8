"""Import speed: a 50,000-question synthetic workbook imported by `python -m analysis import`,
next to pandas + python-calamine alone reading the same file. Both are timed as whole processes
(interpreter start, imports and all), best of N runs, so the ratio is what a user waits for.

Goal (issue 13): import with labelling within 1.5x of the bare read. The machine may be shared:
the 1-minute load average is printed beside the figures, and so is each process's CPU time
(user + system, best of N), which a busy machine moves far less than the wall clock.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BARE = ("import sys, pandas as pd; "
        "pd.read_excel(sys.argv[1], sheet_name=None, engine='calamine')")


def best_of(cmd: list[str], runs: int, before=None) -> tuple[float, float]:
    """The shortest wall time and the least CPU time (user + system) of ``runs`` runs."""
    times, cpus = [], []
    for _ in range(runs):
        if before:
            before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime)
    return min(times), min(cpus)


def main(sessions: int = 2000, runs: int = 3) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="omvendt-bench-"))
    book = tmp / f"synth{sessions}.xlsx"
    subprocess.run([PY, "bench/synth.py", "--sessions", str(sessions), "-o", str(book)],
                   check=True, cwd=ROOT, capture_output=True)
    db = tmp / "bench.sqlite"

    def fresh():
        db.unlink(missing_ok=True)

    # the model is trained and cached once, outside the timing
    subprocess.run([PY, "-c", "from analysis import default_model; default_model()"],
                   check=True, cwd=ROOT, capture_output=True)
    (bare, bare_cpu) = best_of([PY, "-c", BARE, str(book)], runs)
    (plain, plain_cpu) = best_of([PY, "-m", "analysis", "import", str(book), "--db",
                                  f"sqlite:///{db}", "--no-label"], runs, fresh)
    (labelled, labelled_cpu) = best_of([PY, "-m", "analysis", "import", str(book), "--db",
                                        f"sqlite:///{db}"], runs, fresh)
    out = subprocess.run([PY, "-m", "analysis", "summary", "--db", f"sqlite:///{db}", "--json"],
                         check=True, cwd=ROOT, capture_output=True, text=True).stdout
    print(f"workbook: {book.name}, {book.stat().st_size / 1e6:.1f} MB, store after import: {out.strip()}")
    print(f"bare read (pandas + calamine, whole process): {bare:6.2f} s          "
          f"CPU {bare_cpu:5.2f} s")
    print(f"import without labelling:                     {plain:6.2f} s  = {plain / bare:.2f}x  "
          f"CPU {plain_cpu:5.2f} s = {plain_cpu / bare_cpu:.2f}x")
    print(f"import with labelling:                        {labelled:6.2f} s  = {labelled / bare:.2f}x"
          f"  CPU {labelled_cpu:5.2f} s = {labelled_cpu / bare_cpu:.2f}x"
          f"  (goal <= 1.5x)  load average {os.getloadavg()[0]:.2f}")
    return {"bare": bare, "import": plain, "import_labelled": labelled,
            "ratio": labelled / bare, "cpu_ratio": labelled_cpu / bare_cpu,
            "load": os.getloadavg()[0]}

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
