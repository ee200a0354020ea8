"""`streamlit` with the app's own imports warmed: ``python -m ui.launch run app.py [options]``.

What `make run` starts. A fresh server imports pandas, SQLAlchemy, Plotly and the store only
when the first page runs, after the browser has loaded Streamlit's scripts. Here a background
thread waits until the server listens (so it does not slow the start), then imports them while
the browser is still loading, so the first page shows sooner (bench/bench_coldstart.py).
Everything else is Streamlit's own command line, unchanged.
"""
from __future__ import annotations

import socket
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
    import ui  # noqa: F401  (the app imports the same modules; they are then already loaded)


def main() -> int:
    argv = sys.argv[1:]
    address = _option(argv, "--server.address", "localhost")
    port = int(_option(argv, "--server.port", "8501"))
    threading.Thread(target=_warm, args=(address if address not in ("", "0.0.0.0") else
                                         "127.0.0.1", port),
                     name="omvendt-warm-imports", daemon=True).start()
    from streamlit.web.cli import main as streamlit

    sys.argv = ["streamlit", *argv]
    return streamlit()


if __name__ == "__main__":
    sys.exit(main())
