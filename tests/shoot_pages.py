"""Screenshots of every page in nb and en at 1280 px, for a person to look at (issue 12).

    .venv/bin/python tests/shoot_pages.py [OUT_DIR [PAGE ...]]

Seeds a throwaway SQLite store with the sample (dated for today), starts the app on a free port,
and saves OUT_DIR/{lang}_{page}.png (full page) with Debian's Chromium. Not a test: it asserts
nothing; it is how cut-off labels, English leftovers and unformatted numbers are found.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "coverage", "depth", "experience", "compare", "ratings", "guide",
         "planning", "questions", "import_data", "admin"]


_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _shoot_whole(page, path: Path) -> None:
    """Streamlit scrolls inside its own container, so a full-page shot is only the viewport:
    grow the viewport to the content's height first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer], section.main')]"
        ".map(e => e.scrollHeight), 900)")
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(out: Path, pages: list[str] = PAGES) -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from analysis.sample import sample_upload
    from analysis.model.training import default_model
    from analysis.store.core import Store

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    Store(url).import_upload(sample_upload(), default_model())  # labelled, as `make run` seeds
    port = _port()
    env = {**os.environ, "OMVENDT_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
         "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for _ in range(60):
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:  # the server is still starting
                    time.sleep(0.5)
            for lang in ("nb", "en"):
                for name in pages:
                    # Each page by its own URL, in a new session started in the language.
                    path = "" if name == PAGES[0] else name
                    page.set_viewport_size({"width": 1280, "height": 900})
                    page.goto(f"http://127.0.0.1:{port}/{path}?lang={lang}")
                    page.wait_for_selector(_IDLE, timeout=120000)
                    page.wait_for_timeout(2500)  # charts draw after the script is done
                    _shoot_whole(page, out / f"{lang}_{name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/omvendt_shots"),
         sys.argv[2:] or PAGES)
