"""`streamlit` with the app's own imports warmed: ``python -m ui.launch run app.py [options]``.

What `make run` starts. A fresh server imports pandas, SQLAlchemy, Plotly and the store only
when the first page runs, after the browser has loaded Streamlit's scripts; here a background
thread imports them while the browser is still loading, so the first page shows sooner
(bench/bench_coldstart.py). Everything else is Streamlit's own command line, unchanged.
"""
from __future__ import annotations

import sys
import threading


def _warm() -> None:
    import ui  # noqa: F401  (the app imports the same modules; they are then already loaded)


def main() -> int:
    threading.Thread(target=_warm, name="omvendt-warm-imports", daemon=True).start()
    from streamlit.web.cli import main as streamlit

    sys.argv = ["streamlit", *sys.argv[1:]]
    return streamlit()


if __name__ == "__main__":
    sys.exit(main())
