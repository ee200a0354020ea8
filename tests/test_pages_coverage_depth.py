"""AppTest tests of the Fit coverage and Follow-up depth pages (issue 12): one recruitment at a
time, recruitments side by side only on request on one colour scale, the questions behind a
cell picked beside the chart, and the conversation's questions readable under its timeline."""
from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from analysis import FITS, escape_markdown
from analysis.i18n import t
from tests.conftest import rendered
from tests.test_pages import (  # noqa: F401  (fixtures)
    _assert_ok,
    _open,
    _table,
    _texts,
    app_env,
    model_file,
    sample_store,
)

#: The sample's recruitments, the most recent first (by their last session's date).
EM = "Engineering Manager, Oslo fintech 2026"   # 2026-04-14
AS = "Avdelingsleder sykepleie, Sjukehuset Vest 2026"  # 2026-03-16
DB = "Driftssjef Bergen 2026"  # 2026-03-04


def _decoded(value):
    """Plotly's JSON with its typed arrays ({"dtype", "bdata", "shape"}) as lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def _charts(at) -> list[dict]:
    """Every chart on the page as Plotly's dict, arrays as lists."""
    return [_decoded(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]


def _heatmaps(at) -> list[dict]:
    """The heatmap traces of the coverage page's first chart, values as lists."""
    return [tr for tr in _charts(at)[0]["data"] if tr["type"] == "heatmap"]


def _heat_table(at):
    return _table(at, t("ui.common.candidate", "nb"), t("ui.common.recruitment", "nb"),
                  t("fit.job", "nb"))


# -- Fit coverage --------------------------------------------------------------------------------


def test_coverage_opens_on_the_most_recent_recruitment_alone(sample_store):
    at = _open("app_pages/coverage.py")
    _assert_ok(at)
    box = at.selectbox(key="coverage_recruitment")
    assert box.options == [EM, AS, DB] and box.value == EM
    assert not at.toggle(key="coverage_compare").value
    assert set(_heat_table(at)[t("ui.common.recruitment", "nb")]) == {EM}
    # one map, on the colour scale the caption states
    (heat,) = _heatmaps(at)
    assert len(heat["x"]) == 2 and heat["y"] == list(FITS)
    layout = _charts(at)[0]["layout"]
    top = layout["coloraxis"]["cmax"]
    assert layout["coloraxis"]["cmin"] == 0 and top == max(max(row) for row in heat["z"])
    assert t("ui.coverage.scale_counts", "nb", n=int(top)) in _texts(at)
    assert EM in layout["title"]["text"]
    # the finalists to pick below are this recruitment's, and so are the bars and the table
    assert at.selectbox(key="coverage_pick_session").options == ["Jonas Berg", "Aisha Rahman"]
    assert set(_table(at, t("report.figure.balance", "nb"))[t("ui.common.candidate", "nb")]) \
        == {"Jonas Berg", "Aisha Rahman"}


def test_coverage_picks_another_recruitment(sample_store):
    at = _open("app_pages/coverage.py")
    at.selectbox(key="coverage_recruitment").set_value(DB).run()
    _assert_ok(at)
    assert set(_heat_table(at)[t("ui.common.recruitment", "nb")]) == {DB}
    # the declined finalist has no column: the map shows held sessions
    assert at.selectbox(key="coverage_pick_session").options == ["Ingrid Solheim", "Magnus Aase"]


def test_coverage_defaults_to_the_most_recent_recruitment_in_the_sidebar_filter(sample_store):
    at = _open("app_pages/coverage.py")
    at.session_state["filter_recruitments"] = [DB, AS]
    at.run()
    _assert_ok(at)
    box = at.selectbox(key="coverage_recruitment")
    assert box.options == [AS, DB] and box.value == AS


def test_one_recruitment_in_the_filter_offers_nothing_to_compare(sample_store):
    at = _open("app_pages/coverage.py")
    at.session_state["filter_recruitments"] = [DB]
    at.run()
    _assert_ok(at)
    assert not [w for w in at.toggle if w.key == "coverage_compare"]
    assert at.selectbox(key="coverage_recruitment").value == DB


@pytest.mark.parametrize("shares", [False, True])
def test_compare_draws_one_map_per_recruitment_on_one_stated_scale(sample_store, shares):
    at = _open("app_pages/coverage.py")
    at.toggle(key="coverage_shares").set_value(shares)
    at.toggle(key="coverage_compare").set_value(True).run()
    _assert_ok(at)
    assert not [w for w in at.selectbox if w.key == "coverage_recruitment"]
    heats = _heatmaps(at)
    assert len(heats) == 3  # side by side, the most recent first
    assert {h["coloraxis"] for h in heats} == {"coloraxis"}  # one shared scale
    assert [len(h["x"]) for h in heats] == [2, 3, 2]
    layout = _charts(at)[0]["layout"]
    titles = [a["text"].replace("<br>", " ") for a in layout["annotations"]]
    assert titles == [EM, AS, DB]
    top = max(max(max(row) for row in h["z"]) for h in heats)
    assert layout["coloraxis"]["cmax"] == (1 if shares else top)
    stated = (t("ui.coverage.scale_shares", "nb") if shares
              else t("ui.coverage.scale_counts", "nb", n=int(top)))
    assert f"{stated} {t('ui.coverage.scale_shared', 'nb')}" in _texts(at)
    assert set(_heat_table(at)[t("ui.common.recruitment", "nb")]) == {EM, AS, DB}
    assert len(at.selectbox(key="coverage_pick_session").options) == 7


def test_every_cell_carries_a_clickable_marker_for_its_finalist_and_fit(sample_store):
    """Streamlit reports a click on a marker, never on a heatmap cell: each cell has one."""
    at = _open("app_pages/coverage.py")
    markers = [tr for tr in _charts(at)[0]["data"] if tr["type"] == "scatter"]
    (marker,) = markers
    cells = {(cd[0], y) for cd, y in zip(marker["customdata"], marker["y"])}
    assert cells == {(sid, f) for sid in ("EM-01", "EM-02") for f in FITS}


def test_the_pickers_show_the_questions_behind_a_cell(sample_store):
    at = _open("app_pages/coverage.py")
    at.selectbox(key="coverage_recruitment").set_value(AS).run()
    questions = sample_store.questions()
    mine = questions[questions["session_id"] == "AS-01"]
    seen = set()
    for fit in FITS:
        at.selectbox(key="coverage_pick_session").set_value("AS-01")
        at.selectbox(key="coverage_pick_fit").set_value(fit).run()
        _assert_ok(at)
        expected = mine[mine["fit"] == fit]["question"].tolist()
        if expected:
            shown = _table(at, t("ui.common.question", "nb"), t("ui.coverage.source", "nb"))
            assert shown[t("ui.common.question", "nb")].tolist() == expected
            seen.add(fit)
        else:
            assert t("ui.coverage.none_behind", "nb", candidate="Camilla Nygård",
                     fit=t(f"fit.{fit}", "nb")) in _texts(at)
    assert len(seen) >= 2  # the pickers really changed what is shown


# -- Follow-up depth -----------------------------------------------------------------------------


def _conversation_table(at):
    """The table of the session's questions under the timeline (the page's last st.table; the
    figures per finalist above it are one too)."""
    return at.table[-1].value


def test_depth_lists_the_sessions_questions_under_the_timeline(sample_store):
    at = _open("app_pages/depth.py")
    _assert_ok(at)
    pick = at.selectbox(key="depth_session").value
    questions = sample_store.questions()
    mine = questions[questions["session_id"] == pick].sort_values("seq")
    table = _conversation_table(at)
    header = {k: t(k, "nb") for k in ("ui.common.seq", "ui.common.minute", "ui.depth.thread",
                                      "ui.depth.follows", "ui.depth.follow_ups_under",
                                      "ui.common.fit", "ui.common.question")}
    assert list(table.columns) == list(header.values())
    # one row per question, in the order asked, with the whole text
    assert table[header["ui.common.seq"]].tolist() == [str(s) for s in mine["seq"]]
    assert [rendered(q) for q in table[header["ui.common.question"]]] == mine["question"].tolist()
    assert t("ui.depth.questions", "nb") in _texts(at)
    # "Følger opp nr." names the parent's number; "Oppfølginger" counts the whole sub-thread
    follows = table[header["ui.depth.follows"]].tolist()
    parents = ["" if pd.isna(v) else str(int(v)) for v in mine["follow_up_to"]]
    assert follows == parents
    under = dict(zip(mine["seq"], (int(n) for n in table[header["ui.depth.follow_ups_under"]])))
    for seq, parent in zip(mine["seq"], mine["follow_up_to"]):
        if pd.isna(parent):
            continue
        assert under[int(parent)] >= 1 + under[seq]  # a parent counts its child and more
    assert sum(under.values()) >= sum(1 for v in parents if v)


def test_depth_timeline_labels_its_points_and_rows_in_words(sample_store):
    at = _open("app_pages/depth.py")
    pick = at.selectbox(key="depth_session").value
    questions = sample_store.questions()
    mine = questions[questions["session_id"] == pick].sort_values("seq")
    timeline = next(c for c in _charts(at) if "Tidslinje" in c["layout"]["title"]["text"])
    # every point carries its number, the link to the table
    points = [tr for tr in timeline["data"] if tr.get("mode") == "markers+text"]
    numbers = sorted(int(n) for tr in points for n in tr["text"])
    assert numbers == sorted(mine["seq"].tolist())
    # the rows are named by the thread's first question, in short
    labels = timeline["layout"]["yaxis"]["ticktext"]
    first = mine["question"].iloc[0]
    assert labels[0].startswith("1 · ") and labels[0][4:].rstrip("…") in first
    assert all(len(label) <= 4 + 34 for label in labels)


def test_picking_another_session_changes_the_table(sample_store):
    at = _open("app_pages/depth.py")
    at.selectbox(key="depth_session").set_value("EM-02").run()
    _assert_ok(at)
    questions = sample_store.questions()
    mine = questions[questions["session_id"] == "EM-02"].sort_values("seq")
    table = _conversation_table(at)
    assert [rendered(q) for q in table[t("ui.common.question", "nb")]] == \
        mine["question"].tolist()


def test_depth_table_reads_in_english(sample_store):
    at = _open("app_pages/depth.py")
    at.session_state["lang"] = "en"
    at.run()
    _assert_ok(at)
    table = _conversation_table(at)
    assert list(table.columns)[3:5] == ["Follows up no.", "Follow-ups"]


# -- the data's text stays text in the new labels -------------------------------------------------


@pytest.fixture
def hostile_and_sample(sample_store):
    """The sample and a recruitment whose names and questions are Markdown and HTML."""
    from analysis.workbook.reading import Upload
    from tests.conftest import FixedLabeller
    from tests.test_pages_user_text import hostile_workbook

    sample_store.import_upload(Upload("hostile.xlsx", hostile_workbook()), FixedLabeller())
    return sample_store


def _markup(texts: list[str]) -> list[str]:
    """The labels that would draw as markup (a tag other than the line breaks the page adds)."""
    return [s for s in texts if "<" in s.replace("<br>", "")]


def test_compared_recruitment_titles_and_names_are_escaped(hostile_and_sample):
    from tests.test_pages_user_text import OLA, RECRUITMENT

    at = _open("app_pages/coverage.py")
    at.toggle(key="coverage_compare").set_value(True).run()
    _assert_ok(at)
    chart = _charts(at)[0]
    titles = [a["text"] for a in chart["layout"]["annotations"]]
    ticks = [text for name, axis in chart["layout"].items() if name.startswith("xaxis")
             for text in axis.get("ticktext", [])]
    assert not _markup(titles + ticks), titles + ticks
    assert any("&lt;b&gt;x&lt;/b&gt;" in title for title in titles)  # RECRUITMENT, as typed
    assert any("&lt;a href" in tick for tick in ticks)  # OLA's anchor, as text
    assert RECRUITMENT.startswith("Drift") and OLA.startswith("Ola")


def test_timeline_row_labels_are_escaped(hostile_and_sample):
    at = _open("app_pages/depth.py")
    at.selectbox(key="depth_session").set_value("H1").run()
    _assert_ok(at)
    timeline = next(c for c in _charts(at) if "Tidslinje" in c["layout"]["title"]["text"])
    labels = timeline["layout"]["yaxis"]["ticktext"]
    assert not _markup(labels), labels
    # and the table writes the questions as text, not Markdown
    from tests.test_pages_user_text import QUESTION

    questions = [rendered(q) for q in _conversation_table(at)[t("ui.common.question", "nb")]]
    assert QUESTION in questions


def test_depth_shows_the_figures_per_finalist_whole_with_shares_as_percent(sample_store):
    at = _open("app_pages/depth.py")
    _assert_ok(at)
    figures = at.table[0].value
    share = escape_markdown(t("report.figure.follow_up_share", "nb"))
    assert len(figures) == len(sample_store.sessions().query("status == 'held'"))
    assert all(v.endswith(" %") for v in figures[share]), figures[share].tolist()
