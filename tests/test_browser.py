"""The app in a real browser: `streamlit run app.py` on a free local port, driven by Playwright in
Debian's Chromium (never a downloaded browser). Screenshots go to tests/screenshots/."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis import config
from analysis.i18n import t

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
#: page file -> its title's translation key, in the order a recruiter would visit them
PAGES = {
    "overview": "ui.overview.title",
    "coverage": "ui.coverage.title",
    "depth": "ui.depth.title",
    "experience": "ui.experience.title",
    "compare": "ui.compare.title",
    "ratings": "ui.ratings.title",
    "guide": "ui.guide.title",
    "planning": "ui.planning.title",
    "questions": "ui.questions.title",
    "import_data": "ui.import.title",
    "admin": "trust.admin.title",
}
TIMEOUT_MS = 60_000


def _browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("OMVENDT_REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



@contextmanager
def serve_app(env: dict[str, str], log_path: Path, timeout: float = 60):
    """``streamlit run app.py`` headless on a free port with ``env`` over the process's own
    environment (a None value removes a variable); yields its URL once the server's own health
    check answers, and stops the server afterwards. Shared by every browser test."""
    port = _free_port()
    full = {**os.environ, **env}
    for key in [k for k, v in full.items() if v is None]:
        del full[key]
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:  # the browser is not started before the server is up
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(f"streamlit did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served headless on a free port, over an empty store and a pre-trained model."""
    _browser_or_skip()
    from analysis.model.training import save_model, train_model

    tmp = tmp_path_factory.mktemp("browser")
    model_path = tmp / "fit_model.npz"
    save_model(train_model(calibrate=False), model_path)
    env = {"OMVENDT_DATABASE_URL": f"sqlite:///{tmp / 'store.sqlite'}",
           "OMVENDT_MODEL_PATH": str(model_path)}
    with serve_app(env, tmp / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


def _settled(page) -> None:
    """Wait until the script run is over: the app root reports its script state."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=TIMEOUT_MS)


def _no_exception(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)


def _go(page, name: str) -> None:
    """Open a page through the sidebar navigation, as a user would."""
    from playwright.sync_api import expect

    title = t(PAGES[name], "nb")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(title, timeout=TIMEOUT_MS)
    _settled(page)
    _charts_drawn(page)


def _charts_drawn(page) -> None:
    """Plotly draws after the script run: wait until every visible chart has its SVG."""
    from playwright.sync_api import expect

    # elements whose code is still loading show skeletons first
    for skeleton in ("stSkeleton", "stSkeletonElement"):
        expect(page.get_by_test_id(skeleton)).to_have_count(0, timeout=TIMEOUT_MS)
    for chart in page.get_by_test_id("stPlotlyChart").all():
        if chart.is_visible():
            expect(chart.locator(".main-svg").first).to_be_attached(timeout=TIMEOUT_MS)


def test_every_page_in_a_browser_with_an_import_of_the_sample(server, browser):
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 2400}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []  # nothing may leave the machine, not even a favicon
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        (server, "data:", "blob:")) else None)
    # a deep link as the server's very first request still gets app.py's sidebar and layout
    page.goto(f"{server}/coverage")
    # the server's first page imports everything: give it the page timeout, not expect's 5 s
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        t("ui.coverage.title", "nb"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebar").get_by_text("English", exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    _settled(page)
    page.goto(server)
    # an empty store opens on the overview, which says what to do
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        t("ui.overview.title", "nb"))
    expect(page.get_by_text(re.compile("^Ingen data ennå"))).to_be_visible()
    _settled(page)
    page.screenshot(path=SHOTS / "00_empty_overview.png", full_page=True)

    # import the sample workbook: report first, nothing written, then the Import button
    _go(page, "import_data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(config.SAMPLE_WORKBOOK)
    button = page.get_by_role("button", name=t("ui.import.button", "nb", n=1))
    expect(button).to_be_enabled()
    _settled(page)
    _no_exception(page)
    page.screenshot(path=SHOTS / "01_import_report.png", full_page=True)
    button.click()
    expect(page.get_by_role("heading", name=t("ui.import.changed", "nb"))).to_be_visible()
    _settled(page)
    _no_exception(page)
    page.screenshot(path=SHOTS / "02_import_done.png", full_page=True)

    for i, name in enumerate(PAGES, start=3):
        _go(page, name)
        _no_exception(page)
        expect(page.get_by_text(t("ui.common.no_data", "nb").split(".")[0])).to_have_count(0)
        if name == "ratings":  # every recruitment's agreement is made when its expander opens
            every = page.get_by_test_id("stExpander").filter(
                has_text=t("ui.ratings.agreement_all", "nb"))
            expect(every.get_by_test_id("stDataFrame")).to_have_count(0)
            every.get_by_text(t("ui.ratings.agreement_all", "nb")).click()
            expect(every.get_by_test_id("stDataFrame")).to_be_visible(timeout=TIMEOUT_MS)
            _settled(page)
            _no_exception(page)
        page.screenshot(path=SHOTS / f"{i:02d}_{name}.png", full_page=True)

    # the language switch reaches every page and survives a page change
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    last = list(PAGES.values())[-1]  # the page the loop above ended on
    expect(page.get_by_role("heading", level=1).first).to_have_text(t(last, "en"))
    page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name=t("ui.coverage.title", "en"), exact=True).click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(t("ui.coverage.title", "en"))
    _settled(page)
    _no_exception(page)
    page.screenshot(path=SHOTS / "20_coverage_en.png", full_page=True)
    context.close()
    assert not outside, outside


#: Links and images the hostile workbook's text would make if it were rendered as markup.
_INJECTED = """() => {
    const bad = (url) => url && !url.startsWith("#")  // a heading's own anchor on this page
        && (url.includes("9911") || /^https?:\\/\\/x\\/?$/.test(url));
    const links = [...document.querySelectorAll("a")].map(
        (a) => a.getAttribute("href") || a.getAttribute("xlink:href"));
    const images = [...document.querySelectorAll("img, image")].map(
        (i) => i.getAttribute("src") || i.getAttribute("href") || i.getAttribute("xlink:href"));
    return [...links, ...images].filter(bad);
}"""


def test_user_text_stays_text_in_a_browser(server, browser):
    """A workbook whose names, questions, notes and comments are Markdown and HTML (a remote
    image, links, bold) is imported and every page that shows them is opened: no request leaves
    the machine, no injected image or link appears, and the text reads as typed."""
    from playwright.sync_api import expect

    from tests.test_pages_user_text import KARI, NOTE, PER, hostile_workbook

    context = browser.new_context(viewport={"width": 1440, "height": 2400}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        (server, "data:", "blob:")) else None)
    page.goto(server)
    _settled(page)
    _go(page, "import_data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": "hostile.xlsx", "buffer": hostile_workbook(),
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    button = page.get_by_role("button", name=t("ui.import.button", "nb", n=1))
    expect(button).to_be_enabled()
    _settled(page)
    button.click()
    expect(page.get_by_role("heading", name=t("ui.import.changed", "nb"))).to_be_visible()
    _settled(page)

    for name in ("overview", "coverage", "depth", "experience", "compare", "ratings", "guide",
                 "planning"):
        _go(page, name)
        if name in ("ratings", "guide"):  # Kari's session: her ratings and guide
            page.get_by_test_id("stSelectbox").first.click()
            page.keyboard.type("Kari ![n]")
            page.get_by_role("option", name=re.compile(r"^Kari !\[n\]")).first.click()
            # the rerun has drawn her session: her observer's note, or her guide's title
            drawn = (page.get_by_test_id("stMarkdownContainer").get_by_text(
                re.compile(r"^Olga \*\*bold\*\*:")) if name == "ratings" else
                page.get_by_role("heading", name=re.compile(
                    "^Guide til andregangsintervju:\u2060? Kari")))
            expect(drawn.first).to_be_visible(timeout=TIMEOUT_MS)
            _settled(page)
            _charts_drawn(page)
        _no_exception(page)
        assert page.evaluate(_INJECTED) == [], name
        # the text reads as typed (but for invisible word joiners that keep addresses unlinked)
        shown = page.evaluate("() => document.body.innerText.replaceAll('\\u2060', '')")
        if name == "ratings":
            assert f"{PER}: {NOTE}" in shown
        if name == "guide":
            assert f"Guide til andregangsintervju: {KARI}" in shown
    page.screenshot(path=SHOTS / "30_guide_user_text.png", full_page=True)
    context.close()
    assert not outside, outside
