"""Page speed: every page rendered with AppTest against a store of 2,000 sessions / ~50,000
questions (bench/synth.py) and against the sample workbook; seconds per page, cold (caches
emptied, after the store's frames were read once) and again (the same page, store
unchanged: everything from the caches).

Goal: every page under 1.5 s on the big store, under 0.5 s on the sample.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["overview", "import_data", "coverage", "depth", "experience", "compare", "ratings",
         "guide", "planning", "questions", "admin"]
GOALS = {"synthetic": 1.5, "sample": 0.5}


class SpreadLabeller:
    """A stand-in model: a fit and a confidence from each question's hash, so the figures have
    every fit and a spread of confidences (the real model is benchmarked in bench_classifier)."""

    version = "bench-spread"
    _fits = np.array(["job", "group", "supervisor", "organization", "other"], dtype=object)

    def label(self, texts):
        digests = [hashlib.blake2b(t.encode(), digest_size=4).digest() for t in texts]
        codes = np.array([d[0] % 5 for d in digests])
        confidence = np.array([0.3 + 0.7 * d[1] / 255 for d in digests])
        return self._fits[codes], confidence


def _store(kind: str, tmp: Path) -> str:
    from analysis import config
    from analysis.store.core import Store
    from analysis.workbook.reading import Upload

    url = f"sqlite:///{tmp / f'{kind}.sqlite'}"
    if kind == "sample":
        upload = Upload.from_path(config.SAMPLE_WORKBOOK)
    else:
        from bench.synth import write_synthetic

        book = tmp / "synthetic.xlsx"
        counts = write_synthetic(book, 2000, seed=0)
        print(f"synthetic workbook: {counts}", flush=True)
        upload = Upload.from_path(book)
    start = time.perf_counter()
    Store(url).import_upload(upload, SpreadLabeller())
    print(f"{kind}: imported in {time.perf_counter() - start:.1f} s: {Store(url).summary()}",
          flush=True)
    return url


def _first_read() -> float:
    """Seconds of the app's first run on a fresh process: every frame read from the store."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page("app_pages/import_data.py")  # the one page that computes no figure
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def _render(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    start = time.perf_counter()
    at.run()
    cached = time.perf_counter() - start
    return cold, cached


def main() -> dict:
    # AppTest runs pages without a server; Streamlit says so on every call, drowning the figures
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="omvendt-bench-pages-"))
    results: dict = {}
    try:
        _run_all(tmp, results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def _run_all(tmp: Path, results: dict) -> None:
    import streamlit as st

    for kind in ("sample", "synthetic"):
        os.environ["OMVENDT_DATABASE_URL"] = _store(kind, tmp)
        goal = GOALS[kind]
        st.cache_data.clear()
        st.cache_resource.clear()
        print(f"\n{kind} store (goal < {goal} s per page)")
        print(f"  reading the store once (first run of the app): {_first_read():.2f} s")
        print(f"  {'page':<12} {'first s':>8} {'again s':>9}")
        for page in PAGES:
            # first: the page's own figures computed (the store's frames are already read)
            cold, cached = _render(page)
            results[(kind, page)] = (cold, cached)
            flag = "" if max(cold, cached) < goal else "  <- over goal"
            print(f"  {page:<12} {cold:8.2f} {cached:9.2f}{flag}", flush=True)


if __name__ == "__main__":
    main()
