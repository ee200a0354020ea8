"""`streamlit` with the store seeded and the app's own imports warmed:
``python -m ui.launch [--seed] run app.py [options]``.

What `make run` starts. Two things shorten the wait for the first page (bench/bench_coldstart.py):

- ``--seed`` runs ``python -m analysis seed`` (the sample workbook into an empty store) in a
  child process while this one imports Streamlit, instead of before it: on a newcomer's very
  first run the seed's imports and labelling overlap the server's start on the other core. The
  server starts listening only once the seed has finished, so no page ever sees a half-seeded
  store (the seed is one transaction anyway); a seed that fails stops the launch with its exit
  code, as ``make`` did.
- A fresh server imports pandas, SQLAlchemy, Plotly and the store only when the first page
  runs, after the browser has loaded Streamlit's scripts. Here a background thread waits until
  the server listens (so it does not slow the start), then imports them while the browser is
  still loading.

Everything after the options of this module is Streamlit's own command line, unchanged.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time


def _option(argv: list[str], name: str, default: str) -> str:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def _warm(address: str, port: int, wait: float = 60.0) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:  # the server first: it answers the browser
        try:
            with socket.create_connection((address, port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.02)
    import importlib

    import ui  # noqa: F401  (the app imports the same modules; they are then already loaded)

    for name in _PAGE_MODULES:  # what the pages load lazily, about 0.5 s on this machine
        importlib.import_module(name)
    try:
        from ui.reads import warm

        warm()  # the store's frames, which every page's first view reads
    except Exception:  # noqa: BLE001 - a page reports a store it cannot read; the warm-up stays quiet
        pass


#: Modules `analysis`'s lazy API loads only when a page first asks for them: otherwise the first
#: views after a start wait on them (the cold round of bench_load, docs/SCALING.md).
_PAGE_MODULES = ("analysis.figures.sessions", "analysis.figures.threads",
                 "analysis.figures.compare", "analysis.figures.process",
                 "analysis.figures.agreement", "analysis.figures.feedback",
                 "analysis.figures.uncertainty", "analysis.reports.comparison",
                 "analysis.reports.guide", "analysis.store.accounts", "analysis.store.ratings",
                 "analysis.store.planning", "analysis.model.training", "openpyxl", "docx")


def start_seed() -> subprocess.Popen | None:
    """``python -m analysis seed`` in a child process (its output goes to ours), or None when
    a SQLite store already holds sessions (looked up here: no second interpreter to start)."""
    from analysis import config
    from analysis.cli.main import holds_sessions

    if holds_sessions(config.database_url()):
        return None
    return subprocess.Popen([sys.executable, "-m", "analysis", "seed"])


#: Modules the server imports only when it starts (Streamlit 1.5x on Starlette), loaded while a
#: seed runs so the server listens sooner after it.
_SERVER_MODULES = ("uvicorn", "websockets.server", "streamlit.components.v2.manifest_scanner",
                   "streamlit.web.server.starlette.starlette_agent_routes")


def _preload_server() -> None:
    import importlib

    for name in _SERVER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # another Streamlit version: it imports what it needs itself
            pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    seed = None
    if argv[:1] == ["--seed"]:
        argv = argv[1:]
        seed = start_seed()
    address = _option(argv, "--server.address", "localhost")
    port = int(_option(argv, "--server.port", "8501"))
    from streamlit.web.cli import main as streamlit  # while the seed runs

    if seed is not None and seed.poll() is None:
        _preload_server()
    if seed is not None and seed.wait() != 0:
        return seed.returncode
    threading.Thread(target=_warm, args=(address if address not in ("", "0.0.0.0") else
                                         "127.0.0.1", port),
                     name="omvendt-warm-imports", daemon=True).start()
    sys.argv = ["streamlit", *argv]
    return streamlit()


if __name__ == "__main__":
    sys.exit(main())
