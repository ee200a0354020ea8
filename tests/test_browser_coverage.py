"""The Fit coverage page in a real browser (issue 12): a click on a heatmap cell picks that
finalist and fit under "Spørsmålene bak en rute", in one recruitment's map and in the
side-by-side comparison. Streamlit reports no selection for a click on a heatmap itself; the
page puts an invisible marker on each cell, and this test proves the click arrives."""
from __future__ import annotations

import pytest

from analysis import config
from analysis.i18n import t
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from tests.conftest import FixedLabeller
from tests.test_browser import (  # noqa: F401  (fixture)
    TIMEOUT_MS,
    _browser_or_skip,
    _charts_drawn,
    _no_exception,
    _settled,
    browser,
    serve_app,
)

pytestmark = pytest.mark.browser

FITS_SHOWN = ["job", "group", "supervisor", "organization", "other"]  # the map's rows, top down


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory):
    """The app over a store with the sample imported (its recruitments as dated in the file)."""
    _browser_or_skip()
    tmp = tmp_path_factory.mktemp("browser_coverage")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    Store(url).import_upload(Upload.from_path(config.SAMPLE_WORKBOOK), FixedLabeller())
    env = {"OMVENDT_DATABASE_URL": url, "OMVENDT_MODEL_PATH": str(tmp / "no-model.npz")}
    with serve_app(env, tmp / "server.log") as base:
        yield base


def _picked(page) -> tuple[str, str]:
    """What the finalist and fit pickers under the map show."""
    boxes = page.get_by_test_id("stSelectbox")
    finalist = boxes.filter(has_text=t("ui.common.candidate", "nb")).locator("input")
    fit = boxes.filter(has_text=t("ui.common.fit", "nb")).locator("input")
    return finalist.input_value(), fit.input_value()


def _click_cell(page, panel: int, column: int, columns: int, fit: str) -> None:
    """Hover, then click the centre of a cell of the map's ``panel`` (0 = the first)."""
    from playwright.sync_api import expect

    chart = page.get_by_test_id("stPlotlyChart").first
    area = chart.locator(".nsewdrag").nth(panel).bounding_box()
    x = area["x"] + area["width"] * (column + 0.5) / columns
    y = area["y"] + area["height"] * (FITS_SHOWN.index(fit) + 0.5) / len(FITS_SHOWN)
    page.mouse.move(x, y)
    expect(chart.locator(".hoverlayer .hovertext").first).to_be_visible()
    page.mouse.click(x, y)


def _wait_for_pick(page, expected: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    finalist, fit = expected
    boxes = page.get_by_test_id("stSelectbox")
    expect(boxes.filter(has_text=t("ui.common.candidate", "nb")).locator("input")).to_have_value(
        finalist, timeout=TIMEOUT_MS)
    expect(boxes.filter(has_text=t("ui.common.fit", "nb")).locator("input")).to_have_value(
        fit, timeout=TIMEOUT_MS)
    _settled(page)


def test_a_click_on_a_cell_picks_its_finalist_and_fit(sample_server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 1800}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{sample_server}/coverage")
    # the server's first page imports everything: the page timeout, not expect's 5 s
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        t("ui.coverage.title", "nb"), timeout=TIMEOUT_MS)
    _settled(page)
    _charts_drawn(page)
    _no_exception(page)
    # the most recent recruitment alone; its first finalist and the first fit are picked
    assert _picked(page) == ("Jonas Berg", t("fit.job", "nb"))

    _click_cell(page, 0, 1, 2, "supervisor")  # Aisha Rahman × Person–Leder
    _wait_for_pick(page, ("Aisha Rahman", t("fit.supervisor", "nb")))
    _no_exception(page)
    # the pickers stay free after a click: a hand-picked fit is not undone by the next run
    fit_box = page.get_by_test_id("stSelectbox").filter(has_text=t("ui.common.fit", "nb"))
    fit_box.locator("input").click()
    page.get_by_role("option", name=t("fit.group", "nb"), exact=True).click()
    _wait_for_pick(page, ("Aisha Rahman", t("fit.group", "nb")))

    # side by side: a click in the second recruitment's map picks one of its finalists
    page.get_by_text(t("ui.coverage.compare", "nb"), exact=True).click()
    expect(page.get_by_text(t("ui.coverage.compare_title", "nb"))).to_be_visible()
    _settled(page)
    _charts_drawn(page)
    expect(page.get_by_test_id("stPlotlyChart").first.locator(".nsewdrag")).to_have_count(3)
    _click_cell(page, 1, 2, 3, "other")  # Avdelingsleder sykepleie: Nora Lie Bakke × Annet
    _wait_for_pick(page, ("Nora Lie Bakke", t("fit.other", "nb")))
    _no_exception(page)
    context.close()
