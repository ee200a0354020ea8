"""User text renders as text on every page: a name, a question, a note or a comment that looks
like Markdown or HTML (a remote image, a link, bold) reaches every Markdown place of the app
(headings, alerts, captions, expanders, tables) escaped, and reads exactly as it was typed.

AppTest reports the Markdown source the app wrote; `rendered` undoes the escapes as a reader's
browser does. The browser test checks the same workbook in Chromium (no request leaves, no
injected image or link appears)."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.format import escape_markdown
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import ROOT, FixedLabeller, app_store_for, rendered

IMAGE = "![n](http://127.0.0.1:9911/x.png)"
BOLD = "**bold**"
HTML = "<b>x</b>"
LINK = "[link](http://x)"
ANCHOR = '<a href="http://127.0.0.1:9911/a">a</a>'  # what Plotly would draw as a link
HOSTILE = (IMAGE, BOLD, HTML, LINK)

RECRUITMENT = f"Drift {BOLD} {HTML}"
KARI = f"Kari {IMAGE}"
OLA = f"Ola {LINK} {ANCHOR}"
PER = f"Per {HTML}"
OLGA = f"Olga {BOLD}"
NOTE = f"Se {IMAGE} og {LINK}, {BOLD} {HTML}"
QUESTION = f"Hva betyr {BOLD} her? {IMAGE}"

PAGES = ["app_pages/overview.py", "app_pages/coverage.py", "app_pages/depth.py",
         "app_pages/experience.py", "app_pages/compare.py", "app_pages/ratings.py",
         "app_pages/guide.py", "app_pages/planning.py"]
TIMEOUT = 120


def hostile_workbook() -> bytes:
    """One recruitment with two held finalists whose names, managers, questions, raters' names,
    notes and feedback comments are Markdown and HTML; the finalists had unequal conditions (so
    the Overview warns, naming the recruitment and the managers), Kari's ratings are all in (so
    the notes show) and three feedback answers make the comments visible."""
    return workbook_bytes({
        "Økter": pd.DataFrame({
            "økt_id": ["H1", "H2"], "rekruttering": [RECRUITMENT] * 2, "kandidat": [KARI, OLA],
            "dato": ["04.03.2026"] * 2, "start": ["09:00", "10:00"], "slutt": ["09:35", "10:50"],
            "leder_minutter": [25, 25], "status": ["gjennomført"] * 2,
            "andregangsintervju": ["10.03.2026"] * 2, "leder": [PER, f"Ola {BOLD}"],
        }),
        "Spørsmål": pd.DataFrame({
            "økt_id": ["H1", "H1", "H2"], "nr": [1, 2, 1], "minutt": [1, 4, 2],
            "spørsmål": [QUESTION, f"Og {LINK}?", f"Hvem er {HTML}?"],
            "oppfølging_av": [None, 1, None], "fit": [None, "gruppe", "leder"],
        }),
        "Vurderinger": pd.DataFrame({
            "økt_id": ["H1", "H1"], "vurderer": [PER, OLGA], "rolle": ["leder", "observatør"],
            "levert": ["04.03.2026 12:00"] * 2, "rolleinnsikt": [4, 3], "prioriteringer": [3, 3],
            "samtale": [5, 4], "oppfølging": [4, 4], "mestring": [4, 5], "notat": [NOTE, IMAGE],
        }),
        "Tilbakemelding": pd.DataFrame({
            "rekruttering": [RECRUITMENT] * 3, "økt_id": [None] * 3,
            "opplevelse": [5, 4, 4], "lærte": [4, 4, 3], "rettferdig": [5, 5, 4],
            "anbefale": [9, 7, 8], "kommentar": [f"Fint {IMAGE}", LINK, HTML],
        }),
    })


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    store = app_store_for(tmp_path, monkeypatch)
    store.import_upload(Upload("hostile.xlsx", hostile_workbook()), FixedLabeller())
    return store


def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    return at


def _markdown_sources(at: AppTest) -> list[str]:
    """Every string the page handed to a Markdown place: headings, text, alerts, captions,
    expander labels, and the headers, index and cells of `st.table`."""
    out = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption",
                                     "info", "warning", "error", "success")
           for e in at.get(kind)]
    out += [str(e.label) for e in at.get("expander")]
    for table in at.table:
        frame = table.value
        out += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
        out += [str(v) for v in frame.to_numpy().ravel()]
    return out


#: What any of the hostile strings would turn into if it reached Markdown unescaped.
_LIVE = re.compile(r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)\*\*bold|(?<!\\)<(?:a|b|img)\b|(?<!\\)\[link")


def test_escape_markdown_leaves_nothing_live_and_reads_as_written():
    for text in (*HOSTILE, ANCHOR, NOTE, "a\n\n    code\n# heading\n1. list", ":red[x] $x$",
                 "http://127.0.0.1:9911/x.png www.vg.no kari@firma.no :smile:"):
        escaped = escape_markdown(text)
        assert not _LIVE.search(escaped), escaped
        assert rendered(escaped) == re.sub(r"\s*\n\s*", "\n", text.strip())
    # bare addresses and shortcodes are found after the escapes are gone: a word joiner breaks them
    assert not re.search(r"https?://|www\.|@\w|:\w+:", escape_markdown(
        "http://x www.vg.no kari@firma.no :smile:").replace("\\", ""))


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_renders_as_text(hostile, page):
    at = _open(page)
    if page in ("app_pages/ratings.py", "app_pages/guide.py"):
        assert at.selectbox(key=page.split("/")[1][:-3] + "_session").value == "H1"
    assert not at.exception, [e.value for e in at.exception]
    sources = _markdown_sources(at)
    live = [s for s in sources if _LIVE.search(s)]
    assert not live, live


def test_the_named_places_show_user_text_as_written(hostile):
    """The places of the finding: rater and note on Ratings, the candidate in the guide's title
    and headers, the recruitment in the Overview's warnings."""
    ratings = rendered("\n".join(_markdown_sources(_open("app_pages/ratings.py"))))
    assert f"**{PER}**: {NOTE}" in ratings and f"**{OLGA}**: {IMAGE}" in ratings
    guide = _open("app_pages/guide.py")
    assert rendered(guide.subheader[0].value) == f"Guide til andregangsintervju: {KARI}"
    assert KARI in [rendered(c) for c in guide.table[-1].value.columns]  # the figures' header
    overview = _open("app_pages/overview.py")
    warnings = [rendered(w.value) for w in overview.warning]
    assert any(w.startswith(f"**{RECRUITMENT}** — ") and PER in w for w in warnings), warnings
